// Python/Jinja2 value semantics on JS values. Playbooks are written against Python:
// `[] or x` picks x, `[1] + [2]` concatenates, `'-' * 3` repeats, `1 == '1'` is false,
// and `{{ [1, 'a'] }}` prints as `[1, 'a']`. Dicts are plain objects, lists arrays,
// None is null.
import { TemplateError } from './errors.js';
import { PyDatetime, PyTimedelta } from './datetime.js';
import { Undefined, need } from './undefined.js';

export type Dict = Record<string, unknown>;

export function isDict(v: unknown): v is Dict {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Undefined) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export function typeName(v: unknown): string {
  if (v === null) return 'NoneType';
  if (v instanceof Undefined) return 'AnsibleUndefined';
  if (Array.isArray(v)) return 'list';
  if (isDict(v)) return 'dict';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string' || v instanceof String) return 'str';
  if (v instanceof PyDatetime) return 'datetime';
  if (v instanceof PyTimedelta) return 'timedelta';
  return typeof v;
}

export function truthy(v: unknown): boolean {
  if (v instanceof Undefined) throw v.error();
  if (v === null || v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isDict(v)) return Object.keys(v).length > 0;
  return true;
}

function reprString(s: string): string {
  const quoteChar = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quoteChar) out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0');
    else out += ch;
  }
  return quoteChar + out + quoteChar;
}

function numberStr(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  return String(n);
}

export function pyRepr(v: unknown): string {
  if (v instanceof Undefined) return undefinedRepr(v);
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return numberStr(v);
  if (typeof v === 'string') return reprString(v);
  if (v instanceof String) return reprString(v.valueOf());
  if (Array.isArray(v)) return '[' + v.map(pyRepr).join(', ') + ']';
  if (isDict(v))
    return (
      '{' +
      Object.entries(v)
        .map(([k, val]) => reprString(k) + ': ' + pyRepr(val))
        .join(', ') +
      '}'
    );
  return String(v);
}

/** Python's str(): what `{{ }}` and `~` print. */
/** AnsibleUndefined.__repr__, which `'%r' % x` prints rather than failing. */
function undefinedRepr(u: Undefined): string {
  const o = u.origin;
  const hint = o ? 'None' : reprString(u.hint);
  const obj = o && 'obj' in o ? pyRepr(o.obj) : 'missing';
  return `AnsibleUndefined(hint=${hint}, obj=${obj}, name=${o ? pyRepr(o.name) : 'None'})`;
}

export function pyStr(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof String) return v.valueOf();
  if (v instanceof Undefined) throw v.error();
  return pyRepr(v);
}

export function pyEq(a: unknown, b: unknown): boolean {
  if (a instanceof Undefined) throw a.error();
  if (b instanceof Undefined) throw b.error();
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  // unsafe text (a String object) equals its plain text
  if (a instanceof String) a = a.valueOf();
  if (b instanceof String) b = b.valueOf();
  if (a === b) return true;
  // bool is an int in Python: True == 1.
  if ((typeof a === 'number' || typeof a === 'boolean') && (typeof b === 'number' || typeof b === 'boolean'))
    return Number(a) === Number(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => pyEq(x, b[i]));
  if (isDict(a) && isDict(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && pyEq(a[k], b[k]));
  }
  if (a instanceof PyDatetime && b instanceof PyDatetime) return a.micros === b.micros;
  if (a instanceof PyTimedelta && b instanceof PyTimedelta) return a.totalMicros === b.totalMicros;
  return false;
}

/** Python ordering (<, >): numbers with numbers, strings with strings, lists element-wise. */
export function pyCompare(a: unknown, b: unknown): number {
  need(a);
  need(b);
  const numA = typeof a === 'number' || typeof a === 'boolean';
  const numB = typeof b === 'number' || typeof b === 'boolean';
  if (numA && numB) return Number(a) < Number(b) ? -1 : Number(a) > Number(b) ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (a instanceof PyDatetime && b instanceof PyDatetime) return Math.sign(a.micros - b.micros);
  if (a instanceof PyTimedelta && b instanceof PyTimedelta) return Math.sign(a.totalMicros - b.totalMicros);
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (!pyEq(a[i], b[i])) return pyCompare(a[i], b[i]);
    }
    return a.length - b.length === 0 ? 0 : a.length < b.length ? -1 : 1;
  }
  throw new TemplateError(`'<' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`);
}

