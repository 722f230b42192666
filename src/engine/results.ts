// Bookkeeping after a task ran on a host: facts into the layer its module declares,
// inventory changes, register, notify, the events the reporters see, and the stats.
import type { ModuleResult } from '../modules/types.js';
import type { TaskRef } from '../output/events.js';
import type { Task } from '../playbook/types.js';
import { statusOf, type TaskOutcome } from './task-common.js';
import type { RunState } from './run-state.js';
import { isRescuable, type Scope } from './scope.js';

export function recordOutcome(rs: RunState, task: Task, host: string, scope: Scope, o: TaskOutcome, ref: TaskRef, durationMs: number): void {
  const s = rs.state(host);
  const st = rs.stat(host);
  const r = o.result;
  const layer = rs.o.registry.get(task.action)?.traits?.factsLayer ?? 'facts';
  const eachResult = (fn: (res: ModuleResult) => void) => (o.items.length ? o.items.forEach((it) => fn(it.result)) : fn(r));
  eachResult((res) => {
    const facts = res.ansible_facts;
    if (!facts || res.failed || res.skipped) return;
    if (layer === 'nonpersistent') {
      Object.assign(s.setFacts, facts);
      if (res._ansible_facts_cacheable) Object.assign(s.facts, facts);
    } else if (layer === 'host_variables') Object.assign(s.includeVars, facts);
    else Object.assign(s.facts, facts);
  });
  if (o.status !== 'failed' && o.status !== 'unreachable') applyInventoryChanges(rs, host, o);
  if (task.register) {
    const reg: ModuleResult = { ...r };
    delete reg.ansible_facts;
    s.setFacts[task.register] = reg;
  }
  if (o.status === 'changed' || (o.status === 'ok' && r.changed)) {
    for (const n of task.notify) s.notified.add(n);
  }
  const sink = rs.o.sink;
  for (const it of o.items) {
    sink({ kind: 'host-result', task: ref, host, status: it.status, result: it.result, item: it.item, itemLabel: it.label, delegatedTo: o.delegatedTo });
  }
  sink({ kind: 'host-result', task: ref, host, status: o.status, result: r, ignored: o.ignored, delegatedTo: o.delegatedTo, checkSkipped: o.checkSkipped, durationMs });
  switch (o.status) {
    case 'unreachable':
      if (o.ignored) {
        st.ok++;
        st.ignored++;
      } else rs.countUnreachable(host);
      break;
    case 'failed':
      if (o.ignored) {
        st.ok++;
        st.ignored++;
      } else {
        s.failed = true;
        if (!isRescuable(scope)) rs.countFailure(host);
      }
      break;
    case 'skipped':
      st.skipped++;
      break;
    case 'changed':
      st.ok++;
      st.changed++;
      break;
    default:
      st.ok++;
  }
}

/** A result for hosts a task did not start on (after Ctrl-C): never shown, never counted. */
export function notStarted(): TaskOutcome {
  return { status: 'skipped', result: { changed: false, skipped: true, msg: 'interrupted' }, ignored: false, items: [] };
}

/** Whether an outcome stops the host (a failure or unreachable host that is not ignored). */
export function stopsHost(o: TaskOutcome): boolean {
  return (o.status === 'failed' || o.status === 'unreachable') && !o.ignored;
}

/**
 * add_host and group_by results change the inventory; as in Ansible, the task is changed
 * exactly when the inventory did.
 */
function applyInventoryChanges(rs: RunState, host: string, o: TaskOutcome): void {
  const apply = (res: ModuleResult): boolean | undefined => {
    if (res.add_host && typeof res.add_host === 'object') {
      const a = res.add_host as { host_name: string; groups?: string[]; host_vars?: Record<string, unknown> };
      return rs.o.inventory.addHost(a.host_name, a.groups ?? [], a.host_vars ?? {});
    }
    if (typeof res.add_group === 'string') {
      const parents = Array.isArray(res.parent_groups) ? res.parent_groups.map(String) : ['all'];
      return rs.o.inventory.addToGroup(host, res.add_group, parents);
    }
    return undefined;
  };
  const mark = (res: ModuleResult, changed: boolean | undefined) => {
    if (changed === undefined || res.failed || res.skipped) return;
    res.changed = changed;
  };
  if (o.items.length) {
    for (const it of o.items) {
      mark(it.result, apply(it.result));
      it.status = statusOf(it.result);
    }
    o.result.changed = o.items.some((it) => it.result.changed);
  } else mark(o.result, apply(o.result));
  if (o.status === 'ok' || o.status === 'changed') o.status = statusOf(o.result);
}
