// What every filter family shares: the filter signature, argument lookup by position or
// keyword, and Jinja2's coercions (iterables, attribute paths, sort keys, membership).
import { TemplateError } from './errors.js';
import { memberLookup } from './methods.js';
import { isDict, pyEq, typeName, type Dict } from './python.js';
import { Undefined, need } from './undefined.js';

export interface FilterEnv {
  filters: Record<string, unknown>;
  tests: Record<string, unknown>;
}

export type Filter = (this: { env: FilterEnv }, value: unknown, pos: unknown[], kw: Dict) => unknown;

export function arg(pos: unknown[], kw: Dict, i: number, name: string, dflt?: unknown): unknown {
  if (pos.length > i) return pos[i];
  if (name in kw) return kw[name];
  return dflt;
}

export function toList(v: unknown): unknown[] {
  need(v);
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return Array.from(v);
  if (isDict(v)) return Object.keys(v);
  if (v !== null && typeof v === 'object' && Symbol.iterator in v) return Array.from(v as Iterable<unknown>);
  throw new TemplateError(`'${typeName(v)}' object is not iterable`);
}

/** Jinja2's attribute paths for sort/map/selectattr: 'a.b.0'. */
export function attrGetter(attribute: unknown, dflt?: unknown): (item: unknown) => unknown {
  const parts = typeof attribute === 'number' ? [attribute] : String(attribute).split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  return (item) => {
    let cur: unknown = item;
    for (const p of parts) {
      cur = memberLookup(cur, p);
      if (cur instanceof Undefined) return dflt !== undefined ? dflt : cur;
    }
    return cur;
  };
}

export function sortKey(v: unknown, caseSensitive: boolean): unknown {
  return !caseSensitive && typeof v === 'string' ? v.toLowerCase() : v;
}

export function contains(list: unknown[], item: unknown): boolean {
  return list.some((x) => pyEq(x, item));
}
