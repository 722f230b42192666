// The module contract. A module is a small object: a JSON schema for its arguments
// (ajv validates and fills defaults before it runs; the TypeScript type of the arguments
// is derived from that same schema) and either
//   - prepare/probe/parse/plan: an optional controller-side prepare() whose value the
//     other calls get, a shell probe whose output a pure parser turns into facts, and a
//     pure plan(prepared, facts) that returns the steps to reach the desired state. No
//     steps means no change. The engine runs the probe, asks for the plan, and in check
//     mode stops there; otherwise it runs the steps. Most modules are this kind.
//   - run: an action that needs several round trips or the controller alone (command,
//     debug, set_fact, wait_for, reboot...). It gets the transport and does the work.
// A module fails its task in one way only: it throws ModuleFailure.
import type { JSONSchema } from 'json-schema-to-ts';
import type { BecomeSpec, ExecResult, Transport } from '../transport/types.js';

/** A module's argument schema: an object schema, written `as const` so FromSchema can read it. */
export type JsonSchema = Exclude<JSONSchema, boolean>;

export interface FileDiff {
  before: string;
  after: string;
  before_header?: string;
  after_header?: string;
}

/**
 * One effect on the host. Consecutive exec steps are joined with && into one exec. An exec
 * step with `stderrIsMessage` fails its task with its stderr as the whole message (Ansible's
 * fail_json(msg=...)), without rc, stdout and stderr fields.
 */
export type Step =
  | { kind: 'exec'; cmd: string; stdin?: string | Buffer; stderrIsMessage?: boolean }
  | { kind: 'put'; path: string; content: Buffer; mode?: string };

export interface Plan {
  /** What to run; empty means the host is already in the desired state. */
  steps: Step[];
  /** Shown with --diff. A list when several things change (file state and content). */
  diff?: FileDiff | FileDiff[];
  /** Return values merged into the task result (e.g. stat's `stat`, copy's `dest`). */
  result?: Record<string, unknown>;
  /** Report changed even without steps (rare: e.g. a check-mode-only prediction). */
  changed?: boolean;
}

/** Controller-side helpers a module may use in prepare/run. */
export interface ControllerContext {
  /**
   * Resolve a relative path as Ansible does for `src:` (role files/ or templates/
   * directories, then the playbook directory). Absolute paths are returned as they are.
   * Returns undefined when no candidate exists.
   */
  findFile(kind: 'files' | 'templates' | 'vars' | 'tasks', path: string): string | undefined;
  /** Directory of the file that defined the task (include_vars' `dir:` outside a role is under it). */
  taskDir?: string;
  /** Render a Jinja2 template string with the task's variables. */
  render(template: string, extraVars?: Record<string, unknown>): string;
  /** Evaluate a bare Jinja2 expression (as in `when:` or assert's `that:`). */
  evaluate(expression: string, extraVars?: Record<string, unknown>): unknown;
  /**
   * Evaluate a condition as `when:` does (a condition written as a template is rendered
   * first, with Ansible's warning).
   */
  condition?(cond: unknown): boolean;
  /** The task's arguments before templating (assert's `that:` is evaluated from these). */
  untemplatedArgs?: Record<string, unknown>;
  /** Render a template file (the template module). */
  renderFile(path: string, extraVars?: Record<string, unknown>): string;
}

export interface PlanContext {
  check: boolean;
  diff: boolean;
  /** Inventory name of the host. */
  host: string;
  /** The task's variables, already resolved (read-only). */
  vars: Readonly<Record<string, unknown>>;
}

export interface RunContext extends PlanContext {
  transport: Transport;
  become?: BecomeSpec;
  controller: ControllerContext;
  /** Per-task `timeout:` in ms, when set. */
  timeoutMs?: number;
  /** Task `environment:` for commands the module runs. */
  env?: Record<string, string>;
  /** Run a shell command with the task's become, env and timeout. */
  exec(command: string, opts?: { stdin?: string | Buffer; timeoutMs?: number; noBecome?: boolean; readOnly?: boolean }): Promise<ExecResult>;
  /** Show that a long task is alive (a line of its output, a percentage). */
  progress(message: string): void;
  /** Ansible's display.warning: shown, not kept in the result (a module's own warnings go in its result). */
  warn?(message: string): void;
  /** Resolves after ms, or rejects early if the run is interrupted. */
  sleep(ms: number): Promise<void>;
  /** Reconnect after the host went away (reboot, wait_for_connection). */
  reconnect(opts?: { timeoutMs?: number }): Promise<void>;
  /**
   * The output of this task's guard script from a probe batch, when one was taken and
   * still stands; undefined otherwise (then nothing was run: the module guards itself).
   */
  batchedGuard?(script: string): Promise<ExecResult | undefined>;
  /**
   * For async_status: the result of a job this run started with `async:` and `poll: 0`,
   * now that its job file holds the command's raw outcome (the module that started it
   * finishes on the controller); undefined when this run holds no such job.
   */
  finishAsyncJob?(jid: string, outcome: ExecResult & { start: string; end: string }): Promise<ModuleResult | undefined>;
}

