import { describe, expect, it } from 'vitest';
import { computeDrift, detailedExitCode, EXIT_CHANGES, formatDriftSummary } from '../../src/output/drift.js';
import { RunRecorder } from '../../src/output/run-record.js';
import { SecretMasker } from '../../src/output/secret-masker.js';
import type { RunEvent } from '../../src/output/events.js';
import { checkRunEvents, result, taskRef } from './report-helpers.js';

function record(events: RunEvent[]) {
  const r = new RunRecorder();
  events.forEach((e) => r.handle(e));
  return r.finish();
}

describe('drift from a check run', () => {
  it('lists per host the tasks that would change, grouped by role, with their diffs', () => {
    const d = computeDrift(record(checkRunEvents()));
    expect(d.mode).toBe('check');
    expect(d.changed).toBe(2);
    const web1 = d.hosts.find((h) => h.host === 'web1')!;
    expect(web1.changed).toBe(2);
    expect(web1.roles.map((g) => [g.role, g.tasks.map((t) => t.name)])).toEqual([
      ['nginx', ['nginx : config']],
      [null, ['limits']],
    ]);
    expect(web1.roles[0]!.tasks[0]!.diff?.[0]?.after).toContain('listen = 8080');
  });

  it('counts commands check mode cannot predict as unknown, not as drift', () => {
    const d = computeDrift(record(checkRunEvents()));
    expect(d.unknown).toBe(2);
    const web2 = d.hosts.find((h) => h.host === 'web2')!;
    expect(web2).toMatchObject({ changed: 0, unknown: 1, roles: [] });
    expect(web2.unknown_tasks.map((t) => t.name)).toEqual(['reload']);
  });

  it('treats checkSkipped and _check_skipped results as unknown too', () => {
    const t = taskRef('reboot', { action: 'reboot' });
    const events: RunEvent[] = [
      { kind: 'playbook-start', path: 'p.yml', check: true, diff: false },
      { kind: 'task-start', task: t },
      result(t, 'a', 'skipped', { msg: 'whatever' }, { checkSkipped: true }),
      result(t, 'b', 'skipped', { _check_skipped: true, msg: 'skipped, running in check mode' }),
      result(t, 'c', 'skipped', { skip_reason: 'Conditional result was False' }),
    ];
    const d = computeDrift(record(events));
    expect(d.hosts.map((h) => [h.host, h.unknown])).toEqual([
      ['a', 1],
      ['b', 1],
    ]);
  });

  it('leaves failed hosts out of the drift (they are failures, not changes)', () => {
    const d = computeDrift(record(checkRunEvents()));
    expect(d.hosts.map((h) => h.host)).not.toContain('db1');
  });

  it('lists a loop once, from its aggregated result, with every item diff', () => {
    const t = taskRef('files', { action: 'copy' });
    const events: RunEvent[] = [
      { kind: 'playbook-start', path: 'p.yml', check: true, diff: true },
      { kind: 'task-start', task: t },
      result(t, 'h', 'changed', { diff: { before: '', after: 'a' } }, { item: 'a' }),
      result(t, 'h', 'ok', {}, { item: 'b' }),
      result(t, 'h', 'changed', { diff: { before: '', after: 'c' } }, { item: 'c' }),
      result(t, 'h', 'changed', { results: [{ diff: { before: '', after: 'a' } }, {}, { diff: { before: '', after: 'c' } }] }, { loop: true }),
    ];
    const rec = record(events);
    expect(rec.results).toHaveLength(1);
    expect(rec.results[0]!.items?.map((i) => [i.label, i.status])).toEqual([
      ['a', 'changed'],
      ['b', 'ok'],
      ['c', 'changed'],
    ]);
    const d = computeDrift(rec);
    expect(d.changed).toBe(1);
    expect(d.hosts[0]!.roles[0]!.tasks[0]!.diff?.map((x) => x.after)).toEqual(['a', 'c']);
  });

  it('in an applying run reports what changed, and unpredictable commands are ordinary changes', () => {
    const d = computeDrift(record(checkRunEvents(false)));
    expect(d.mode).toBe('apply');
    expect(d.unknown).toBe(0);
    expect(d.hosts.find((h) => h.host === 'web2')!.changed).toBe(1);
  });
});

describe('--detailed-exitcode', () => {
  const drift = (events: RunEvent[]) => computeDrift(record(events));
  it('is 10 when something would change and the run succeeded', () => {
    expect(EXIT_CHANGES).toBe(10);
    expect(detailedExitCode(0, drift(checkRunEvents()))).toBe(10);
  });
  it('is 0 when nothing changes, even with unknowns', () => {
    const t = taskRef('cmd', { action: 'command' });
    const events: RunEvent[] = [
      { kind: 'playbook-start', path: 'p.yml', check: true, diff: false },
      result(t, 'h', 'ok'),
      result(t, 'h2', 'skipped', { msg: 'Command would have run if not in check mode' }),
    ];
    expect(detailedExitCode(0, drift(events))).toBe(0);
  });
  it('keeps the failure codes, which take precedence over changes', () => {
    const d = drift(checkRunEvents());
    expect(detailedExitCode(2, d)).toBe(2);
    expect(detailedExitCode(4, d)).toBe(4);
    expect(detailedExitCode(99, d)).toBe(99);
  });
});

describe('drift summary text', () => {
  it('prints a banner, each drifting host with its roles and tasks, unknowns, and a total', () => {
    const text = formatDriftSummary(computeDrift(record(checkRunEvents())), { color: false, diff: false });
    const lines = text.split('\n');
    expect(lines[0]).toBe(`DRIFT SUMMARY ${'*'.repeat(79 - 'DRIFT SUMMARY'.length)}`);
    expect(text).toContain('web1: 2 tasks would change, 1 unknown\n  role nginx:\n    config\n  (no role):\n    limits\n  unknown (check mode cannot predict):\n    reload\n');
    expect(text).toContain('web2: 0 tasks would change, 1 unknown\n');
    expect(lines.at(-2)).toBe('total: 2 changes on 1 host, 2 unknown');
    expect(text).not.toContain('---');
  });

  it('shows the diffs, indented under their task, with --diff', () => {
    const text = formatDriftSummary(computeDrift(record(checkRunEvents())), { color: false, diff: true });
    expect(text).toContain('    config\n      --- before: /etc/app.conf\n      +++ after: /etc/app.conf\n');
    expect(text).toContain('      -listen = 80\n      +listen = 8080\n');
  });

  it('says so when nothing would change', () => {
    const t = taskRef('x');
    const text = formatDriftSummary(computeDrift(record([{ kind: 'playbook-start', path: 'p', check: true, diff: false }, result(t, 'h', 'ok')])), { color: false, diff: false });
    expect(text).toContain('no drift: nothing would change\n');
    expect(text).toContain('total: 0 changes on 0 hosts, 0 unknown');
  });

  it('masks secrets in host names, task names and diffs', () => {
    const m = new SecretMasker();
    m.add('hunter22');
    const t = taskRef('set hunter22');
    const events: RunEvent[] = [
      { kind: 'playbook-start', path: 'p', check: true, diff: true },
      result(t, 'h', 'changed', { diff: { before: '', after: 'password=hunter22\n' } }),
    ];
    const text = formatDriftSummary(computeDrift(record(events)), { color: false, diff: true, mask: (s) => m.mask(s) });
    expect(text).not.toContain('hunter22');
    expect(text).toContain('set ********');
    expect(text).toContain('+password=********');
  });
});
