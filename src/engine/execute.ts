// One task on one host: conditions, loops, retries, the module itself (probe, plan,
// apply, or an action's run), changed_when/failed_when, register, notify.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { ModuleFailure, type ModuleDef, type ModuleResult, type RunContext } from '../modules/types.js';
import type { ModuleRegistry } from '../modules/registry.js';
import type { TaskRef } from '../output/events.js';
import { validateModuleArgs } from '../playbook/index.js';
import type { LoopSpec, Task } from '../playbook/types.js';
import { OMIT_TOKEN, TemplateError, type Templar } from '../template/index.js';
import { TaskTimeoutError, UnreachableError, type BecomeSpec, type ExecResult, type Transport } from '../transport/types.js';
import type { ProbeRequest } from './probe-batch.js';
import { applyPlan } from './apply-plan.js';
import { makeControllerContext } from './controller.js';
import { child, currentRole, inherited, inheritedWhen, type Scope } from './scope.js';
import { overlay } from './vars.js';

export interface ExecEnv {
  registry: ModuleRegistry;
  templar: Templar;
  check: boolean;
  diff: boolean;
  becomePassword?: string;
  /** Transport for a host (connection opened on first use, kept for the run). */
  transportFor(host: string): Promise<Transport>;
  progress(host: string, message: string): void;
  retry(host: string, retriesLeft: number): void;
  sleep(ms: number): Promise<void>;
  reconnect(host: string, timeoutMs?: number): Promise<void>;
  playbookDir: string;
  /** Secrets seen in this run (no_log values are censored separately). */
  addSecret(secret: string): void;
  /**
   * Runs a task's probe on its own host (probe-batch.ts): from a batch taken earlier if
   * that result still stands for this exact probe, else `alone()`, or, when `batchable`,
   * one exec with the probes of the tasks that follow.
   */
  runProbe?(req: ProbeRequest & { host: string; batchable: boolean }, transport: Promise<Transport>, alone: () => Promise<ExecResult>): Promise<ExecResult>;
  /** A planned task applied steps on `host`: changes are happening, batch less for a while. */
  noteApplied?(host: string): void;
}

export type TaskStatus = 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable';

export interface TaskOutcome {
  status: TaskStatus;
  result: ModuleResult;
  ignored: boolean;
  /** Per-item results, in order, for the reporter. */
  items: { item: unknown; label?: string; status: TaskStatus; result: ModuleResult }[];
  delegatedTo?: string;
  checkSkipped?: boolean;
}

const CENSORED = "the output has been hidden due to the fact that 'no_log: true' was specified for this result";

export function statusOf(r: ModuleResult): TaskStatus {
  if (r.unreachable) return 'unreachable';
  if (r.failed) return 'failed';
  if (r.skipped) return 'skipped';
  return r.changed ? 'changed' : 'ok';
}

export function taskRef(task: Task, scope: Scope | undefined, handler = false): TaskRef {
  const role = task.role?.name ?? currentRole(scope)?.name;
  const base = task.name ?? task.actionAsWritten ?? task.action;
  return {
    name: role ? `${role} : ${base}` : base,
    role,
    action: task.action,
    path: `${task.pos.file}:${task.pos.line}`,
    handler,
    uid: task.uid,
    tags: task.tags,
  };
}

function truthy(v: unknown): boolean {
  if (typeof v === 'string') return ['yes', 'on', 'true', '1', 'y', 't'].includes(v.trim().toLowerCase());
  return !!v;
}

/** Task keyword values may be templates: render with the task's vars. */
function kw(templar: Templar, scope: Scope, key: Parameters<typeof inherited>[1], vars: Record<string, unknown>): unknown {
  const v = inherited(scope, key);
  return v === undefined ? undefined : templar.render(v, vars);
}

function stripOmit(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== OMIT_TOKEN).map(stripOmit);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== OMIT_TOKEN) out[k] = stripOmit(v);
    return out;
  }
  return value;
}

export function errorMessage(e: unknown): string {
  if (e instanceof UserError) return e.message + (e.hint ? ` (hint: ${e.hint})` : '');
  if (e instanceof Error) return e.message;
  return String(e);
}

function conditionFailure(cond: unknown, e: unknown): string {
  return `The conditional check '${String(cond)}' failed. The error was: error while evaluating conditional (${String(cond)}): ${errorMessage(e)}`;
}