/** What a task returns, with Ansible's field names. */
export interface ModuleResult {
  changed?: boolean;
  failed?: boolean;
  skipped?: boolean;
  msg?: string;
  diff?: FileDiff | FileDiff[];
  rc?: number;
  stdout?: string;
  stderr?: string;
  stdout_lines?: string[];
  stderr_lines?: string[];
  /** set_fact / setup: variables to store for the host. */
  ansible_facts?: Record<string, unknown>;
  /**
   * Ansible's module.warn(): kept in the registered result and printed by the default
   * callback as `[WARNING]: ...` before the host's line. A plan-kind module returns them
   * in Plan.result.
   */
  warnings?: string[];
  /** Ansible's module.deprecate(): `{msg, version?, date?, collection_name?}` each. */
  deprecations?: { msg: string; version?: string; date?: string; collection_name?: string }[];
  [key: string]: unknown;
}

/**
 * What the engine must know about a module, declared by the module instead of the engine
 * knowing its name.
 */
export interface ModuleTraits {
  /** Runs once for the whole host list, on the first host (Ansible's BYPASS_HOST_LOOP: add_host). */
  bypassHostLoop?: boolean;
  /**
   * Touches neither the host nor a variable but its own register (debug, assert): a probe
   * lookahead may look past it.
   */
  passive?: boolean;
  /**
   * Where the `ansible_facts` of its result go, in Ansible's terms: 'facts' (gathered
   * facts, the default), 'nonpersistent' (set_fact's layer, above include_vars; with
   * `cacheable` they also become facts), 'host_variables' (include_vars' layer), or 'none'
   * (an `ansible_facts` key in its result is output, as debug's `var: ansible_facts`).
   */
  factsLayer?: 'facts' | 'nonpersistent' | 'host_variables' | 'none';
  /** Carried out by the engine itself (meta): the module only validates its arguments. */
  engineAction?: boolean;
  /** The module a play runs to gather facts (`gather_facts: true`): setup. */
  gathersFacts?: boolean;
  /**
   * An Ansible action plugin with _VALID_ARGS (debug, assert, fail, group_by, reboot,
   * wait_for_connection): an unknown argument fails the task when it runs with
   * `Invalid options for NAME: a,b`, not the module argument spec's words.
   */
  validArgs?: boolean;
  /**
   * An Ansible action plugin without _supports_async (copy, template, script, debug...):
   * a task with `async:` fails with 'async is not supported for this task.'.
   */
  noAsync?: boolean;
  /**
   * An Ansible action plugin that runs no module of its own (raw, script, fetch): its result
   * has no `invocation` (the engine adds one to every other module's result, as AnsibleModule does).
   */
  runsNoModule?: boolean;
  /** Arguments Ansible's argument spec marks no_log: masked in the result's invocation. */
  noLogArgs?: readonly string[];
}

/**
 * The one way a module fails its task, from each of its calls (prepare, probe, parse, plan,
 * run): the task's result is `failed: true, changed: false, msg` plus `fields` (e.g. rc,
 * stdout). Not a UserError: that is a mistake in the playbook found while loading it.
 */
export class ModuleFailure extends Error {
  readonly fields: Readonly<Record<string, unknown>>;
  constructor(msg: string, fields: Record<string, unknown> = {}) {
    super(msg);
    this.name = 'ModuleFailure';
    this.fields = fields;
  }

  /** The failed task result. */
  result(): ModuleResult {
    return { changed: false, failed: true, msg: this.message, ...this.fields };
  }
}

/** A value `required_if` compares an argument with (after Ansible's conversions). */
export type ArgValue = string | number | boolean;

/**
 * Ansible's argument_spec constraints between arguments, with its names and meaning;
 * src/playbook/validate-args.ts checks them when the task runs, with Ansible's messages.
 */
export interface ArgConstraints<Name extends string> {
  /** At most one of each list may be given. */
  mutually_exclusive?: readonly (readonly Name[])[];
  /** At least one of each list must be given (a default counts). */
  required_one_of?: readonly (readonly Name[])[];
  /** All or none of each list. */
  required_together?: readonly (readonly Name[])[];
  /** [key, value, requirements, is_one_of?]: when key is value, all of requirements (with `true`: one of them). */
  required_if?: readonly (readonly [Name, ArgValue, readonly Name[]] | readonly [Name, ArgValue, readonly Name[], boolean])[];
}

/** The argument names of an arguments type; every name for the erased form. */
export type ArgName<Args> = unknown extends Args ? string : Extract<keyof Args, string>;

