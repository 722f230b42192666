// Event sequences for the report-*.test.ts files: what the engine emits for a small run.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import type { HostStats, HostStatus, RunEvent, TaskRef } from '../../src/output/events.js';
import type { ModuleResult } from '../../src/modules/types.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function taskRef(name: string, extra: Partial<TaskRef> = {}): TaskRef {
  const role = extra.role;
  return { name: role ? `${role} : ${name}` : name, action: 'copy', uid: `uid-${role ?? ''}-${name}`, tags: [], ...extra };
}

export function stats(p: Partial<HostStats> = {}): HostStats {
  return { ok: 0, changed: 0, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0, ...p };
}

export function result(task: TaskRef, host: string, status: HostStatus, r: ModuleResult = {}, extra: Partial<Extract<RunEvent, { kind: 'host-result' }>> = {}): RunEvent {
  const base: ModuleResult = { changed: status === 'changed', ...(status === 'failed' ? { failed: true } : {}), ...(status === 'skipped' ? { skipped: true } : {}), ...r };
  return { kind: 'host-result', task, host, status, result: base, durationMs: 12, ...extra };
}

/** Counts the recap as the engine does, from the final (non-item) results. */
export function recapOf(events: RunEvent[]): Record<string, HostStats> {
  const out: Record<string, HostStats> = {};
  for (const e of events) {
    if (e.kind !== 'host-result' || e.item !== undefined) continue;
    const s = (out[e.host] ??= stats());
    if (e.status === 'ok') s.ok++;
    else if (e.status === 'changed') (s.ok++, s.changed++);
    else if (e.status === 'skipped') s.skipped++;
    else if (e.status === 'failed') (e.ignored ? (s.ok++, s.ignored++) : s.failed++);
    else s.unreachable++;
  }
  return out;
}

export const CONFIG_DIFF = { before: 'listen = 80\nworkers = 4\n', after: 'listen = 8080\nworkers = 4\n', before_header: '/etc/app.conf', after_header: '/etc/app.conf' };

/**
 * A check run on three hosts: web1 would change a role task (with a diff) and a play task,
 * web2 is in the desired state, db1 fails; a command check mode cannot predict runs on all.
 */
export function checkRunEvents(check = true): RunEvent[] {
  const dir = taskRef('host directory', { action: 'file', tags: ['setup'] });
  const conf = taskRef('config', { role: 'nginx', action: 'template', tags: ['nginx', 'config'] });
  const pkg = taskRef('package', { role: 'nginx', action: 'package', tags: ['nginx'] });
  const cmd = taskRef('reload', { action: 'command' });
  const limits = taskRef('limits', { action: 'lineinfile' });
  const unknown = { msg: 'Command would have run if not in check mode', rc: 0 };
  const events: RunEvent[] = [
    { kind: 'playbook-start', path: 'site.yml', check, diff: true },
    { kind: 'play-start', name: 'web', hosts: ['web1', 'web2', 'db1'], pattern: 'all' },
    { kind: 'task-start', task: dir },
    result(dir, 'web1', 'ok'),
    result(dir, 'web2', 'ok'),
    result(dir, 'db1', 'failed', { msg: 'Permission denied: /srv', stderr: 'mkdir: cannot create directory' }),
    { kind: 'task-start', task: conf },
    result(conf, 'web1', 'changed', { diff: CONFIG_DIFF }),
    result(conf, 'web2', 'ok'),
    { kind: 'task-start', task: pkg },
    result(pkg, 'web1', 'ok'),
    result(pkg, 'web2', 'ok'),
    { kind: 'task-start', task: cmd },
    result(cmd, 'web1', check ? 'skipped' : 'changed', check ? unknown : {}),
    result(cmd, 'web2', check ? 'skipped' : 'changed', check ? unknown : {}),
    { kind: 'task-start', task: limits },
    result(limits, 'web1', 'changed', { diff: { before: 'a\n', after: 'a\nnofile 4096\n' } }),
    result(limits, 'web2', 'skipped', { skip_reason: 'Conditional result was False' }),
    { kind: 'play-end', name: 'web' },
  ];
  events.push({ kind: 'recap', stats: recapOf(events), durationMs: 1234 });
  return events;
}

let validator: ((doc: unknown) => boolean) & { errors?: unknown } | undefined;

/** Validates against the published docs/report-schema.json. */
export function validateReport(doc: unknown): { ok: boolean; errors: unknown } {
  if (!validator) {
    const schema = JSON.parse(readFileSync(path.join(repoRoot, 'docs/report-schema.json'), 'utf8'));
    validator = new Ajv({ allErrors: true, strict: true }).compile(schema);
  }
  const ok = validator(doc);
  return { ok, errors: validator.errors };
}
