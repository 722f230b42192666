// Bookkeeping after a task ran on a host: facts into the layer its module declares,
// inventory changes, register, notify, the events the reporters see, and the stats.
import { recordCustomStats } from '../modules/set-stats.js';
import type { ModuleResult } from '../modules/types.js';
import type { TaskRef } from '../output/events.js';
import { UserError } from '../errors.js';
import type { Task } from '../playbook/types.js';
// Ansible marks the failed task unsafe: its arguments as written are data, never rendered again.
import { opaque } from '../template/index.js';
import { statusOf, type TaskOutcome } from './task-common.js';
import type { RunState } from './run-state.js';
import { inheritedNotify, isRescuable, type Scope } from './scope.js';

export function recordOutcome(rs: RunState, task: Task, host: string, scope: Scope, o: TaskOutcome, ref: TaskRef, durationMs: number, vars?: Record<string, unknown>): void {
  // A module named by host variables shows as the one this host ran (debug prints its msg).
  if (o.action && o.action !== ref.action) ref = { ...ref, action: o.action };
  const s = rs.state(host);
  const st = rs.stat(host);
  const r = o.result;
  const layer = rs.o.registry.get(o.action ?? task.action)?.traits?.factsLayer ?? 'facts';
  const real = o.uncensored;
  const eachResult = (fn: (res: ModuleResult) => void) => (o.items.length ? o.items.forEach((it, i) => fn(real?.items[i] ?? it.result)) : fn(real?.result ?? r));
  eachResult((res) => {
    const facts = res.ansible_facts;
    if (!facts || res.failed || res.skipped || layer === 'none') return;
    if (layer === 'nonpersistent') {
      Object.assign(s.setFacts, facts);
      if (res._ansible_facts_cacheable) s.facts = { ...s.facts, ...facts };
    } else if (layer === 'host_variables') Object.assign(s.includeVars, facts);
    // A new object, never changed in place: factsDict keeps its view of each one.
    else s.facts = { ...s.facts, ...facts };
  });
  if (o.status !== 'failed' && o.status !== 'unreachable') applyInventoryChanges(rs, host, o, !task.changed_when);
  if (o.status === 'ok' || o.status === 'changed') eachResult((res) => recordCustomStats(rs.customStats, host, res.ansible_stats));
  if (task.register) {
    // Ansible keeps ansible_facts in a registered result (set_fact's and setup's alike),
    // and registers the real result even when no_log hides it from the output. Registered
    // results are unsafe: text in them (a failed template's message) is not rendered again.
    const reg: ModuleResult = { ...(real?.result ?? r) };
    delete reg._ansible_facts_cacheable;
    // Ansible registers a result without its invocation (its loop items keep theirs).
    delete reg.invocation;
    s.setFacts[task.register] = opaque(reg);
  }
  if (o.status === 'changed' || (o.status === 'ok' && r.changed)) {
    for (const n of task.notify.length ? task.notify : inheritedNotify(scope)) {
      for (const name of renderNotify(rs, n, vars)) {
        if (rs.answersNotify && !rs.answersNotify(name, host)) missingHandler(rs, name);
        s.notified.add(name);
      }
    }
  }
  const sink = rs.o.sink;
  // A task-level `diff:` decides whether its diff is shown, over the run's --diff.
  const diff = o.keywords?.diff === undefined ? {} : { diff: o.keywords.diff };
  for (const it of o.items) {
    sink({ kind: 'host-result', task: ref, host, status: it.status, result: it.result, item: it.item, itemLabel: it.label, delegatedTo: o.delegatedTo, ...diff });
  }
  // A loop's items were shown one by one; its aggregate is marked so reporters do not show it
  // again, unless it holds no results (no_log censored them, or the loop broke off): Ansible's
  // callback then shows it as a task's result.
  sink({ kind: 'host-result', task: ref, host, status: o.status, result: r, ignored: o.ignored, delegatedTo: o.delegatedTo, checkSkipped: o.checkSkipped, durationMs, ...diff, ...(o.items.length && 'results' in r ? { loop: true } : {}) });
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
        // Ansible's strategy counts an ignored failure that changed something as changed too.
        if (r.changed) st.changed++;
      } else {
        s.failed = true;
        if (!isRescuable(scope)) rs.countFailure(host);
        // Ansible's rescue sees what failed; like set_fact, it stays for the rest of the run.
        // The task is kept as written and never rendered again (Ansible wraps it unsafe): its
        // args may name an item that a failed loop never gave.
        else Object.assign(s.setFacts, { ansible_failed_task: opaque(failedTaskDict(task, o)), ansible_failed_result: { ...r } });
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

/**
 * The failed task as Ansible serializes it for `ansible_failed_task`: its keywords as
 * written, with Ansible's defaults for what the task leaves unset.
 */
export function failedTaskDict(task: Task, o: TaskOutcome): Record<string, unknown> {
  const kw = o.keywords;
  const loop = task.loop;
  return {
    action: task.action,
    any_errors_fatal: kw?.anyErrorsFatal ?? false,
    args: { ...task.args },
    async: task.async ?? 0,
    async_val: task.async ?? 0,
    become: kw?.become !== undefined,
    become_exe: null,
    become_flags: task.become_flags ?? null,
    become_method: task.become_method ?? 'sudo',
    become_user: task.become_user ?? null,
    changed_when: task.changed_when ?? [],
    check_mode: kw?.checkMode ?? false,
    collections: [],
    connection: task.connection ?? 'ssh',
    debugger: null,
    delay: task.delay ?? 5,
    delegate_facts: task.delegate_facts ?? null,
    delegate_to: task.delegate_to ?? null,
    diff: kw?.diff ?? false,
    environment: [task.environment ?? {}],
    failed_when: task.failed_when ?? [],
    finalized: true,
    ignore_errors: task.ignore_errors ?? null,
    ignore_unreachable: task.ignore_unreachable ?? null,
    loop: loop?.kind === 'loop' ? loop.value : null,
    loop_control: {
      extended: loop?.extended ?? null,
      index_var: loop?.index_var ?? null,
      label: loop?.label ?? null,
      loop_var: loop?.loop_var ?? 'item',
      extended_allitems: loop?.extended_allitems ?? true,
      finalized: true,
      pause: loop?.pause ?? 0,
      squashed: false,
    },
    loop_with: loop && loop.kind !== 'loop' ? loop.kind.slice('with_'.length) : null,
    module_defaults: task.module_defaults === undefined ? [] : [task.module_defaults],
    name: task.name ?? '',
    no_log: kw?.noLog ?? false,
    notify: task.notify.length ? task.notify : null,
    poll: task.poll ?? 15,
    port: task.port ?? null,
    register: task.register ?? null,
    remote_user: task.remote_user ?? null,
    retries: task.retries ?? 3,
    run_once: task.run_once ?? null,
    squashed: true,
    tags: task.tags,
    throttle: task.throttle ?? 0,
    timeout: task.timeout ?? 0,
    until: task.until ?? [],
    uuid: task.uid,
    vars: task.vars,
    when: task.when ?? [],
  };
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
function applyInventoryChanges(rs: RunState, host: string, o: TaskOutcome, reportChange: boolean): void {
  const apply = (res: ModuleResult): boolean | undefined => {
    if (res.add_host && typeof res.add_host === 'object') {
      const a = res.add_host as { host_name: string; groups?: string[]; host_vars?: Record<string, unknown> };
      // Ansible's add_dynamic_host: changed when the host is new, joins a group, or its vars differ
      const inv = rs.o.inventory;
      const before = inv.hosts.get(a.host_name);
      const varsBefore = before ? JSON.stringify(before.vars) : undefined;
      const joined = inv.addHost(a.host_name, a.groups ?? [], a.host_vars ?? {});
      return joined || varsBefore !== JSON.stringify(inv.hosts.get(a.host_name)?.vars);
    }
    if (typeof res.add_group === 'string') {
      const parents = Array.isArray(res.parent_groups) ? res.parent_groups.map(String) : ['all'];
      return rs.o.inventory.addToGroup(host, res.add_group, parents);
    }
    return undefined;
  };
  // A task's own changed_when has the last word, as Ansible applies it after the inventory.
  const mark = (res: ModuleResult, changed: boolean | undefined) => {
    if (!reportChange || changed === undefined || res.failed || res.skipped) return;
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

/** As Ansible when a changed task notifies a name no handler answers: the run ends, or (ERROR_ON_MISSING_HANDLER=false) a warning. */
function missingHandler(rs: RunState, name: string): void {
  if (rs.o.errorOnMissingHandler === false) {
    rs.o.sink({ kind: 'warning', message: `The requested handler '${name}' was not found in any of the known handlers` });
    return;
  }
  throw new UserError(`The requested handler '${name}' was not found in either the main handlers list nor in the listening handlers list`, { kind: 'error' });
}

/**
 * Ansible templates `notify` with the task's vars (a template may give a list of names);
 * one that cannot be rendered stays as written, and so matches no handler.
 */
function renderNotify(rs: RunState, n: string, vars: Record<string, unknown> | undefined): string[] {
  if (!vars || !/{{|{%/.test(n)) return [n];
  try {
    const v = rs.o.templar.render(n, vars);
    return (Array.isArray(v) ? v : [v]).map(String);
  } catch {
    return [n];
  }
}
