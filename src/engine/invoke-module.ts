// The module itself, for one task on one host (or one loop item): its arguments
// rendered and validated, then either probe → plan → apply, or an action's run. Also the
// same up to the probe without touching the host, for the probe lookahead.
import path from 'node:path';
import { UserError } from '../errors.js';
import { ModuleFailure, type ModuleDef, type ModuleResult, type RunContext } from '../modules/types.js';
import { ADHOC_PLAYBOOK_FILE, validateModuleArgs } from '../playbook/index.js';
import { OMIT_TOKEN, plainText, TemplateError } from '../template/index.js';
import { TaskTimeoutError, UnreachableError, type BecomeSpec, type ExecResult, type Transport } from '../transport/types.js';
import { applyPlan } from './apply-plan.js';
import { AsyncJob, asyncSettings, finishPendingJob } from './async-run.js';
import { makeControllerContext } from './controller.js';
import type { ProbeRequest } from './probe-batch.js';
import { currentRole } from './scope.js';
import { allTrue, argsUndefined, errorMessage, undefinedVariableFailure, type ExecEnv, type TaskInvocation } from './task-common.js';
import type { TaskKeywords } from './task-keywords.js';

function stripOmit(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== OMIT_TOKEN).map(stripOmit);
  if (value instanceof String) return value;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== OMIT_TOKEN) out[k] = stripOmit(v);
    return out;
  }
  return value;
}

interface ResolvedCall {
  args: Record<string, unknown>;
  check: boolean;
  diff: boolean;
  become?: BecomeSpec;
  timeoutMs?: number;
  envVars?: Record<string, string>;
}

/** Renders and validates a task's arguments; the keywords come resolved for this host (or item). */
function resolveCall(def: ModuleDef, inv: TaskInvocation, vars: Record<string, unknown>, env: ExecEnv, kw: TaskKeywords): { call: ResolvedCall } | { failure: ModuleResult } {
  const { task } = inv;
  let args: Record<string, unknown>;
  try {
    args = stripOmit(env.templar.render(task.args, vars)) as Record<string, unknown>;
    if ('_variable_params' in args) {
      // `copy: "{{ copy_args }}"`: the whole argument dict comes from a variable.
      const { _variable_params: whole, ...rest } = args;
      if (!whole || typeof whole !== 'object' || Array.isArray(whole)) throw new TemplateError(`invalid or malformed argument: '${typeof whole === 'string' ? whole : JSON.stringify(whole)}'`);
      args = stripOmit({ ...(whole as Record<string, unknown>), ...rest }) as Record<string, unknown>;
    }
    // module_defaults under the task's own arguments
    if (kw.moduleDefaults) args = { ...(stripOmit(kw.moduleDefaults) as Record<string, unknown>), ...args };
    // unsafe text stays marked only where the arguments become variables (set_fact)
    const layer = def.traits?.factsLayer;
    if (!layer || layer === 'none') args = plainText(args) as Record<string, unknown>;
    try {
      args = validateModuleArgs(def, args, task.pos, { rendered: true });
    } catch (e) {
      // Ansible's words alone: the load-time warning already gave the position and the hint
      if (e instanceof UserError) return { failure: { failed: true, msg: e.message } };
      throw e;
    }
  } catch (e) {
    // an argument constraint (mutually_exclusive...) the task's rendered arguments break
    if (e instanceof ModuleFailure) return { failure: e.result() };
    const undefinedVar = undefinedVariableFailure(e);
    if (undefinedVar) argsUndefined.add(undefinedVar);
    return { failure: undefinedVar ?? { failed: true, msg: errorMessage(e) } };
  }
  if (kw.become?.password) env.addSecret(kw.become.password);
  return { call: { args, check: kw.checkMode ?? env.check, diff: kw.diff ?? env.diff, become: kw.become, timeoutMs: kw.timeoutMs, envVars: kw.environment } };
}

