// Attribute access as Jinja2 does it on Python objects: dict keys, list indexes and
// the str/list/dict methods that playbooks call (`x.split(',')`, `d.items()`,
// `s.startswith('a')`). Bound per call so nothing on a JS prototype changes.
import { TemplateError } from './errors.js';
import { isDict, pyEq, pyStr, pyRepr, typeName, type Dict } from './python.js';
import { Undefined, need } from './undefined.js';

type Method = (...args: unknown[]) => unknown;

/** Strips the kwargs object nunjucks appends to a call, returning positional args. */
export function splitKwargs(args: unknown[]): { pos: unknown[]; kw: Dict } {
  const last = args[args.length - 1];
  if (last !== null && typeof last === 'object' && Object.prototype.hasOwnProperty.call(last, '__keywords')) {
    const kw: Dict = { ...(last as Dict) };
    delete kw.__keywords;
    return { pos: args.slice(0, -1), kw };
  }
  return { pos: args, kw: {} };
}

function stripChars(s: string, chars: unknown, left: boolean, right: boolean): string {
  if (chars === undefined || chars === null) {
    if (left) s = s.replace(/^\s+/, '');
    if (right) s = s.replace(/\s+$/, '');
    return s;
  }
  const set = new Set(Array.from(String(chars)));
  const arr = Array.from(s);
  let a = 0;
  let b = arr.length;
  if (left) while (a < b && set.has(arr[a])) a++;
  if (right) while (b > a && set.has(arr[b - 1])) b--;
  return arr.slice(a, b).join('');
}

function pySplit(s: string, sep: unknown, maxsplit: unknown, fromRight = false): string[] {
  const max = maxsplit === undefined || maxsplit === null ? -1 : Number(maxsplit);
  if (sep === undefined || sep === null) {
    const words = s.trim() === '' ? [] : s.trim().split(/\s+/);
    if (max < 0 || words.length <= max + 1) return words;
    if (fromRight) {
      const head = s.trimEnd();
      const tail = words.slice(words.length - max);
      const re = new RegExp('^([\\s\\S]*?)\\s+' + tail.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s+') + '$');
      const m = re.exec(head);
      return [m ? m[1].trim() : '', ...tail];
    }
    const out: string[] = [];
    let rest = s.trimStart();
    for (let i = 0; i < max; i++) {
      const m = /^(\S+)\s+/.exec(rest)!;
      out.push(m[1]);
      rest = rest.slice(m[0].length);
    }
    out.push(rest);
    return out;
  }
  const sepStr = String(sep);
  if (sepStr === '') throw new TemplateError('empty separator');
  const parts = s.split(sepStr);
  if (max < 0 || parts.length <= max + 1) return parts;
  if (fromRight) return [parts.slice(0, parts.length - max).join(sepStr), ...parts.slice(parts.length - max)];
  return [...parts.slice(0, max), parts.slice(max).join(sepStr)];
}

function affix(s: string, arg: unknown, test: (s: string, a: string) => boolean): boolean {
  const options = Array.isArray(arg) ? arg : [arg];
  return options.some((a) => test(s, String(need(a))));
}

/** `'{} {name}'.format(a, name=b)` */
function strFormat(fmt: string, pos: unknown[], kw: Dict): string {
  let auto = 0;
  return fmt.replace(/\{\{|\}\}|\{([^{}!:]*)(?:![rs])?(?::([^{}]*))?\}/g, (m, field: string | undefined, spec: string | undefined) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    const key = field ?? '';
    const v = key === '' ? pos[auto++] : /^\d+$/.test(key) ? pos[Number(key)] : kw[key];
    let s = pyStr(need(v));
    if (spec) {
      const fm = /^(\d+)?(?:\.(\d+))?f$/.exec(spec);
      if (fm) s = Number(v).toFixed(fm[2] ? Number(fm[2]) : 6);
      const wm = /^([<>^])?(\d+)$/.exec(spec);
      if (wm) s = wm[1] === '>' ? s.padStart(Number(wm[2])) : s.padEnd(Number(wm[2]));
    }
    return s;
  });
}

