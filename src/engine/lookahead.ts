// The probe lookahead of probe batching (probe-batch.ts). A task's probe comes from the
// batch taken earlier when that still stands; otherwise, in the linear strategy, the
// lookahead predicts the probes of the simple planned tasks that follow in the same task
// list with the host's current vars, and they ride along with this one in one exec.
// Predicting never touches the host, and anything that goes wrong with it leaves the
// probe to run on its own.
import { randomBytes } from 'node:crypto';
import type { Task } from '../playbook/types.js';
import type { ExecResult, Transport } from '../transport/types.js';
import { speculateProbe } from './invoke-module.js';
import type { ExecEnv, TaskProbe } from './task-common.js';
import { resolveTaskKeywords } from './task-keywords.js';
import { blockScopes, type Upcoming, type WorkItem } from './host-iterator.js';
import { expandLoop, loopItemVars, resolveLoopNames } from './loops.js';
import { probeKey, runProbeBatch, type ProbeRequest } from './probe-batch.js';
import type { RunState } from './run-state.js';
import { child, inheritedTags, inheritedWhen, type Scope } from './scope.js';
import { tagSelected } from './tags.js';
import type { PlayVarsContext } from './vars.js';

export type TaskItem = Extract<WorkItem, { kind: 'task' }>;

export async function runProbe(
  rs: RunState,
  req: TaskProbe,
  transport: Promise<Transport>,
  alone: () => Promise<ExecResult>,
  item: TaskItem | undefined,
  pv: PlayVarsContext,
  env: ExecEnv,
): Promise<ExecResult> {
  const cache = rs.state(req.host).probeCache;
  const key = probeKey(req.script, req.become, req.env);
  // While the host is still connecting (its first task) nothing can be cached for it yet,
  // and the lookahead below runs in the meantime.
  const known = rs.openTransports.get(req.host);
  const cached = known && cache.take(req.uid, key, known);
  if (cached) return cached;
  if (!req.batchable || !item || item.task.uid !== (req.taskUid ?? req.uid)) return alone();
  cache.settle(known);
  // One host predicts at a time: interleaved, every host's batch would wait until all
  // hosts had nearly finished predicting; in turn, the first batch leaves after one
  // host's prediction and the hosts work while the controller predicts for the next.
  const turn = rs.predictionTurn.then(async (): Promise<ProbeRequest[]> => {
    // Predicting is all microtasks: without a turn of the event loop between hosts, 100
    // hosts' predictions would hold up the handshakes and batches already under way.
    await new Promise((resolve) => setImmediate(resolve));
    // A loop item: the items after it first, then the tasks after the loop.
    let rest: ProbeRequest[] = [];
    if (req.predictRest) {
      let complete: boolean;
      try {
        const p = await req.predictRest(cache.window - 1);
        // One exec runs under one become and one environment.
        const shell = probeKey('', req.become, req.env);
        const differs = p.requests.findIndex((r) => probeKey('', r.become, r.env) !== shell);
        rest = differs < 0 ? p.requests : p.requests.slice(0, differs);
        complete = p.complete && differs < 0;
      } catch {
        return [];
      }
      // The tasks after a loop only when every item after this one was predicted.
      if (!complete) return rest;
    }
    try {
      return [...rest, ...(await predictProbes(rs, req, item, cache.window - 1 - rest.length, pv, env))];
    } catch {
      return rest;
    }
  });
  rs.predictionTurn = turn.then(() => undefined);
  const others = await turn;
  if (!others.length) return alone();
  const t = await transport;
  const requests = [req, ...others];
  const mark = rs.writes.n;
  const split = await runProbeBatch(t, requests.map((r) => r.script), { become: req.become, env: req.env });
  cache.store(
    t,
    others.flatMap((r, i) => (split[i + 1] ? [{ uid: r.uid, key: probeKey(r.script, r.become, r.env), result: split[i + 1]! }] : [])),
    mark,
  );
  return split[0] ?? alone();
}

