// Jinja2 builtin and Ansible filters with Ansible's semantics. Each filter gets the
// piped value, positional args and keyword args separately; the wrapper in
// installFilters() refuses Undefined input except for the filters made to handle it.
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { quote } from '../transport/quote.js';
import { TemplateError } from './errors.js';
import { memberLookup, splitKwargs } from './methods.js';
import { isDict, pyCompare, pyEq, pyRepr, pyStr, percentFormat, truthy, typeName, type Dict } from './python.js';
import { expandReplacement, pyRegex } from './regex.js';
import { fromYaml, pyJsonDumps, toYaml } from './serialize.js';
import { Undefined, need } from './undefined.js';

export interface FilterEnv {
  filters: Record<string, unknown>;
  tests: Record<string, unknown>;
}

export type Filter = (this: { env: FilterEnv }, value: unknown, pos: unknown[], kw: Dict) => unknown;

function arg(pos: unknown[], kw: Dict, i: number, name: string, dflt?: unknown): unknown {
  if (pos.length > i) return pos[i];
  if (name in kw) return kw[name];
  return dflt;
}

function toList(v: unknown): unknown[] {
  need(v);
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return Array.from(v);
  if (isDict(v)) return Object.keys(v);
  if (v !== null && typeof v === 'object' && Symbol.iterator in v) return Array.from(v as Iterable<unknown>);
  throw new TemplateError(`'${typeName(v)}' object is not iterable`);
}

/** Ansible's boolean(): yes/on/1/true (any case) and 1 are true, everything else false. */
export function ansibleBool(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (v === null || v === undefined) return false;
  if (typeof v === 'number') return v === 1;
  const s = pyStr(v).trim().toLowerCase();
  return s === 'yes' || s === 'on' || s === '1' || s === 'true' || s === 'y' || s === 't';
}

function toInt(v: unknown, dflt: unknown = 0, base = 10): unknown {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : dflt;
  if (typeof v === 'string') {
    const s = v.trim().replace(/_/g, '');
    if (base === 10) {
      if (/^[+-]?\d+$/.test(s)) return parseInt(s, 10);
      if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Math.trunc(parseFloat(s));
      return dflt;
    }
    const body = s.replace(/^([+-]?)0[xob]/i, '$1');
    const n = parseInt(body, base);
    return Number.isNaN(n) ? dflt : n;
  }
  return dflt;
}

function toFloat(v: unknown, dflt: unknown = 0): unknown {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(s)) return parseFloat(s);
    if (/^[+-]?(inf|infinity)$/.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
    if (s === 'nan') return NaN;
  }
  return dflt;
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

function sortKey(v: unknown, caseSensitive: boolean): unknown {
  return !caseSensitive && typeof v === 'string' ? v.toLowerCase() : v;
}

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

