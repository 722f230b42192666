// Defaults, type conversion and numbers: default/mandatory, bool/int/float/string,
// ternary, round, human_readable. Separate so Python's coercion rules sit together.
import { TemplateError } from './errors.js';
import { pyRepr, pyStr, truthy, typeName } from './python.js';
import { Undefined, need } from './undefined.js';
import { strftime, strptime } from './datetime.js';
import { arg, type Filter } from './filter-support.js';

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

function roundHalfEven(x: number, precision: number): number {
  const f = 10 ** precision;
  const scaled = x * f;
  const r = Math.round(scaled);
  // Python's round() breaks exact ties toward the even neighbour.
  if (Math.abs(scaled % 1) === 0.5) return (2 * Math.round(scaled / 2)) / f;
  return r / f;
}

const SIZE_RANGES: [string, number][] = [['Y', 2 ** 80], ['Z', 2 ** 70], ['E', 2 ** 60], ['P', 2 ** 50], ['T', 2 ** 40], ['G', 2 ** 30], ['M', 2 ** 20], ['K', 2 ** 10], ['B', 1]];

export const CONVERSION_FILTERS: Record<string, Filter> = {
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
      // Jinja's _undefined_name: the name looked up, none for an undefined made with a hint;
      // Ansible's message has two spaces after a name
      const name = value instanceof Undefined && value.origin ? `'${pyStr(value.origin.name)}' ` : '';
      throw new TemplateError(msg !== null ? pyStr(msg) : `Mandatory variable ${name} not defined.`);
    }
    return value;
  },
  // Ansible's to_bool, stricter than module booleans: None stays None, no 'y'/'t', no trimming.
  bool: (v) => {
    if (v === null || typeof v === 'boolean') return v;
    if (typeof v === 'number') return v === 1;
    return typeof v === 'string' && ['yes', 'on', '1', 'true'].includes(v.toLowerCase());
  },
  int: (v, pos, kw) => toInt(v, arg(pos, kw, 0, 'default', 0), Number(arg(pos, kw, 1, 'base', 10))),
  float: (v, pos, kw) => toFloat(v, arg(pos, kw, 0, 'default', 0)),
  string: (v) => pyStr(v),
  ternary: (v, pos, kw) => {
    const t = arg(pos, kw, 0, 'true_val');
    const f = arg(pos, kw, 1, 'false_val');
    const n = arg(pos, kw, 2, 'none_val', null);
    if (v === null && n !== null) return n;
    return truthy(v) ? t : f;
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
  type_debug: (v) => typeName(v),
  to_datetime: (v, pos, kw) => strptime(pyStr(v), pyStr(arg(pos, kw, 0, 'format', '%Y-%m-%d %H:%M:%S'))),
  strftime: (v, pos, kw) => {
    const second = arg(pos, kw, 0, 'second', null);
    let when = new Date();
    if (second !== null) {
      const n = typeof second === 'number' ? second : typeof second === 'string' && second.trim() !== '' ? Number(second) : NaN;
      if (!Number.isFinite(n)) throw new TemplateError(`Invalid value for epoch value (${pyStr(second)})`);
      when = new Date(n * 1000);
    }
    return strftime(pyStr(v), when, truthy(arg(pos, kw, 1, 'utc', false)));
  },
  // Ansible's formatters.bytes_to_human: the largest unit the size reaches (or `unit`),
  // 'bits' instead of 'Bytes' with isbits; a non-number fails as Python's comparison does.
  human_readable: (v, pos, kw) => {
    const size = need(v);
    const isbits = truthy(arg(pos, kw, 0, 'isbits', false));
    const unit = arg(pos, kw, 1, 'unit', null);
    if (typeof size !== 'number' && typeof size !== 'boolean') {
      throw new TemplateError(`human_readable() failed on bad input: '>=' not supported between instances of '${typeName(size)}' and 'int'`);
    }
    const n = Number(size);
    const base = isbits ? 'bits' : 'Bytes';
    let suffix = 'B';
    let limit = 1;
    for (const [s, l] of SIZE_RANGES) {
      [suffix, limit] = [s, l];
      if ((unit === null || unit === undefined) && n >= l) break;
      if (unit !== null && unit !== undefined && pyStr(unit).toUpperCase() === s) break;
    }
    return `${(n / limit).toFixed(2)} ${limit !== 1 ? suffix + base[0] : base}`;
  },
  safe: (v) => v,
  pprint: (v) => pyRepr(v),
};