function controllerFor(inv: TaskInvocation, vars: Record<string, unknown>, env: ExecEnv) {
  return makeControllerContext({
    templar: env.templar,
    vars,
    role: currentRole(inv.scope),
    playbookDir: env.playbookDir,
    taskDir: path.dirname(inv.task.pos.file),
    // as Ansible's ad-hoc task, which has no data source: include_vars' dir is then relative to the working directory
    noDataSource: path.basename(inv.task.pos.file) === ADHOC_PLAYBOOK_FILE,
    untemplatedArgs: inv.task.args,
    warn: env.warn && ((message) => env.warn!(inv.host, message)),
  });
}

export type Speculation = { kind: 'probe'; request: ProbeRequest } | { kind: 'skip' } | { kind: 'stop' };

/**
 * For probe batching: the probe a simple planned task would send if it ran now with
 * `inv.vars`, without touching the host. 'skip': the task would not probe (its `when` is
 * false, or its module needs no probe), so a lookahead may go past it; 'stop': it cannot
 * be predicted (not a simple planned task, or something fails to render).
 */
export async function speculateProbe(written: TaskInvocation, env: ExecEnv, kw: TaskKeywords, itemUid?: string): Promise<Speculation> {
  const found = env.registry.get(written.task.action);
  const { def, inv } = found ? handOff(found, written, written.vars, env) : { def: found, inv: written };
  const { task } = inv;
  // A planned module's probe, or an action module's guard (command with creates).
  // A task that only sets vars (set_fact, include_vars) probes nothing: a lookahead may go
  // past it (a later probe it changes renders differently, and is then not used).
  if (def?.controllerOnly && def.traits?.factsLayer && def.traits.factsLayer !== 'none') return { kind: 'skip' };
  const probeOf = !def || def.controllerOnly ? undefined : def.run ? def.guard : def.plan && def.probe;
  if (!def || !probeOf) return { kind: 'stop' };
  // A loop's items are predicted by the loop itself (execute.ts), each with its item's vars.
  if ((task.loop && itemUid === undefined) || task.until?.length) return { kind: 'stop' };
  // Delegated or run once: it probes elsewhere or at another time; what it writes counts.
  if (kw.delegateTo !== undefined || kw.runOnce) return { kind: 'skip' };
  try {
    if (!allTrue(env.templar, kw.when, inv.vars).ok) return { kind: 'skip' };
  } catch {
    return { kind: 'stop' };
  }
  const resolved = resolveCall(def, inv, inv.vars, env, kw);
  if ('failure' in resolved) return { kind: 'stop' };
  const { args, check, diff, become, timeoutMs, envVars } = resolved.call;
  if (timeoutMs !== undefined) return { kind: 'stop' };
  // An action module that check mode skips runs nothing, not even its guard.
  if (def.run && check && def.checkMode === 'skip') return { kind: 'skip' };
  const refuse = (): never => {
    throw new Error('no remote access while predicting a probe');
  };
  const ctx: RunContext = {
    check,
    diff,
    host: inv.host,
    vars: inv.vars,
    get transport(): Transport {
      return refuse();
    },
    become,
    controller: controllerFor(inv, inv.vars, env),
    env: envVars,
    exec: async () => refuse(),
    progress: () => undefined,
    sleep: async () => refuse(),
    reconnect: async () => refuse(),
  };
  try {
    const prepared = def.prepare && !def.run ? await def.prepare(args, ctx) : args;
    const script = probeOf(prepared);
    // An action module without a guard will run: it touches the host, so look no further.
    if (!script) return def.run ? { kind: 'stop' } : { kind: 'skip' };
    return { kind: 'probe', request: { uid: itemUid ?? task.uid, script, become, env: envVars } };
  } catch {
    return { kind: 'stop' };
  }
}

/** The module that runs the task: def, or the one def hands the task to (ModuleInfo.handsTo). */
function handOff(def: ModuleDef, inv: TaskInvocation, vars: Record<string, unknown>, env: ExecEnv): { def: ModuleDef; inv: TaskInvocation } {
  const to = def.handsTo?.(inv.task.args, vars);
  const target = to && env.registry.get(to.module);
  return target && target !== def ? { def: target, inv: { ...inv, task: { ...inv.task, action: target.name, args: to.args } } } : { def, inv };
}

