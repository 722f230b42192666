// Handlers: the play's handler list (role handlers first, each role once), which
// notification a handler answers (its name or a `listen` topic, optionally prefixed with
// its role), and a flush that runs the notified ones on the given hosts.
import type { Play, RoleInstance, Task } from '../playbook/types.js';
import type { RunState } from './run-state.js';
import { child, type Scope } from './scope.js';
import { runTaskOnHosts } from './task-hosts.js';
import type { PlayVarsContext } from './vars.js';

export interface HandlerEntry {
  task: Task;
  scope: Scope;
}

export function collectHandlers(play: Play, playScope: Scope): HandlerEntry[] {
  const out: HandlerEntry[] = [];
  const seen = new Set<RoleInstance>();
  const visit = (role: RoleInstance) => {
    if (seen.has(role)) return;
    seen.add(role);
    for (const d of role.dependencies) visit(d);
    const scope = child(child(playScope, role.keywords), {}, { role });
    for (const t of role.handlers) out.push({ task: t, scope });
  };
  for (const r of play.roles) visit(r);
  for (const t of play.handlers) out.push({ task: t, scope: playScope });
  return out;
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
