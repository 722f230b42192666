// Handlers: the play's handler list (role handlers first, each role once), which
// notification a handler answers (its name or a `listen` topic, optionally prefixed with
// its role), and a flush that runs the notified ones on the given hosts.
import type { Play, RoleInstance, Task } from '../playbook/types.js';
import { playHandlers, playRoles } from '../playbook/walk.js';
import type { RunState } from './run-state.js';
import { child, type Scope } from './scope.js';
import { runTaskOnHosts } from './task-hosts.js';
import type { PlayVarsContext } from './vars.js';

export interface HandlerEntry {
  task: Task;
  scope: Scope;
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

function handlerMatches(h: HandlerEntry, notified: string): boolean {
  const t = h.task;
  if (t.name === notified || t.listen.includes(notified)) return true;
  const role = h.scope.role?.name ?? t.role?.name;
  return !!role && (`${role} : ${t.name}` === notified || t.listen.some((l) => `${role} : ${l}` === notified));
}

export async function runHandlers(rs: RunState, handlers: HandlerEntry[], hosts: string[], pv: PlayVarsContext): Promise<void> {
  // A handler may notify another; later ones run in the same flush, earlier ones in a
  // further pass (bounded, so a notify cycle cannot loop forever).
  for (let pass = 0; pass < 10; pass++) {
    let ran = false;
    for (const h of handlers) {
      if (rs.interrupted) return;
      const targets = hosts.filter((host) => {
        const s = rs.state(host);
        if (s.unreachable || (s.failed && !rs.o.forceHandlers)) return false;
        return [...s.notified].some((n) => handlerMatches(h, n));
      });
      if (!targets.length) continue;
      ran = true;
      for (const host of targets) {
        const s = rs.state(host);
        for (const n of [...s.notified]) if (handlerMatches(h, n)) s.notified.delete(n);
      }
      await runTaskOnHosts(rs, h.task, targets.map((host) => ({ host, scope: h.scope })), pv, { handler: true });
    }
    if (!ran) break;
  }
}
