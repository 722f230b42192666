// One task on a set of hosts: run_once, a module that runs once for all hosts
// (bypassHostLoop), throttle and forks, then each host's outcome recorded. The execution
// environment a task sees (connections, progress, retries, probe batching) is built here.
import pLimit from 'p-limit';
import { errBadThrottle } from '../errors.js';
import type { TaskRef } from '../output/events.js';
import type { Task } from '../playbook/types.js';
import { runTask } from './execute.js';
import { errorMessage, taskRef, type ExecEnv, type TaskOutcome } from './task-common.js';
import { resolveTaskKeywords } from './task-keywords.js';
import { runProbe, type TaskItem } from './lookahead.js';
import { probeKey } from './probe-batch.js';
import { notStarted, recordOutcome } from './results.js';
import type { RunState } from './run-state.js';
import { child, inherited, type Scope } from './scope.js';
import type { PlayVarsContext } from './vars.js';

export interface TaskTarget {
  host: string;
  scope: Scope;
}

export interface TaskRunOptions {
  /** A handler: shown as RUNNING HANDLER. */
  handler?: boolean;
  /** The strategy runs hosts on their own (free): run_once is not supported there. */
  perHost?: boolean;
  /** Linear strategy: where each host's task sits, so its probe can be batched with the next ones. */
  lookahead?: Map<string, TaskItem>;
}

export async function runTaskOnHosts(rs: RunState, task: Task, targets: TaskTarget[], pv: PlayVarsContext, opts: TaskRunOptions = {}): Promise<Map<string, TaskOutcome>> {
  // After Ctrl-C a task does not start (nor is it shown); callers stop at their next check.
  if (rs.interrupted) return new Map(targets.map((t) => [t.host, notStarted()]));
  const ref = taskRef(task, targets[0]?.scope, !!opts.handler);
  const out = new Map<string, TaskOutcome>();
  const first = targets[0];
  const firstVars = () => rs.vars.forTask(first.host, pv, child(first.scope, task));
  if (first && task.name !== undefined && rs.o.templar.isTemplated(task.name)) ref.name = renderedName(rs, ref.name, task.name, firstVars);
  rs.o.sink({ kind: opts.handler ? 'handler-start' : 'task-start', task: ref });
  const renderFirst = (v: unknown) => (v === undefined ? v : rs.o.templar.render(v, firstVars()));
  let runOnce = !!first && runsOnce(rs, task, first.scope, firstVars);
  if (runOnce && opts.perHost) {
    rs.o.sink({ kind: 'warning', message: 'Using run_once with the free strategy is not currently supported. This task will still be executed for every host in the inventory list.' });
    runOnce = false;
  }
  const bypass = !!rs.o.registry.get(task.action)?.traits?.bypassHostLoop;
  const env = execEnv(rs, pv, ref, (host) => (runOnce || bypass ? undefined : opts.lookahead?.get(host)));
  // Like Ansible: throttle lowers forks for this one task, and is ignored with run_once.
  const throttle = first && !runOnce ? throttleOf(task, first.scope, renderFirst) : 0;
  const limit = pLimit(Math.max(1, throttle > 0 ? Math.min(throttle, rs.o.forks) : rs.o.forks));
  const runOn = runOnce || bypass ? targets.slice(0, 1) : targets;
  await Promise.all(
    runOn.map(({ host, scope }) =>
      limit(async () => {
        if (rs.interrupted) {
          out.set(host, notStarted());
          return;
        }
        const started = Date.now();
        // The task's own `vars:` are the innermost vars layer (Ansible: task vars).
        const varsScope = child(scope, { vars: task.vars });
        const vars = rs.vars.forTask(host, pv, varsScope);
        let outcome: TaskOutcome;
        try {
          outcome = await runTask({ task, scope, host, vars, withExtra: (extra) => rs.vars.forTask(host, pv, varsScope, extra) }, env);
        } catch (e) {
          outcome = { status: 'failed', result: { failed: true, msg: errorMessage(e) }, ignored: false, items: [] };
        }
        if (rs.killedRunning && (outcome.status === 'failed' || outcome.status === 'unreachable')) {
          const why = outcome.result.msg === undefined ? '' : `: ${String(outcome.result.msg)}`;
          outcome = { ...outcome, result: { ...outcome.result, msg: `killed after Ctrl-C (still running when the grace period ended)${why}` } };
        }
        recordOutcome(rs, task, host, scope, outcome, ref, Date.now() - started, vars);
        out.set(host, outcome);
      }),
    ),
  );
  // The other hosts go on with the first host's outcome. With run_once they also register
  // it; a module that runs once for all hosts (add_host) reports for the first host only.
  const firstOutcome = runOn[0] && out.get(runOn[0].host);
  if (firstOutcome && (runOnce || bypass)) {
    for (const { host } of targets.slice(1)) {
      out.set(host, firstOutcome);
      if (runOnce && task.register) rs.state(host).setFacts[task.register] = firstOutcome.result;
    }
  }
  return out;
}

