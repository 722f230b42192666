// One task on one host: keywords resolved once for the host, conditions, loops, retries
// around the module (invoke-module.ts), changed_when/failed_when, no_log.
import type { ModuleDef, ModuleResult } from '../modules/types.js';
import { resolveDynamicTask } from '../playbook/index.js';
import type { LoopSpec, Task } from '../playbook/types.js';
import { plainText, UndefinedVariableError, type Templar } from '../template/index.js';
import { UnreachableError } from '../transport/types.js';
import { invokeModule, speculateProbe } from './invoke-module.js';
import type { ProbeRequest } from './probe-batch.js';
import { expandLoop, globFiles, loopItemVars, resolveLoopNames } from './loops.js';
import { allTrue, argsUndefined, conditionFailure, errorMessage, statusOf, type ExecEnv, type TaskInvocation, type TaskOutcome, type TaskStatus } from './task-common.js';
import { resolveIgnoreErrors, resolveTaskKeywords, type TaskKeywords } from './task-keywords.js';
import { child, inheritedWhen } from './scope.js';
import { overlay, searchPath } from './vars.js';

const CENSORED = "the output has been hidden due to the fact that 'no_log: true' was specified for this result";

export async function runTask(invocation: TaskInvocation, env: ExecEnv): Promise<TaskOutcome> {
  let inv = withSearchPath(invocation, env.playbookDir);
  // A module named by host variables, or one rackplay lacks: when it cannot be resolved the
  // task fails as Ansible's does, after `when` and with ignore_errors.
  let unresolved: string | undefined;
  if (inv.task.dynamicAction) {
    // this host's name for the module, and its arguments
    try {
      inv = { ...inv, task: resolveDynamicTask(inv.task, String(env.templar.render(inv.task.action, inv.vars)).trim(), env.registry) };
    } catch (e) {
      unresolved = errorMessage(e);
    }
  }
  const { task } = inv;
  const templar = env.templar;
  const warn = hostWarn(env, inv.host);
  // The loader resolved every other action against the same registry.
  const def = unresolved === undefined ? env.registry.get(task.action)! : undefined;
  let kw: TaskKeywords;
  // A keyword that does not render (become_user from a registered result a skipped task
  // never set) fails the task only if `when` lets it run, as Ansible's TaskExecutor keeps
  // the play context's error until after the conditional.
  let keywordError: string | undefined;
  try {
    kw = resolveTaskKeywords(templar, task, inv.scope, inv.vars, env.becomePassword);
  } catch (e) {
    keywordError = errorMessage(e);
    kw = { when: inheritedWhen(child(inv.scope, task)), ignoreErrors: resolveIgnoreErrors(templar, task, inv.scope, inv.vars), ignoreUnreachable: false, noLog: false, runOnce: false, anyErrorsFatal: false };
  }
  // Ansible's ignore_unreachable: the result stays unreachable, but the host goes on.
  const isIgnored = (status: TaskStatus) => (status === 'failed' && kw.ignoreErrors) || (status === 'unreachable' && kw.ignoreUnreachable);
  const { delegateTo: delegatedTo, when: conds } = kw;

  const finish = (o: TaskOutcome): TaskOutcome => {
    o.keywords = kw;
    o.action = task.action;
    if (kw.noLog) {
      const censor = (r: ModuleResult): ModuleResult => ({ censored: CENSORED, changed: !!r.changed, ...(r.failed ? { failed: true } : {}), ...(r.skipped ? { skipped: true } : {}) });
      // only what is shown is censored: facts and register keep the real result, as in Ansible
      o.uncensored = { result: o.result, items: o.items.map((it) => it.result) };
      o.result = censor(o.result);
      o.items = o.items.map((it) => ({ ...it, result: censor(it.result), label: '(censored due to no_log)' }));
    }
    return o;
  };

  if (!task.loop) {
    let check;
    try {
      check = allTrue(templar, conds, inv.vars, warn);
    } catch (e) {
      return finish(failOutcome(conditionFailure(conds.find(() => true), e), kw.ignoreErrors));
    }
    if (!check.ok) {
      return finish({ status: 'skipped', result: { changed: false, skipped: true, skip_reason: 'Conditional result was False' }, ignored: false, items: [], delegatedTo });
    }
    if (keywordError !== undefined) return failOutcome(keywordError, kw.ignoreErrors);
    if (!def) return finish(failOutcome(unresolved!, kw.ignoreErrors));
    const result = await runWithRetries(def, inv, inv.vars, env, kw);
    const status = statusOf(result);
    // the marker is rackplay's own: reports read it from the outcome, registered results never see it
    const checkSkipped = !!result._check_skipped;
    delete result._check_skipped;
    return finish({ status, result, ignored: isIgnored(status), items: [], delegatedTo, checkSkipped });
  }

  // Loops: `when` is evaluated per item, with the loop variable set.
  let items: unknown[];
  let loop: LoopSpec;
  try {
    items = await expandLoop(task.loop, templar, inv.vars, (p) => globFiles(p, inv, env), task.action);
    loop = resolveLoopNames(task.loop, templar, inv.vars);
  } catch (e) {
    // Ansible keeps an undefined variable in the items for later: a false `when` (seen
    // without the item) skips the task, anything else fails it with the loop's error
    if (e instanceof UndefinedVariableError) {
      let check;
      try {
        check = allTrue(templar, conds, inv.vars, warn);
      } catch {
        return finish(failOutcome(errorMessage(e), kw.ignoreErrors));
      }
      if (!check.ok) return finish({ status: 'skipped', result: { changed: false, skipped: true, skip_reason: 'Conditional result was False' }, ignored: false, items: [], delegatedTo });
    }
    return finish(failOutcome(errorMessage(e), kw.ignoreErrors));
  }
  const results: ModuleResult[] = [];
  const itemOutcomes: TaskOutcome['items'] = [];
  const itemFacts: Record<string, unknown> = {};
  // Probe batching: an item's probe may carry the probes of the items after it, predicted
  // with each item's vars as it would run now. Not when items set facts the next ones see,
  // nor with a pause between items (the host may change meanwhile).
  const predictable = !task.loop.pause && (!def?.traits?.factsLayer || def.traits.factsLayer === 'none');
  const predictRest = async (i: number, max: number) => {
    const requests: ProbeRequest[] = [];
    if (!predictable) return { requests, complete: false };
    for (let j = i + 1; j < items.length; j++) {
      if (requests.length >= max) return { requests, complete: false };
      const more = { ...itemFacts, ...loopItemVars(items, j, loop) };
      const vars = inv.withExtra(more);
      const spec = await speculateProbe({ ...inv, vars, withExtra: (extra) => inv.withExtra({ ...more, ...extra }) }, env, resolveTaskKeywords(templar, task, inv.scope, vars, env.becomePassword), `${task.uid}#${j}`);
      if (spec.kind === 'stop') return { requests, complete: false };
      if (spec.kind === 'probe') requests.push(spec.request);
    }
    return { requests, complete: true };
  };
  for (let i = 0; i < items.length; i++) {
    if (i > 0 && task.loop.pause) await env.sleep(task.loop.pause * 1000);
    const extra = loopItemVars(items, i, loop);
    // Facts an earlier item set (set_fact, include_vars in a loop) are seen by the next ones, as
    // Ansible's loop updates its task vars after each item.
    const vars = inv.withExtra({ ...itemFacts, ...extra });
    let label: string | undefined;
    let r: ModuleResult;
    try {
      if (task.loop.label !== undefined) label = String(templar.render(task.loop.label, vars));
      const check = allTrue(templar, conds, vars, warn);
      // Keywords may use the loop variable: each item renders them again, as Ansible does.
      r = !check.ok
        ? { changed: false, skipped: true, skip_reason: 'Conditional result was False' }
        : !def
          ? { failed: true, msg: unresolved }
          : await runWithRetries(def, { ...inv, loopItem: { uid: `${task.uid}#${i}`, predictRest: (max) => predictRest(i, max) } }, vars, env, resolveTaskKeywords(templar, task, inv.scope, vars, env.becomePassword));
    } catch (e) {
      if (e instanceof UnreachableError) throw e;
      r = { failed: true, msg: errorMessage(e) };
    }
    if (argsUndefined.has(r)) {
      // Ansible's loop stops there: the items shown so far stay shown, the task fails with the error alone.
      return finish({ status: 'failed', result: r, ignored: kw.ignoreErrors, items: itemOutcomes, delegatedTo });
    }
    // Each item's result carries what the task saw of the loop, as Ansible's does.
    // (as plain text: a registered result is never templated again anyway)
    r = { ...r, ...(plainText(extra) as Record<string, unknown>) };
    if (r.ansible_facts && !r.failed && !r.skipped && def?.traits?.factsLayer && def.traits.factsLayer !== 'none') Object.assign(itemFacts, r.ansible_facts);
    results.push(r);
    itemOutcomes.push({ item: plainText(items[i]), label, status: statusOf(r), result: r });
    if (r.unreachable) break;
  }
  if (results.length === 0) {
    return finish({ status: 'skipped', result: { changed: false, skipped: true, skipped_reason: 'No items in the list', results: [] }, ignored: false, items: [], delegatedTo });
  }
  const anyFailed = results.some((r) => r.failed);
  const allSkipped = results.every((r) => r.skipped);
  const agg: ModuleResult = {
    changed: results.some((r) => r.changed),
    results,
    skipped: allSkipped,
    msg: allSkipped ? 'All items skipped' : anyFailed ? 'One or more items failed' : 'All items completed',
  };
  if (anyFailed) agg.failed = true;
  if (results.some((r) => r.unreachable)) agg.unreachable = true;
  const status = statusOf(agg);
  return finish({ status, result: agg, ignored: isIgnored(status), items: itemOutcomes, delegatedTo });
}

