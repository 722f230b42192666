// List and set filters: unique/union/difference, sort, min/max/sum, map, select/reject,
// flatten, zip, batch, groupby, product, subelements. Jinja2's sequence semantics in one place.
import { pyChoice, pyRandom, pyRandrange, pyShuffle } from './python-random.js';
import { missingTest, TemplateError } from './errors.js';
import { isDict, pyCompare, pyEq, pyRepr, pyStr, truthy, typeName, type Dict } from './python.js';
import { Undefined, need } from './undefined.js';
import { arg, attrGetter, contains, sortKey, toList, type Filter, type FilterEnv } from './filter-support.js';

function uniqueList(items: unknown[], caseSensitive = true): unknown[] {
  const out: unknown[] = [];
  const seen: unknown[] = [];
  for (const item of items) {
    const key = sortKey(item, caseSensitive);
    if (!seen.some((s) => pyEq(s, key))) {
      seen.push(key);
      out.push(item);
    }
  }
  return out;
}

/**
 * Ansible's unique: Jinja2's (case-insensitive unless case_sensitive is true, optionally by
 * attribute), falling back to plain equality when an item cannot be hashed, which it
 * refuses when case_sensitive=False or an attribute was asked for.
 */
function ansibleUnique(items: unknown[], caseSensitive: unknown, attribute: unknown): unknown[] {
  const key = attribute === null ? (x: unknown) => x : attrGetter(attribute);
  const unhashable = items.map(key).find((k) => Array.isArray(k) || isDict(k));
  if (unhashable !== undefined) {
    if (caseSensitive === false || (attribute !== null && truthy(attribute))) {
      throw new TemplateError(`Jinja2's unique filter failed and we cannot fall back to Ansible's version as it does not support the parameters supplied. unhashable type: '${typeName(unhashable)}'`);
    }
    return uniqueList(items, true);
  }
  const out: unknown[] = [];
  const seen: unknown[] = [];
  for (const item of items) {
    const k = sortKey(need(key(item)), truthy(caseSensitive));
    if (!seen.some((s) => pyEq(s, k))) {
      seen.push(k);
      out.push(item);
    }
  }
  return out;
}

function flatten(v: unknown[], levels: number | null, skipNulls: boolean): unknown[] {
  const out: unknown[] = [];
  for (const item of v) {
    if ((item === null || item === 'None') && skipNulls) continue;
    if (Array.isArray(item) && (levels === null || levels > 0)) out.push(...flatten(item, levels === null ? null : levels - 1, skipNulls));
    else out.push(item);
  }
  return out;
}

function filterByTest(ctx: { env: FilterEnv }, value: unknown, pos: unknown[], kw: Dict, keep: boolean, attribute: boolean): unknown[] {
  const items = toList(value);
  let getter: (x: unknown) => unknown = (x) => x;
  let rest = pos;
  if (attribute) {
    if (rest.length === 0) throw new TemplateError('selectattr/rejectattr need an attribute name');
    getter = attrGetter(rest[0]);
    rest = rest.slice(1);
  }
  let check: (x: unknown) => boolean;
  if (rest.length === 0) check = (x) => truthy(x);
  else {
    const name = String(rest[0]);
    const test = ctx.env.tests[name] as ((this: unknown, v: unknown, ...a: unknown[]) => unknown) | undefined;
    if (!test) throw missingTest(name);
    // Keyword arguments go to the test, as Jinja's select passes them.
    const targs = [...rest.slice(1), ...(Object.keys(kw).length ? [{ ...kw, __keywords: true }] : [])];
    check = (x) => {
      if (x instanceof Undefined && name !== 'defined' && name !== 'undefined') throw x.error();
      return truthy(test.call(ctx, x, ...targs));
    };
  }
  return items.filter((x) => check(getter(x)) === keep);
}

