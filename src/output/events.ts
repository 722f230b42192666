// Everything a run reports, as one discriminated union. Reporters (Ansible-like lines,
// listr2 live view, JSON) each consume this stream; the engine never prints.
import type { ModuleResult } from '../modules/types.js';

export type HostStatus = 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable';

export interface HostStats {
  ok: number;
  changed: number;
  unreachable: number;
  failed: number;
  skipped: number;
  rescued: number;
  ignored: number;
}

export interface TaskRef {
  /** Task name as shown: `role : name`, or the module name when unnamed. */
  name: string;
  role?: string;
  /** The module (action) name. */
  action: string;
  /** `file:line` of the task, for -v output. */
  path?: string;
  handler?: boolean;
  /** Unique per task instance in the run (used by reporters to group results). */
  uid: string;
  tags?: string[];
  /** The task's check_mode keyword (inherited from its blocks and play), when one is written. */
  checkMode?: boolean;
}

export type RunEvent =
  | { kind: 'playbook-start'; path: string; check: boolean; diff: boolean; plays?: number; slice?: { index: number; count: number } }
  /** `checkMode`: the play's check_mode keyword, when written. */
  /** slicedFrom (--slice): the play's hosts in all slices, in its order. */
  | { kind: 'play-start'; name: string; hosts: string[]; pattern: string; slicedFrom?: string[]; checkMode?: boolean }
  | { kind: 'no-hosts'; pattern: string }
  | { kind: 'task-start'; task: TaskRef }
  | { kind: 'handler-start'; task: TaskRef }
  | {
      kind: 'host-result';
      task: TaskRef;
      host: string;
      status: HostStatus;
      result: ModuleResult;
      /** Set for one item of a loop; the final aggregated result has no item. */
      item?: unknown;
      /** loop_control.label rendered, when given. */
      itemLabel?: string;
      /** failed but ignore_errors: true */
      ignored?: boolean;
      /** delegate_to target */
      delegatedTo?: string;
      /** Set when the task ran in check mode and could not predict (skipped (check mode)). */
      checkSkipped?: boolean;
      durationMs?: number;
      /**
       * Set on the final aggregated result of a looped task (the one carrying `results`).
       * The default reporter prints only the per-item lines for loops, as Ansible does.
       */
      loop?: boolean;
      /** Task-level `diff:` when set; otherwise the run's --diff applies. */
      diff?: boolean;
    }
  | { kind: 'host-progress'; task: TaskRef; host: string; message: string }
  /** an `until` attempt failed and the task will run again */
  | { kind: 'retry'; task: TaskRef; host: string; retriesLeft: number }
  /** An `async:` task with `poll:` was polled and not done yet, or ended ok or failed (Ansible's v2_runner_on_async_*). */
  | { kind: 'async'; task: TaskRef; host: string; stage: 'poll' | 'ok' | 'failed'; jid: string; started?: unknown; finished?: unknown }
  /** A host includes a file; `item` is the loop item (or its label) of an include in a loop; `task` the include task. */
  | { kind: 'include'; host: string; file: string; item?: unknown; task?: TaskRef }
  /** `scope`: repeated warnings are shown once per scope (one task on one host), else once per run. */
  | { kind: 'warning'; message: string; scope?: string }
  /** What a meta task did or why it did nothing (Ansible shows it at -vv as "META: ..."). */
  | { kind: 'meta-message'; message: string }
  /** A command line sent to a host, as its shell runs it (Ansible's `<host> EXEC ...` at -vvv). */
  | { kind: 'exec-trace'; host: string; command: string }
  | {
      kind: 'deprecation';
      /** The bare message; reporters add Ansible's "[DEPRECATION WARNING]: ... will be removed ..." framing. */
      message: string;
      version?: string;
      date?: string;
      collectionName?: string;
    }
  | { kind: 'play-end'; name: string }
  /** customStats: set_stats totals by host, `_run` for the run's own. */
  | { kind: 'recap'; stats: Record<string, HostStats>; durationMs: number; customStats?: Record<string, Record<string, unknown>> }
  | { kind: 'error'; message: string };

export type EventSink = (event: RunEvent) => void;

export function emptyStats(): HostStats {
  return { ok: 0, changed: 0, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0 };
}
