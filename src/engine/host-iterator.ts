// Each host walks the play as a generator: it yields the next piece of work and is
// resumed with the outcome. Failures are thrown inside the generator so block/rescue/
// always read like the try/catch/finally they are. A strategy (strategy-*.ts) decides
// which hosts advance when.
import type { Block, DynamicInclude, Play, RoleInstance, Task, TaskNode } from '../playbook/types.js';
import { child, currentRole, inheritedTags, type Scope } from './scope.js';

/**
 * Where a piece of work sits in the play: indexes from the play's sections down through
 * roles, blocks and includes. Compared in order, the smaller is earlier in the play, so a
 * lockstep strategy can let hosts that are ahead (after end_role, a rescue, an include
 * that others skipped) wait for the rest, as Ansible's linear strategy does.
 */
export type PlayPosition = readonly number[];

export type WorkItem =
  /** `list`/`index`: where the task sits among its siblings (for probe-batching lookahead). */
  | { kind: 'task'; task: Task; scope: Scope; at: PlayPosition; list?: readonly TaskNode[]; index?: number; upcoming?: Upcoming }
  | { kind: 'include'; include: DynamicInclude; scope: Scope; at: PlayPosition }
  | { kind: 'flush'; at: PlayPosition }
  /** marker: a failure was rescued (stats, and the host is no longer failed) */
  | { kind: 'rescued' };

/**
 * What follows a task in the static tree, for the probe lookahead: the rest of its list
 * (from `from`), then what follows that list (after a block's body: its always section,
 * then the rest of the list the block sits in).
 */
export interface Upcoming {
  nodes: readonly TaskNode[];
  from: number;
  scope: Scope;
  then?: Upcoming;
}

/** Negative, zero or positive as position a is before, at or after b. */
export function comparePositions(a: PlayPosition, b: PlayPosition): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

export interface Outcome {
  failed?: boolean;
  /** meta end_role: the host skips the rest of the role it is in. */
  endRole?: boolean;
  /** for includes: what to run next, or nothing when the include was skipped */
  included?: { nodes: TaskNode[]; scope: Scope; role?: RoleInstance };
  /** A looped include: one inclusion per item, walked in order. */
  includedEach?: { nodes: TaskNode[]; scope: Scope; role?: RoleInstance }[];
}

export class HostFailure extends Error {
  constructor() {
    super('host failed');
  }
}

/** Thrown inside a host's walk by meta end_role; the innermost role catches it. */
class EndRole extends Error {
  constructor() {
    super('end of role');
  }
}

export interface WalkOptions {
  /** Tag selection (--tags/--skip-tags) for a task's effective tags. */
  selected(tags: string[]): boolean;
  /** --start-at-task: false until the named task is reached (shared by all hosts). */
  started(task: Task): boolean;
  /** Roles already run in this play (dependencies run once per play unless params differ). */
  rolesRun: Set<string>;
  /** Whether the host is still failed (meta clear_host_errors in an `always` clears it). */
  stillFailed(): boolean;
}

type Walker = Generator<WorkItem, void, Outcome | undefined>;

export function* walkPlay(play: Play, playScope: Scope, opts: WalkOptions): Walker {
  let section = 0;
  yield* walkNodes(play.pre_tasks, playScope, opts, [section++]);
  yield { kind: 'flush', at: [section++] };
  const afterRoles = rolesUpcoming(play.roles, playScope, { nodes: play.tasks, from: 0, scope: playScope });
  for (let i = 0; i < play.roles.length; i++) yield* walkRole(play.roles[i], playScope, opts, [section++], afterRoles[i]);
  yield* walkNodes(play.tasks, playScope, opts, [section++]);
  yield { kind: 'flush', at: [section++] };
  yield* walkNodes(play.post_tasks, playScope, opts, [section++]);
  yield { kind: 'flush', at: [section++] };
}

export function roleKey(role: RoleInstance): string {
  // As Ansible's role cache: the same role with other params, vars, when or tags is another role.
  const kw = role.keywords;
  return `${role.path}\0${JSON.stringify(role.params)}\0${JSON.stringify([kw.vars ?? {}, kw.when ?? [], kw.tags ?? []])}`;
}

/**
 * For the lookahead: what follows each role of a play's `roles:`: the next roles' tasks
 * as long as they have no dependencies (a dependency's place depends on what ran before),
 * then the play's tasks.
 */
function rolesUpcoming(roles: RoleInstance[], playScope: Scope, tasks: Upcoming): (Upcoming | undefined)[] {
  const out: (Upcoming | undefined)[] = [];
  let next: Upcoming | undefined = tasks;
  for (let i = roles.length - 1; i >= 0; i--) {
    out[i] = next;
    const r = roles[i];
    next = r.dependencies.length ? undefined : { nodes: r.tasks, from: 0, scope: roleScopes(r, playScope).tasks, then: next };
  }
  return out;
}

/** A role's scopes: its entry (its keywords), and its tasks' (the role itself). */
function roleScopes(role: RoleInstance, parent: Scope): { entry: Scope; tasks: Scope } {
  const entry = child(parent, role.keywords, { roleEntry: true });
  return { entry, tasks: child(entry, {}, { role }) };
}