/** What runProbe answers for a guard no batch covered: nothing ran. */
const NOT_BATCHED: ExecResult = { rc: -1, stdout: '', stderr: '', stdoutBytes: Buffer.alloc(0) };

/** One execution of the module (one attempt of one item); every failure becomes a result. */
export async function invokeModule(written: ModuleDef, writtenInv: TaskInvocation, vars: Record<string, unknown>, env: ExecEnv, kw: TaskKeywords): Promise<ModuleResult> {
  const { def, inv } = handOff(written, writtenInv, vars, env);
  // `async:`: the module's first command runs in the background (async-run.ts)
  let asyncJob: AsyncJob | undefined;
  try {
    const settings = asyncSettings(inv.task.async, inv.task.poll, (v) => env.templar.render(v, vars));
    // Ansible's ActionBase.run: an action without async support, then check mode, refuse it
    if (settings && (def.traits?.noAsync || def.controllerOnly)) return { failed: true, changed: false, msg: 'async is not supported for this task.' };
    if (settings && (kw.checkMode ?? env.check) && def.checkMode !== 'skip') return { failed: true, changed: false, msg: 'check mode and async cannot be used on same task.' };
    if (settings) asyncJob = new AsyncJob(settings, { vars, sleep: (ms) => env.sleep(ms), event: env.asyncEvent && ((...a) => env.asyncEvent!(inv.host, ...a)) });
  } catch (e) {
    return undefinedVariableFailure(e) ?? { failed: true, changed: false, msg: errorMessage(e) };
  }
  const body = runModule(def, inv, vars, env, kw, asyncJob);
  return asyncJob ? asyncJob.settle(body) : body;
}

