// Strategies decide which hosts run which piece of work next; what a piece of work does
// (a task, an include, a handler flush, a meta action) is the same for all of them and
// lives here in runItem. Ansible's strategy plugins, as objects: linear and free, and
// host_pinned (free with each host keeping its fork, which is what free does here).
import type { Play, RoleInstance, Task } from '../playbook/types.js';
import { child, type Scope } from './scope.js';
import { resolveTaskKeywords, type TaskKeywords } from './task-keywords.js';
import type { TaskOutcome } from './task-common.js';
import { runHandlers, type HandlerEntry } from './handlers.js';
import type { Outcome, WorkItem } from './host-iterator.js';
import { runInclude, type IncludeItem } from './includes.js';
import type { TaskItem } from './lookahead.js';
import { runMeta } from './meta.js';
import type { PlayWalk } from './play-walk.js';
import { stopsHost } from './results.js';
import type { BatchEnd, RunState } from './run-state.js';
import { runTaskOnHosts } from './task-hosts.js';
import type { PlayVarsContext } from './vars.js';

export interface StrategyContext {
  rs: RunState;
  play: Play;
  pv: PlayVarsContext;
  walk: PlayWalk;
  handlers: HandlerEntry[];
}

export interface Strategy {
  /** Hosts go through the play on their own (run_once and any_errors_fatal do not apply). */
  readonly perHost: boolean;
  /** Runs the batch's hosts through the play. */
  run(c: StrategyContext): Promise<BatchEnd>;
}

export interface ItemResult {
  /** meta end_play ran: every host of the batch has ended. */
  endPlay: boolean;
  /** For a task: each host's outcome. */
  outcomes?: Map<string, TaskOutcome>;
}

/**
 * Runs the piece of work `hosts` wait at (all at the same one) and resumes their walks.
 * `lookahead`: the linear strategy lets task probes be batched with the tasks after them.
 */
export async function runItem(c: StrategyContext, item: WorkItem, hosts: string[], opts: { perHost: boolean; lookahead?: boolean }): Promise<ItemResult> {
  const { rs, walk, pv } = c;
  const waiting = (h: string) => walk.pending.get(h)!;
  switch (item.kind) {
    case 'flush': {
      const failures = await runHandlers(rs, c.handlers, hosts, pv);
      for (const h of hosts) advanceAfterFlush(rs, walk, h, failures.has(h) ? { failed: true } : undefined);
      return { endPlay: false, outcomes: failures };
    }
    case 'include': {
      const outcomes = await runInclude(rs, hosts.map((h) => ({ host: h, item: waiting(h) as IncludeItem })), pv);
      // A failed include is a failed task to the strategy: any_errors_fatal applies to it.
      const failures = new Map<string, TaskOutcome>();
      for (const h of hosts) {
        if (!outcomes.get(h)?.failed) continue;
        const { include, scope } = waiting(h) as IncludeItem;
        let keywords: TaskKeywords | undefined;
        try {
          keywords = resolveTaskKeywords(rs.o.templar, include as unknown as Task, scope, rs.vars.forTask(h, pv, child(scope, include)));
        } catch {
          keywords = undefined;
        }
        failures.set(h, { status: 'failed', result: { failed: true }, ignored: false, items: [], keywords });
      }
      for (const h of hosts) {
        const o = outcomes.get(h);
        for (const piece of [...(o?.included ? [o.included] : []), ...(o?.includedEach ?? [])]) if (piece.role) addRoleHandlers(c.handlers, piece.role, piece.scope);
      }
      for (const h of hosts) walk.advance(h, outcomes.get(h));
      return { endPlay: false, ...(failures.size ? { outcomes: failures } : {}) };
    }
    case 'task': {
      const targets = hosts.map((h) => ({ host: h, scope: (waiting(h) as TaskItem).scope }));
      if (rs.o.registry.get(item.task.action)?.traits?.engineAction) {
        const effect = await runMeta(rs, item.task, targets, pv, c.handlers);
        // Ansible's end_play ends the play for every host of the batch.
        if (effect.endPlay) for (const h of pv.batch) rs.state(h).ended = true;
        for (const h of hosts) {
          if (effect.failures?.has(h)) advanceAfterFlush(rs, walk, h, { failed: true });
          else walk.advance(h, effect.outcomes?.get(h) ?? {});
        }
        return { endPlay: !!effect.endPlay, ...(effect.failures?.size ? { outcomes: effect.failures } : {}) };
      }
      const lookahead = opts.lookahead ? new Map(hosts.map((h) => [h, waiting(h) as TaskItem])) : undefined;
      const outcomes = await runTaskOnHosts(rs, item.task, targets, pv, { perHost: opts.perHost, lookahead });
      for (const h of hosts) walk.advance(h, { failed: stopsHost(outcomes.get(h)!) });
      return { endPlay: false, outcomes };
    }
    default:
      // 'rescued' markers are consumed by PlayWalk.advance and never wait here.
      walk.advance(hosts[0], undefined);
      return { endPlay: false };
  }
}

/**
 * An included role's handlers (and its dependencies') join the play's, after those already
 * there, as Ansible's strategy appends them when the include is processed; each handler once.
 */
function addRoleHandlers(handlers: HandlerEntry[], role: RoleInstance, parent: Scope): void {
  const entry = child(parent, role.keywords);
  for (const dep of role.dependencies) addRoleHandlers(handlers, dep, entry);
  const scope = child(entry, {}, { role });
  for (const task of role.handlers) if (!handlers.some((h) => h.task === task)) handlers.push({ task, scope });
}

/**
 * A host past a flush. One a handler failed goes to the rescue or always around the flush, or
 * out of the play; as in Ansible, a rescue it reaches counts in no `rescued` stat (the handler
 * failure stays counted as failed) and leaves it out of the failed hosts behind the exit code.
 */
function advanceAfterFlush(rs: RunState, walk: PlayWalk, host: string, outcome: Outcome | undefined): void {
  // Read through stats, not stat(): a host with no result yet must stay out of the recap.
  const rescued = () => rs.stats.get(host)?.rescued ?? 0;
  const rescuedBefore = rescued();
  walk.advance(host, outcome);
  if (!outcome?.failed || rescued() === rescuedBefore) return;
  rs.stat(host).rescued = rescuedBefore;
  rs.failedHosts.delete(host);
}
