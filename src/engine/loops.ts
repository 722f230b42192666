// Loops: `loop:` and the with_* forms, expanded on the controller into the items a task
// runs once each.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { LoopSpec } from '../playbook/types.js';
import { TemplateError, UndefinedVariableError, lookupSubdir, type Templar } from '../template/index.js';
import type { ExecEnv, TaskInvocation } from './task-common.js';
import { currentRole } from './scope.js';

/**
 * The items of a `loop:` or `with_<name>:`. A with_ form is the lookup of the same name
 * run with wantlist, as Ansible does: the value is rendered, a string or scalar becomes a
 * one-term list, and the lookup gets the terms. `action` (the task's module) picks the
 * directory first_found searches, as Ansible's executor does (templates/, vars/ or files/).
 */
export async function expandLoop(loop: LoopSpec, templar: Templar, vars: Record<string, unknown>, findFiles: (pattern: string) => string[], action = ''): Promise<unknown[]> {
  if (loop.kind === 'loop') {
    const value = templar.render(loop.value, vars);
    if (!Array.isArray(value)) throw new TemplateError(`Invalid data passed to 'loop', it requires a list, got this instead: ${JSON.stringify(value)}. Hint: If you passed a list/dict of just one element, try adding wantlist=True to your lookup invocation or use q/query instead of lookup.`);
    return value;
  }
  const name = loop.kind.slice('with_'.length);
  const terms = lookupTerms(loop, templar, vars);
  // fileglob needs what only the engine knows: the role's files/
  if (name === 'fileglob') return terms.flatMap((p) => findFiles(String(p)));
  try {
    return templar.lookup(name, terms, {}, vars, lookupSubdir(action));
  } catch (e) {
    if (e instanceof TemplateError && /^lookup plugin \(/.test(e.message)) throw new TemplateError(`${loop.kind} is not supported by rackplay yet; use loop: with a filter instead`);
    throw e;
  }
}

/**
 * loop_control's loop_var and index_var for this host: the loader resolves them from the
 * play's vars when it can, and leaves a template that needs the task's or host's vars to
 * be rendered here, when the task runs, as Ansible templates loop_control.
 */
export function resolveLoopNames(loop: LoopSpec, templar: Templar, vars: Record<string, unknown>): LoopSpec {
  const name = (v: string | undefined, what: string): string | undefined => {
    if (v === undefined || !/\{\{|\{%/.test(v)) return v;
    const out = templar.render(v, vars);
    if (typeof out !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(out)) throw new TemplateError(`loop_control.${what} must render to a variable name, got ${JSON.stringify(out)}`);
    return out;
  };
  return { ...loop, loop_var: name(loop.loop_var, 'loop_var') ?? 'item', index_var: name(loop.index_var, 'index_var') };
}

/** Ansible's listify_lookup_plugin_terms; first_found drops the terms that are still undefined. */
function lookupTerms(loop: LoopSpec, templar: Templar, vars: Record<string, unknown>): unknown[] {
  const raw = typeof loop.value === 'string' ? loop.value.trim() : loop.value;
  let value: unknown;
  if (loop.kind === 'with_first_found' && Array.isArray(raw)) {
    value = raw.flatMap((t) => {
      try {
        return [templar.render(t, vars)];
      } catch (e) {
        if (e instanceof UndefinedVariableError) return [];
        throw e;
      }
    });
  } else value = templar.render(raw, vars);
  // a mapping is iterable to Python, so it reaches the lookup as it is (the lookup decides)
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as unknown as unknown[];
  return Array.isArray(value) ? value : [value];
}

/** with_sequence's spec, for callers outside the template layer. */
export { sequence } from '../template/index.js';

export function globFiles(pattern: string, inv: TaskInvocation, env: ExecEnv): string[] {
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


/**
 * The variables one loop item adds: the loop variable, index_var and, with
 * loop_control.extended, Ansible's `ansible_loop` (previtem/nextitem only where they exist).
 */
export function loopItemVars(items: unknown[], i: number, loop: LoopSpec): Record<string, unknown> {
  const extra: Record<string, unknown> = { [loop.loop_var]: items[i], ansible_loop_var: loop.loop_var };
  if (loop.index_var) Object.assign(extra, { [loop.index_var]: i, ansible_index_var: loop.index_var });
  if (loop.extended) {
    const n = items.length;
    const info: Record<string, unknown> = { index: i + 1, index0: i, first: i === 0, last: i + 1 === n, length: n, revindex: n - i, revindex0: n - i - 1 };
    // extended_allitems: false leaves the whole list out (for long loops).
    if (loop.extended_allitems !== false) info.allitems = items;
    if (i + 1 < n) info.nextitem = items[i + 1];
    if (i > 0) info.previtem = items[i - 1];
    extra.ansible_loop = info;
  }
  return extra;
}