export const LIST_FILTERS: Record<string, Filter> = {
  list: (v) => [...toList(v)],
  unique: (v, pos, kw) => ansibleUnique(toList(v), arg(pos, kw, 0, 'case_sensitive', null), arg(pos, kw, 1, 'attribute', null)),
  union: (v, pos) => uniqueList([...toList(v), ...toList(pos[0])]),
  difference: (v, pos) => {
    const other = toList(pos[0]);
    return uniqueList(toList(v).filter((x) => !contains(other, x)));
  },
  intersect: (v, pos) => {
    const other = toList(pos[0]);
    return uniqueList(toList(v).filter((x) => contains(other, x)));
  },
  symmetric_difference: (v, pos) => {
    const a = toList(v);
    const b = toList(pos[0]);
    return uniqueList([...a.filter((x) => !contains(b, x)), ...b.filter((x) => !contains(a, x))]);
  },
  sort: (v, pos, kw) => {
    const reverse = truthy(arg(pos, kw, 0, 'reverse', false));
    const caseSensitive = truthy(arg(pos, kw, 1, 'case_sensitive', false));
    const attribute = arg(pos, kw, 2, 'attribute', null);
    const attrs = attribute === null ? [null] : String(attribute).split(',').map((a) => a.trim());
    const getters = attrs.map((a) => (a === null ? (x: unknown) => x : attrGetter(a)));
    const items = [...toList(v)];
    items.sort((a, b) => {
      for (const g of getters) {
        const c = pyCompare(sortKey(need(g(a)), caseSensitive), sortKey(need(g(b)), caseSensitive));
        if (c !== 0) return c;
      }
      return 0;
    });
    return reverse ? items.reverse() : items;
  },
  reverse: (v) => (typeof v === 'string' ? Array.from(v).reverse().join('') : [...toList(v)].reverse()),
  first: (v) => {
    const items = toList(v);
    return items.length ? items[0] : new Undefined('first', 'No first item, sequence was empty.');
  },
  last: (v) => {
    const items = toList(v);
    return items.length ? items[items.length - 1] : new Undefined('last', 'No last item, sequence was empty.');
  },
  length: (v) => {
    need(v);
    if (typeof v === 'string') return Array.from(v).length;
    if (Array.isArray(v)) return v.length;
    if (isDict(v)) return Object.keys(v).length;
    throw new TemplateError(`object of type '${typeName(v)}' has no len()`);
  },
  min: (v, pos, kw) => {
    const items = toList(v);
    const attribute = arg(pos, kw, 1, 'attribute', null);
    const cs = truthy(arg(pos, kw, 0, 'case_sensitive', false));
    const g = attribute === null ? (x: unknown) => x : attrGetter(attribute);
    if (!items.length) return new Undefined('min', 'No aggregated item, sequence was empty.');
    return items.reduce((a, b) => (pyCompare(sortKey(g(b), cs), sortKey(g(a), cs)) < 0 ? b : a));
  },
  max: (v, pos, kw) => {
    const items = toList(v);
    const attribute = arg(pos, kw, 1, 'attribute', null);
    const cs = truthy(arg(pos, kw, 0, 'case_sensitive', false));
    const g = attribute === null ? (x: unknown) => x : attrGetter(attribute);
    if (!items.length) return new Undefined('max', 'No aggregated item, sequence was empty.');
    return items.reduce((a, b) => (pyCompare(sortKey(g(b), cs), sortKey(g(a), cs)) > 0 ? b : a));
  },
  sum: (v, pos, kw) => {
    const attribute = arg(pos, kw, 0, 'attribute', null);
    const start = arg(pos, kw, 1, 'start', 0);
    const g = attribute === null ? (x: unknown) => x : attrGetter(attribute);
    return toList(v).reduce<unknown>((acc, x) => {
      const val = need(g(x));
      if (Array.isArray(acc) && Array.isArray(val)) return [...acc, ...val];
      if ((typeof acc === 'number' || typeof acc === 'boolean') && (typeof val === 'number' || typeof val === 'boolean')) return Number(acc) + Number(val);
      throw new TemplateError(`unsupported operand type(s) for +: '${typeName(acc)}' and '${typeName(val)}'`);
    }, start);
  },
  map(v, pos, kw) {
    const items = toList(v);
    if ('attribute' in kw) {
      const g = attrGetter(kw.attribute, 'default' in kw ? kw.default : undefined);
      return items.map(g);
    }
    if (pos.length === 0) throw new TemplateError('map requires a filter name or attribute=');
    const name = String(pos[0]);
    const f = this.env.filters[name] as ((this: unknown, ...a: unknown[]) => unknown) | undefined;
    if (!f) throw new TemplateError(`no filter named '${name}'`);
    const rest = pos.slice(1);
    const extra = Object.keys(kw).length ? [{ ...kw, __keywords: true }] : [];
    return items.map((x) => f.call(this, x, ...rest, ...extra));
  },
  select(v, pos, kw) {
    return filterByTest(this, v, pos, kw, true, false);
  },
  reject(v, pos, kw) {
    return filterByTest(this, v, pos, kw, false, false);
  },
  selectattr(v, pos, kw) {
    return filterByTest(this, v, pos, kw, true, true);
  },
  rejectattr(v, pos, kw) {
    return filterByTest(this, v, pos, kw, false, true);
  },
  flatten: (v, pos, kw) => {
    const levels = arg(pos, kw, 0, 'levels', null);
    return flatten(toList(v), levels === null ? null : Number(levels), truthy(arg(pos, kw, 1, 'skip_nulls', true)));
  },
  zip: (v, pos) => {
    const lists = [toList(v), ...pos.map(toList)];
    const n = Math.min(...lists.map((l) => l.length));
    return Array.from({ length: n }, (_, i) => lists.map((l) => l[i]));
  },
  zip_longest: (v, pos, kw) => {
    const lists = [toList(v), ...pos.map(toList)];
    const n = Math.max(...lists.map((l) => l.length));
    const fill = kw.fillvalue ?? null;
    return Array.from({ length: n }, (_, i) => lists.map((l) => (i < l.length ? l[i] : fill)));
  },
  // Ansible's rand: a range for an integer, a choice from anything iterable; with a seed,
  // the value Python's Random gives for it (python-random.ts).
  random: (v, pos, kw) => {
    const start = arg(pos, kw, 0, 'start', null);
    const step = arg(pos, kw, 1, 'step', null);
    const r = pyRandom(arg(pos, kw, 2, 'seed', null));
    if (typeof v === 'number' && Number.isInteger(v)) {
      try {
        return pyRandrange(r, truthy(start) ? Number(start) : 0, v, truthy(step) ? Number(step) : 1);
      } catch (e) {
        throw new TemplateError((e as Error).message);
      }
    }
    if (typeof v === 'string' || Array.isArray(v) || isDict(v)) {
      if (truthy(start) || truthy(step)) throw new TemplateError('start and step can only be used with integer values');
      const items = toList(v);
      if (items.length === 0) throw new TemplateError('Cannot choose from an empty sequence');
      return pyChoice(r, items);
    }
    throw new TemplateError('random can only be used on sequences and integers');
  },
  // randomize_list: what cannot be listed comes back as it was
  shuffle: (v, pos, kw) => {
    if (!(typeof v === 'string' || Array.isArray(v) || isDict(v))) return v;
    const seed = arg(pos, kw, 0, 'seed', null);
    return pyShuffle(pyRandom(truthy(seed) ? seed : null), [...toList(v)]);
  },
  batch: (v, pos) => {
    const size = Number(pos[0]);
    const items = toList(v);
    const out: unknown[][] = [];
    for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
    if (pos.length > 1 && out.length && out[out.length - 1].length < size) while (out[out.length - 1].length < size) out[out.length - 1].push(pos[1]);
    return out;
  },
  slice: (v, pos) => {
    const n = Number(pos[0]);
    const items = toList(v);
    const per = Math.floor(items.length / n);
    const extra = items.length % n;
    const out: unknown[][] = [];
    let offset = 0;
    for (let i = 0; i < n; i++) {
      const size = per + (i < extra ? 1 : 0);
      out.push(items.slice(offset, offset + size));
      offset += size;
    }
    return out;
  },
  groupby: (v, pos, kw) => {
    const g = attrGetter(arg(pos, kw, 0, 'attribute'));
    const groups: [unknown, unknown[]][] = [];
    for (const item of toList(v)) {
      const key = g(item);
      const hit = groups.find(([k]) => pyEq(k, key));
      if (hit) hit[1].push(item);
      else groups.push([key, [item]]);
    }
    return groups.sort((a, b) => pyCompare(a[0], b[0]));
  },
  product: (v, pos) => {
    const lists = [toList(v), ...pos.map(toList)];
    return lists.reduce<unknown[][]>((acc, list) => acc.flatMap((prefix) => list.map((x) => [...prefix, x])), [[]]);
  },
  subelements: (v, pos, kw) => {
    const elements = isDict(v) ? Object.values(v) : Array.isArray(v) ? v : null;
    if (!elements) throw new TemplateError('obj must be a list of dicts or a nested dict');
    const spec = arg(pos, kw, 0, 'subelements');
    const path = Array.isArray(spec) ? spec : typeof spec === 'string' ? spec.split('.') : null;
    if (!path) throw new TemplateError('subelements must be a list or a string');
    const skipMissing = truthy(arg(pos, kw, 1, 'skip_missing', false));
    const out: unknown[] = [];
    for (const element of elements) {
      let values: unknown = element;
      for (const key of path) {
        if (isDict(values)) {
          if (!Object.prototype.hasOwnProperty.call(values, pyStr(key))) {
            if (skipMissing) {
              values = [];
              break;
            }
            throw new TemplateError(`could not find ${pyRepr(key)} key in iterated item ${pyRepr(values)}`);
          }
          values = values[pyStr(key)];
        } else throw new TemplateError(`the key ${pyStr(key)} should point to a dictionary, got '${pyStr(values)}'`);
      }
      if (!Array.isArray(values)) throw new TemplateError(`the key ${pyRepr(path.at(-1))} should point to a list, got ${pyRepr(values)}`);
      for (const value of values) out.push([element, value]);
    }
    return out;
  },
};