/** Evaluates all conditions (ANDed); a throw means the conditional itself is broken. */
function allTrue(templar: Templar, conds: unknown[], vars: Record<string, unknown>): { ok: boolean; falseCond?: unknown } {
  for (const c of conds) {
    if (!templar.evaluateCondition(c, vars)) return { ok: false, falseCond: c };
  }
  return { ok: true };
}

export async function expandLoop(loop: LoopSpec, templar: Templar, vars: Record<string, unknown>, findFiles: (pattern: string) => string[]): Promise<unknown[]> {
  const value = templar.render(loop.value, vars);
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
  switch (loop.kind) {
    case 'loop':
      if (!Array.isArray(value)) throw new TemplateError(`Invalid data passed to 'loop', it requires a list, got this instead: ${JSON.stringify(value)}. Hint: If you passed a list/dict of just one element, try adding wantlist=True to your lookup invocation or use q/query instead of lookup.`);
      return value;
    case 'with_list':
      return list(value);
    case 'with_items':
    case 'with_flattened': {
      const flat = (v: unknown[], deep: boolean): unknown[] => v.flatMap((x) => (Array.isArray(x) ? (deep ? flat(x, deep) : x) : [x]));
      return flat(list(value), loop.kind === 'with_flattened');
    }
    case 'with_indexed_items':
      return list(value).map((x, i) => [i, x]);
    case 'with_dict': {
      if (!value || typeof value !== 'object' || Array.isArray(value)) throw new TemplateError('with_dict expects a dict');
      return Object.entries(value).map(([key, v]) => ({ key, value: v }));
    }
    case 'with_together': {
      const lists = list(value).map(list);
      const n = Math.max(0, ...lists.map((l) => l.length));
      return Array.from({ length: n }, (_, i) => lists.map((l) => l[i] ?? null));
    }
    case 'with_nested': {
      const lists = list(value).map(list);
      return lists.reduce<unknown[][]>((acc, l) => acc.flatMap((a) => l.map((x) => [...a, x])), [[]]);
    }
    case 'with_sequence':
      return sequence(String(value));
    case 'with_fileglob':
      return list(value).flatMap((p) => findFiles(String(p)));
    case 'with_inventory_hostnames':
      return list(value);
    default:
      throw new TemplateError(`${loop.kind} is not supported by rackplay yet; use loop: with a filter instead`);
  }
}

/** with_sequence's "start=1 end=10 stride=2 format=x%02d" and "count=3" forms. */
export function sequence(spec: string): string[] {
  const args: Record<string, string> = {};
  const short = /^\s*(-?\d+)-(-?\d+)(?:\/(\d+))?(?::(.+))?\s*$/.exec(spec);
  if (short) Object.assign(args, { start: short[1], end: short[2], stride: short[3] ?? '1', format: short[4] ?? '%d' });
  else for (const m of spec.matchAll(/(\w+)=(\S+)/g)) args[m[1]] = m[2];
  const start = Number(args.start ?? 1);
  const stride = Number(args.stride ?? 1);
  const end = args.count !== undefined ? start + (Number(args.count) - 1) * stride : Number(args.end);
  if (!Number.isFinite(end) || !Number.isFinite(start) || stride === 0) throw new TemplateError(`with_sequence: bad spec '${spec}'`);
  const fmt = args.format ?? '%d';
  const out: string[] = [];
  for (let i = start; stride > 0 ? i <= end : i >= end; i += stride) {
    out.push(fmt.replace(/%(0?)(\d*)([dxXo])/, (_m, zero: string, width: string, conv: string) => {
      const s = conv === 'd' ? String(i) : conv === 'o' ? i.toString(8) : conv === 'x' ? i.toString(16) : i.toString(16).toUpperCase();
      return s.padStart(Number(width || 0), zero ? '0' : ' ');
    }));
  }
  return out;
}

export interface TaskInvocation {
  task: Task;
  scope: Scope;
  host: string;
  /** Vars for the host and task (no loop var yet). */
  vars: Record<string, unknown>;
  /** Returns vars with loop variables added on top. */
  withExtra(extra: Record<string, unknown>): Record<string, unknown>;
}

