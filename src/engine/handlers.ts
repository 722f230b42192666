// Handlers: the play's handler list (role handlers first, each role once), which
// notification a handler answers (its name or a `listen` topic, optionally prefixed with
// its role), and a flush that runs the notified ones on the given hosts.
import { ansibleBool } from '../boolean.js';
import { flattenHandlers } from '../playbook/index.js';
import type { DynamicInclude, Handler, Play, RoleInstance, Task, TaskNode } from '../playbook/types.js';
import { handlerListen, playHandlers, playRoles } from '../playbook/walk.js';
import type { Outcome, Upcoming } from './host-iterator.js';
import type { TaskItem } from './lookahead.js';
import { runInclude } from './includes.js';
import type { RunState } from './run-state.js';
import { UserError } from '../errors.js';
import { child, inheritedWhen, type Scope } from './scope.js';
import { stopsHost } from './results.js';
import { taskRef, type TaskOutcome } from './task-common.js';
import { runTaskOnHosts } from './task-hosts.js';
import type { PlayVarsContext } from './vars.js';

export interface HandlerEntry {
  task: Handler;
  scope: Scope;
  /** A templated name once rendered; null when it could not be (the handler answers only its listen topics). */
  name?: string | null;
}

/**
 * The play's handlers (playbook/walk.ts order) with the scope they run in: a role's
 * handlers inherit the keywords of the roles that pulled it in, as its tasks do.
 */
export function collectHandlers(play: Play, playScope: Scope): HandlerEntry[] {
  const scopes = new Map<RoleInstance, Scope>();
  for (const { role, via } of playRoles(play)) {
    const entry = [...via, role].reduce((s, r) => child(s, r.keywords), playScope);
    scopes.set(role, child(entry, {}, { role }));
  }
  return playHandlers(play).map(({ task, role }) => ({ task, scope: role ? scopes.get(role)! : playScope }));
}

function nameMatches(h: HandlerEntry, notified: string): boolean {
  const name = h.name === undefined ? h.task.name : h.name;
  if (name === null || name === undefined) return false;
  if (name === notified) return true;
  return roleNames(h).some((role) => `${role} : ${name}` === notified);
}

/**
 * Ansible renders a templated handler name once, the first time notifications are matched;
 * one that fails to render is left out of name matching, with a warning unless it listens.
 * (Ansible renders it without host variables; here the first flushing host's vars serve.)
 */