/** The probes of up to `max` simple planned tasks after `item`, predicted from current vars. */
async function predictProbes(rs: RunState, first: ProbeRequest & { host: string }, item: TaskItem, max: number, pv: PlayVarsContext, env: ExecEnv): Promise<ProbeRequest[]> {
  const out: ProbeRequest[] = [];
  if (max < 1) return out;
  const up: Upcoming | undefined = item.upcoming ?? (item.list && item.index !== undefined ? { nodes: item.list, from: item.index + 1, scope: item.scope } : undefined);
  const host = first.host;
  const registered: string[] = item.task.register ? [item.task.register] : [];
  /** What the set_fact tasks passed so far will set, for predicting the tasks after them. */
  const predicted: Record<string, unknown> = {};
  const sameShell = probeKey('', first.become, first.env);
  for (const next of followingTasks(up)) {
    if (next === 'stop' || out.length >= max) break;
    const { node, scope } = next;
    const traits = rs.o.registry.get(node.action)?.traits;
    if (traits?.engineAction) break;
    // walkNodes skips a task the tag selection leaves out; so may the lookahead.
    if (!tagSelected(inheritedTags(child(scope, node)), rs.o.tags, rs.o.skipTags)) continue;
    // A lookup runs on the controller when rendered (a pipe lookup runs a command): never
    // for a prediction.
    if (mentionsLookup(node)) break;
    // Passive tasks (debug, assert) touch neither the host nor any var but their own register.
    if (traits?.passive) {
      if (node.register) registered.push(node.register);
      continue;
    }
    // A task that uses what an earlier one registers or sets cannot be predicted yet; the
    // tasks after it may (what it writes when it runs drops the saved probes anyway).
    if (registered.length && mentionsAny(node, registered)) {
      if (node.register) registered.push(node.register);
      // A set_fact that cannot be predicted leaves the names it sets unknown, unless an
      // earlier one was predicted: it is usually the same fact set again under a condition
      // (after a reboot, say), and a wrong guess only costs a probe.
      if (traits?.factsLayer === 'nonpersistent') registered.push(...setFactNames(node).filter((k) => !(k in predicted)));
      else if (out.length < max) {
        const req = await speculateUnknown(rs, node, scope, host, pv, predicted, env);
        if (req && probeKey('', req.become, req.env) === sameShell) out.push(req);
      }
      continue;
    }
    const varsScope = child(scope, { vars: node.vars });
    // set_fact from what is known already: its values, as it will set them, for the tasks
    // after it (a `when: flag` on a fact set from facts). A wrong guess costs nothing but
    // a probe: a task uses a saved result only for the very probe it renders itself.
    if (traits?.factsLayer === 'nonpersistent') {
      if (!predictSetFact(rs, node, scope, rs.vars.forTask(host, pv, varsScope, predicted), predicted)) registered.push(...setFactNames(node));
      continue;
    }
    const vars = rs.vars.forTask(host, pv, varsScope, predicted);
    // A loop: each item as it would run, with its loop variables (uid#index, as execute.ts runs them).
    const runs: { more: Record<string, unknown>; uid?: string }[] = [{ more: {} }];
    if (node.loop) {
      if (!PREDICTABLE_LOOPS.has(node.loop.kind) || node.loop.pause || (traits?.factsLayer && traits.factsLayer !== 'none')) break;
      const items = await expandLoop(node.loop, rs.o.templar, vars, () => [], node.action);
      const loop = resolveLoopNames(node.loop, rs.o.templar, vars);
      runs.splice(0, 1, ...items.map((_, j) => ({ more: loopItemVars(items, j, loop), uid: `${node.uid}#${j}` })));
    }
    let stop = false;
    for (const run of runs) {
      const v = node.loop ? rs.vars.forTask(host, pv, varsScope, { ...predicted, ...run.more }) : vars;
      const kw = resolveTaskKeywords(rs.o.templar, node, scope, v, rs.o.becomePassword);
      const spec = await speculateProbe({ task: node, scope, host, vars: v, withExtra: (extra) => rs.vars.forTask(host, pv, varsScope, { ...predicted, ...run.more, ...extra }) }, env, kw, run.uid);
      if (spec.kind === 'skip') continue;
      // One exec runs under one become and one environment.
      if (spec.kind === 'stop' || probeKey('', spec.request.become, spec.request.env) !== sameShell || out.length >= max) {
        stop = true;
        break;
      }
      out.push(spec.request);
    }
    if (stop) break;
    if (node.register) registered.push(node.register);
  }
  return out;
}

/** Stands for an argument the lookahead cannot render yet; unguessable, so no real argument equals it. */
const UNKNOWN = `rackplay-unknown-${randomBytes(8).toString('hex')}`;

/**
 * The probe of a task that uses a name not known yet (a register of an earlier task),
 * when that name feeds only arguments its probe does not read: lineinfile's `line` from a
 * slurp register, with a path known now. Each argument that does not render yet stands as
 * UNKNOWN; a probe that mentions it is dropped. Whatever the guess, the task itself uses a
 * saved result only for the very probe it renders when it runs.
 */