/** The task's own ansible_search_path: only the task knows the file it was written in. */
function withSearchPath(inv: TaskInvocation, playbookDir: string): TaskInvocation {
  const sp = { ansible_search_path: searchPath(inv.scope, playbookDir, inv.task.pos.file) };
  return { ...inv, vars: overlay(inv.vars, sp), withExtra: (extra) => inv.withExtra({ ...sp, ...extra }) };
}

function failOutcome(msg: string, ignored: boolean): TaskOutcome {
  return { status: 'failed', result: { failed: true, msg }, ignored, items: [] };
}

/** until/retries/delay around one execution, then changed_when/failed_when. */
async function runWithRetries(def: ModuleDef, inv: TaskInvocation, vars: Record<string, unknown>, env: ExecEnv, kw: TaskKeywords): Promise<ModuleResult> {
  const { task } = inv;
  const templar = env.templar;
  const until = task.until ?? [];
  const warn = hostWarn(env, inv.host);
  const retries = until.length ? Math.max(1, Number(templar.render(task.retries ?? 3, vars)) + 1) : 1;
  const delay = Number(templar.render(task.delay ?? 5, vars));
  let result: ModuleResult = {};
  for (let attempt = 1; attempt <= retries; attempt++) {
    result = await invokeModule(def, inv, vars, env, kw);
    if (result.unreachable || argsUndefined.has(result)) return result;
    // Ansible's task executor fills in both flags, so a registered result always has them.
    if (!('failed' in result)) result = { ...result, failed: false };
    if (!('changed' in result)) result = { ...result, changed: false };
    if (result.skipped) return result;
    // attempts is there early, for changed_when / failed_when to use, as in Ansible
    if (until.length) result = { ...result, attempts: attempt };
    result = applyResultConditions(task, result, vars, templar, warn);
    if (!until.length) return result;
    const withReg = task.register ? overlay(vars, { [task.register]: result }) : vars;
    let done = false;
    try {
      done = allTrue(templar, until, withReg, warn).ok;
    } catch (e) {
      return { ...result, failed: true, msg: conditionFailure(until[0], e) };
    }
    if (done) return result;
    if (attempt < retries) {
      env.retry(inv.host, retries - attempt);
      await env.sleep(delay * 1000);
    }
  }
  // out of attempts: failed, with attempts one less than were made, as Ansible counts them
  return { ...result, failed: true, attempts: retries - 1 };
}