function stringMethod(s: string, name: string): Method | undefined {
  switch (name) {
    case 'split':
      return (...a) => {
        const { pos, kw } = splitKwargs(a);
        return pySplit(s, pos[0] ?? kw.sep, pos[1] ?? kw.maxsplit);
      };
    case 'rsplit':
      return (...a) => {
        const { pos, kw } = splitKwargs(a);
        return pySplit(s, pos[0] ?? kw.sep, pos[1] ?? kw.maxsplit, true);
      };
    case 'splitlines':
      return () => (s === '' ? [] : s.replace(/\r\n|\r|\n$/, (m) => (m === '\r\n' || m === '\r' ? '\n' : '')).split(/\n/));
    case 'strip':
      return (c) => stripChars(s, c, true, true);
    case 'lstrip':
      return (c) => stripChars(s, c, true, false);
    case 'rstrip':
      return (c) => stripChars(s, c, false, true);
    case 'startswith':
      return (p) => affix(s, p, (x, y) => x.startsWith(y));
    case 'endswith':
      return (p) => affix(s, p, (x, y) => x.endsWith(y));
    case 'upper':
      return () => s.toUpperCase();
    case 'lower':
      return () => s.toLowerCase();
    case 'title':
      return () => s.replace(/[A-Za-z]+/g, (w) => w[0].toUpperCase() + w.slice(1).toLowerCase());
    case 'capitalize':
      return () => (s ? s[0].toUpperCase() + s.slice(1).toLowerCase() : s);
    case 'swapcase':
      return () => Array.from(s, (c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
    case 'replace':
      return (old, neu, count) => {
        const parts = s.split(String(need(old)));
        const n = count === undefined || Number(count) < 0 ? parts.length : Number(count) + 1;
        return parts.slice(0, n).join(String(need(neu))) + (n < parts.length ? String(old) + parts.slice(n).join(String(old)) : '');
      };
    case 'join':
      return (items) => Array.from(need(items) as Iterable<unknown>, (x) => pyStr(x)).join(s);
    case 'find':
      return (sub) => s.indexOf(String(need(sub)));
    case 'rfind':
      return (sub) => s.lastIndexOf(String(need(sub)));
    case 'index':
      return (sub) => {
        const i = s.indexOf(String(need(sub)));
        if (i < 0) throw new TemplateError('substring not found');
        return i;
      };
    case 'count':
      return (sub) => (String(sub) === '' ? s.length + 1 : s.split(String(need(sub))).length - 1);
    case 'format':
      return (...a) => {
        const { pos, kw } = splitKwargs(a);
        return strFormat(s, pos, kw);
      };
    case 'isdigit':
      return () => /^\d+$/.test(s);
    case 'isalpha':
      return () => /^[A-Za-z]+$/.test(s);
    case 'isalnum':
      return () => /^[A-Za-z0-9]+$/.test(s);
    case 'isspace':
      return () => /^\s+$/.test(s);
    case 'islower':
      return () => /[a-z]/.test(s) && s === s.toLowerCase();
    case 'isupper':
      return () => /[A-Z]/.test(s) && s === s.toUpperCase();
    case 'zfill':
      return (w) => (/^[+-]/.test(s) ? s[0] + s.slice(1).padStart(Number(w) - 1, '0') : s.padStart(Number(w), '0'));
    case 'center':
      return (w, fill = ' ') => {
        const total = Math.max(0, Number(w) - s.length);
        const left = Math.floor(total / 2) + (total % 2 && Number(w) % 2 ? 1 : 0);
        return String(fill).repeat(left) + s + String(fill).repeat(total - left);
      };
    case 'ljust':
      return (w, fill = ' ') => s.padEnd(Number(w), String(fill));
    case 'rjust':
      return (w, fill = ' ') => s.padStart(Number(w), String(fill));
    case 'partition':
      return (sep) => {
        const i = s.indexOf(String(sep));
        return i < 0 ? [s, '', ''] : [s.slice(0, i), String(sep), s.slice(i + String(sep).length)];
      };
    case 'encode':
    case 'decode':
      return () => s;
  }
  return undefined;
}

function listMethod(list: unknown[], name: string): Method | undefined {
  switch (name) {
    case 'append':
      return (x) => {
        list.push(x);
        return null;
      };
    case 'extend':
      return (xs) => {
        list.push(...(need(xs) as unknown[]));
        return null;
      };
    case 'insert':
      return (i, x) => {
        list.splice(Number(i), 0, x);
        return null;
      };
    case 'pop':
      return (i) => {
        if (list.length === 0) throw new TemplateError('pop from empty list');
        const idx = i === undefined ? list.length - 1 : Number(i) < 0 ? list.length + Number(i) : Number(i);
        return list.splice(idx, 1)[0];
      };
    case 'remove':
      return (x) => {
        const idx = list.findIndex((y) => pyEq(x, y));
        if (idx < 0) throw new TemplateError('list.remove(x): x not in list');
        list.splice(idx, 1);
        return null;
      };
    case 'index':
      return (x) => {
        const idx = list.findIndex((y) => pyEq(x, y));
        if (idx < 0) throw new TemplateError(`${pyRepr(x)} is not in list`);
        return idx;
      };
    case 'count':
      return (x) => list.filter((y) => pyEq(x, y)).length;
    case 'copy':
      return () => [...list];
    case 'reverse':
      return () => {
        list.reverse();
        return null;
      };
  }
  return undefined;
}

function dictMethod(d: Dict, name: string): Method | undefined {
  switch (name) {
    case 'items':
    case 'iteritems':
      return () => Object.keys(d).map((k) => [k, d[k]]);
    case 'keys':
    case 'iterkeys':
      return () => Object.keys(d);
    case 'values':
    case 'itervalues':
      return () => Object.keys(d).map((k) => d[k]);
    case 'get':
      return (k, dflt = null) => (Object.prototype.hasOwnProperty.call(d, String(k)) || String(k) in d ? d[String(k)] : dflt);
    case 'has_key':
      return (k) => String(k) in d;
    case 'copy':
      return () => ({ ...d });
    case 'update':
      return (...a) => {
        const { pos, kw } = splitKwargs(a);
        Object.assign(d, pos[0] ?? {}, kw);
        return null;
      };
    case 'setdefault':
      return (k, dflt = null) => {
        if (!(String(k) in d)) d[String(k)] = dflt;
        return d[String(k)];
      };
    case 'pop':
      return (k, ...rest) => {
        const key = String(k);
        if (key in d) {
          const v = d[key];
          delete d[key];
          return v;
        }
        if (rest.length) return rest[0];
        throw new TemplateError(`KeyError: ${pyRepr(k)}`);
      };
  }
  return undefined;
}

/** `obj.key` / `obj[key]`; a missing key yields an Undefined carrying Jinja2's message. */
export function memberLookup(obj: unknown, key: unknown): unknown {
  if (obj instanceof Undefined) return obj;
  if (key instanceof Undefined) throw key.error();
  if (obj === null || obj === undefined) {
    return new Undefined(pyStr(key), `'None' has no attribute '${pyStr(key)}'`, { obj, name: key });
  }
  if (Array.isArray(obj)) {
    if (typeof key === 'number' || (typeof key === 'string' && /^-?\d+$/.test(key))) {
      const i = Number(key) < 0 ? obj.length + Number(key) : Number(key);
      if (i >= 0 && i < obj.length) return obj[i];
      return new Undefined(pyStr(key), `list object has no element ${pyStr(key)}`, { obj, name: key });
    }
    const m = listMethod(obj, String(key));
    if (m) return m;
    return new Undefined(pyStr(key), `'list object' has no attribute '${pyStr(key)}'`, { obj, name: key });
  }
  if (typeof obj === 'string') {
    if (typeof key === 'number') {
      const chars = Array.from(obj);
      const i = key < 0 ? chars.length + key : key;
      if (i >= 0 && i < chars.length) return chars[i];
      return new Undefined(String(key), `str object has no element ${key}`, { obj, name: key });
    }
    const m = stringMethod(obj, String(key));
    if (m) return m;
    return new Undefined(String(key), `'str object' has no attribute '${pyStr(key)}'`, { obj, name: key });
  }
  if (isDict(obj)) {
    const k = typeof key === 'string' ? key : typeof key === 'number' || typeof key === 'boolean' ? pyStr(key) : pyRepr(key);
    if (k in obj && obj[k] !== undefined) return obj[k];
    const m = dictMethod(obj, k);
    if (m) return m;
    return new Undefined(k, `'dict object' has no attribute '${k}'`, { obj, name: key });
  }
  if (typeof obj === 'object' || typeof obj === 'function') {
    const v = (obj as Record<string, unknown>)[String(key)];
    if (typeof v === 'function') return (v as Method).bind(obj);
    if (v !== undefined) return v;
  }
  return new Undefined(pyStr(key), `'${typeName(obj)} object' has no attribute '${pyStr(key)}'`, { obj, name: key });
}
