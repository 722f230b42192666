// The roles of a play and their handlers, in the order Ansible runs them. One walk for
// everything that needs it (handler lookup, the notify check, --list-tasks, role
// variables), so they cannot disagree on order or on which roles count.
import type { Handler, Play, RoleInstance } from './types.js';

export interface PlayRole {
  role: RoleInstance;
  /** The roles that pulled this one in as a dependency, outermost first; empty for an entry of the play's `roles:`. */
  via: readonly RoleInstance[];
}

export interface PlayHandler {
  task: Handler;
  /**
   * The role whose handlers file the task comes from; undefined for the play's own
   * `handlers:` (whose tasks may still carry task.role, from an import_role there).
   */
  role?: RoleInstance;
}

// A loaded play does not change, and the engine asks for its roles once per task and host.
const rolesCache = new WeakMap<Pick<Play, 'roles'>, readonly PlayRole[]>();

/**
 * The play's `roles:` with their dependencies: each role's dependencies (depth first, in
 * meta/main.yml order) before the role, each role instance once.
 */
export function playRoles(play: Pick<Play, 'roles'>): readonly PlayRole[] {
  let list = rolesCache.get(play);
  if (list) return list;
  const seen = new Set<RoleInstance>();
  const out: PlayRole[] = [];
  const visit = (role: RoleInstance, via: readonly RoleInstance[]) => {
    if (seen.has(role)) return;
    seen.add(role);
    const under = [...via, role];
    for (const dep of role.dependencies) visit(dep, under);
    out.push({ role, via });
  };
  for (const role of play.roles) visit(role, []);
  rolesCache.set(play, (list = out));
  return list;
}

/** Every handler of the play: the roles' (in playRoles order), then the play's own. */
export function playHandlers(play: Pick<Play, 'roles' | 'handlers'>): PlayHandler[] {
  const out: PlayHandler[] = [];
  for (const { role } of playRoles(play)) for (const task of role.handlers) out.push({ task, role });
  for (const task of play.handlers) out.push({ task });
  return out;
}

/** The topics a handler listens to (an include_tasks handler keeps its own). */
export function handlerListen(h: Handler): string[] {
  return h.kind === 'task' ? h.listen : (h.handler?.listen ?? []);
}