async function runModule(def: ModuleDef, inv: TaskInvocation, vars: Record<string, unknown>, env: ExecEnv, kw: TaskKeywords, asyncJob?: AsyncJob): Promise<ModuleResult> {
  const { task, host } = inv;
  const delegatedTo = kw.delegateTo;
  const resolved = resolveCall(def, inv, vars, env, kw);
  if ('failure' in resolved) return resolved.failure;
  const { args, check, diff, become, timeoutMs, envVars } = resolved.call;
  const target = delegatedTo ?? host;
  let transport: Transport | undefined;
  const getTransport = async () => (transport ??= await env.transportFor(target));
  const foreground: RunContext['exec'] = async (command, o = {}) => (await getTransport()).exec(command, { stdin: o.stdin, become: o.noBecome ? undefined : become, env: envVars, timeoutMs: o.timeoutMs ?? timeoutMs, readOnly: o.readOnly });
  asyncJob?.runsWith(foreground);
  const ctx: RunContext = {
    check,
    diff,
    host,
    vars,
    get transport(): Transport {
      if (!transport) throw new Error('transport not open');
      return transport;
    },
    become,
    controller: controllerFor(inv, vars, env),
    timeoutMs,
    env: envVars,
    exec: asyncJob ? asyncJob.exec : foreground,
    progress: (m) => env.progress(host, m),
    warn: env.warn && ((m) => env.warn!(host, m)),
    sleep: (ms) => env.sleep(ms),
    reconnect: async (o) => {
      await env.reconnect(target, o?.timeoutMs);
      transport = undefined;
      await getTransport();
    },
    finishAsyncJob: (jid, outcome) => finishPendingJob(jid, outcome, foreground),
    batchedGuard: async (script) => {
      // an async task's guard runs in its job, on the target's time
      if (!env.runProbe || delegatedTo !== undefined || asyncJob) return undefined;
      // The guard may start a batch too: the probes after it ride along.
      const batchable = (!task.loop || !!inv.loopItem) && !task.until?.length && timeoutMs === undefined;
      const r = await env.runProbe({ host, uid: inv.loopItem?.uid ?? task.uid, taskUid: task.uid, predictRest: inv.loopItem?.predictRest, script, become, env: envVars, batchable }, getTransport(), async () => NOT_BATCHED);
      return r === NOT_BATCHED ? undefined : r;
    },
  };

  try {
    // A first task on a host connects while the controller prepares the arguments, builds
    // the probe and looks ahead: none of that needs the connection.
    const connecting = def.controllerOnly ? undefined : getTransport();
    connecting?.catch(() => undefined); // awaited below, where its failure is reported
    if (def.run) {
      await connecting;
      if (check && def.checkMode === 'skip') {
        const msg = def.checkSkipMessage ? def.checkSkipMessage(task.action) : `remote module (${task.action}) does not support check mode`;
        return { changed: false, skipped: true, ...(msg === undefined ? {} : { msg }), _check_skipped: true };
      }
      return withInvocation(def, args, await def.run(args, ctx));
    }
    if (!def.plan) throw new Error(`module ${def.name} has neither plan nor run`);
    const prepared = def.prepare ? await def.prepare(args, ctx) : args;
    const script = def.probe?.(prepared);
    let out: ExecResult = { rc: 0, stdout: '', stderr: '', stdoutBytes: Buffer.alloc(0) };
    if (script) {
      // a probe only reads: it runs in the foreground, also for an async task
      const alone = () => foreground(script, { readOnly: true });
      const batchable = (!task.loop || !!inv.loopItem) && !task.until?.length && timeoutMs === undefined;
      const req = { host, uid: inv.loopItem?.uid ?? task.uid, taskUid: task.uid, predictRest: inv.loopItem?.predictRest, script, become, env: envVars, batchable };
      if (delegatedTo === undefined) out = env.runProbe ? await env.runProbe(req, getTransport(), alone) : await alone();
      else out = env.sharedProbe ? await env.sharedProbe(req, getTransport(), alone) : await alone();
    }
    await connecting;
    const facts = def.parse ? def.parse(out, prepared) : undefined;
    const plan = def.plan(prepared, facts, { check, diff, host, vars });
    const result: ModuleResult = { changed: plan.steps.length > 0 || !!plan.changed, ...plan.result };
    if (diff && plan.diff && result.changed) result.diff = plan.diff;
    if (!check && plan.steps.length) {
      env.noteApplied?.(target);
      const failure = await applyPlan(plan, asyncJob ? asyncJob.transport(transport!) : transport!, { become, env: envVars, timeoutMs });
      if (failure) return withInvocation(def, args, { ...result, changed: false, failed: true, ...failure });
    }
    return withInvocation(def, args, result);
  } catch (e) {
    if (e instanceof ModuleFailure) return withInvocation(def, args, e.result());
    if (e instanceof UnreachableError) return { unreachable: true, changed: false, msg: e.message };
    if (e instanceof TaskTimeoutError) {
      // TaskExecutor's words for the task `timeout:` keyword
      const secs = Math.round(e.timeoutMs / 1000);
      return { failed: true, changed: false, msg: `The ${task.action} action failed to execute in the expected time frame (${secs}) and was terminated` };
    }
    const undefinedVar = undefinedVariableFailure(e);
    if (undefinedVar) return undefinedVar;
    return { failed: true, changed: false, msg: errorMessage(e), ...(process.env.RACKPLAY_DEBUG ? { exception: (e as Error).stack } : {}) };
  }
}

const NO_LOG_VALUE = 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER';

/**
 * What AnsibleModule adds to every result it returns: `invocation.module_args`, the module's
 * parameters after its argument spec (defaults filled in, null for the unset ones), a no_log
 * parameter's value masked. Action plugins that run no module have none; a library module
 * returns its own.
 */
function withInvocation(def: ModuleDef, args: Record<string, unknown>, result: ModuleResult): ModuleResult {
  const t = def.traits;
  if (def.controllerOnly || def.libraryFile || t?.engineAction || t?.validArgs || t?.runsNoModule || 'invocation' in result) return result;
  const moduleArgs: Record<string, unknown> = {};
  const props = (def.schema.properties ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(props).sort()) moduleArgs[k] = k in args ? args[k] : null;
  for (const k of Object.keys(args)) if (!(k in moduleArgs)) moduleArgs[k] = args[k];
  for (const k of t?.noLogArgs ?? []) if (moduleArgs[k] !== null && moduleArgs[k] !== undefined) moduleArgs[k] = NO_LOG_VALUE;
  return { ...result, invocation: { module_args: moduleArgs } };
}
