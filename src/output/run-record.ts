// The whole run as data: every play, task and per-host result, kept from the event stream
// so the drift summary and the file reports (JSON, JUnit, HTML) are all views of one record.
import type { FileDiff } from '../modules/types.js';
import type { HostStats, HostStatus, RunEvent, TaskRef } from './events.js';

export const CHECK_SKIPPED_MESSAGES = ['Command would have run if not in check mode'];

export interface RecordedItem {
  label: string;
  status: HostStatus;
  changed: boolean;
  msg?: string;
}

export interface RecordedResult {
  task: string;
  host: string;
  status: HostStatus;
  changed: boolean;
  /** failed or unreachable with ignore_errors: counted as ok by the recap. */
  ignored: boolean;
  /** Check mode could not predict this result (a command without creates/removes). */
  unknown: boolean;
  delegatedTo?: string;
  durationMs?: number;
  finishedAt: string;
  msg?: string;
  rc?: number;
  stderr?: string;
  warnings?: string[];
  diff?: FileDiff[];
  items?: RecordedItem[];
}

export interface RecordedTask {
  id: string;
  name: string;
  action: string;
  role?: string;
  tags: string[];
  path?: string;
  handler: boolean;
  play: number;
  startedAt: string;
}

export interface RecordedPlay {
  name: string;
  pattern: string;
  hosts: string[];
  /** --slice: the play's hosts in all slices, in its order. */
  slicedFrom?: string[];
  startedAt: string;
}

export interface RunRecord {
  playbook?: string;
  /** --slice K/N: which part of the hosts this run had. */
  slice?: { index: number; count: number };
  check: boolean;
  diff: boolean;
  startedAt: string;
  endedAt?: string;
  durationMs?: number;
  plays: RecordedPlay[];
  tasks: RecordedTask[];
  /** In the order they arrived. */
  results: RecordedResult[];
  /** Hosts in the order they first appeared (play host lists, then results). */
  hosts: string[];
  recap: Record<string, HostStats>;
  warnings: string[];
  errors: string[];
}

type HostResultEvent = Extract<RunEvent, { kind: 'host-result' }>;

/** The diff of a result, as a list: a loop's diffs live in its `results`. */
export function resultDiffs(result: Record<string, unknown>): FileDiff[] {
  const out: FileDiff[] = [];
  const add = (d: unknown) => {
    if (Array.isArray(d)) d.forEach(add);
    else if (d && typeof d === 'object' && ('before' in d || 'after' in d)) out.push(d as FileDiff);
  };
  add(result.diff);
  if (Array.isArray(result.results)) for (const r of result.results) if (r && typeof r === 'object') add((r as Record<string, unknown>).diff);
  return out;
}

/** A check-mode result that says nothing about whether the host would change. */
export function isCheckUnknown(ev: HostResultEvent, check: boolean): boolean {
  if (!check) return false;
  if (ev.checkSkipped || ev.result._check_skipped === true) return true;
  return ev.status === 'skipped' && typeof ev.result.msg === 'string' && CHECK_SKIPPED_MESSAGES.includes(ev.result.msg);
}

