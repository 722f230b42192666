// Ansible's check_type_* conversions (module_utils/common/validation.py) on JavaScript
// values, for role argument specs and validate_argument_spec: each either returns the
// converted value or throws TypeConversionError with Ansible's words.
import { homedir } from 'node:os';
import { VALID_BOOLEANS } from '../boolean.js';
import { parsePythonLiteral } from '../inventory/python-literal.js';
import { pyJsonDumps, pyRepr } from '../output/py-format.js';

export class TypeConversionError extends Error {}

/** Text read from YAML and never templated: Ansible's AnsibleUnicode. */
export class YamlText extends String {}
/** Lists and mappings read from YAML and never templated: AnsibleSequence, AnsibleMapping. */
const yamlCollections = new WeakSet<object>();

/**
 * `rendered` with the parts that templating left as they were in `raw` marked as YAML's,
 * so that messages name Ansible's YAML classes where Ansible would.
 */
export function markYamlOrigin(raw: unknown, rendered: unknown): unknown {
  if (typeof rendered === 'string') return raw === rendered ? new YamlText(rendered) : rendered;
  if (Array.isArray(rendered)) {
    const same = Array.isArray(raw) && raw.length === rendered.length;
    const out = rendered.map((v, i) => markYamlOrigin(same ? raw[i] : undefined, v));
    if (same) yamlCollections.add(out);
    return out;
  }
  if (isDict(rendered) && !(rendered instanceof String)) {
    const same = isDict(raw) && Object.keys(raw).length === Object.keys(rendered).length;
    const out = Object.fromEntries(Object.entries(rendered).map(([k, v]) => [k, markYamlOrigin(same ? raw[k] : undefined, v)]));
    if (same) yamlCollections.add(out);
    return out;
  }
  return rendered;
}

/** A copy whose lists and mappings keep their YAML marks. */
export function copyMarked(v: unknown): unknown {
  if (Array.isArray(v)) {
    const out = v.map(copyMarked);
    if (yamlCollections.has(v)) yamlCollections.add(out);
    return out;
  }
  if (isDict(v)) {
    const out = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copyMarked(x)]));
    if (yamlCollections.has(v)) yamlCollections.add(out);
    return out;
  }
  return v;
}

/** Python's type() of a value as it prints: `<class 'str'>`. */
export function pyClass(v: unknown): string {
  if (v instanceof YamlText) return "<class 'ansible.parsing.yaml.objects.AnsibleUnicode'>";
  if (typeof v === 'object' && v !== null && yamlCollections.has(v)) {
    return `<class 'ansible.parsing.yaml.objects.${Array.isArray(v) ? 'AnsibleSequence' : 'AnsibleMapping'}'>`;
  }
  return `<class '${pyTypeName(v)}'>`;
}

export function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (v instanceof Uint8Array) return 'bytes';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'string' || v instanceof String) return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'object') return 'dict';
  return typeof v;
}

export const isDict = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof String);
const isStr = (v: unknown): v is string | String => typeof v === 'string' || v instanceof String;

/** Python's str(): text as it is, anything else as its repr (True, 1.5, {'a': 1}). */
export function pyText(v: unknown): string {
  if (isStr(v)) return String(v);
  if (typeof v === 'number' && Number.isInteger(v)) return String(v);
  return pyRepr(v);
}

const TRUE_WORDS = new Set(['y', 'yes', 'on', '1', 'true', 't']);
const FALSE_WORDS = new Set(['n', 'no', 'off', '0', 'false', 'f']);

/** boolean(value, strict=True). */
function strictBool(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  const norm = isStr(v) ? String(v).trim().toLowerCase() : v;
  if (typeof norm === 'string' ? TRUE_WORDS.has(norm) : norm === 1) return true;
  if (typeof norm === 'string' ? FALSE_WORDS.has(norm) : norm === 0) return false;
  throw new TypeConversionError(`The value '${pyText(v)}' is not a valid boolean.  Valid booleans include: ${VALID_BOOLEANS}`);
}

/** check_type_dict's key=value form: fields split on commas and spaces outside quotes. */
function kvDict(text: string): Record<string, string> {
  const fields: string[] = [];
  let buf = '';
  let quote: string | undefined;
  let escape = false;
  for (const c of text.trim()) {
    if (escape) {
      buf += c;
      escape = false;
    } else if (c === '\\') escape = true;
    else if (!quote && (c === "'" || c === '"')) quote = c;
    else if (quote && quote === c) quote = undefined;
    else if (!quote && (c === ',' || c === ' ')) {
      if (buf) fields.push(buf);
      buf = '';
    } else buf += c;
  }
  if (buf) fields.push(buf);
  const out: Record<string, string> = {};
  for (const f of fields) {
    const i = f.indexOf('=');
    // Python's dict() of a one-element split fails; Ansible reports the ValueError as it is
    if (i < 0) throw new TypeConversionError(`dictionary update sequence element #${fields.indexOf(f)} has length 1; 2 is required`);
    out[f.slice(0, i)] = f.slice(i + 1);
  }
  return out;
}

