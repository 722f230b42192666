// Jinja2 builtin and Ansible filters with Ansible's semantics. Each filter gets the
// piped value, positional args and keyword args separately; the wrapper in
// installFilters() refuses Undefined input except for the filters made to handle it.
import { splitKwargs } from './methods.js';
import { Undefined } from './undefined.js';
import type { Filter, FilterEnv } from './filter-support.js';
import { CONVERSION_FILTERS } from './filters-conversion.js';
import { DATA_FILTERS } from './filters-data.js';
import { JINJA_FILTERS } from './filters-jinja.js';
import { LIST_FILTERS } from './filters-lists.js';
import { MATH_FILTERS } from './filters-math.js';
import { PATH_FILTERS } from './filters-paths.js';
import { PASSWORD_FILTERS } from './filters-password.js';
import { STRING_FILTERS } from './filters-strings.js';
import { VAULT_FILTERS } from './filters-vault.js';

// Importers (index.ts, tests.ts) reach these through this module.
export { attrGetter, type Filter, type FilterEnv } from './filter-support.js';
export { ansibleBool } from './filters-conversion.js';

/** Every filter, family by family; no name is in two families, so the order picks no winner. */
export const FILTERS: Record<string, Filter> = { ...CONVERSION_FILTERS, ...STRING_FILTERS, ...LIST_FILTERS, ...MATH_FILTERS, ...DATA_FILTERS, ...PATH_FILTERS, ...VAULT_FILTERS, ...PASSWORD_FILTERS, ...JINJA_FILTERS };

FILTERS.d = FILTERS.default;
FILTERS.count = FILTERS.length;
FILTERS.e = FILTERS.escape;

/** Filters that must receive an Undefined rather than fail on it. */
const UNDEFINED_AWARE = new Set(['default', 'd', 'mandatory', 'items']);

/** Filters whose arguments may be Undefined. */
const UNDEFINED_ARGS = new Set(['format', 'extract']);

/** Registers the filters on a nunjucks environment, replacing nunjucks's JS-semantics builtins. */
export function installFilters(env: { addFilter(name: string, fn: (...a: unknown[]) => unknown): void; filters: Record<string, unknown> } & FilterEnv, extra: Record<string, Filter> = {}): void {
  const all = { ...FILTERS, ...extra };
  for (const [name, fn] of Object.entries(all)) {
    env.addFilter(name, function (this: unknown, value: unknown, ...rest: unknown[]) {
      if (value instanceof Undefined && !UNDEFINED_AWARE.has(name)) throw value.error();
      // format's %r shows an undefined argument (percentFormat refuses it elsewhere);
      // extract looks into its container as Jinja's getitem does, and an undefined one
      // (Ansible's chainable AnsibleUndefined) stays undefined for `| default`.
      if (!UNDEFINED_ARGS.has(name)) for (const a of rest) if (a instanceof Undefined) throw a.error();
      const { pos, kw } = splitKwargs(rest);
      return fn.call({ env }, value, pos, kw);
    });
  }
  // Leftover nunjucks builtins follow JS semantics; drop those Jinja2 lacks or we don't vouch for.
  for (const name of Object.keys(env.filters)) if (!(name in all)) delete env.filters[name];
}
