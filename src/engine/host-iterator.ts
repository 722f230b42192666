// Each host walks the play as a generator: it yields the next piece of work and is
// resumed with the outcome. Failures are thrown inside the generator so block/rescue/
// always read like the try/catch/finally they are. The driver (run.ts) advances all
// hosts in lockstep (Ansible's linear strategy).
import type { Block, DynamicInclude, Play, RoleInstance, Task, TaskNode } from '../playbook/types.js';
import { child, currentRole, inheritedTags, type Scope } from './scope.js';

export type WorkItem =
  /** `list`/`index`: where the task sits among its siblings (for probe-batching lookahead). */
  | { kind: 'task'; task: Task; scope: Scope; list?: readonly TaskNode[]; index?: number }
  | { kind: 'include'; include: DynamicInclude; scope: Scope }
  | { kind: 'flush' }
  /** marker: a failure was rescued (stats, and the host is no longer failed) */
  | { kind: 'rescued' };

export interface Outcome {
  failed?: boolean;
  /** for includes: what to run next, or nothing when the include was skipped */
  included?: { nodes: TaskNode[]; scope: Scope; role?: RoleInstance };
}

export class HostFailure extends Error {
  constructor() {
    super('host failed');
  }
}

export interface WalkOptions {
  /** Tag selection (--tags/--skip-tags) for a task's effective tags. */
  selected(tags: string[]): boolean;
  /** --start-at-task: false until the named task is reached (shared by all hosts). */
  started(task: Task): boolean;
  /** Roles already run in this play (dependencies run once per play unless params differ). */
  rolesRun: Set<string>;
}

type Walker = Generator<WorkItem, void, Outcome | undefined>;

export function* walkPlay(play: Play, playScope: Scope, opts: WalkOptions): Walker {
  yield* walkNodes(play.pre_tasks, playScope, opts);
  yield { kind: 'flush' };
  for (const role of play.roles) yield* walkRole(role, playScope, opts);
  yield* walkNodes(play.tasks, playScope, opts);
  yield { kind: 'flush' };
  yield* walkNodes(play.post_tasks, playScope, opts);
  yield { kind: 'flush' };
}

export function roleKey(role: RoleInstance): string {
  return `${role.path}\0${JSON.stringify(role.params)}`;
}

export function* walkRole(role: RoleInstance, parent: Scope, opts: WalkOptions): Walker {
  const entry = child(parent, role.keywords);
  for (const dep of role.dependencies) {
    if (!dep.allowDuplicates && opts.rolesRun.has(roleKey(dep))) continue;
    opts.rolesRun.add(roleKey(dep));
    yield* walkRole(dep, entry, opts);
  }
  opts.rolesRun.add(roleKey(role));
  yield* walkNodes(role.tasks, child(entry, {}, { role }), opts);
}

export function* walkNodes(nodes: TaskNode[], scope: Scope, opts: WalkOptions): Walker {
  for (let index = 0; index < nodes.length; index++) {
    const node = nodes[index];
    if (node.kind === 'block') {
      yield* walkBlock(node, scope, opts);
    } else if (node.kind === 'include') {
      const tags = inheritedTags(child(scope, node));
      if (!opts.selected(tags)) continue;
      const outcome = yield { kind: 'include', include: node, scope };
      if (outcome?.failed) throw new HostFailure();
      const inc = outcome?.included;
      if (inc?.role) yield* walkRole(inc.role, inc.scope, opts);
      else if (inc) yield* walkNodes(inc.nodes, inc.scope, opts);
    } else {
      const taskScope = child(scope, node);
      if (!opts.selected(inheritedTags(taskScope))) continue;
      if (!opts.started(node)) continue;
      const outcome = yield { kind: 'task', task: node, scope, list: nodes, index };
      if (outcome?.failed) throw new HostFailure();
    }
  }
}

function* walkBlock(block: Block, scope: Scope, opts: WalkOptions): Walker {
  // An import_role arrives as a block carrying its role: its tasks see the role's
  // defaults, vars and role_path like the tasks of a `roles:` entry.
  const role = block.role && block.role !== currentRole(scope) ? { role: block.role } : {};
  const inner = child(scope, block, { rescuable: block.rescue.length > 0, ...role });
  const plain = child(scope, block, role);
  let failure: unknown;
  try {
    yield* walkNodes(block.block, inner, opts);
  } catch (e) {
    if (!(e instanceof HostFailure)) throw e;
    failure = e;
  }
  if (failure && block.rescue.length > 0) {
    yield { kind: 'rescued' };
    failure = undefined;
    try {
      yield* walkNodes(block.rescue, plain, opts);
    } catch (e) {
      if (!(e instanceof HostFailure)) throw e;
      failure = e;
    }
  }
  if (block.always.length > 0) yield* walkNodes(block.always, plain, opts);
  if (failure) throw failure;
}
