// meta actions, carried out by the engine. The table is typed by MetaAction, the list the
// meta module's schema accepts (src/modules/meta.ts), so the two cannot drift: an action
// the schema allows and the engine lacks does not compile.
import { loadInventory } from '../inventory/index.js';
import type { MetaAction } from '../modules/meta.js';
import type { Task } from '../playbook/types.js';
import { runHandlers, type HandlerEntry } from './handlers.js';
import type { Outcome } from './host-iterator.js';
import type { RunState } from './run-state.js';
import { taskRef, type TaskOutcome } from './task-common.js';
import { child, currentRole, inheritedWhen, isRescuable, type Scope } from './scope.js';
import type { TaskTarget } from './task-hosts.js';
import type { PlayVarsContext } from './vars.js';

export interface MetaContext {
  rs: RunState;
  task: Task;
  /** Every host at this task. */
  targets: TaskTarget[];
  /** The hosts the action applies to: whose `when` holds (see runMeta). */
  applies: TaskTarget[];
  pv: PlayVarsContext;
  handlers: HandlerEntry[];
}

export interface MetaEffect {
  /** The play ends for every host of the batch (end_play). */
  endPlay?: boolean;
  /** What each host's walk is resumed with (end_role); the rest get an empty outcome. */
  outcomes?: Map<string, Outcome>;
  /** flush_handlers: the hosts a handler failed, with the failed handler's outcome. */
  failures?: Map<string, TaskOutcome>;
}

/**
 * As in Ansible's linear strategy, these run once for all hosts at the task, with the
 * `when` of the first of them, and act on the whole play (or batch); the others run per host.
 */
const PER_HOST = new Set<MetaAction>(['noop', 'reset_connection', 'end_host', 'flush_handlers', 'end_role']);

/**
 * What Ansible's _execute_meta says for an action (shown at -vv as "META: ..."): the message
 * when it runs, and what follows "<action> conditional evaluated to False" when its `when` fails.
 */
const SAYS: Record<MetaAction, { ran: (host: string) => string; skipped?: (host: string) => string }> = {
  flush_handlers: { ran: (h) => `triggered running handlers for ${h}`, skipped: (h) => `, not running handlers for ${h}` },
  end_play: { ran: () => 'ending play', skipped: () => ', continuing play' },
  end_host: { ran: (h) => `ending play for ${h}`, skipped: (h) => `, continuing execution for ${h}` },
  end_batch: { ran: () => 'ending batch', skipped: () => ', continuing current batch' },
  end_role: { ran: (h) => `ending role for ${h}`, skipped: (h) => `, continuing role for ${h}` },
  clear_facts: { ran: () => 'facts cleared', skipped: (h) => `, not clearing facts and fact cache for ${h}` },
  clear_host_errors: { ran: () => 'cleared host errors', skipped: (h) => `, not clearing host error state for ${h}` },
  reset_connection: { ran: () => 'reset connection' },
  refresh_inventory: { ran: () => 'inventory successfully refreshed' },
  noop: { ran: () => 'noop' },
};

const META: Record<MetaAction, (c: MetaContext) => Promise<MetaEffect> | MetaEffect> = {
  // Ansible 2.14 evaluates a flush's `when` per host: a host where it is false does not flush.
  flush_handlers: async (c) => {
    const failures = await runHandlers(c.rs, c.handlers, c.applies.map((t) => t.host), c.pv);
    // A host a handler failed goes on as if the flush had failed: to the rescue or always of
    // the block around it, or out of the play.
    return { failures, outcomes: new Map([...failures.keys()].map((h) => [h, { failed: true }])) };
  },
  end_play: (c) => (c.applies.length ? { endPlay: true } : {}),
  end_host: (c) => {
    for (const { host } of c.applies) c.rs.state(host).ended = true;
    return {};
  },
  end_batch: (c) => {
    if (c.applies.length) for (const host of c.pv.batch) c.rs.state(host).ended = true;
    return {};
  },
  end_role: (c) => {
    const outcomes = new Map<string, Outcome>();
    for (const { host, scope } of c.applies) {
      const inRole = !!(c.task.role ?? currentRole(scope));
      outcomes.set(host, inRole ? { endRole: true } : { failed: true });
      if (!inRole) fail(c, host, scope, "Cannot execute 'end_role' from outside of a role");
    }
    return { outcomes };
  },
  clear_facts: (c) => {
    if (c.applies.length) for (const host of c.pv.playHosts) c.rs.state(host).facts = {};
    return {};
  },
  clear_host_errors: (c) => {
    if (c.applies.length) for (const host of c.pv.playHosts) c.rs.clearHostErrors(host);
    return {};
  },
  reset_connection: async (c) => {
    for (const { host } of c.applies) await c.rs.dropConnection(host);
    return {};
  },
  refresh_inventory: async (c) => {
    const warn = (message: string) => c.rs.o.sink({ kind: 'warning', message });
    const inv = c.rs.o.inventory;
    inv.refreshFrom(await loadInventory(c.rs.o.inventorySources, { warnUnparsed: warn }));
    // As Ansible's refreshed hosts cache: a host the sources no longer have leaves the play.
    for (const host of c.pv.batch) if (!inv.getHost(host)) c.rs.state(host).ended = true;
    return {};
  },
  noop: () => ({}),
};

/** A meta task on its hosts; the action was validated against the same list at load. */
export async function runMeta(rs: RunState, task: Task, targets: TaskTarget[], pv: PlayVarsContext, handlers: HandlerEntry[]): Promise<MetaEffect> {
  const action = String(task.args._raw_params ?? task.args.free_form ?? '') as MetaAction;
  const perHost = PER_HOST.has(action);
  const ref = taskRef(task, targets[0]?.scope);
  const holds = ({ host, scope }: TaskTarget) => {
    const conds = inheritedWhen(child(scope, task));
    const vars = rs.vars.forTask(host, pv, child(scope, task));
    return conds.every((c) => rs.o.templar.evaluateCondition(c, vars));
  };
  const asked = perHost ? targets : targets.slice(0, 1);
  const says = SAYS[action];
  // Ansible ignores `when` on the actions that have no skip message, with a warning.
  if (!says.skipped && (task.when?.length ?? 0) > 0) rs.o.sink({ kind: 'warning', message: `${action} task does not support when conditional` });
  const applies = asked.filter((t) => {
    // Ansible's _execute_meta announces the task each time it runs, so once per host for a per-host action.
    rs.o.sink({ kind: 'task-start', task: ref });
    if (!says.skipped || holds(t)) {
      rs.o.sink({ kind: 'meta-message', message: says.ran(t.host) });
      return true;
    }
    const skipReason = `${action} conditional evaluated to False${says.skipped(t.host)}`;
    rs.o.sink({ kind: 'meta-message', message: skipReason });
    // end_host keeps a msg of its own, "for historical reasons" in Ansible's words.
    const msg = action === 'end_host' ? `end_host conditional evaluated to false, continuing execution for ${t.host}` : action;
    // Shown as Ansible shows it, but a skipped meta task counts in no stat.
    rs.o.sink({ kind: 'host-result', task: ref, host: t.host, status: 'skipped', result: { msg, skipped: true, skip_reason: skipReason } });
    return false;
  });
  return META[action]({ rs, task, targets, applies, pv, handlers });
}

function fail(c: MetaContext, host: string, scope: Scope, msg: string): void {
  c.rs.state(host).failed = true;
  if (!isRescuable(scope)) c.rs.countFailure(host);
  c.rs.o.sink({ kind: 'host-result', task: taskRef(c.task, scope), host, status: 'failed', result: { failed: true, msg } });
}
