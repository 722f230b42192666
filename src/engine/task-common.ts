// What the task executor's parts share: the environment a task runs in, its outcome,
// and the small helpers for statuses, conditions and error messages.
import { UserError } from '../errors.js';
import type { ModuleRegistry } from '../modules/registry.js';
import type { ModuleResult } from '../modules/types.js';
import type { TaskRef } from '../output/events.js';
import type { Task } from '../playbook/types.js';
import { UndefinedVariableError, type Templar } from '../template/index.js';
import type { ExecResult, Transport } from '../transport/types.js';
import type { ProbeRequest } from './probe-batch.js';
import { child, currentRole, inherited, type Scope } from './scope.js';
import type { TaskKeywords } from './task-keywords.js';

export interface ExecEnv {
  registry: ModuleRegistry;
  templar: Templar;
  check: boolean;
  diff: boolean;
  becomePassword?: string;
  /** Transport for a host (connection opened on first use, kept for the run). */
  transportFor(host: string): Promise<Transport>;
  progress(host: string, message: string): void;
  retry(host: string, retriesLeft: number): void;
  /** An async task's poll, or its end with poll > 0 (async-run.ts). */
  asyncEvent?(host: string, stage: 'poll' | 'ok' | 'failed', jid: string, status?: { started?: unknown; finished?: unknown }): void;
  sleep(ms: number): Promise<void>;
  reconnect(host: string, timeoutMs?: number): Promise<void>;
  playbookDir: string;
  /** Secrets seen in this run (no_log values are censored separately). */
  addSecret(secret: string): void;
  /**
   * Runs a task's probe on its own host (probe-batch.ts): from a batch taken earlier if
   * that result still stands for this exact probe, else `alone()`, or, when `batchable`,
   * one exec with the probes of the tasks that follow.
   */
  runProbe?(req: TaskProbe, transport: Promise<Transport>, alone: () => Promise<ExecResult>): Promise<ExecResult>;
  /** Runs a delegated task's probe, or waits for the same probe another host sent there (SharedProbes). */
  sharedProbe?(req: TaskProbe, transport: Promise<Transport>, alone: () => Promise<ExecResult>): Promise<ExecResult>;
  /** A warning raised while running the task on `host` (Ansible's display.warning in the worker). */
  warn?(host: string, message: string): void;
  /** A planned task applied steps on `host`: changes are happening, batch less for a while. */
  noteApplied?(host: string): void;
}

export type TaskStatus = 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable';

export interface TaskOutcome {
  status: TaskStatus;
  result: ModuleResult;
  ignored: boolean;
  /** Per-item results, in order, for the reporter. */
  items: { item: unknown; label?: string; status: TaskStatus; result: ModuleResult }[];
  delegatedTo?: string;
  checkSkipped?: boolean;
  /** The task's keywords as resolved for this host; absent when they did not render. */
  keywords?: TaskKeywords;
  /** The module that ran, when the host resolved it at run time (a templated action). */
  action?: string;
  /** With no_log: the results before censoring, for facts and register (only output is censored). */
  uncensored?: { result: ModuleResult; items: ModuleResult[] };
}

/** A task's probe as the engine sees it: for a loop item, its task's uid and how to predict the items after it. */
export type TaskProbe = ProbeRequest & { host: string; batchable: boolean; taskUid?: string; predictRest?: LoopItem['predictRest'] };

/** One item of a loop, for probe batching. */
export interface LoopItem {
  /** The uid of this item's probe. */
  uid: string;
  /** The probes of up to `max` items after this one; complete when none was left unpredicted. */
  predictRest(max: number): Promise<{ requests: ProbeRequest[]; complete: boolean }>;
}

export interface TaskInvocation {
  task: Task;
  scope: Scope;
  host: string;
  /** Vars for the host and task (no loop var yet). */
  vars: Record<string, unknown>;
  /** Returns vars with loop variables added on top. */
  withExtra(extra: Record<string, unknown>): Record<string, unknown>;
  /** One item of a loop: its probe's uid, and the probes of the items after it (probe batching). */
  loopItem?: LoopItem;
}