/** What every module declares besides its calls. */
export interface ModuleInfo<Args> {
  /** The short name used in playbooks (`copy`). */
  name: string;
  /** Other names that resolve to this module (`ansible.builtin.copy`, `yum` for `package`...). */
  aliases?: string[];
  /** One line for docs and --list output. */
  summary: string;
  /** JSON schema of the arguments; ajv applies `default`s. additionalProperties: false. */
  schema: JsonSchema;
  /** Constraints between arguments that a JSON schema says badly (see ArgConstraints). */
  constraints?: ArgConstraints<ArgName<Args>>;
  /**
   * Free-form modules (`command: ls -l`, `shell: ...`): the string goes into this argument.
   * Ansible's `_raw_params`.
   */
  freeForm?: string;
  /**
   * Ansible's aliases for argument names (`dest` for `path`), normalised before validation.
   */
  argAliases?: Record<string, string>;
  /**
   * How --check treats it: 'plan' (probe+plan, report predicted change), 'run' (the module
   * handles ctx.check itself), 'skip' (cannot predict: reported as skipped in check mode).
   */
  checkMode: 'plan' | 'run' | 'skip';
  /**
   * With checkMode 'skip', the skipped result's msg, from the module name as the task wrote
   * it; Ansible's "remote module (NAME) does not support check mode" when absent, and no
   * msg at all when this returns undefined (raw's action plugin gives none).
   */
  checkSkipMessage?: (writtenAs: string) => string | undefined;
  /** Runs on the controller only (debug, set_fact, assert...): no connection needed. */
  controllerOnly?: boolean;
  /**
   * An action that hands the whole task to another module, as Ansible's package action
   * hands it to the host's package manager's module (which then validates the arguments):
   * that module's name and arguments (written, not rendered), or undefined to run this one.
   */
  handsTo?: (args: Record<string, unknown>, vars: Record<string, unknown>) => { module: string; args: Record<string, unknown> } | undefined;
  /** What the engine must know about it (see ModuleTraits). */
  traits?: ModuleTraits;
  /** A module of the user's from a library/ directory (library-module.ts): its file. */
  libraryFile?: string;
}

/** The calls of a module; `Prepared` is what prepare() returns, `Facts` what parse() returns. */
export interface ModuleCalls<Args, Prepared, Facts> {
  /** A POSIX sh script whose output parse() reads. Undefined: no probe needed. */
  probe?(prepared: Prepared): string | undefined;
  plan?(prepared: Prepared, facts: Facts, ctx: PlanContext): Plan;
  /** An action module: does its own work and returns the result. */
  run?(args: Args, ctx: RunContext): Promise<ModuleResult>;
  /**
   * For an action module: a read-only script whose outcome may end the task without
   * running anything (command's creates/removes). The engine predicts it and sends it with
   * the probes of the tasks around it; run() reads that result with ctx.batchedGuard().
   */
  guard?(args: Args): string | undefined;
}

/**
 * Controller-side preparation (read a src file, render a template) before probing. Only
 * optional when the arguments themselves are a valid `Prepared`: the engine passes them on.
 */
export type PrepareCall<Args, Prepared> = [Args] extends [Prepared]
  ? { prepare?(args: Args, ctx: RunContext): Promise<Prepared> | Prepared }
  : { prepare(args: Args, ctx: RunContext): Promise<Prepared> | Prepared };

/** Reads the probe's output. Only optional when plan() accepts no facts (undefined). */
export type ParseCall<Prepared, Facts> = [undefined] extends [Facts]
  ? { parse?(out: ExecResult, prepared: Prepared): Facts }
  : { parse(out: ExecResult, prepared: Prepared): Facts };

/**
 * A module: its validated arguments `Args` (FromSchema of its schema), the value its
 * prepare() makes of them (`Prepared`, the arguments themselves when it has none), and the
 * facts its parse() reads from the probe (`Facts`). Without type arguments, the erased form
 * the registry and the engine hold (see AnyModuleDef).
 */
export type ModuleDef<Args = unknown, Prepared = Args, Facts = unknown> = ModuleInfo<Args> &
  ModuleCalls<Args, Prepared, Facts> &
  PrepareCall<Args, Prepared> &
  ParseCall<Prepared, Facts>;

/**
 * A module with its types erased: what the registry holds. The engine only passes a module
 * values that came from the same module (arguments its schema validated, its prepare()'s
 * value, its parse()'s facts), which is what makes the erasure safe. A typed ModuleDef is
 * assignable to it because its calls are declared as methods, whose parameters TypeScript
 * compares both ways.
 */
export type AnyModuleDef = ModuleDef<unknown, unknown, unknown>;

/** Declares a module, checking its calls against its own types at the definition. */
export function defineModule<Args, Prepared = Args, Facts = undefined>(def: ModuleDef<Args, Prepared, Facts>): ModuleDef<Args, Prepared, Facts> {
  return def;
}