function execEnv(rs: RunState, pv: PlayVarsContext, task: TaskRef, lookahead: (host: string) => TaskItem | undefined): ExecEnv {
  const env: ExecEnv = {
    registry: rs.o.registry,
    templar: rs.o.templar,
    check: rs.o.check,
    diff: rs.o.diff,
    becomePassword: rs.o.becomePassword,
    playbookDir: pv.play.baseDir,
    transportFor: (host) => rs.transportFor(host, pv),
    progress: (host, message) => rs.o.sink({ kind: 'host-progress', task, host, message }),
    retry: (host, retriesLeft) => rs.o.sink({ kind: 'retry', task, host, retriesLeft }),
    asyncEvent: (host, stage, jid, status) => rs.o.sink({ kind: 'async', task, host, stage, jid, ...status }),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    reconnect: (host, timeoutMs) => rs.reconnect(host, pv, timeoutMs),
    addSecret: rs.o.addSecret,
    runProbe: (req, transport, alone) => runProbe(rs, req, transport, alone, lookahead(req.host), pv, env),
    sharedProbe: async (req, transport, alone) => rs.sharedProbes.run(await transport, probeKey(req.script, req.become, req.env), alone),
    // Scoped to the task and host: Ansible repeats a warning per task run (its dedup is per worker).
    warn: (host, message) => rs.o.sink({ kind: 'warning', message, scope: `${task.uid}\u0000${host}` }),
    noteApplied: (host) => rs.state(host).probeCache.noteApplied(),
  };
  return env;
}

/**
 * run_once as the first host resolves it; a keyword that does not render leaves the task
 * to each host, where it fails with the error.
 */
function runsOnce(rs: RunState, task: Task, scope: Scope, vars: () => Record<string, unknown>): boolean {
  try {
    return resolveTaskKeywords(rs.o.templar, task, scope, vars(), rs.o.becomePassword).runOnce;
  } catch {
    return false;
  }
}

/** A task's `throttle` (inherited from its blocks and play); 0 means no limit. */
export function throttleOf(task: Task, scope: Scope, render: (v: unknown) => unknown): number {
  const raw = inherited(child(scope, task), 'throttle');
  if (raw === undefined || raw === null) return 0;
  const n = Number(render(raw));
  if (!Number.isInteger(n) || n < 0) throw errBadThrottle(JSON.stringify(raw), { pos: task.pos, hint: 'throttle takes a whole number of hosts, 0 for no limit' });
  return n;
}

/**
 * The banner shows the task name rendered with the first host's variables, as Ansible's
 * strategy does; a name that cannot be rendered (an undefined variable) stays as written.
 */
export function renderedName(rs: RunState, shown: string, name: string, vars: () => Record<string, unknown>): string {
  try {
    const rendered = rs.o.templar.render(name, vars());
    if (typeof rendered !== 'string' || !shown.endsWith(name)) return shown;
    return shown.slice(0, shown.length - name.length) + rendered;
  } catch {
    return shown;
  }
}