function contains(list: unknown[], item: unknown): boolean {
  return list.some((x) => pyEq(x, item));
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

function combine(dicts: unknown[], recursive: boolean, listMerge: string): Dict {
  const merge = (a: Dict, b: Dict): Dict => {
    const out: Dict = { ...a };
    for (const [k, bv] of Object.entries(b)) {
      const av = out[k];
      if (recursive && isDict(av) && isDict(bv)) out[k] = merge(av, bv);
      else if (Array.isArray(av) && Array.isArray(bv) && listMerge !== 'replace') {
        if (listMerge === 'keep') out[k] = av;
        else if (listMerge === 'append') out[k] = [...av, ...bv];
        else if (listMerge === 'prepend') out[k] = [...bv, ...av];
        else if (listMerge === 'append_rp') out[k] = [...av.filter((x) => !contains(bv, x)), ...bv];
        else if (listMerge === 'prepend_rp') out[k] = [...bv, ...av.filter((x) => !contains(bv, x))];
        else throw new TemplateError(`combine: list_merge must be one of replace, keep, append, prepend, append_rp, prepend_rp, got '${listMerge}'`);
      } else out[k] = bv;
    }
    return out;
  };
  let acc: Dict = {};
  for (const d of dicts) {
    const items = Array.isArray(d) ? d : [d];
    for (const x of items) {
      if (!isDict(x)) throw new TemplateError(`failed to combine variables, expected dicts but got a '${typeName(x)}'`);
      acc = merge(acc, x);
    }
  }
  return acc;
}

function regexOpts(pos: unknown[], kw: Dict, firstFlagIndex: number): { ignorecase: boolean; multiline: boolean } {
  return {
    ignorecase: truthy(arg(pos, kw, firstFlagIndex, 'ignorecase', false)),
    multiline: truthy(arg(pos, kw, firstFlagIndex + 1, 'multiline', false)),
  };
}

function hashOf(algorithm: string, value: unknown): string {
  const algo = algorithm.toLowerCase();
  try {
    return createHash(algo).update(pyStr(need(value)), 'utf8').digest('hex');
  } catch {
    throw new TemplateError(`unsupported hash type ${algorithm}`);
  }
}

function roundHalfEven(x: number, precision: number): number {
  const f = 10 ** precision;
  const scaled = x * f;
  const r = Math.round(scaled);
  // Python's round() breaks exact ties toward the even neighbour.
  if (Math.abs(scaled % 1) === 0.5) return (2 * Math.round(scaled / 2)) / f;
  return r / f;
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
    if (!test) throw new TemplateError(`no test named '${name}'`);
    // Keyword arguments go to the test, as Jinja's select passes them.
    const targs = [...rest.slice(1), ...(Object.keys(kw).length ? [{ ...kw, __keywords: true }] : [])];
    check = (x) => {
      if (x instanceof Undefined && name !== 'defined' && name !== 'undefined') throw x.error();
      return truthy(test.call(ctx, x, ...targs));
    };
  }
  return items.filter((x) => check(getter(x)) === keep);
}

