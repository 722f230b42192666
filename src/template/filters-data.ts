// Dict and serialized-data filters: dictsort, dict2items/items2dict, combine, extract,
// to_/from_ JSON and YAML. Separate because they build or read whole data structures.
import { TemplateError } from './errors.js';
import { memberLookup } from './methods.js';
import { isDict, pyCompare, pyRepr, pyStr, truthy, typeName, type Dict } from './python.js';
import { fromYaml, fromYamlAll, pyJsonDumps, toYaml } from './serialize.js';
import { mergeHash } from './merge-hash.js';
import { assertFullyDefined, need } from './undefined.js';
import { arg, contains, sortKey, toList, type Filter } from './filter-support.js';

/** Jinja's null spellings that Ansible's flatten (and so combine) skips. */
const isNull = (v: unknown): boolean => v === null || v === undefined || v === 'None' || v === 'null';

/** Ansible's combine: its terms flattened one level, merged right to left (the last wins). */
function combine(terms: unknown[], kw: Dict): unknown {
  const { recursive = false, list_merge: listMerge = 'replace', ...rest } = kw;
  if (Object.keys(rest).length) throw new TemplateError("'recursive' and 'list_merge' are the only valid keyword arguments");
  const dicts: unknown[] = [];
  for (const t of terms) {
    if (isNull(t)) continue;
    if (Array.isArray(t)) dicts.push(...t.filter((x) => !isNull(x)));
    else dicts.push(t);
  }
  assertFullyDefined(dicts);
  if (dicts.length === 0) return {};
  let result = dicts[dicts.length - 1];
  for (let i = dicts.length - 2; i >= 0; i--) result = mergeHash(dicts[i], result, truthy(recursive), pyStr(listMerge));
  return result;
}

export const DATA_FILTERS: Record<string, Filter> = {
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
    if (!Array.isArray(v)) throw new TemplateError(`items2dict requires a list, got <class '${typeName(v)}'> instead.`);
    for (const item of v) {
      if (!isDict(item)) throw new TemplateError(`items2dict requires a list of dictionaries, got ${pyRepr(v)} instead.`);
      if (!(k in item) || !(val in item)) throw new TemplateError(`items2dict requires each dictionary in the list to contain the keys '${k}' and '${val}', got ${pyRepr(v)} instead.`);
      out[pyStr(item[k])] = item[val];
    }
    return out;
  },
  combine: (v, pos, kw) => combine([v, ...pos], kw),
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
  from_yaml_all: (v) => (typeof v === 'string' ? fromYamlAll(v) : v),
  dict: (v) => Object.fromEntries(toList(v).map((pair) => [pyStr((pair as unknown[])[0]), (pair as unknown[])[1]])),
  extract: (v, pos) => {
    let cur = memberLookup(pos[0], v);
    if (pos.length > 1) {
      const morekeys = Array.isArray(pos[1]) ? pos[1] : [pos[1]];
      for (const k of morekeys) cur = memberLookup(cur, k);
    }
    return cur;
  },
};