const INT_TEXT = /^\s*[-+]?(?:\d(?:_?\d)*)\s*$/;
const FLOAT_TEXT = /^\s*[-+]?(?:(?:\d(?:_?\d)*)?\.?\d(?:_?\d)*(?:[eE][-+]?\d+)?|\d+\.|inf(?:inity)?|nan)\s*$/i;

const UNITS: Record<string, number> = { Y: 80, Z: 70, E: 60, P: 50, T: 40, G: 30, M: 20, K: 10, B: 0 };

/** human_to_bytes for check_type_bytes/bits: a number with an optional unit. */
function humanToBytes(v: unknown, isbits: boolean, what: string): number {
  if (typeof v === 'number') return v;
  const fail = (): never => {
    throw new TypeConversionError(`${pyClass(v)} cannot be converted to a ${what} value`);
  };
  if (!isStr(v)) return fail();
  const m = /^\s*(\d*\.?\d*)\s*([A-Za-z]+)?\s*$/.exec(String(v));
  if (!m || m[1] === '' || m[1] === '.') return fail();
  if (!m[2]) return Math.round(Number(m[1]));
  const shift = UNITS[m[2][0].toUpperCase()];
  if (shift === undefined) return fail();
  const unit = m[2];
  if (unit.length > 1 && !unit.toLowerCase().includes(isbits ? 'bit' : 'byte') && unit[1] !== (isbits ? 'b' : 'B')) return fail();
  return Math.round(Number(m[1]) * 2 ** shift);
}

type Checker = (v: unknown) => unknown;

export const TYPE_CHECKERS: Record<string, Checker> = {
  str: (v) => (isStr(v) ? v : pyText(v)),
  list: (v) => {
    if (Array.isArray(v)) return v;
    if (isStr(v)) return String(v).split(',');
    if (typeof v === 'number') return [pyText(v)];
    throw new TypeConversionError(`${pyClass(v)} cannot be converted to a list`);
  },
  dict: (v) => {
    if (isDict(v)) return v;
    if (isStr(v)) {
      const s = String(v);
      if (s.startsWith('{')) {
        try {
          return JSON.parse(s) as unknown;
        } catch {
          const lit = parsePythonLiteral(s);
          if (!lit.ok) throw new TypeConversionError('unable to evaluate string as dictionary');
          return lit.value;
        }
      }
      if (s.includes('=')) return kvDict(s);
      throw new TypeConversionError('dictionary requested, could not parse JSON or key=value');
    }
    throw new TypeConversionError(`${pyClass(v)} cannot be converted to a dict`);
  },
  bool: (v) => {
    if (typeof v === 'boolean') return v;
    if (isStr(v) || typeof v === 'number') return strictBool(v);
    throw new TypeConversionError(`${pyClass(v)} cannot be converted to a bool`);
  },
  int: (v) => {
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    if (typeof v === 'boolean') return v; // a bool is an int in Python
    if (isStr(v) && INT_TEXT.test(String(v))) return parseInt(String(v).replace(/_/g, ''), 10);
    throw new TypeConversionError(`${pyClass(v)} cannot be converted to an int`);
  },
  float: (v) => {
    if (typeof v === 'number') return v;
    if (isStr(v) && FLOAT_TEXT.test(String(v))) return Number(String(v).replace(/_/g, '').trim().replace(/^([-+]?)inf(inity)?$/i, '$1Infinity'));
    if (typeof v === 'boolean') return v ? 1 : 0;
    throw new TypeConversionError(`${pyClass(v)} cannot be converted to a float`);
  },
  path: (v) => {
    const s = isStr(v) ? String(v) : pyText(v);
    const vars = s.replace(/\$(\w+)|\$\{(\w+)\}/g, (all, a: string | undefined, b: string | undefined) => process.env[(a ?? b)!] ?? all);
    return vars.replace(/^~(?=\/|$)/, homedir());
  },
  raw: (v) => v,
  jsonarg: (v) => {
    if (isStr(v)) return String(v).trim();
    if (Array.isArray(v) || isDict(v)) return pyJsonDumps(v, { sortKeys: false, ensureAscii: true });
    throw new TypeConversionError(`${pyClass(v)} cannot be converted to a json string`);
  },
  bytes: (v) => humanToBytes(v, false, 'Byte'),
  bits: (v) => humanToBytes(v, true, 'Bit'),
};
TYPE_CHECKERS.json = TYPE_CHECKERS.jsonarg;