function* walkRole(role: RoleInstance, parent: Scope, opts: WalkOptions, at: PlayPosition, then?: Upcoming): Walker {
  const { entry, tasks } = roleScopes(role, parent);
  // A dependency runs under its parent role's scope: Ansible's dependency chain, whose vars and params it inherits.
  const deps = child(entry, {}, { role });
  for (let i = 0; i < role.dependencies.length; i++) {
    const dep = role.dependencies[i];
    if (!dep.allowDuplicates && opts.rolesRun.has(roleKey(dep))) continue;
    opts.rolesRun.add(roleKey(dep));
    yield* walkRole(dep, deps, opts, [...at, i]);
  }
  opts.rolesRun.add(roleKey(role));
  yield* untilEndRole(walkNodes(role.tasks, tasks, opts, [...at, role.dependencies.length], then));
}

/** A role's walk, cut short (and nothing more) when meta end_role runs inside it. */
function* untilEndRole(walk: Walker): Walker {
  try {
    yield* walk;
  } catch (e) {
    if (!(e instanceof EndRole)) throw e;
  }
}

function* walkNodes(nodes: TaskNode[], scope: Scope, opts: WalkOptions, parent: PlayPosition, then?: Upcoming): Walker {
  for (let index = 0; index < nodes.length; index++) {
    const node = nodes[index];
    const at = [...parent, index];
    const upcoming: Upcoming = { nodes, from: index + 1, scope, then };
    if (node.kind === 'block') {
      yield* walkBlock(node, scope, opts, at, upcoming);
    } else if (node.kind === 'include') {
      const tags = inheritedTags(child(scope, node));
      if (!opts.selected(tags)) continue;
      const outcome = yield { kind: 'include', include: node, scope, at };
      if (outcome?.failed) throw new HostFailure();
      const inc = outcome?.included;
      if (inc?.role) yield* walkRole(inc.role, inc.scope, opts, at);
      else if (inc) yield* walkNodes(inc.nodes, inc.scope, opts, at, upcoming);
      // Each item sits one level deeper, so lockstep keeps hosts on the same item together.
      const each = outcome?.includedEach ?? [];
      for (let k = 0; k < each.length; k++) {
        const piece = each[k];
        if (piece.role) yield* walkRole(piece.role, piece.scope, opts, [...at, k]);
        else yield* walkNodes(piece.nodes, piece.scope, opts, [...at, k]);
      }
    } else {
      const taskScope = child(scope, node);
      if (!opts.selected(inheritedTags(taskScope))) continue;
      if (!opts.started(node)) continue;
      const outcome = yield { kind: 'task', task: node, scope, at, list: nodes, index, upcoming };
      if (outcome?.failed) throw new HostFailure();
      if (outcome?.endRole) throw new EndRole();
    }
  }
}

/**
 * The scopes of a block's sections: its body (rescuable when it has a rescue), and its
 * rescue and always. An import_role arrives as a block carrying its role: its tasks see
 * the role's defaults, vars and role_path like the tasks of a `roles:` entry.
 */
export function blockScopes(block: Block, scope: Scope): { inner: Scope; plain: Scope } {
  const role = block.role && block.role !== currentRole(scope) ? { role: block.role } : {};
  return { inner: child(scope, block, { rescuable: block.rescue.length > 0, ...role }), plain: child(scope, block, { ...role, recovering: true }) };
}

function* walkBlock(block: Block, scope: Scope, opts: WalkOptions, at: PlayPosition, after: Upcoming): Walker {
  // An import_role arrives as a block carrying its role: its tasks see the role's
  // defaults, vars and role_path like the tasks of a `roles:` entry, and end_role ends it.
  const role = block.role && block.role !== currentRole(scope) ? { role: block.role } : {};
  if (role.role) yield* untilEndRole(blockBody(block, scope, opts, at, after));
  else yield* blockBody(block, scope, opts, at, after);
}

/** A block's sections sit at `at` + 0 (block), 1 (rescue), 2 (always). */
function* blockBody(block: Block, scope: Scope, opts: WalkOptions, at: PlayPosition, after: Upcoming): Walker {
  const { inner, plain } = blockScopes(block, scope);
  // after the body, as the lookahead sees it: the always section, then the rest
  const afterBody: Upcoming = { nodes: block.always, from: 0, scope: plain, then: after };
  let failure: unknown;
  try {
    yield* walkNodes(block.block, inner, opts, [...at, 0], afterBody);
  } catch (e) {
    if (!(e instanceof HostFailure)) throw e;
    failure = e;
  }
  if (failure && block.rescue.length > 0) {
    yield { kind: 'rescued' };
    failure = undefined;
    try {
      yield* walkNodes(block.rescue, plain, opts, [...at, 1], afterBody);
    } catch (e) {
      if (!(e instanceof HostFailure)) throw e;
      failure = e;
    }
  }
  if (block.always.length > 0) yield* walkNodes(block.always, plain, opts, [...at, 2], after);
  if (failure && opts.stillFailed()) throw failure;
}
