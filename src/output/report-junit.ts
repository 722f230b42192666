// The JUnit XML report (--report junit=PATH), for CI servers that already show JUnit:
// one <testsuite> per host, one <testcase> per task run on it. A failed or unreachable
// task is a <failure>; in check mode a task that would change is a <failure type="drift">
// (the host is not in the state the playbook describes); skipped tasks, and tasks check
// mode cannot predict, are <skipped>.
import { formatDiff } from './diff-format.js';
import type { ReportResult, ReportTask, RunReport } from './report-json.js';
import type { SecretMasker } from './secret-masker.js';

/** XML 1.0 has no way to carry most control characters, not even escaped. */
function xmlSafe(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD');
}

export function xmlEscape(s: string): string {
  return xmlSafe(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function attr(name: string, value: string | number | undefined): string {
  return value === undefined ? '' : ` ${name}="${xmlEscape(String(value)).replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;')}"`;
}

const seconds = (ms: number | undefined) => ((ms ?? 0) / 1000).toFixed(3);

interface Case {
  task: ReportTask;
  result: ReportResult;
}

function firstLine(s: string | undefined, fallback: string): string {
  const line = (s ?? '').split('\n').find((l) => l.trim());
  return line ? line.slice(0, 500) : fallback;
}

function testcase(c: Case, check: boolean, playName: string): string {
  const { task, result } = c;
  const classname = [playName || 'play', task.role ?? ''].filter(Boolean).join('.');
  const open = `    <testcase${attr('name', task.name)}${attr('classname', classname)}${attr('time', seconds(result.duration_ms))}`;
  const body: string[] = [];
  const failedLike = (result.status === 'failed' || result.status === 'unreachable') && !result.ignored;
  if (result.status === 'skipped' || result.unknown) {
    const msg = result.unknown ? 'check mode cannot predict this task' : (result.msg ?? 'skipped');
    body.push(`      <skipped${attr('message', firstLine(msg, 'skipped'))}/>`);
  } else if (failedLike) {
    const detail = [result.msg, result.stderr].filter(Boolean).join('\n');
    body.push(`      <failure${attr('type', result.status)}${attr('message', firstLine(result.msg, result.status))}>${xmlEscape(detail)}</failure>`);
  } else if (check && result.changed) {
    const diff = result.diff?.length ? formatDiff(result.diff, false) : '';
    body.push(`      <failure${attr('type', 'drift')}${attr('message', 'would change')}>${xmlEscape(diff)}</failure>`);
  }
  if (result.warnings?.length) body.push(`      <system-err>${xmlEscape(result.warnings.join('\n'))}</system-err>`);
  if (!body.length) return `${open}/>`;
  return `${open}>\n${body.join('\n')}\n    </testcase>`;
}

export function renderJunitReport(report: RunReport, masker?: SecretMasker): string {
  const r = masker ? masker.maskValue(report) : report;
  const check = r.run.check;
  const perHost = new Map<string, Case[]>(r.hosts.map((h) => [h, []]));
  for (const task of r.tasks) {
    for (const result of task.results) {
      let list = perHost.get(result.host);
      if (!list) perHost.set(result.host, (list = []));
      list.push({ task, result });
    }
  }
  const totals = { tests: 0, failures: 0, skipped: 0, time: 0 };
  const suites: string[] = [];
  let id = 0;
  for (const [host, cases] of perHost) {
    let failures = 0;
    let skipped = 0;
    let time = 0;
    for (const { result } of cases) {
      time += result.duration_ms ?? 0;
      if (result.status === 'skipped' || result.unknown) skipped++;
      else if (((result.status === 'failed' || result.status === 'unreachable') && !result.ignored) || (check && result.changed)) failures++;
    }
    totals.tests += cases.length;
    totals.failures += failures;
    totals.skipped += skipped;
    totals.time += time;
    const head =
      `  <testsuite${attr('name', host)}${attr('tests', cases.length)}${attr('failures', failures)}${attr('errors', 0)}` +
      `${attr('skipped', skipped)}${attr('time', seconds(time))}${attr('timestamp', r.run.started_at.replace(/Z$/, ''))}${attr('hostname', host)}${attr('id', id++)}>`;
    const props = [
      `    <properties>`,
      `      <property${attr('name', 'check')}${attr('value', String(check))}/>`,
      `      <property${attr('name', 'playbook')}${attr('value', r.run.playbook ?? '')}/>`,
      `      <property${attr('name', 'rackplay.version')}${attr('value', r.run.version)}/>`,
      `    </properties>`,
    ];
    const body = cases.map((c) => testcase(c, check, r.plays[c.task.play]?.name ?? ''));
    suites.push([head, ...props, ...body, '  </testsuite>'].join('\n'));
  }
  const name = `rackplay${r.run.playbook ? ` ${r.run.playbook}` : ''}${check ? ' (check)' : ''}`;
  const text =
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites${attr('name', name)}${attr('tests', totals.tests)}${attr('failures', totals.failures)}${attr('errors', 0)}${attr('time', seconds(totals.time))}>\n` +
    (suites.length ? suites.join('\n') + '\n' : '') +
    `</testsuites>\n`;
  return masker ? masker.mask(text) : text;
}