export async function runTask(inv: TaskInvocation, env: ExecEnv): Promise<TaskOutcome> {
  const { task, scope } = inv;
  const taskScope = child(scope, task);
  const templar = env.templar;
  const def = env.registry.get(task.action);
  if (!def) throw new UserError(`couldn't resolve module/action '${task.action}'`, { pos: task.pos });
  const ignoreErrors = truthy(kw(templar, taskScope, 'ignore_errors', inv.vars));
  // Ansible's ignore_unreachable: the result stays unreachable, but the host goes on.
  const ignoreUnreachable = truthy(kw(templar, taskScope, 'ignore_unreachable', inv.vars));
  const isIgnored = (status: TaskStatus) => (status === 'failed' && ignoreErrors) || (status === 'unreachable' && ignoreUnreachable);
  const noLog = truthy(kw(templar, taskScope, 'no_log', inv.vars));

  const finish = (o: TaskOutcome): TaskOutcome => {
    if (noLog) {
      const censor = (r: ModuleResult): ModuleResult => ({ censored: CENSORED, changed: !!r.changed, ...(r.failed ? { failed: true } : {}), ...(r.skipped ? { skipped: true } : {}) });
      o.result = { ...censor(o.result), ...(o.result.ansible_facts ? {} : {}) };
      o.items = o.items.map((it) => ({ ...it, result: censor(it.result), label: '(censored due to no_log)' }));
    }
    return o;
  };

  let delegatedTo: string | undefined;
  try {
    const d = kw(templar, taskScope, 'delegate_to', inv.vars);
    if (d !== undefined && d !== null && d !== '') delegatedTo = String(d);
  } catch (e) {
    return finish(failOutcome(errorMessage(e), ignoreErrors));
  }

  const conds = inheritedWhen(taskScope);
  if (!task.loop) {
    let check;
    try {
      check = allTrue(templar, conds, inv.vars);
    } catch (e) {
      return finish(failOutcome(conditionFailure(conds.find(() => true), e), ignoreErrors));
    }
    if (!check.ok) {
      return finish({ status: 'skipped', result: { changed: false, skipped: true, skip_reason: 'Conditional result was False', false_condition: check.falseCond }, ignored: false, items: [], delegatedTo });
    }
    const result = await runWithRetries(def, inv, inv.vars, env, delegatedTo);
    const status = statusOf(result);
    return finish({ status, result, ignored: isIgnored(status), items: [], delegatedTo, checkSkipped: !!result._check_skipped });
  }

  // Loops: `when` is evaluated per item, with the loop variable set.
  let items: unknown[];
  try {
    items = await expandLoop(task.loop, templar, inv.vars, (p) => globFiles(p, inv, env));
  } catch (e) {
    return finish(failOutcome(errorMessage(e), ignoreErrors));
  }
  const loopVar = task.loop.loop_var;
  const results: ModuleResult[] = [];
  const itemOutcomes: TaskOutcome['items'] = [];
  for (let i = 0; i < items.length; i++) {
    if (i > 0 && task.loop.pause) await env.sleep(task.loop.pause * 1000);
    const extra: Record<string, unknown> = { [loopVar]: items[i], ansible_loop_var: loopVar };
    if (task.loop.index_var) extra[task.loop.index_var] = i;
    if (task.loop.extended) {
      extra.ansible_loop = {
        index: i + 1, index0: i, revindex: items.length - i, revindex0: items.length - i - 1,
        first: i === 0, last: i === items.length - 1, length: items.length,
        previtem: items[i - 1], nextitem: items[i + 1], allitems: items,
      };
    }
    const vars = inv.withExtra(extra);
    let label: string | undefined;
    let r: ModuleResult;
    try {
      if (task.loop.label !== undefined) label = String(templar.render(task.loop.label, vars));
      const check = allTrue(templar, conds, vars);
      r = check.ok
        ? await runWithRetries(def, inv, vars, env, delegatedTo)
        : { changed: false, skipped: true, skip_reason: 'Conditional result was False', false_condition: check.falseCond };
    } catch (e) {
      if (e instanceof UnreachableError) throw e;
      r = { failed: true, msg: errorMessage(e) };
    }
    r = { ...r, [loopVar]: items[i], ansible_loop_var: loopVar };
    if (task.loop.index_var) r.ansible_index_var = task.loop.index_var;
    results.push(r);
    itemOutcomes.push({ item: items[i], label, status: statusOf(r), result: r });
    if (r.unreachable) break;
  }
  const anyFailed = results.some((r) => r.failed);
  const agg: ModuleResult = {
    changed: results.some((r) => r.changed),
    results,
    msg: anyFailed ? 'One or more items failed' : 'All items completed',
  };
  if (anyFailed) agg.failed = true;
  if (results.some((r) => r.unreachable)) agg.unreachable = true;
  if (results.length === 0 || results.every((r) => r.skipped)) {
    agg.skipped = true;
    agg.msg = results.length === 0 ? 'No items in the list' : 'All items skipped';
  }
  const status = statusOf(agg);
  return finish({ status, result: agg, ignored: isIgnored(status), items: itemOutcomes, delegatedTo });
}

