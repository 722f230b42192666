// ansible.builtin.set_stats: custom statistics for the run, added up across tasks
// (aggregate) per host or for the whole run, and shown under CUSTOM STATS after the recap
// when show_custom_stats is set. The module only checks and returns them; the engine keeps
// the totals with recordCustomStats below.
//
//   - ansible.builtin.set_stats:
//       data:
//         packages_installed: 3
//       per_host: false
//       aggregate: true
import type { FromSchema } from 'json-schema-to-ts';
import { ansibleBool } from '../boolean.js';
import { mergeHash } from '../template/merge-hash.js';
import { ModuleFailure, defineModule } from './types.js';

const schema = {
  type: 'object',
  properties: { data: {}, per_host: {}, aggregate: {} },
  additionalProperties: false,
} as const;

export type SetStatsArgs = FromSchema<typeof schema>;

/** What a set_stats result carries (Ansible's `ansible_stats`). */
export interface StatsRequest {
  data: Record<string, unknown>;
  per_host: boolean;
  aggregate: boolean;
}

const PY_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(' '),
);

/** Ansible's isidentifier: a Python name that is no keyword. */
function isIdentifier(k: string): boolean {
  return /^[\p{L}_][\p{L}\p{N}_]*$/u.test(k) && !PY_KEYWORDS.has(k);
}

const isDict = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const setStatsModule = defineModule<SetStatsArgs>({
  name: 'set_stats',
  summary: 'Define and display stats for the current ansible run',
  controllerOnly: true,
  checkMode: 'run',
  traits: { noAsync: true, validArgs: true, passive: true },
  schema,
  async run(args) {
    const stats: StatsRequest = { data: {}, per_host: false, aggregate: true };
    const data = args.data ?? {};
    if (!isDict(data)) throw new ModuleFailure("The 'data' option needs to be a dictionary/hash");
    for (const opt of ['per_host', 'aggregate'] as const) {
      const v = args[opt];
      if (v !== undefined && v !== null) stats[opt] = typeof v === 'boolean' ? v : ansibleBool(v);
    }
    for (const [k, v] of Object.entries(data)) {
      if (!isIdentifier(k)) {
        throw new ModuleFailure(`The variable name '${k}' is not valid. Variables must start with a letter or underscore character, and contain only letters, numbers and underscores.`);
      }
      stats.data[k] = v;
    }
    return { changed: false, ansible_stats: stats };
  },
});

/** Custom stats by host, and `_run` for those that are not per host (Ansible's AggregateStats.custom). */
export type CustomStats = Record<string, Record<string, unknown>>;

/** Python's isinstance(what, type(current)) for the values stats hold. */
function sameKind(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Number.isInteger(a) || !Number.isInteger(b);
  if (typeof a === 'boolean' || typeof b === 'boolean') return typeof a === typeof b || (typeof b === 'boolean' && typeof a === 'number' && Number.isInteger(a));
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b);
  if (isDict(a) || isDict(b)) return isDict(a) && isDict(b);
  return typeof a === typeof b;
}

/** AggregateStats.update_custom_stats: add to what is there (merge dicts), or set it. */
function update(into: Record<string, unknown>, key: string, what: unknown): void {
  if (!(key in into)) {
    into[key] = what;
    return;
  }
  const cur = into[key];
  // a value of another type is ignored, as Ansible ignores it
  if (!sameKind(cur, what)) return;
  if (isDict(what)) into[key] = mergeHash(cur, what);
  else if (Array.isArray(what)) into[key] = [...(cur as unknown[]), ...what];
  else if (typeof what === 'string') into[key] = (cur as string) + what;
  else into[key] = Number(cur) + Number(what);
}

/** What the strategy does with a set_stats result of `host`. */
export function recordCustomStats(custom: CustomStats, host: string, request: unknown): void {
  if (!isDict(request) || !isDict(request.data) || !Object.keys(request.data).length) return;
  const target = request.per_host === undefined || request.per_host ? host : '_run';
  const into = (custom[target] ??= {});
  for (const [k, v] of Object.entries(request.data)) {
    if (request.aggregate) update(into, k, v);
    else into[k] = v;
  }
}