async function speculateUnknown(rs: RunState, node: Task, scope: Scope, host: string, pv: PlayVarsContext, predicted: Record<string, unknown>, env: ExecEnv): Promise<ProbeRequest | undefined> {
  if (node.loop || node.until?.length || !node.args || typeof node.args !== 'object') return undefined;
  try {
    const varsScope = child(scope, { vars: node.vars });
    const vars = rs.vars.forTask(host, pv, varsScope, predicted);
    const args: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node.args)) {
      try {
        rs.o.templar.render(v, vars);
        args[k] = v;
      } catch {
        args[k] = UNKNOWN;
      }
    }
    const task: Task = { ...node, args };
    const kw = resolveTaskKeywords(rs.o.templar, task, scope, vars, rs.o.becomePassword);
    const spec = await speculateProbe({ task, scope, host, vars, withExtra: (extra) => rs.vars.forTask(host, pv, varsScope, { ...predicted, ...extra }) }, env, kw);
    return spec.kind === 'probe' && !spec.request.script.includes(UNKNOWN) ? spec.request : undefined;
  } catch {
    return undefined;
  }
}

/** The names a set_fact task sets (none known when its arguments are not a mapping). */
function setFactNames(task: Task): string[] {
  return task.args && typeof task.args === 'object' ? Object.keys(task.args).filter((k) => k !== 'cacheable') : [];
}

/**
 * Adds what a set_fact task will set to `predicted`, rendered with `vars`; nothing when its
 * conditions do not hold. False when it cannot be told (a loop, arguments that are not a
 * mapping, a template that fails): the tasks that use its names are then left alone.
 */
function predictSetFact(rs: RunState, task: Task, scope: Scope, vars: Record<string, unknown>, predicted: Record<string, unknown>): boolean {
  if (task.loop || !task.args || typeof task.args !== 'object') return false;
  try {
    if (!inheritedWhen(child(scope, task)).every((c) => rs.o.templar.evaluateCondition(c, vars))) return true;
    const set: Record<string, unknown> = {};
    for (const k of setFactNames(task)) set[k] = rs.o.templar.render((task.args as Record<string, unknown>)[k], vars);
    Object.assign(predicted, set);
    return true;
  } catch {
    return false;
  }
}

/** Loops whose items the lookahead may expand: `loop:` and the with_ forms that only reshape data. */
const PREDICTABLE_LOOPS = new Set(['loop', 'with_items', 'with_list', 'with_dict', 'with_indexed_items', 'with_sequence', 'with_together', 'with_nested', 'with_cartesian', 'with_flattened', 'with_subelements']);

/**
 * The tasks after a task in the static tree, each with its scope: the rest of its list,
 * into blocks (body, then always: a rescue runs only after a failure), then what follows
 * the list. 'stop' at an include: what it brings is known only when it runs.
 */
function* followingTasks(up: Upcoming | undefined): Generator<{ node: Task; scope: Scope } | 'stop', void> {
  for (let u = up; u; u = u.then) {
    for (let i = u.from; i < u.nodes.length; i++) {
      const node = u.nodes[i];
      if (node.kind === 'task') yield { node, scope: u.scope };
      else if (node.kind === 'block') {
        const { inner, plain } = blockScopes(node, u.scope);
        for (const t of followingTasks({ nodes: node.block, from: 0, scope: inner, then: { nodes: node.always, from: 0, scope: plain } })) {
          yield t;
          if (t === 'stop') return;
        }
      } else {
        yield 'stop';
        return;
      }
    }
  }
}

/** Task texts for the lookahead's name checks: per task, not per host and task. */
const taskTexts = new WeakMap<Task, string | undefined>();

/** A task's templates (args, conditions, vars, keywords) as one text; undefined if it has none that print. */
function taskText(task: Task): string | undefined {
  if (taskTexts.has(task)) return taskTexts.get(task);
  const { pos: _pos, uid: _uid, role: _role, ...rest } = task;
  let text: string | undefined;
  try {
    text = JSON.stringify(rest);
  } catch {
    text = undefined;
  }
  taskTexts.set(task, text);
  return text;
}

/** Whether a task's templates name any of `names`. */
function mentionsAny(task: Task, names: string[]): boolean {
  const text = taskText(task);
  return text === undefined || names.some((n) => new RegExp(`\\b${n.replace(/[^A-Za-z0-9_]/g, '')}\\b`).test(text));
}

/** Whether a task's templates call a lookup (lookup, query, q). */
function mentionsLookup(task: Task): boolean {
  let found = lookups.get(task);
  if (found === undefined) {
    const text = taskText(task);
    lookups.set(task, (found = text === undefined || /\b(?:lookup|query|q)\s*\(/.test(text)));
  }
  return found;
}
const lookups = new WeakMap<Task, boolean>();