export function compareOp(op: string, a: unknown, b: unknown): boolean {
  switch (op) {
    case '==':
    case '===':
      return pyEq(a, b);
    case '!=':
    case '!==':
      return !pyEq(a, b);
    case '<':
      return pyCompare(a, b) < 0;
    case '<=':
      return pyCompare(a, b) <= 0;
    case '>':
      return pyCompare(a, b) > 0;
    case '>=':
      return pyCompare(a, b) >= 0;
  }
  throw new TemplateError(`unknown comparison operator ${op}`);
}

export function pyIn(item: unknown, container: unknown): boolean {
  need(item);
  need(container);
  if (typeof container === 'string') {
    if (typeof item !== 'string') throw new TemplateError(`'in <string>' requires string as left operand, not ${typeName(item)}`);
    return container.includes(item);
  }
  if (Array.isArray(container)) return container.some((x) => pyEq(x, item));
  if (isDict(container)) return typeof item === 'string' || typeof item === 'number' ? Object.prototype.hasOwnProperty.call(container, String(item)) || String(item) in container : false;
  throw new TemplateError(`argument of type '${typeName(container)}' is not iterable`);
}

function isNum(v: unknown): v is number | boolean {
  return typeof v === 'number' || typeof v === 'boolean';
}

function unsupported(op: string, a: unknown, b: unknown): never {
  throw new TemplateError(`unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`);
}

function repeat(seq: string | unknown[], times: number): string | unknown[] {
  const n = Math.max(0, Math.trunc(times));
  if (typeof seq === 'string') return seq.repeat(n);
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) out.push(...seq);
  return out;
}

export function binOp(op: string, a: unknown, b: unknown): unknown {
  need(a);
  // `'%r' % x` prints an undefined x; percentFormat refuses it for every other conversion
  if (!(op === '%' && typeof a === 'string')) need(b);
  switch (op) {
    case '+':
      if (isNum(a) && isNum(b)) return Number(a) + Number(b);
      if (typeof a === 'string' && typeof b === 'string') return a + b;
      if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
      return unsupported(op, a, b);
    case '-':
      if (isNum(a) && isNum(b)) return Number(a) - Number(b);
      if (a instanceof PyDatetime && b instanceof PyDatetime) return new PyTimedelta(a.micros - b.micros);
      return unsupported(op, a, b);
    case '*':
      if (isNum(a) && isNum(b)) return Number(a) * Number(b);
      if ((typeof a === 'string' || Array.isArray(a)) && isNum(b)) return repeat(a, Number(b));
      if ((typeof b === 'string' || Array.isArray(b)) && isNum(a)) return repeat(b, Number(a));
      return unsupported(op, a, b);
    case '/':
      if (isNum(a) && isNum(b)) {
        if (Number(b) === 0) throw new TemplateError('division by zero');
        return Number(a) / Number(b);
      }
      return unsupported(op, a, b);
    case '//':
      if (isNum(a) && isNum(b)) {
        if (Number(b) === 0) throw new TemplateError('integer division or modulo by zero');
        return Math.floor(Number(a) / Number(b));
      }
      return unsupported(op, a, b);
    case '%':
      if (typeof a === 'string') return percentFormat(a, b);
      if (isNum(a) && isNum(b)) {
        if (Number(b) === 0) throw new TemplateError('integer division or modulo by zero');
        const r = Number(a) % Number(b);
        // Python's result takes the sign of the divisor.
        return r !== 0 && r < 0 !== Number(b) < 0 ? r + Number(b) : r;
      }
      return unsupported(op, a, b);
    case '**':
      if (isNum(a) && isNum(b)) return Number(a) ** Number(b);
      return unsupported(op, a, b);
    case '~':
      return pyStr(a) + pyStr(b);
  }
  throw new TemplateError(`unknown operator ${op}`);
}

