// `rackplay report merge`: the JSON reports of the slices of one run (--slice K/N) as
// the one report an unsliced run over the same hosts would have written. The merged
// report is rebuilt from a merged run record, so its drift summary and exit code come
// from the same code as a run's. Hosts, tasks and results are put in the unsliced run's
// order: a play's hosts as the slices recorded them in `sliced_from`, and within a task
// the results in that host order (an unsliced run lists them as the hosts finish).
import { EXIT } from '../errors/classes.js';
import { errReportsDiffer } from '../errors/load-errors-input.js';
import { computeDrift, detailedExitCode, EXIT_CHANGES } from './drift.js';
import type { HostStats } from './events.js';
import { buildRunReport, REPORT_FORMAT, REPORT_SCHEMA_VERSION, type RunReport } from './report-json.js';
import type { RecordedPlay, RecordedResult, RecordedTask, RunRecord } from './run-record.js';

export interface NamedReport {
  file: string;
  report: RunReport;
}

/** Which run failed worst decides the merged code, as one run's would: interrupted, errors, unreachable, failed. */
const EXIT_PRECEDENCE: number[] = [EXIT.interrupted, EXIT.unexpected, EXIT.badOptions, EXIT.error, EXIT.unreachable, EXIT.hostFailed];

export function mergeReports(inputs: NamedReport[]): RunReport {
  if (!inputs.length) throw errReportsDiffer('report merge needs at least one JSON report', { hint: 'rackplay report merge slice-1.json slice-2.json ... --report html=PATH' });
  checkTogether(inputs);
  const first = inputs[0]!.report;
  const record = mergeRecords(inputs.map((i) => i.report));
  const bases = inputs.map(({ report: r }) => (r.run.detailed_exitcode && r.run.exit_code === EXIT_CHANGES ? 0 : r.run.exit_code));
  const base = EXIT_PRECEDENCE.find((c) => bases.includes(c)) ?? bases.find((c) => c !== 0) ?? 0;
  const detailed = first.run.detailed_exitcode;
  const exitCode = detailed ? detailedExitCode(base, computeDrift(record)) : base;
  const merged = buildRunReport(record, { version: first.run.version, commandLine: withoutSlice(first.run.command_line), exitCode, detailedExitcode: detailed });
  merged.run.merged_from = inputs.map((i) => i.file);
  return merged;
}