function failOutcome(msg: string, ignored: boolean): TaskOutcome {
  return { status: 'failed', result: { failed: true, msg }, ignored, items: [] };
}

function globFiles(pattern: string, inv: TaskInvocation, env: ExecEnv): string[] {
  const role = currentRole(inv.scope);
  const base = path.isAbsolute(pattern) ? '' : role ? path.join(role.path, 'files') : path.join(env.playbookDir, 'files');
  const full = path.resolve(base || '/', pattern);
  const dir = path.dirname(full);
  const re = new RegExp('^' + path.basename(full).replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  try {
    return readdirSync(dir).filter((f) => re.test(f)).sort().map((f) => path.join(dir, f));
  } catch {
    return [];
  }
}

/** until/retries/delay around one execution, then changed_when/failed_when. */
async function runWithRetries(def: ModuleDef, inv: TaskInvocation, vars: Record<string, unknown>, env: ExecEnv, delegatedTo?: string): Promise<ModuleResult> {
  const { task } = inv;
  const templar = env.templar;
  const until = task.until ?? [];
  const retries = until.length ? Math.max(1, Number(templar.render(task.retries ?? 3, vars)) + 1) : 1;
  const delay = Number(templar.render(task.delay ?? 5, vars));
  let result: ModuleResult = {};
  for (let attempt = 1; attempt <= retries; attempt++) {
    result = await runOnce(def, inv, vars, env, delegatedTo);
    if (result.unreachable || result.skipped) return result;
    result = applyResultConditions(task, result, vars, templar);
    if (!until.length) return result;
    const withReg = task.register ? overlay(vars, { [task.register]: result }) : vars;
    let done = false;
    try {
      done = allTrue(templar, until, withReg).ok;
    } catch (e) {
      return { ...result, failed: true, msg: conditionFailure(until[0], e) };
    }
    result.attempts = attempt;
    if (done) return result;
    if (attempt < retries) {
      env.retry(inv.host, retries - attempt);
      await env.sleep(delay * 1000);
    }
  }
  return { ...result, failed: true, msg: result.msg ?? 'Retries exceeded' };
}

function applyResultConditions(task: Task, result: ModuleResult, vars: Record<string, unknown>, templar: Templar): ModuleResult {
  if (!task.changed_when && !task.failed_when) return result;
  const withReg = task.register ? overlay(vars, { [task.register]: result }) : vars;
  const out = { ...result };
  try {
    if (task.changed_when) out.changed = allTrue(templar, task.changed_when, withReg).ok;
    if (task.failed_when) {
      const failed = allTrue(templar, task.failed_when, task.register ? overlay(vars, { [task.register]: out }) : vars).ok;
      out.failed_when_result = failed;
      if (failed) out.failed = true;
      else delete out.failed;
    }
  } catch (e) {
    return { ...out, failed: true, msg: conditionFailure((task.failed_when ?? task.changed_when)?.[0], e) };
  }
  return out;
}

export function becomeFor(templar: Templar, scope: Scope, vars: Record<string, unknown>, password: string | undefined): BecomeSpec | undefined {
  const become = kw(templar, scope, 'become', vars) ?? vars.ansible_become;
  if (!truthy(become)) return undefined;
  const user = kw(templar, scope, 'become_user', vars) ?? vars.ansible_become_user ?? 'root';
  const method = kw(templar, scope, 'become_method', vars) ?? vars.ansible_become_method ?? 'sudo';
  if (method !== 'sudo' && method !== 'su') throw new UserError(`become_method '${String(method)}' is not supported (use sudo or su)`);
  const flags = kw(templar, scope, 'become_flags', vars) ?? vars.ansible_become_flags;
  const pw = vars.ansible_become_password ?? vars.ansible_become_pass ?? password;
  return {
    user: String(user),
    method,
    flags: flags === undefined ? undefined : String(flags),
    password: pw === undefined || pw === null ? undefined : String(pw),
  };
}

interface ResolvedCall {
  args: Record<string, unknown>;
  check: boolean;
  diff: boolean;
  become?: BecomeSpec;
  timeoutMs?: number;
  envVars?: Record<string, string>;
}

/** Renders and validates a task's arguments and the keywords its execution depends on. */
function resolveCall(def: ModuleDef, inv: TaskInvocation, vars: Record<string, unknown>, env: ExecEnv): { call: ResolvedCall } | { failure: ModuleResult } {
  const { task } = inv;
  const templar = env.templar;
  const taskScope = child(inv.scope, task);
  let args: Record<string, unknown>;
  let check = env.check;
  let diff = env.diff;
  let become: BecomeSpec | undefined;
  let timeoutMs: number | undefined;
  let envVars: Record<string, string> | undefined;
  try {
    args = stripOmit(templar.render(task.args, vars)) as Record<string, unknown>;
    if ('_variable_params' in args) {
      // `copy: "{{ copy_args }}"`: the whole argument dict comes from a variable.
      const { _variable_params: whole, ...rest } = args;
      if (!whole || typeof whole !== 'object' || Array.isArray(whole)) throw new TemplateError(`the arguments of ${task.action} must render to a dictionary, got ${JSON.stringify(whole)}`);
      args = stripOmit({ ...(whole as Record<string, unknown>), ...rest }) as Record<string, unknown>;
    }
    args = validateModuleArgs(def, args, task.pos, { rendered: true });
    const cm = kw(templar, taskScope, 'check_mode', vars);
    if (cm !== undefined) check = truthy(cm);
    const dm = kw(templar, taskScope, 'diff', vars);
    if (dm !== undefined) diff = truthy(dm);
    become = becomeFor(templar, taskScope, vars, env.becomePassword);
    if (become?.password) env.addSecret(become.password);
    const t = kw(templar, taskScope, 'timeout', vars);
    if (t !== undefined && t !== null) timeoutMs = Number(t) * 1000;
    const e = kw(templar, taskScope, 'environment', vars);
    if (e && typeof e === 'object') {
      const list = Array.isArray(e) ? e : [e];
      envVars = Object.assign({}, ...list.map((x) => Object.fromEntries(Object.entries(x as object).map(([k, v]) => [k, String(v)]))));
    }
  } catch (e) {
    // an argument constraint (mutually_exclusive...) the task's rendered arguments break
    if (e instanceof ModuleFailure) return { failure: e.result() };
    if (e instanceof TemplateError && /is undefined/.test(e.message)) {
      return { failure: { failed: true, msg: `The task includes an option with an undefined variable. The error was: ${e.message}` } };
    }
    return { failure: { failed: true, msg: errorMessage(e) } };
  }

  return { call: { args, check, diff, become, timeoutMs, envVars } };
}

function controllerFor(inv: TaskInvocation, vars: Record<string, unknown>, env: ExecEnv) {
  return makeControllerContext({ templar: env.templar, vars, role: currentRole(inv.scope), playbookDir: env.playbookDir, taskDir: path.dirname(inv.task.pos.file) });
}

export type Speculation = { kind: 'probe'; request: ProbeRequest } | { kind: 'skip' } | { kind: 'stop' };

/**
 * For probe batching: the probe a simple planned task would send if it ran now with
 * `inv.vars`, without touching the host. 'skip': the task would not probe (its `when` is
 * false, or its module needs no probe), so a lookahead may go past it; 'stop': it cannot
 * be predicted (not a simple planned task, or something fails to render).
 */
export async function speculateProbe(inv: TaskInvocation, env: ExecEnv): Promise<Speculation> {
  const { task } = inv;
  const def = env.registry.get(task.action);
  // A planned module's probe, or an action module's guard (command with creates).
  const probeOf = !def || def.controllerOnly ? undefined : def.run ? def.guard : def.plan && def.probe;
  if (!def || !probeOf) return { kind: 'stop' };
  if (task.loop || task.until?.length) return { kind: 'stop' };
  const taskScope = child(inv.scope, task);
  try {
    const d = kw(env.templar, taskScope, 'delegate_to', inv.vars);
    if (d !== undefined && d !== null && d !== '') return { kind: 'stop' };
    if (truthy(kw(env.templar, taskScope, 'run_once', inv.vars))) return { kind: 'stop' };
    if (!allTrue(env.templar, inheritedWhen(taskScope), inv.vars).ok) return { kind: 'skip' };
  } catch {
    return { kind: 'stop' };
  }
  const resolved = resolveCall(def, inv, inv.vars, env);
  if ('failure' in resolved) return { kind: 'stop' };
  const { args, check, diff, become, timeoutMs, envVars } = resolved.call;
  if (timeoutMs !== undefined) return { kind: 'stop' };
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
    return { kind: 'probe', request: { uid: task.uid, script, become, env: envVars } };
  } catch {
    return { kind: 'stop' };
  }
}