/** printf-style `'%s-%d' % (a, b)`, enough for playbooks: s r d i f x o e g c %. */
export function percentFormat(fmt: string, args: unknown): string {
  const list = Array.isArray(args) ? args : [args];
  const named = isDict(args) ? args : undefined;
  let i = 0;
  const out = fmt.replace(/%(\((\w+)\))?([-+ 0#]*)(\d+|\*)?(?:\.(\d+))?([sridfFxXoeEgGc%])/g, (_m, _n, key, flags: string, width, prec, conv: string) => {
    if (conv === '%') return '%';
    let v: unknown = key !== undefined && named ? named[key] : list[i++];
    if (i > list.length && key === undefined) throw new TemplateError('not enough arguments for format string');
    if (conv !== 'r') v = need(v);
    let s: string;
    switch (conv) {
      case 's':
        s = pyStr(v);
        break;
      case 'r':
        s = pyRepr(v);
        break;
      case 'd':
      case 'i':
        s = String(Math.trunc(Number(v)));
        break;
      case 'f':
      case 'F':
        s = Number(v).toFixed(prec === undefined ? 6 : Number(prec));
        break;
      case 'e':
      case 'E':
        s = Number(v).toExponential(prec === undefined ? 6 : Number(prec));
        s = s.replace(/e([+-])(\d)$/, 'e$10$2');
        if (conv === 'E') s = s.toUpperCase();
        break;
      case 'g':
      case 'G':
        s = String(Number(Number(v).toPrecision(prec === undefined ? 6 : Number(prec) || 1)));
        break;
      case 'x':
        s = Math.trunc(Number(v)).toString(16);
        break;
      case 'X':
        s = Math.trunc(Number(v)).toString(16).toUpperCase();
        break;
      case 'o':
        s = Math.trunc(Number(v)).toString(8);
        break;
      case 'c':
        s = typeof v === 'number' ? String.fromCodePoint(v) : pyStr(v);
        break;
      default:
        s = pyStr(v);
    }
    if (prec !== undefined && (conv === 's' || conv === 'r')) s = s.slice(0, Number(prec));
    if (flags.includes('+') && /[dfieEgG]/.test(conv) && Number(v) >= 0) s = '+' + s;
    const w = width === undefined || width === '*' ? 0 : Number(width);
    if (s.length < w) {
      if (flags.includes('-')) s = s.padEnd(w);
      else if (flags.includes('0') && conv !== 's') s = s.startsWith('-') || s.startsWith('+') ? s[0] + s.slice(1).padStart(w - 1, '0') : s.padStart(w, '0');
      else s = s.padStart(w);
    }
    return s;
  });
  if (!named && i < list.length && Array.isArray(args)) throw new TemplateError('not all arguments converted during string formatting');
  return out;
}

/** Python's slice semantics: x[a:b:c] with negative and missing bounds. */
export function pySlice(seq: unknown, start: unknown, stop: unknown, step: unknown): unknown {
  need(seq);
  const st = step === null || step === undefined ? 1 : Number(need(step));
  if (st === 0) throw new TemplateError('slice step cannot be zero');
  const items: unknown[] = typeof seq === 'string' ? Array.from(seq) : Array.isArray(seq) ? seq : null!;
  if (!items) throw new TemplateError(`'${typeName(seq)}' object is not subscriptable`);
  const len = items.length;
  const norm = (v: unknown, dflt: number, lo: number, hi: number): number => {
    if (v === null || v === undefined) return dflt;
    let n = Math.trunc(Number(need(v)));
    if (n < 0) n += len;
    return Math.min(Math.max(n, lo), hi);
  };
  const out: unknown[] = [];
  if (st > 0) {
    const a = norm(start, 0, 0, len);
    const b = norm(stop, len, 0, len);
    for (let i = a; i < b; i += st) out.push(items[i]);
  } else {
    const a = norm(start, len - 1, -1, len - 1);
    const b = norm(stop, -1, -1, len - 1);
    for (let i = a; i > b; i += st) out.push(items[i]);
  }
  return typeof seq === 'string' ? out.join('') : out;
}