export const FILTERS: Record<string, Filter> = {
  default(value, pos, kw) {
    const dflt = arg(pos, kw, 0, 'default_value', '');
    const boolean = truthy(arg(pos, kw, 1, 'boolean', false));
    if (value instanceof Undefined || value === undefined) return dflt;
    if (boolean && !truthy(value)) return dflt;
    return value;
  },
  mandatory(value, pos, kw) {
    if (value instanceof Undefined || value === undefined) {
      const msg = arg(pos, kw, 0, 'msg', null);
      const name = value instanceof Undefined ? value.variable : 'value';
      throw new TemplateError(msg !== null ? pyStr(msg) : `Mandatory variable '${name}' not defined.`);
    }
    return value;
  },
  bool: (v) => ansibleBool(v),
  int: (v, pos, kw) => toInt(v, arg(pos, kw, 0, 'default', 0), Number(arg(pos, kw, 1, 'base', 10))),
  float: (v, pos, kw) => toFloat(v, arg(pos, kw, 0, 'default', 0)),
  string: (v) => pyStr(v),
  lower: (v) => pyStr(v).toLowerCase(),
  upper: (v) => pyStr(v).toUpperCase(),
  capitalize: (v) => {
    const s = pyStr(v);
    return s ? s[0].toUpperCase() + s.slice(1).toLowerCase() : s;
  },
  title: (v) => pyStr(v).replace(/[A-Za-z0-9']+/g, (w) => w[0].toUpperCase() + w.slice(1).toLowerCase()),
  trim: (v, pos, kw) => {
    const chars = arg(pos, kw, 0, 'chars', null);
    const s = pyStr(v);
    if (chars === null) return s.trim();
    const set = new Set(Array.from(String(chars)));
    const a = Array.from(s);
    let i = 0;
    let j = a.length;
    while (i < j && set.has(a[i])) i++;
    while (j > i && set.has(a[j - 1])) j--;
    return a.slice(i, j).join('');
  },
  replace: (v, pos, kw) => {
    const s = pyStr(v);
    const old = pyStr(need(arg(pos, kw, 0, 'old')));
    const neu = pyStr(need(arg(pos, kw, 1, 'new')));
    const count = arg(pos, kw, 2, 'count', null);
    const parts = s.split(old);
    if (count === null || Number(count) < 0) return parts.join(neu);
    const n = Number(count);
    return parts.slice(0, n + 1).join(neu) + (parts.length > n + 1 ? old + parts.slice(n + 1).join(old) : '');
  },
  regex_replace: (v, pos, kw) => {
    const s = pyStr(v);
    const pattern = pyStr(arg(pos, kw, 0, 'pattern', ''));
    const replacement = pyStr(arg(pos, kw, 1, 'replacement', ''));
    const o = regexOpts(pos, kw, 2);
    const count = Number(arg(pos, kw, 4, 'count', 0));
    const re = pyRegex(pattern, o, true);
    let done = 0;
    return s.replace(re, (...m: unknown[]) => {
      if (count > 0 && done >= count) return m[0] as string;
      done++;
      const hasGroups = typeof m[m.length - 1] === 'object' && m[m.length - 1] !== null;
      const groups = hasGroups ? (m[m.length - 1] as Record<string, string | undefined>) : undefined;
      const match = m.slice(0, hasGroups ? -3 : -2) as string[];
      return expandReplacement(replacement, match, groups);
    });
  },
  regex_search: (v, pos, kw) => {
    const s = pyStr(v);
    const pattern = pyStr(need(pos[0]));
    const re = pyRegex(pattern, { ignorecase: truthy(kw.ignorecase ?? false), multiline: truthy(kw.multiline ?? false) });
    const m = re.exec(s);
    const refs = pos.slice(1);
    if (!m) return refs.length ? '' : null;
    if (refs.length === 0) return m[0];
    return refs.map((r) => {
      const ref = pyStr(r);
      const named = /^\\g<(\w+)>$/.exec(ref);
      if (named) return /^\d+$/.test(named[1]) ? (m[Number(named[1])] ?? null) : (m.groups?.[named[1]] ?? null);
      const num = /^\\(\d+)$/.exec(ref);
      if (num) return m[Number(num[1])] ?? null;
      throw new TemplateError(`Unknown argument ${pyRepr(ref)} to regex_search, expected '\\1' or '\\g<name>'`);
    });
  },
  regex_findall: (v, pos, kw) => {
    const s = pyStr(v);
    const re = pyRegex(pyStr(need(arg(pos, kw, 0, 'regex'))), { multiline: truthy(arg(pos, kw, 1, 'multiline', false)), ignorecase: truthy(arg(pos, kw, 2, 'ignorecase', false)) }, true);
    const out: unknown[] = [];
    for (const m of s.matchAll(re)) {
      if (m.length === 1) out.push(m[0]);
      else if (m.length === 2) out.push(m[1] ?? '');
      else out.push(m.slice(1).map((g) => g ?? ''));
    }
    return out;
  },
  regex_escape: (v, pos, kw) => {
    const type = arg(pos, kw, 0, 're_type', 'python');
    const s = pyStr(v);
    if (type === 'posix_basic') return s.replace(/[.*[\]^$\\]/g, '\\$&');
    // Python's re.escape escapes every character outside [A-Za-z0-9_].
    return s.replace(/[^A-Za-z0-9_]/g, (c) => '\\' + c);
  },
  join: (v, pos, kw) => {
    const sep = pyStr(arg(pos, kw, 0, 'd', ''));
    const attribute = arg(pos, kw, 1, 'attribute', null);
    let items = toList(v);
    if (attribute !== null) items = items.map(attrGetter(attribute));
    return items.map((x) => pyStr(need(x))).join(sep);
  },
  split: (v, pos, kw) => {
    const s = pyStr(v);
    const sep = arg(pos, kw, 0, 'seperator', arg([], kw, 0, 'separator', null));
    const max = Number(arg(pos, kw, 1, 'maxsplit', -1));
    return (memberLookup(s, 'split') as (...a: unknown[]) => unknown)(sep, max);
  },
  list: (v) => [...toList(v)],
  unique: (v, pos, kw) => uniqueList(toList(v), truthy(arg(pos, kw, 0, 'case_sensitive', true))),
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
  dictsort: (v, pos, kw) => {
    const d = need(v) as Dict;
    const caseSensitive = truthy(arg(pos, kw, 0, 'case_sensitive', false));
    const by = arg(pos, kw, 1, 'by', 'key');
    const reverse = truthy(arg(pos, kw, 2, 'reverse', false));
    const idx = by === 'value' ? 1 : 0;
    const items = Object.keys(d).map((k) => [k, d[k]]);
    items.sort((a, b) => pyCompare(sortKey(a[idx], caseSensitive), sortKey(b[idx], caseSensitive)));
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
  dict2items: (v, pos, kw) => {
    if (!isDict(v)) throw new TemplateError(`dict2items requires a dictionary, got ${typeName(v)} instead.`);
    const k = String(arg(pos, kw, 0, 'key_name', 'key'));
    const val = String(arg(pos, kw, 1, 'value_name', 'value'));
    return Object.keys(v).map((key) => ({ [k]: key, [val]: v[key] }));
  },
  items2dict: (v, pos, kw) => {
    const k = String(arg(pos, kw, 0, 'key_name', 'key'));
    const val = String(arg(pos, kw, 1, 'value_name', 'value'));
    const out: Dict = {};
    for (const item of toList(v)) {
      if (!isDict(item)) throw new TemplateError(`items2dict requires a list of dictionaries, got ${typeName(item)}`);
      if (!(k in item) || !(val in item)) throw new TemplateError(`items2dict: each item needs '${k}' and '${val}' keys`);
      out[pyStr(item[k])] = item[val];
    }
    return out;
  },
  combine: (v, pos, kw) => combine([v, ...pos], truthy(kw.recursive ?? false), String(kw.list_merge ?? 'replace')),
  to_json: (v, _pos, kw) =>
    pyJsonDumps(v, {
      indent: kw.indent === undefined || kw.indent === null ? undefined : Number(kw.indent),
      sortKeys: truthy(kw.sort_keys ?? false),
      ensureAscii: truthy(kw.ensure_ascii ?? true),
    }),
  to_nice_json: (v, pos, kw) =>
    pyJsonDumps(v, { indent: Number(arg(pos, kw, 0, 'indent', 4)), sortKeys: truthy(arg(pos, kw, 1, 'sort_keys', true)), ensureAscii: truthy(kw.ensure_ascii ?? true) }),
  from_json: (v) => {
    try {
      return JSON.parse(pyStr(v));
    } catch (e) {
      throw new TemplateError(`from_json: ${(e as Error).message}`);
    }
  },
  to_yaml: (v, _pos, kw) => toYaml(v, { nice: false, indent: kw.indent === undefined ? undefined : Number(kw.indent), sortKeys: kw.sort_keys === undefined ? true : truthy(kw.sort_keys) }),
  to_nice_yaml: (v, pos, kw) => toYaml(v, { nice: true, indent: Number(arg(pos, kw, 0, 'indent', 4)), sortKeys: kw.sort_keys === undefined ? true : truthy(kw.sort_keys) }),
  from_yaml: (v) => (typeof v === 'string' ? fromYaml(v) : v),
  from_yaml_all: (v) => {
    const text = pyStr(v);
    return text.split(/^---\s*$/m).filter((d) => d.trim() !== '').map(fromYaml);
  },
  b64encode: (v, pos, kw) => Buffer.from(pyStr(v), String(arg(pos, kw, 0, 'encoding', 'utf-8')).toLowerCase().replace('-', '') === 'utf16' ? 'utf16le' : 'utf8').toString('base64'),
  b64decode: (v) => Buffer.from(pyStr(v), 'base64').toString('utf8'),
  basename: (v) => path.posix.basename(pyStr(v)) === '' || pyStr(v).endsWith('/') ? '' : path.posix.basename(pyStr(v)),
  dirname: (v) => {
    const s = pyStr(v);
    const i = s.lastIndexOf('/');
    if (i < 0) return '';
    const head = s.slice(0, i + 1);
    return /^\/+$/.test(head) ? head : head.replace(/\/+$/, '');
  },
  expanduser: (v) => {
    const s = pyStr(v);
    if (s === '~' || s.startsWith('~/')) return os.homedir() + s.slice(1);
    return s;
  },
  realpath: (v) => {
    const s = pyStr(v);
    try {
      return realpathSync(s);
    } catch {
      return path.resolve(s);
    }
  },
  relpath: (v, pos) => path.relative(pyStr(pos[0]), pyStr(v)),
  splitext: (v) => {
    const s = pyStr(v);
    const ext = path.posix.extname(s);
    return [s.slice(0, s.length - ext.length), ext];
  },
  quote: (v) => quote(pyStr(v === null ? '' : v)),
  ternary: (v, pos, kw) => {
    const t = arg(pos, kw, 0, 'true_val');
    const f = arg(pos, kw, 1, 'false_val');
    const n = arg(pos, kw, 2, 'none_val', null);
    if (v === null && n !== null) return n;
    return truthy(v) ? t : f;
  },
  hash: (v, pos, kw) => hashOf(String(arg(pos, kw, 0, 'hashtype', 'sha1')), v),
  md5: (v) => hashOf('md5', v),
  sha1: (v) => hashOf('sha1', v),
  checksum: (v) => hashOf('sha1', v),
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
  random: (v, pos, kw) => {
    const start = Number(arg(pos, kw, 0, 'start', 0));
    const step = Number(arg(pos, kw, 1, 'step', 1));
    if (typeof v === 'number') {
      const count = Math.ceil((v - start) / step);
      return start + Math.floor(Math.random() * count) * step;
    }
    const items = toList(v);
    return items[Math.floor(Math.random() * items.length)];
  },
  shuffle: (v) => {
    const items = [...toList(v)];
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  },
  abs: (v) => Math.abs(Number(need(v))),
  round: (v, pos, kw) => {
    const precision = Number(arg(pos, kw, 0, 'precision', 0));
    const method = String(arg(pos, kw, 1, 'method', 'common'));
    const x = Number(need(v));
    const f = 10 ** precision;
    if (method === 'ceil') return Math.ceil(x * f) / f;
    if (method === 'floor') return Math.floor(x * f) / f;
    if (method !== 'common') throw new TemplateError('method must be common, ceil or floor');
    return roundHalfEven(x, precision);
  },
  format: (v, pos, kw) => percentFormat(pyStr(v), Object.keys(kw).length ? kw : pos),
  indent: (v, pos, kw) => {
    const width = arg(pos, kw, 0, 'width', 4);
    const first = truthy(arg(pos, kw, 1, 'first', false));
    const blank = truthy(arg(pos, kw, 2, 'blank', false));
    const pad = typeof width === 'string' ? width : ' '.repeat(Number(width));
    const lines = pyStr(v).split('\n');
    return lines.map((l, i) => ((i === 0 && !first) || (!blank && l === '') ? l : pad + l)).join('\n');
  },
  center: (v, pos) => {
    const s = pyStr(v);
    const w = Number(pos[0] ?? 80);
    const total = Math.max(0, w - s.length);
    const left = Math.floor(total / 2);
    return ' '.repeat(left) + s + ' '.repeat(total - left);
  },
  wordcount: (v) => (pyStr(v).match(/\w+/g) ?? []).length,
  comment: (v, pos, kw) => {
    const style = String(arg(pos, kw, 0, 'style', 'plain'));
    const prefix = style === 'c' || style === 'cblock' ? '// ' : style === 'erlang' ? '% ' : style === 'xml' ? '' : '# ';
    const body = pyStr(v)
      .split('\n')
      .map((l) => (prefix + l).trimEnd())
      .join('\n');
    if (style === 'xml') return '<!--\n' + pyStr(v).split('\n').map((l) => ' - ' + l).join('\n') + '\n-->';
    if (style === 'cblock') return '/*\n' + pyStr(v).split('\n').map((l) => ' * ' + l).join('\n') + '\n */';
    return `${prefix.trim()}\n${body}\n${prefix.trim()}`;
  },
  type_debug: (v) => typeName(v),
  dict: (v) => Object.fromEntries(toList(v).map((pair) => [pyStr((pair as unknown[])[0]), (pair as unknown[])[1]])),
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
  urlencode: (v) => {
    if (isDict(v)) return Object.entries(v).map(([k, x]) => encodeURIComponent(k) + '=' + encodeURIComponent(pyStr(x))).join('&');
    return encodeURIComponent(pyStr(v)).replace(/%2F/g, '/');
  },
  urlsplit: (v, pos) => {
    const u = new URL(pyStr(v));
    const parts: Dict = {
      scheme: u.protocol.replace(/:$/, ''),
      netloc: u.host,
      path: u.pathname,
      query: u.search.replace(/^\?/, ''),
      fragment: u.hash.replace(/^#/, ''),
      hostname: u.hostname,
      port: u.port ? Number(u.port) : null,
      username: u.username || null,
      password: u.password || null,
    };
    return pos.length ? parts[String(pos[0])] : parts;
  },
  extract: (v, pos) => {
    let cur = memberLookup(pos[0], v);
    if (pos.length > 1) {
      const morekeys = Array.isArray(pos[1]) ? pos[1] : [pos[1]];
      for (const k of morekeys) cur = memberLookup(cur, k);
    }
    return cur;
  },
  product: (v, pos) => {
    const lists = [toList(v), ...pos.map(toList)];
    return lists.reduce<unknown[][]>((acc, list) => acc.flatMap((prefix) => list.map((x) => [...prefix, x])), [[]]);
  },
  subelements: (v, pos, kw) => {
    const key = String(pos[0]);
    const skipMissing = truthy(arg(pos, kw, 1, 'skip_missing', false));
    const out: unknown[] = [];
    for (const item of toList(v)) {
      const sub = attrGetter(key)(item);
      if (sub instanceof Undefined) {
        if (skipMissing) continue;
        throw new TemplateError(`could not find '${key}' key in iterated item`);
      }
      for (const s of toList(sub)) out.push([item, s]);
    }
    return out;
  },
  to_datetime: (v) => new Date(pyStr(v).replace(' ', 'T')),
  strftime: (v) => pyStr(v),
  human_readable: (v) => {
    let n = Number(need(v));
    const units = ['Bytes', 'KB', 'MB', 'GB', 'TB', 'PB'];
    let i = 0;
    while (Math.abs(n) >= 1024 && i < units.length - 1) {
      n /= 1024;
      i++;
    }
    return `${n.toFixed(2)} ${units[i]}`;
  },
  safe: (v) => v,
  escape: (v) => pyStr(v).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;'),
  pprint: (v) => pyRepr(v),
};

FILTERS.d = FILTERS.default;
FILTERS.count = FILTERS.length;
FILTERS.e = FILTERS.escape;

/** Filters that must receive an Undefined rather than fail on it. */
const UNDEFINED_AWARE = new Set(['default', 'd', 'mandatory']);

/** Registers the filters on a nunjucks environment, replacing nunjucks's JS-semantics builtins. */
export function installFilters(env: { addFilter(name: string, fn: (...a: unknown[]) => unknown): void; filters: Record<string, unknown> } & FilterEnv, extra: Record<string, Filter> = {}): void {
  const all = { ...FILTERS, ...extra };
  for (const [name, fn] of Object.entries(all)) {
    env.addFilter(name, function (this: unknown, value: unknown, ...rest: unknown[]) {
      if (value instanceof Undefined && !UNDEFINED_AWARE.has(name)) throw value.error();
      for (const a of rest) if (a instanceof Undefined) throw a.error();
      const { pos, kw } = splitKwargs(rest);
      return fn.call({ env }, value, pos, kw);
    });
  }
  // Leftover nunjucks builtins follow JS semantics; drop those Jinja2 lacks or we don't vouch for.
  for (const name of Object.keys(env.filters)) if (!(name in all)) delete env.filters[name];
}