/** What runProbe answers for a guard no batch covered: nothing ran. */
const NOT_BATCHED: ExecResult = { rc: -1, stdout: '', stderr: '', stdoutBytes: Buffer.alloc(0) };

async function runOnce(def: ModuleDef, inv: TaskInvocation, vars: Record<string, unknown>, env: ExecEnv, delegatedTo?: string): Promise<ModuleResult> {
  const { task, host } = inv;
  const resolved = resolveCall(def, inv, vars, env);
  if ('failure' in resolved) return resolved.failure;
  const { args, check, diff, become, timeoutMs, envVars } = resolved.call;

  const target = delegatedTo ?? host;
  let transport: Transport | undefined;
  const getTransport = async () => (transport ??= await env.transportFor(target));
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
    exec: async (command, o = {}) => (await getTransport()).exec(command, { stdin: o.stdin, become: o.noBecome ? undefined : become, env: envVars, timeoutMs: o.timeoutMs ?? timeoutMs }),
    progress: (m) => env.progress(host, m),
    sleep: (ms) => env.sleep(ms),
    reconnect: async (o) => {
      await env.reconnect(target, o?.timeoutMs);
      transport = undefined;
      await getTransport();
    },
    batchedGuard: async (script) => {
      if (!env.runProbe || delegatedTo !== undefined) return undefined;
      const r = await env.runProbe({ host, uid: task.uid, script, become, env: envVars, batchable: false }, getTransport(), async () => NOT_BATCHED);
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
      if (check && def.checkMode === 'skip') return { changed: false, skipped: true, msg: 'skipped, running in check mode', _check_skipped: true };
      return await def.run(args, ctx);
    }
    if (!def.plan) throw new Error(`module ${def.name} has neither plan nor run`);
    const prepared = def.prepare ? await def.prepare(args, ctx) : args;
    const script = def.probe?.(prepared);
    let out: ExecResult = { rc: 0, stdout: '', stderr: '', stdoutBytes: Buffer.alloc(0) };
    if (script) {
      const alone = () => ctx.exec(script);
      const batchable = !task.loop && !task.until?.length && timeoutMs === undefined;
      out = env.runProbe && delegatedTo === undefined ? await env.runProbe({ host, uid: task.uid, script, become, env: envVars, batchable }, getTransport(), alone) : await alone();
    }
    await connecting;
    const facts = def.parse ? def.parse(out, prepared) : undefined;
    const plan = def.plan(prepared, facts, { check, diff, host, vars });
    const result: ModuleResult = { changed: plan.steps.length > 0 || !!plan.changed, ...plan.result };
    if (diff && plan.diff && result.changed) result.diff = plan.diff;
    if (!check && plan.steps.length) {
      env.noteApplied?.(target);
      const failure = await applyPlan(plan, transport!, { become, env: envVars, timeoutMs });
      if (failure) return { ...result, changed: false, failed: true, ...failure };
    }
    return result;
  } catch (e) {
    if (e instanceof ModuleFailure) return e.result();
    if (e instanceof UnreachableError) return { unreachable: true, changed: false, msg: e.message };
    if (e instanceof TaskTimeoutError) return { failed: true, changed: false, msg: e.message };
    if (e instanceof TemplateError && /is undefined/.test(e.message)) {
      return { failed: true, msg: `The task includes an option with an undefined variable. The error was: ${e.message}` };
    }
    return { failed: true, changed: false, msg: errorMessage(e), ...(process.env.RACKPLAY_DEBUG ? { exception: (e as Error).stack } : {}) };
  }
}
