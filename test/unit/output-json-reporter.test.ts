// Shape from lib/ansible/plugins/callback/json.py: {custom_stats, global_custom_stats,
// plays: [{play: {name, id, duration}, tasks: [{task: {name, id, action, duration}, hosts}]}],
// stats: {host: {changed, failures, ignored, ok, rescued, skipped, unreachable}}}, printed
// once with json.dumps(indent=4, sort_keys=True) (ensure_ascii left on).
import { describe, expect, it } from 'vitest';
import { createJsonReporter } from '../../src/output/index.js';
import type { RunEvent } from '../../src/output/events.js';
import { render, stats, task } from './output-helpers.js';

const clock = () => new Date('2024-05-01T10:00:00.000Z');

describe('json reporter', () => {
  const t1 = task('Install', { action: 'ansible.builtin.package' });
  const t2 = task('Loop', { action: 'command' });
  const h = task('restart', { action: 'service', handler: true });
  const events: RunEvent[] = [
    { kind: 'playbook-start', path: 'site.yml', check: false, diff: false },
    { kind: 'play-start', name: 'web', hosts: ['a', 'b'], pattern: 'web' },
    { kind: 'task-start', task: t1 },
    { kind: 'host-result', task: t1, host: 'a', status: 'changed', result: { changed: true, msg: 'installed' } },
    { kind: 'host-result', task: t1, host: 'b', status: 'failed', result: { failed: true, msg: 'no package' } },
    { kind: 'task-start', task: t2 },
    { kind: 'host-result', task: t2, host: 'a', status: 'ok', item: 1, result: { item: 1 } },
    { kind: 'host-result', task: t2, host: 'a', status: 'skipped', loop: true, result: { skipped: true, results: [{ item: 1 }] } },
    { kind: 'handler-start', task: h },
    { kind: 'host-result', task: h, host: 'a', status: 'changed', result: { changed: true, msg: 'ünïcode' } },
    { kind: 'warning', message: 'to stderr' },
    { kind: 'recap', durationMs: 3, stats: { b: stats({ failed: 1 }), a: stats({ ok: 3, changed: 2 }) } },
  ];

  it('writes nothing until close, then one JSON document of plays, tasks, hosts and stats', async () => {
    let written = '';
    const reporter = createJsonReporter({ verbosity: 0, color: false, diff: false, check: false, write: (s) => (written += s), writeErr: () => {}, now: clock });
    for (const e of events) reporter.handle(e);
    expect(written).toBe('');
    await reporter.close();
    await reporter.close();
    const doc = JSON.parse(written);
    const start = '2024-05-01T10:00:00.000Z';
    expect(doc).toEqual({
      custom_stats: {},
      global_custom_stats: {},
      plays: [
        {
          play: { name: 'web', id: 'play-1', duration: { start, end: start } },
          tasks: [
            {
              task: { name: 'Install', id: 'uid-Install', action: 'ansible.builtin.package', duration: { start, end: start } },
              hosts: {
                a: { action: 'ansible.builtin.package', changed: true, msg: 'installed' },
                b: { action: 'ansible.builtin.package', changed: false, failed: true, msg: 'no package' },
              },
            },
            {
              task: { name: 'Loop', id: 'uid-Loop', action: 'command', duration: { start, end: start } },
              hosts: { a: { action: 'command', changed: false, skipped: true, results: [{ item: 1 }] } },
            },
            {
              task: { name: 'restart', id: 'uid-restart', action: 'service', duration: { start, end: start } },
              hosts: { a: { action: 'service', changed: true, msg: 'ünïcode' } },
            },
          ],
        },
      ],
      stats: {
        a: { changed: 2, failures: 0, ignored: 0, ok: 3, rescued: 0, skipped: 0, unreachable: 0 },
        b: { changed: 0, failures: 1, ignored: 0, ok: 0, rescued: 0, skipped: 0, unreachable: 0 },
      },
    });
  });

  it('prints sorted keys, 4-space indent and \\u-escaped non-ASCII like Python json.dumps', async () => {
    const { out, err } = await render(createJsonReporter, events, { now: clock });
    expect(out.startsWith('{\n    "custom_stats": {},\n    "global_custom_stats": {},\n    "plays": [\n        {\n')).toBe(true);
    expect(out).toContain('"msg": "\\u00fcn\\u00efcode"');
    expect(out.endsWith('\n    }\n}\n')).toBe(true);
    // Warnings must not break the JSON on stdout.
    expect(err).toBe('[WARNING]: to stderr\n');
  });
});