function applyResultConditions(task: Task, result: ModuleResult, vars: Record<string, unknown>, templar: Templar, warn?: (message: string) => void): ModuleResult {
  if (!task.changed_when && !task.failed_when) return result;
  const withReg = task.register ? overlay(vars, { [task.register]: result }) : vars;
  const out = { ...result };
  // A conditional that cannot be evaluated fails the task and leaves its error text in
  // changed_when_result / failed_when_result, as Ansible's task executor does.
  let which: 'changed' | 'failed' = 'changed';
  let cond: unknown;
  try {
    if (task.changed_when) {
      cond = task.changed_when[0];
      out.changed = allTrue(templar, task.changed_when, withReg, warn).ok;
    }
    which = 'failed';
    if (task.failed_when) {
      cond = task.failed_when[0];
      const failed = allTrue(templar, task.failed_when, task.register ? overlay(vars, { [task.register]: out }) : vars, warn).ok;
      // Ansible sets both, so a registered result says `failed: false` when failed_when held false.
      out.failed_when_result = failed;
      out.failed = failed;
    }
  } catch (e) {
    return { ...out, failed: true, [`${which}_when_result`]: conditionFailure(cond, e) };
  }
  return out;
}

function hostWarn(env: ExecEnv, host: string): ((message: string) => void) | undefined {
  return env.warn && ((message) => env.warn!(host, message));
}