export function statusOf(r: ModuleResult): TaskStatus {
  if (r.unreachable) return 'unreachable';
  if (isFailed(r)) return 'failed';
  if (r.skipped) return 'skipped';
  return r.changed ? 'changed' : 'ok';
}

/**
 * Ansible's TaskResult.is_failed: where failed_when was evaluated (on the result, or on any
 * item of a loop), its verdict decides, even over a `failed` that until's exhausted retries set.
 */
function isFailed(r: ModuleResult): boolean {
  if ('failed_when_result' in r) return !!r.failed_when_result;
  const items = Array.isArray(r.results) ? (r.results as unknown[]).filter((x): x is Record<string, unknown> => !!x && typeof x === 'object') : [];
  if (items.some((x) => 'failed_when_result' in x)) return items.some((x) => !!x.failed_when_result);
  return !!r.failed;
}

export function taskRef(task: Task, scope: Scope | undefined, handler = false): TaskRef {
  const role = task.role?.name ?? currentRole(scope)?.name;
  const base = task.name ?? task.actionAsWritten ?? task.action;
  return {
    name: role ? `${role} : ${base}` : base,
    role,
    action: task.action,
    path: `${task.pos.file}:${task.pos.line}`,
    handler,
    uid: task.uid,
    tags: task.tags,
    ...keywordFlag(inherited(child(scope, task), 'check_mode'), 'checkMode'),
  };
}

/** A keyword's truth as the default callback reads it (a written value, not yet templated), under `key`. */
export function keywordFlag<K extends string>(v: unknown, key: K): Partial<Record<K, boolean>> {
  if (v === undefined || v === null) return {};
  const on = typeof v === 'string' ? !['', 'no', 'false', 'off', 'n', '0'].includes(v.trim().toLowerCase()) : !!v;
  return { [key]: on } as Partial<Record<K, boolean>>;
}

export function errorMessage(e: unknown): string {
  if (e instanceof UserError) return e.message + (e.hint ? ` (hint: ${e.hint})` : '');
  if (e instanceof Error) return e.message;
  return String(e);
}

export function conditionFailure(cond: unknown, e: unknown): string {
  return `The conditional check '${String(cond)}' failed. The error was: error while evaluating conditional (${String(cond)}): ${errorMessage(e)}`;
}

/**
 * Ansible's Conditional warns about a condition written as a template ("{{ x }} == 1"):
 * it still works (the rendered text is evaluated again) but is fragile.
 */
export function conditionalWarning(cond: unknown): string | undefined {
  if (typeof cond !== 'string' || !/\{\{|\{%/.test(cond)) return undefined;
  return `conditional statements should not include jinja2 templating delimiters such as {{ }} or {% %}. Found: ${cond}`;
}

/** Evaluates all conditions (ANDed); a throw means the conditional itself is broken. */
export function allTrue(templar: Templar, conds: unknown[], vars: Record<string, unknown>, warn?: (message: string) => void): { ok: boolean; falseCond?: unknown } {
  for (const c of conds) {
    const warning = warn && conditionalWarning(c);
    if (warning) warn(warning);
    if (!templar.evaluateCondition(c, vars)) return { ok: false, falseCond: c };
  }
  return { ok: true };
}

/**
 * Failures of a task's arguments that name an undefined variable. Ansible raises these out
 * of its task executor: failed_when does not apply, and in a loop the task fails as a whole.
 */
export const argsUndefined = new WeakSet<ModuleResult>();

/** Ansible's wording for a template that names an undefined variable or attribute. */
export function undefinedVariableFailure(e: unknown): ModuleResult | undefined {
  if (!(e instanceof UndefinedVariableError)) return undefined;
  return { failed: true, msg: `The task includes an option with an undefined variable. The error was: ${e.message}` };
}