/** Refuses reports that are not slices of one run: another format, playbook or mode, or slices missing. */
function checkTogether(inputs: NamedReport[]): void {
  const bad = (msg: string, hint: string) => errReportsDiffer(msg, { hint });
  for (const { file, report } of inputs) {
    if (report?.format !== REPORT_FORMAT || typeof report.schema_version !== 'number') throw bad(`${file} is not a rackplay JSON report`, 'give the files that --report json=PATH wrote');
    if (report.schema_version > REPORT_SCHEMA_VERSION) throw bad(`${file} has report schema version ${report.schema_version}; this rackplay reads up to ${REPORT_SCHEMA_VERSION}`, 'merge with the rackplay version that wrote the reports');
  }
  const [a, ...rest] = inputs;
  for (const b of rest) {
    for (const key of ['playbook', 'check', 'diff', 'detailed_exitcode'] as const) {
      if (a!.report.run[key] !== b.report.run[key]) {
        throw bad(`${a!.file} and ${b.file} are not slices of one run: their ${key} differs (${JSON.stringify(a!.report.run[key])} and ${JSON.stringify(b.report.run[key])})`, 'run every slice with the same playbook and options, changing only --slice K/N');
      }
    }
  }
  const sliced = inputs.filter((i) => i.report.run.slice);
  if (!sliced.length) return;
  if (sliced.length !== inputs.length) {
    const plain = inputs.find((i) => !i.report.run.slice)!;
    throw bad(`${plain.file} comes from a run without --slice, ${sliced[0]!.file} from a sliced one`, 'merge the reports of the N slices of one run');
  }
  const count = sliced[0]!.report.run.slice!.count;
  const seen = new Map<number, string>();
  for (const { file, report } of sliced) {
    const s = report.run.slice!;
    if (s.count !== count) throw bad(`${file} is slice ${s.index}/${s.count}, ${sliced[0]!.file} one of ${count}`, 'merge the slices of one split: every slice with the same N');
    const twin = seen.get(s.index);
    if (twin) throw bad(`${twin} and ${file} are both slice ${s.index}/${count}`, 'give each slice once');
    seen.set(s.index, file);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((k) => !seen.has(k));
  if (missing.length) throw bad(`slice${missing.length > 1 ? 's' : ''} ${missing.map((k) => `${k}/${count}`).join(', ')} missing: the merged report would leave out their hosts`, `give all ${count} reports`);
}

/** A task's identity across runs of one playbook: its place in the files, and which time it ran there. */
function taskKeys(tasks: RunReport['tasks']): string[] {
  const seen = new Map<string, number>();
  return tasks.map((t) => {
    const where = `${t.id.replace(/#\d+$/, '')}\u0000${t.name}\u0000${t.handler}`;
    const n = (seen.get(where) ?? 0) + 1;
    seen.set(where, n);
    return `${where}\u0000${n}`;
  });
}

function playKeys(plays: RunReport['plays']): string[] {
  const seen = new Map<string, number>();
  return plays.map((p) => {
    const where = `${p.name}\u0000${p.pattern}`;
    const n = (seen.get(where) ?? 0) + 1;
    seen.set(where, n);
    return `${where}\u0000${n}`;
  });
}

/** Inserts each key of `keys` into `order`, right after the key before it in `keys`. */
function mergeOrder(order: string[], keys: string[]): void {
  let after = -1;
  for (const k of keys) {
    const at = order.indexOf(k);
    if (at >= 0) after = at;
    else order.splice(++after, 0, k);
  }
}

function mergeRecords(reports: RunReport[]): RunRecord {
  const playOrder: string[] = [];
  const taskOrder: string[] = [];
  // Hosts as sets: a sliced run is one of thousands of hosts.
  const plays = new Map<string, RecordedPlay & { seen: Set<string>; order?: string[] }>();
  const tasks = new Map<string, RecordedTask>();
  const playOfTask = new Map<string, string>();
  const results: Array<RecordedResult & { key: string }> = [];
  const recap: Record<string, HostStats> = {};
  for (const r of reports) {
    const pk = playKeys(r.plays);
    mergeOrder(playOrder, pk);
    r.plays.forEach((p, i) => {
      const have = plays.get(pk[i]!);
      if (!have) plays.set(pk[i]!, { name: p.name, pattern: p.pattern, hosts: [...p.hosts], seen: new Set(p.hosts), startedAt: p.started_at, ...(p.sliced_from ? { order: p.sliced_from } : {}) });
      else {
        for (const h of p.hosts) if (!have.seen.has(h)) have.seen.add(h), have.hosts.push(h);
        if (p.started_at < have.startedAt) have.startedAt = p.started_at;
      }
    });
    const tk = taskKeys(r.tasks);
    mergeOrder(taskOrder, tk);
    r.tasks.forEach((t, i) => {
      const key = tk[i]!;
      if (!tasks.has(key)) {
        tasks.set(key, { id: t.id, name: t.name, action: t.action, ...(t.role ? { role: t.role } : {}), tags: t.tags, ...(t.path ? { path: t.path } : {}), handler: t.handler, play: 0, startedAt: t.started_at });
        playOfTask.set(key, pk[t.play] ?? '');
      } else if (t.started_at < tasks.get(key)!.startedAt) tasks.get(key)!.startedAt = t.started_at;
      for (const x of t.results) {
        const { delegated_to, duration_ms, finished_at, ...same } = x;
        results.push({ ...same, task: '', key, ...(delegated_to ? { delegatedTo: delegated_to } : {}), ...(duration_ms !== undefined ? { durationMs: duration_ms } : {}), finishedAt: finished_at });
      }
    });
    for (const [h, s] of Object.entries(r.recap)) recap[h] = recap[h] ? addStats(recap[h]!, s) : { ...s };
  }
  // The unsliced run's host order: each play's, then any other host the reports name.
  const mergedPlays = playOrder.map((k) => {
    const p = plays.get(k)!;
    const { order, seen, ...play } = p;
    if (order) {
      const listed = new Set(order);
      play.hosts = order.filter((h) => seen.has(h)).concat(p.hosts.filter((h) => !listed.has(h)));
    }
    return play;
  });
  const hostOrder: string[] = [];
  const known = new Set<string>();
  const addHost = (h: string) => void (known.has(h) || (known.add(h), hostOrder.push(h)));
  mergedPlays.forEach((p) => p.hosts.forEach(addHost));
  reports.forEach((r) => r.hosts.forEach(addHost));
  const rank = new Map(hostOrder.map((h, i) => [h, i]));
  const taskRank = new Map(taskOrder.map((k, i) => [k, i]));
  const playRank = new Map(playOrder.map((k, i) => [k, i]));
  const mergedTasks = taskOrder.map((k) => ({ ...tasks.get(k)!, play: playRank.get(playOfTask.get(k)!) ?? 0 }));
  const byKey = new Map(taskOrder.map((k, i) => [k, mergedTasks[i]!.id]));
  // Stable: one host's several results for one task (a handler run twice) keep their order.
  const ordered = results
    .map((r, i) => ({ r, i }))
    .sort((a, b) => taskRank.get(a.r.key)! - taskRank.get(b.r.key)! || (rank.get(a.r.host) ?? 0) - (rank.get(b.r.host) ?? 0) || a.i - b.i)
    .map(({ r: { key, ...r } }) => ({ ...r, task: byKey.get(key)! }));
  const startedAt = reports.map((r) => r.run.started_at).sort()[0]!;
  const endedAt = reports.map((r) => r.run.ended_at).sort().at(-1)!;
  const first = reports[0]!.run;
  return {
    ...(first.playbook !== null ? { playbook: first.playbook } : {}),
    check: first.check,
    diff: first.diff,
    startedAt,
    endedAt,
    durationMs: Math.max(0, Date.parse(endedAt) - Date.parse(startedAt)),
    plays: mergedPlays,
    tasks: mergedTasks,
    results: ordered,
    hosts: hostOrder,
    recap: Object.fromEntries(hostOrder.filter((h) => recap[h]).map((h) => [h, recap[h]!])),
    warnings: [...new Set(reports.flatMap((r) => r.warnings))],
    errors: [...new Set(reports.flatMap((r) => r.errors))],
  };
}

function addStats(a: HostStats, b: HostStats): HostStats {
  const out = { ...a } as Record<string, unknown>;
  for (const [k, v] of Object.entries(b)) if (typeof v === 'number') out[k] = (typeof out[k] === 'number' ? (out[k] as number) : 0) + v;
  return out as unknown as HostStats;
}

/** The slice's command line as the unsliced run's: without its --slice. */
function withoutSlice(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--slice') i++;
    else if (!argv[i]!.startsWith('--slice=')) out.push(argv[i]!);
  }
  return out;
}
