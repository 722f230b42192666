// Drift: what a check run says would change, per host and role, and what it could not
// predict. Also what --detailed-exitcode returns.
import type { FileDiff } from '../modules/types.js';
import { COLOR, paint } from './colors.js';
import { formatDiff } from './diff-format.js';
import type { RunRecord } from './run-record.js';
import { textWidth } from './text.js';

/** --detailed-exitcode: the run succeeded and something changed (or would change). */
export const EXIT_CHANGES = 10;

export interface DriftTask {
  task: string;
  name: string;
  diff?: FileDiff[];
}

export interface DriftRole {
  /** null for tasks that belong to no role (play tasks). */
  role: string | null;
  tasks: DriftTask[];
}

export interface HostDrift {
  host: string;
  changed: number;
  unknown: number;
  roles: DriftRole[];
  /** Tasks check mode could not predict (skipped in check mode). */
  unknown_tasks: Array<{ task: string; name: string }>;
}

export interface DriftSummary {
  /** `check`: what would change; `apply`: what changed. */
  mode: 'check' | 'apply';
  changed: number;
  unknown: number;
  /** Hosts with a change or an unknown, in the order the run saw them. */
  hosts: HostDrift[];
}

export function computeDrift(record: RunRecord): DriftSummary {
  const tasks = new Map(record.tasks.map((t) => [t.id, t]));
  const byHost = new Map<string, HostDrift>();
  const entry = (host: string) => {
    let h = byHost.get(host);
    if (!h) byHost.set(host, (h = { host, changed: 0, unknown: 0, roles: [], unknown_tasks: [] }));
    return h;
  };
  for (const r of record.results) {
    const t = tasks.get(r.task);
    const name = t?.name ?? r.task;
    if (r.unknown) {
      const h = entry(r.host);
      h.unknown++;
      h.unknown_tasks.push({ task: r.task, name });
      continue;
    }
    if (!r.changed || r.status === 'failed' || r.status === 'unreachable') continue;
    const h = entry(r.host);
    h.changed++;
    const role = t?.role ?? null;
    let group = h.roles.find((g) => g.role === role);
    if (!group) h.roles.push((group = { role, tasks: [] }));
    group.tasks.push({ task: r.task, name, ...(r.diff?.length ? { diff: r.diff } : {}) });
  }
  const order = new Map(record.hosts.map((h, i) => [h, i]));
  const hosts = [...byHost.values()].sort((a, b) => (order.get(a.host) ?? 0) - (order.get(b.host) ?? 0));
  return {
    mode: record.check ? 'check' : 'apply',
    changed: hosts.reduce((n, h) => n + h.changed, 0),
    unknown: hosts.reduce((n, h) => n + h.unknown, 0),
    hosts,
  };
}

/**
 * --detailed-exitcode: failures keep their own codes (2 failed, 4 unreachable, ...);
 * a successful run returns EXIT_CHANGES when anything changed or would change, else 0.
 * Unknowns do not count: nothing says they would change.
 */
export function detailedExitCode(baseExitCode: number, drift: DriftSummary): number {
  if (baseExitCode !== 0) return baseExitCode;
  return drift.changed > 0 ? EXIT_CHANGES : 0;
}

export interface DriftFormatOptions {
  color: boolean;
  /** Show each task's diff (--diff). */
  diff: boolean;
  columns?: number;
  mask?: (s: string) => string;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The summary printed after PLAY RECAP in check mode. */
export function formatDriftSummary(drift: DriftSummary, opts: DriftFormatOptions): string {
  const mask = opts.mask ?? ((s: string) => s);
  const columns = Math.max(79, (opts.columns ?? 80) - 1);
  const title = 'DRIFT SUMMARY';
  // PLAY RECAP already ends with a blank line.
  const lines: string[] = [`${title} ${'*'.repeat(Math.max(3, columns - textWidth(title)))}`];
  const verb = drift.mode === 'check' ? 'would change' : 'changed';
  if (drift.changed === 0) {
    lines.push(paint(drift.mode === 'check' ? 'no drift: nothing would change' : 'nothing changed', COLOR.ok, opts.color));
  }
  for (const h of drift.hosts) {
    const parts = [`${plural(h.changed, 'task')} ${verb}`];
    if (h.unknown) parts.push(`${h.unknown} unknown`);
    lines.push(paint(`${mask(h.host)}: ${parts.join(', ')}`, h.changed ? COLOR.changed : COLOR.skip, opts.color));
    for (const g of h.roles) {
      lines.push(`  ${g.role === null ? '(no role)' : `role ${mask(g.role)}`}:`);
      for (const t of g.tasks) {
        const name = g.role !== null && t.name.startsWith(`${g.role} : `) ? t.name.slice(g.role.length + 3) : t.name;
        lines.push(paint(`    ${mask(name)}`, COLOR.changed, opts.color));
        if (opts.diff && t.diff?.length) {
          const text = formatDiff(t.diff, opts.color, mask);
          if (text) lines.push(...text.replace(/\n+$/, '').split('\n').map((l) => (l ? `      ${l}` : l)));
        }
      }
    }
    if (h.unknown_tasks.length) {
      lines.push('  unknown (check mode cannot predict):');
      for (const t of h.unknown_tasks) lines.push(paint(`    ${mask(t.name)}`, COLOR.skip, opts.color));
    }
  }
  const total = `${plural(drift.changed, 'change')} on ${plural(drift.hosts.filter((h) => h.changed).length, 'host')}`;
  lines.push(`total: ${total}, ${drift.unknown} unknown`);
  return lines.join('\n') + '\n';
}