function text(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export class RunRecorder {
  readonly record: RunRecord;
  private readonly now: () => Date;
  private readonly taskIds = new Set<string>();
  private readonly hostSet = new Set<string>();
  /** Items of a loop wait here until their aggregated result arrives. */
  private readonly pendingItems = new Map<string, RecordedItem[]>();

  constructor(opts: { check?: boolean; diff?: boolean; now?: () => Date } = {}) {
    this.now = opts.now ?? (() => new Date());
    this.record = {
      check: !!opts.check,
      diff: !!opts.diff,
      startedAt: this.now().toISOString(),
      plays: [],
      tasks: [],
      results: [],
      hosts: [],
      recap: {},
      warnings: [],
      errors: [],
    };
  }

  private addHost(h: string): void {
    if (this.hostSet.has(h)) return;
    this.hostSet.add(h);
    this.record.hosts.push(h);
  }

  private addTask(t: TaskRef): void {
    if (this.taskIds.has(t.uid)) return;
    this.taskIds.add(t.uid);
    this.record.tasks.push({
      id: t.uid,
      name: t.name,
      action: t.action,
      ...(t.role ? { role: t.role } : {}),
      tags: [...(t.tags ?? [])],
      ...(t.path ? { path: t.path } : {}),
      handler: !!t.handler,
      play: Math.max(0, this.record.plays.length - 1),
      startedAt: this.now().toISOString(),
    });
  }

  handle(ev: RunEvent): void {
    switch (ev.kind) {
      case 'playbook-start':
        this.record.playbook = ev.path;
        this.record.check = ev.check;
        this.record.diff = ev.diff;
        if (ev.slice) this.record.slice = { ...ev.slice };
        return;
      case 'play-start':
        this.record.plays.push({ name: ev.name, pattern: ev.pattern, hosts: [...ev.hosts], ...(ev.slicedFrom ? { slicedFrom: [...ev.slicedFrom] } : {}), startedAt: this.now().toISOString() });
        ev.hosts.forEach((h) => this.addHost(h));
        return;
      case 'task-start':
      case 'handler-start':
        this.addTask(ev.task);
        return;
      case 'host-result':
        this.hostResult(ev);
        return;
      case 'warning':
        this.record.warnings.push(ev.message);
        return;
      case 'error':
        this.record.errors.push(ev.message);
        return;
      case 'recap': {
        this.record.recap = structuredClone(ev.stats);
        Object.keys(ev.stats).forEach((h) => this.addHost(h));
        const end = this.now();
        this.record.endedAt = end.toISOString();
        this.record.durationMs = ev.durationMs;
        return;
      }
      default:
        return;
    }
  }

  private hostResult(ev: HostResultEvent): void {
    this.addTask(ev.task);
    this.addHost(ev.host);
    const key = `${ev.task.uid}\u0000${ev.host}`;
    const r = ev.result;
    if (ev.item !== undefined || ev.itemLabel !== undefined) {
      const label = ev.itemLabel ?? (typeof ev.item === 'string' ? ev.item : JSON.stringify(ev.item));
      const list = this.pendingItems.get(key) ?? [];
      list.push({ label: String(label), status: ev.status, changed: ev.status === 'changed' || r.changed === true, ...(text(r.msg) ? { msg: text(r.msg) } : {}) });
      this.pendingItems.set(key, list);
      return;
    }
    const items = this.pendingItems.get(key);
    this.pendingItems.delete(key);
    const failedLike = ev.status === 'failed' || ev.status === 'unreachable';
    const diff = resultDiffs(r);
    const warnings = Array.isArray(r.warnings) ? r.warnings.map(String) : [];
    const rec: RecordedResult = {
      task: ev.task.uid,
      host: ev.host,
      status: ev.status,
      changed: ev.status === 'changed' || (r.changed === true && ev.status !== 'skipped'),
      ignored: failedLike && !!ev.ignored,
      unknown: isCheckUnknown(ev, this.record.check),
      ...(ev.delegatedTo ? { delegatedTo: ev.delegatedTo } : {}),
      ...(ev.durationMs !== undefined ? { durationMs: ev.durationMs } : {}),
      finishedAt: this.now().toISOString(),
      ...(text(r.msg) !== undefined ? { msg: text(r.msg) } : {}),
      ...(typeof r.rc === 'number' ? { rc: r.rc } : {}),
      ...(failedLike && typeof r.stderr === 'string' && r.stderr ? { stderr: r.stderr } : {}),
      ...(warnings.length ? { warnings } : {}),
      ...(diff.length ? { diff } : {}),
      ...(items?.length ? { items } : {}),
    };
    this.record.results.push(rec);
  }

  /** Call when the run ended without a recap (an error before any play). */
  finish(): RunRecord {
    if (!this.record.endedAt) {
      const end = this.now();
      this.record.endedAt = end.toISOString();
      this.record.durationMs = end.getTime() - Date.parse(this.record.startedAt);
    }
    return this.record;
  }
}
