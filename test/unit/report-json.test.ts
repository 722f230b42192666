import { describe, expect, it } from 'vitest';
import { buildRunReport, redactCommandLine, renderJsonReport, REPORT_SCHEMA_VERSION } from '../../src/output/report-json.js';
import { RunRecorder } from '../../src/output/run-record.js';
import { SecretMasker } from '../../src/output/secret-masker.js';
import type { RunEvent } from '../../src/output/events.js';
import { checkRunEvents, result, taskRef, validateReport } from './report-helpers.js';

function reportOf(events: RunEvent[], meta = {}) {
  let t = Date.parse('2025-01-02T03:04:05.000Z');
  const rec = new RunRecorder({ now: () => new Date((t += 1000)) });
  events.forEach((e) => rec.handle(e));
  return buildRunReport(rec.finish(), { version: '9.9.9', commandLine: ['site.yml', '--check'], exitCode: 2, detailedExitcode: true, ...meta });
}

describe('JSON report', () => {
  it('validates against the published schema, for check and applying runs', () => {
    for (const check of [true, false]) {
      const doc = JSON.parse(renderJsonReport(reportOf(checkRunEvents(check))));
      const v = validateReport(doc);
      expect(v.errors).toBeNull();
      expect(v.ok).toBe(true);
      expect(doc.schema_version).toBe(REPORT_SCHEMA_VERSION);
    }
  });

  it('the schema rejects a document that breaks it (the validation is not vacuous)', () => {
    const doc = JSON.parse(renderJsonReport(reportOf(checkRunEvents())));
    doc.tasks[0].results[0].status = 'weird';
    expect(validateReport(doc).ok).toBe(false);
    const doc2 = JSON.parse(renderJsonReport(reportOf(checkRunEvents())));
    delete doc2.run.check;
    expect(validateReport(doc2).ok).toBe(false);
  });

  it('carries run metadata: version, times, command line, check/diff, exit code', () => {
    const r = reportOf(checkRunEvents());
    expect(r.run).toMatchObject({ tool: 'rackplay', version: '9.9.9', playbook: 'site.yml', command_line: ['site.yml', '--check'], check: true, diff: true, exit_code: 2, detailed_exitcode: true });
    expect(Date.parse(r.run.ended_at)).toBeGreaterThan(Date.parse(r.run.started_at));
    expect(r.run.duration_ms).toBe(1234);
  });

  it('has per host per task status, changed, diff, timing and messages, and the recap', () => {
    const r = reportOf(checkRunEvents());
    expect(r.hosts).toEqual(['web1', 'web2', 'db1']);
    const conf = r.tasks.find((t) => t.name === 'nginx : config')!;
    expect(conf).toMatchObject({ role: 'nginx', action: 'template', tags: ['nginx', 'config'], handler: false, play: 0 });
    const web1 = conf.results.find((x) => x.host === 'web1')!;
    expect(web1).toMatchObject({ status: 'changed', changed: true, unknown: false, duration_ms: 12 });
    expect(web1.diff?.[0]?.before_header).toBe('/etc/app.conf');
    const dir = r.tasks.find((t) => t.name === 'host directory')!;
    expect(dir.results.find((x) => x.host === 'db1')).toMatchObject({ status: 'failed', msg: 'Permission denied: /srv', stderr: 'mkdir: cannot create directory' });
    const reload = r.tasks.find((t) => t.name === 'reload')!;
    expect(reload.results.every((x) => x.unknown && x.status === 'skipped')).toBe(true);
    expect(r.recap.web1).toMatchObject({ ok: 4, changed: 2, skipped: 1 });
    expect(r.recap.db1).toMatchObject({ failed: 1 });
    expect(r.drift.hosts.filter((h) => h.changed).map((h) => h.host)).toEqual(['web1']);
  });

  it('masks secrets everywhere, keys included', () => {
    const m = new SecretMasker();
    m.add('s3cr3t-pw');
    const t = taskRef('login with s3cr3t-pw');
    const events: RunEvent[] = [
      { kind: 'playbook-start', path: 'p.yml', check: false, diff: true },
      { kind: 'task-start', task: t },
      result(t, 'h', 'changed', { msg: 'used s3cr3t-pw', diff: { before: '', after: 'pw=s3cr3t-pw\n' } }),
      { kind: 'warning', message: 'leaked s3cr3t-pw' },
    ];
    const text = renderJsonReport(reportOf(events), m);
    expect(text).not.toContain('s3cr3t-pw');
    expect(text).toContain('login with ********');
    expect(validateReport(JSON.parse(text)).ok).toBe(true);
  });
});

describe('command line without secrets', () => {
  it('redacts secret-looking -e variables in key=value and JSON forms, keeps the rest', () => {
    expect(redactCommandLine(['site.yml', '-e', 'ansible_become_password=pw1 user=bob', '--check'])).toEqual(['site.yml', '-e', 'ansible_become_password=******** user=bob', '--check']);
    expect(redactCommandLine(['-e', '{"db_password": "pw2", "port": 5432}'])).toEqual(['-e', '{"db_password": "********", "port": 5432}']);
    expect(redactCommandLine(['--extra-vars=api_token=abc', '-eother_secret=x'])).toEqual(['--extra-vars=api_token=********', '-eother_secret=********']);
    expect(redactCommandLine(['-e', '@vars.yml', '-i', 'password_hosts.ini'])).toEqual(['-e', '@vars.yml', '-i', 'password_hosts.ini']);
  });
});
