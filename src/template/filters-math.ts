// Ansible's mathstuff filters that are not set operations: log/pow/root,
// permutations/combinations, human_to_bytes and rekey_on_member.
import { TemplateError } from './errors.js';
import { isDict, pyStr, typeName, type Dict } from './python.js';
import { arg, toList, type Filter } from './filter-support.js';
import { truthy } from './python.js';

function num(v: unknown, filter: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return Number(v);
  throw new TemplateError(`${filter}() can only be used on numbers: must be real number, not ${typeName(v)}`);
}

function permutations(items: unknown[], r: number): unknown[][] {
  if (r > items.length || r < 0) return [];
  if (r === 0) return [[]];
  // itertools order: by position in the input, each position used once
  return items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)], r - 1).map((rest) => [x, ...rest]));
}

function combinations(items: unknown[], r: number): unknown[][] {
  if (r > items.length || r < 0) return [];
  if (r === 0) return [[]];
  return items.flatMap((x, i) => combinations(items.slice(i + 1), r - 1).map((rest) => [x, ...rest]));
}

const SIZE_RANGES: Record<string, number> = { Y: 2 ** 80, Z: 2 ** 70, E: 2 ** 60, P: 2 ** 50, T: 2 ** 40, G: 2 ** 30, M: 2 ** 20, K: 2 ** 10, B: 1 };

/** Ansible's formatters.human_to_bytes ('2K' is 2048; bits when isbits). */
export function humanToBytes(value: unknown, defaultUnit: unknown, isbits: boolean): number {
  const text = pyStr(value);
  const fail = (): never => {
    throw new TemplateError(`human_to_bytes() can't interpret following string: ${text}`);
  };
  const m = /^\s*(\d*\.?\d*)\s*([A-Za-z]+)?/.exec(text);
  if (!m || m[1] === '' || m[1] === '.') return fail();
  const n = Number(m[1]);
  const unit = m[2] ?? (defaultUnit === null || defaultUnit === undefined ? undefined : pyStr(defaultUnit));
  if (unit === undefined) return pyRound(n);
  const limit = SIZE_RANGES[unit[0].toUpperCase()];
  if (limit === undefined) return fail();
  const unitClass = isbits ? 'b' : 'B';
  if (unit.length > 1 && !unit.toLowerCase().includes(isbits ? 'bit' : 'byte') && unit[1] !== unitClass) return fail();
  return pyRound(n * limit);
}

/** Python's round(): halves go to the even neighbour. */
function pyRound(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

export const MATH_FILTERS: Record<string, Filter> = {
  log: (v, pos, kw) => {
    const x = num(v, 'log');
    const base = arg(pos, kw, 0, 'base', Math.E);
    if (x <= 0) throw new TemplateError('math domain error');
    return base === 10 ? Math.log10(x) : Math.log(x) / Math.log(num(base, 'log'));
  },
  pow: (v, pos, kw) => Math.pow(num(v, 'pow'), num(arg(pos, kw, 0, 'y'), 'pow')),
  root: (v, pos, kw) => {
    const x = num(v, 'root');
    const base = num(arg(pos, kw, 0, 'base', 2), 'root');
    if (x < 0) throw new TemplateError('root() can only be used on numbers: math domain error');
    return base === 2 ? Math.sqrt(x) : Math.pow(x, 1 / base);
  },
  permutations: (v, pos, kw) => {
    const items = toList(v);
    const r = arg(pos, kw, 0, 'r', null);
    return permutations(items, r === null ? items.length : Number(r));
  },
  combinations: (v, pos, kw) => combinations(toList(v), Number(arg(pos, kw, 0, 'r'))),
  human_to_bytes: (v, pos, kw) => humanToBytes(v, arg(pos, kw, 0, 'default_unit', null), truthy(arg(pos, kw, 1, 'isbits', false))),
  rekey_on_member: (v, pos, kw) => {
    const key = pyStr(arg(pos, kw, 0, 'key'));
    const duplicates = pyStr(arg(pos, kw, 1, 'duplicates', 'error'));
    if (duplicates !== 'error' && duplicates !== 'overwrite') throw new TemplateError(`duplicates parameter to rekey_on_member has unknown value: ${duplicates}`);
    let items: unknown[];
    if (isDict(v)) items = Object.values(v);
    else if (Array.isArray(v)) items = v;
    else throw new TemplateError('Type is not a valid list, set, or dict');
    const out: Dict = {};
    for (const item of items) {
      if (!isDict(item)) throw new TemplateError('List item is not a valid dict');
      if (!(key in item)) throw new TemplateError(`Key ${key} was not found`);
      const k = pyStr(item[key]);
      if (k in out && duplicates === 'error') throw new TemplateError(`Key ${k} is not unique, cannot correctly turn into dict`);
      out[k] = item;
    }
    return out;
  },
};
