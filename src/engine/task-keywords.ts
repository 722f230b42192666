// A task's keywords resolved for one host, as Ansible's post_validate does: the keyword
// chain (play → roles → blocks → task) is walked once, and each keyword the engine acts
// on is rendered with the host's vars into its typed value. A keyword that does not
// render fails the task on that host (the caller catches the TemplateError).
import { ansibleBool, strictKeywordBool } from '../boolean.js';
import { errTaskArgs } from '../errors.js';
import type { Task } from '../playbook/types.js';
import { OMIT_TOKEN, UndefinedVariableError, type Templar } from '../template/index.js';
import type { BecomeSpec } from '../transport/types.js';
import { chain, child, inherited, inheritedWhen, type Scope } from './scope.js';

export interface TaskKeywords {
  /** The task's `when` with its blocks' and roles', all of which must hold (not yet evaluated). */
  when: unknown[];
  ignoreErrors: boolean;
  ignoreUnreachable: boolean;
  noLog: boolean;
  runOnce: boolean;
  anyErrorsFatal: boolean;
  delegateTo?: string;
  /** Undefined: the run's --check / --diff apply. */
  checkMode?: boolean;
  diff?: boolean;
  become?: BecomeSpec;
  timeoutMs?: number;
  environment?: Record<string, string>;
  /** module_defaults for this task's module, merged play → roles → blocks → task (the task's own arguments win). */
  moduleDefaults?: Record<string, unknown>;
}

type Key = Parameters<typeof inherited>[1];

export function resolveTaskKeywords(templar: Templar, task: Task, scope: Scope, vars: Record<string, unknown>, becomePassword?: string): TaskKeywords {
  const taskScope = child(scope, task);
  // A keyword that renders to `omit` counts as unset: the enclosing block's, role's or
  // play's value applies, as Ansible's FieldAttributeBase resets an omitted field.
  const value = (key: Key) => {
    for (let s: Scope | undefined = taskScope; s; s = s.parent) {
      const v = s.keywords[key];
      if (v === undefined) continue;
      const rendered = templar.render(v, vars);
      if (rendered !== OMIT_TOKEN) return rendered;
    }
    return undefined;
  };
  // Ansible post-validates bool keywords strictly: `diff: yes.` fails the task.
  const optionalFlag = (key: Key) => {
    const v = value(key);
    return v === undefined || v === null ? undefined : strictKeywordBool(key, v);
  };
  const flag = (key: Key) => optionalFlag(key) ?? false;
  const delegate = value('delegate_to');
  const timeout = value('timeout');
  return {
    when: inheritedWhen(taskScope),
    ignoreErrors: flag('ignore_errors'),
    ignoreUnreachable: flag('ignore_unreachable'),
    noLog: flag('no_log'),
    runOnce: flag('run_once'),
    anyErrorsFatal: flag('any_errors_fatal'),
    delegateTo: delegate === undefined || delegate === null || delegate === '' ? undefined : String(delegate),
    checkMode: optionalFlag('check_mode'),
    diff: optionalFlag('diff'),
    become: becomeSpec(value, vars, becomePassword),
    timeoutMs: timeout === undefined || timeout === null ? undefined : Number(timeout) * 1000,
    environment: environmentOf(templar, inherited(taskScope, 'environment'), vars),
    moduleDefaults: moduleDefaultsFor(templar, taskScope, task.action, vars),
  };
}

const shortName = (n: string) => n.replace(/^ansible\.(builtin|legacy)\./, '');

/**
 * Ansible's get_action_args_with_defaults: every module_defaults entry from the play down
 * to the task, each a dict (or list of dicts) of module name → arguments; the entries for
 * this task's module are merged in that order, inner over outer. A module may be named
 * short or with ansible.builtin. / ansible.legacy.
 */
function moduleDefaultsFor(templar: Templar, scope: Scope, action: string, vars: Record<string, unknown>): Record<string, unknown> | undefined {
  const want = shortName(action);
  let out: Record<string, unknown> | undefined;
  for (const s of chain(scope)) {
    const raw = (s.keywords as { module_defaults?: unknown }).module_defaults;
    if (raw === undefined || raw === null) continue;
    for (const entry of Array.isArray(raw) ? raw : [raw]) {
      if (!entry || typeof entry !== 'object' || Array.isArray(entry)) continue;
      for (const [name, args] of Object.entries(entry as Record<string, unknown>)) {
        if (shortName(name) !== want) continue;
        const rendered = templar.render(args, vars);
        if (rendered && typeof rendered === 'object' && !Array.isArray(rendered)) out = { ...(out ?? {}), ...(rendered as Record<string, unknown>) };
      }
    }
  }
  return out;
}

/**
 * ignore_errors alone, for a task whose other keywords do not resolve (a `diff: yes.`):
 * Ansible still honours it for that failure. False when it does not resolve either.
 */
export function resolveIgnoreErrors(templar: Templar, task: Task, scope: Scope, vars: Record<string, unknown>): boolean {
  try {
    const v = inherited(child(scope, task), 'ignore_errors');
    return v === undefined ? false : strictKeywordBool('ignore_errors', templar.render(v, vars));
  } catch {
    return false;
  }
}

/**
 * become and its details: the host's ansible_become* variables, else the keywords, as
 * Ansible's PlayContext.set_task_and_variable_override lets connection variables win.
 */
function becomeSpec(value: (key: Key) => unknown, vars: Record<string, unknown>, password: string | undefined): BecomeSpec | undefined {
  if (!ansibleBool(vars.ansible_become ?? value('become'))) return undefined;
  const user = vars.ansible_become_user ?? value('become_user') ?? 'root';
  const method = vars.ansible_become_method ?? value('become_method') ?? 'sudo';
  if (method !== 'sudo' && method !== 'su') throw errTaskArgs(`become_method '${String(method)}' is not supported (use sudo or su)`, {});
  const flags = vars.ansible_become_flags ?? value('become_flags');
  const pw = vars.ansible_become_password ?? vars.ansible_become_pass ?? password;
  return {
    user: String(user),
    method,
    flags: flags === undefined ? undefined : String(flags),
    password: pw === undefined || pw === null ? undefined : String(pw),
  };
}

/**
 * `environment:` as a dict or a list of dicts (merged in order), values as strings. Each
 * value renders on its own, and one that needs `ansible_env` before facts exist is left
 * out, as Ansible's Task._post_validate_environment does (so a play's environment can
 * extend the target's PATH and still let fact gathering run).
 */
function environmentOf(templar: Templar, raw: unknown, vars: Record<string, unknown>): Record<string, string> | undefined {
  if (raw === undefined || raw === null) return undefined;
  const out: Record<string, string> = {};
  const add = (k: string, v: unknown) => {
    try {
      out[k] = String(templar.render(v, vars));
    } catch (e) {
      if (e instanceof UndefinedVariableError && /ansible_env|ansible_facts\.env/.test(e.message)) return;
      throw e;
    }
  };
  for (const item of Array.isArray(raw) ? raw : [raw]) {
    const dict = item && typeof item === 'object' ? item : templar.render(item, vars);
    if (dict && typeof dict === 'object' && !Array.isArray(dict)) for (const [k, v] of Object.entries(dict)) add(k, v);
  }
  return out;
}