function renderNames(rs: RunState, handlers: HandlerEntry[], host: string | undefined, pv: PlayVarsContext): void {
  if (host === undefined) return;
  for (const h of handlers) {
    const raw = h.task.name;
    if (h.name !== undefined || typeof raw !== 'string' || !/{{|{%/.test(raw)) continue;
    try {
      h.name = String(rs.o.templar.render(raw, rs.vars.forTask(host, pv, child(h.scope, h.task))));
    } catch (e) {
      h.name = null;
      if (!handlerListen(h.task).length) {
        const why = e instanceof Error ? e.message : String(e);
        rs.o.sink({ kind: 'warning', message: `Handler '${raw}' is unusable because it has no listen topics and the name could not be templated (host-specific variables are not supported in handler names). The error: ${why}` });
      }
    }
  }
}

function listens(h: HandlerEntry, notified: string): boolean {
  const topics = handlerListen(h.task);
  if (topics.includes(notified)) return true;
  return roleNames(h).some((role) => topics.some((l) => `${role} : ${l}` === notified));
}

/** A role handler answers with its role's name as prefix; one a role imported, with either role's. */
function roleNames(h: HandlerEntry): string[] {
  return [...new Set([h.scope.role?.name, h.task.role?.name].filter((r): r is string => !!r))];
}

/**
 * The handlers a notification marks, as Ansible's strategy finds them: by name, one handler,
 * from the last-loaded group that has it (a role's handlers, the play's) and the first of
 * that name within the group; and every handler that listens to it.
 */
export function notifiedHandlers(handlers: HandlerEntry[], notified: string): number[] {
  const out = new Set<number>();
  let byName: number | undefined;
  for (let end = handlers.length; end > 0 && byName === undefined; ) {
    let start = end - 1;
    while (start > 0 && handlers[start - 1].scope === handlers[end - 1].scope) start--;
    for (let i = start; i < end && byName === undefined; i++) if (nameMatches(handlers[i], notified)) byName = i;
    end = start;
  }
  if (byName !== undefined) out.add(byName);
  handlers.forEach((h, i) => listens(h, notified) && out.add(i));
  return [...out].sort((x, y) => x - y);
}

/** Whether any handler answers a notification (its name rendered as at a flush). */
export function answersNotify(rs: RunState, handlers: HandlerEntry[], name: string, host: string, pv: PlayVarsContext): boolean {
  renderNames(rs, handlers, host, pv);
  return notifiedHandlers(handlers, name).length > 0;
}

/** The play's force_handlers keyword, else --force-handlers / ANSIBLE_FORCE_HANDLERS. */
export function forceHandlers(rs: RunState, play: Play): boolean {
  if (play.force_handlers === undefined || play.force_handlers === null) return rs.o.forceHandlers;
  return ansibleBool(rs.renderPlayValue(play.force_handlers));
}

/**
 * Runs the notified handlers on `hosts`; returns the outcome of each host a handler failed
 * (not failed before the flush), which the strategy treats as that host's task failing.
 */
export async function runHandlers(rs: RunState, handlers: HandlerEntry[], hosts: string[], pv: PlayVarsContext): Promise<Map<string, TaskOutcome>> {
  const failures = new Map<string, TaskOutcome>();
  // The hosts given are those at the flush: one already failed is there because it is in an
  // always section (or handlers are forced), and runs its handlers as in Ansible; one that
  // fails during the flush runs no more of them unless they are forced.
  const failedBefore = new Set(hosts.filter((h) => rs.state(h).failed));
  const eligible = (host: string) => {
    const s = rs.state(host);
    return !s.unreachable && (!s.failed || failedBefore.has(host) || forceHandlers(rs, pv.play));
  };
  // A notification marks every handler it names or that listens to it (Ansible marks
  // handlers at notify time), so running one handler does not use it up for the others.
  const pending = new Map<string, Set<number>>();
  renderNames(rs, handlers, hosts[0], pv);
  const takeNotifications = () => {
    for (const host of hosts) {
      if (!eligible(host)) continue;
      const s = rs.state(host);
      for (const n of [...s.notified]) {
        const matched = notifiedHandlers(handlers, n);
        if (!matched.length) continue;
        s.notified.delete(n);
        let set = pending.get(host);
        if (!set) pending.set(host, (set = new Set()));
        for (const i of matched) set.add(i);
      }
    }
  };
  // A handler may notify another; later ones run in the same flush, earlier ones in a
  // further pass (bounded, so a notify cycle cannot loop forever).
  for (let pass = 0; pass < 10; pass++) {
    let ran = false;
    for (let i = 0; i < handlers.length; i++) {
      if (rs.interrupted) return failures;
      takeNotifications();
      const targets = hosts.filter((host) => eligible(host) && pending.get(host)?.has(i));
      if (!targets.length) continue;
      ran = true;
      for (const host of targets) pending.get(host)!.delete(i);
      const h = handlers[i];
      const name = typeof h.name === 'string' ? h.name : undefined;
      await runHandler(rs, h.task, name, targets.map((host) => ({ host, scope: h.scope })), pv, (host, o) => {
        if (!failedBefore.has(host) && !failures.has(host) && stopsHost(o)) failures.set(host, o);
      }, eligible, handlerLookahead(handlers, i, targets, pending));
    }
    if (!ran) break;
  }
  return failures;
}

type HandlerTarget = { host: string; scope: Scope };

/**
 * For probe batching: each host's view of handler i with the handlers it has pending after
 * it, in the order they will run, so their probes go in one exec (lookahead.ts predicts
 * them; a handler that writes drops them, as for tasks).
 */
function handlerLookahead(handlers: HandlerEntry[], i: number, hosts: string[], pending: Map<string, Set<number>>): Map<string, TaskItem> | undefined {
  const h = handlers[i];
  if (h.task.kind !== 'task') return undefined;
  const out = new Map<string, TaskItem>();
  for (const host of hosts) {
    let upcoming: Upcoming | undefined;
    const later = [...(pending.get(host) ?? [])].filter((j) => j > i).sort((a, b) => b - a);
    for (const j of later) upcoming = { nodes: [handlers[j].task], from: 0, scope: handlers[j].scope, then: upcoming };
    out.set(host, { kind: 'task', task: h.task, scope: h.scope, at: [], upcoming });
  }
  return out;
}

/**
 * One handler on its hosts. An include_tasks handler includes its file for them, then runs
 * every task of it as a handler (notified or not), as Ansible 2.14 does; a host that fails
 * along the way runs no more of them unless handlers are forced.
 */
async function runHandler(
  rs: RunState,
  task: Handler,
  name: string | undefined,
  targets: HandlerTarget[],
  pv: PlayVarsContext,
  record: (host: string, o: TaskOutcome) => void,
  eligible: (host: string) => boolean,
  lookahead?: Map<string, TaskItem>,
): Promise<void> {
  if (task.kind === 'include') {
    for (const group of await includeHandler(rs, task, name, targets, pv, record)) {
      for (const inner of flattenHandlers(group.nodes)) {
        if (rs.interrupted) return;
        const on = group.targets.filter((t) => eligible(t.host));
        if (on.length) await runHandler(rs, inner, undefined, on, pv, record, eligible);
      }
    }
    return;
  }
  const meta = metaAction(rs, task);
  if (meta === 'noop') {
    // A `meta: noop` handler shows its banner and has no result, as in Ansible.
    rs.o.sink({ kind: 'handler-start', task: taskRef(task, targets[0].scope, true) });
    for (const _ of targets) rs.o.sink({ kind: 'meta-message', message: 'noop' });
    return;
  }
  if (meta === 'flush_handlers') {
    // Ansible refuses it when it runs (its `when` holding), ending the run.
    rs.o.sink({ kind: 'handler-start', task: taskRef(task, targets[0].scope, true) });
    const holds = ({ host, scope }: HandlerTarget) => inheritedWhen(child(scope, task)).every((c) => rs.o.templar.evaluateCondition(c, rs.vars.forTask(host, pv, child(scope, task))));
    if (targets.some(holds)) throw new UserError('flush_handlers cannot be used as a handler', { kind: 'error' });
    return;
  }
  const outcomes = await runTaskOnHosts(rs, name === undefined ? task : { ...task, name }, targets, pv, { handler: true, lookahead });
  for (const [host, o] of outcomes) record(host, o);
}

/** The files an include handler brought in, each with the hosts (and their scopes) that included it, in order. */
async function includeHandler(rs: RunState, inc: DynamicInclude, name: string | undefined, targets: HandlerTarget[], pv: PlayVarsContext, record: (host: string, o: TaskOutcome) => void) {
  const outcomes = await runInclude(rs, targets.map(({ host, scope }) => ({ host, item: { kind: 'include' as const, include: inc, scope, at: [] } })), pv, name);
  for (const [host, o] of outcomes) if (o.failed) record(host, { status: 'failed', result: { failed: true }, ignored: false, items: [] });
  // Hosts that included the same file (the same item of a looped include) run it together.
  const groups: { nodes: TaskNode[]; item: number; targets: HandlerTarget[] }[] = [];
  for (const { host } of targets) {
    const o: Outcome | undefined = outcomes.get(host);
    const pieces = o?.includedEach ?? (o?.included ? [o.included] : []);
    pieces.forEach((piece, item) => {
      let g = groups.find((x) => x.nodes === piece.nodes && x.item === item);
      if (!g) groups.push((g = { nodes: piece.nodes, item, targets: [] }));
      g.targets.push({ host, scope: piece.scope });
    });
  }
  return groups;
}

function metaAction(rs: RunState, task: Task): string | undefined {
  return rs.o.registry.get(task.action)?.traits?.engineAction ? String(task.args._raw_params ?? task.args.free_form ?? '') : undefined;
}
