// Text forms of values exactly as Ansible (Python) prints them, so a result line reads the
// same in rackplay as in ansible-playbook:
//   - pyJsonDumps: Python's json.dumps. Compact output uses ", " and ": " separators
//     (JSON.stringify would print none); indented output uses "," and ": ". Ansible's
//     callbacks always pass sort_keys=True.
//   - pyRepr: Python's repr(), which is what `(item=%s)` shows for dict/list loop items.

export interface PyJsonOptions {
  /** Spaces per level; undefined = compact one-liner. */
  indent?: number;
  sortKeys?: boolean;
  /** Python's ensure_ascii: escape every non-ASCII character as \uXXXX. */
  ensureAscii?: boolean;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

function hex4(code: number): string {
  return '\\u' + code.toString(16).padStart(4, '0');
}

/** The inside of a JSON string literal (no surrounding quotes), as Python escapes it. */
export function pyJsonEscape(text: string, ensureAscii = false): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const code = text.charCodeAt(i);
    const simple = SIMPLE_ESCAPES[ch];
    if (simple !== undefined) out += simple;
    else if (code < 0x20) out += hex4(code);
    // Code units, not code points: astral characters become a surrogate pair, as in Python.
    else if (ensureAscii && code > 0x7e) out += hex4(code);
    else out += ch;
  }
  return out;
}

function jsonNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  return String(n);
}

/** Turn values JSON cannot hold (Date, Buffer, Map...) into what Ansible's encoder would print. */
function normalise(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Set) return [...value];
  if (typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return (value as { toJSON(): unknown }).toJSON();
  }
  return value;
}

export function pyJsonDumps(value: unknown, opts: PyJsonOptions = {}): string {
  const { indent, sortKeys = true, ensureAscii = false } = opts;
  const seen = new Set<object>();
  const itemSep = indent === undefined ? ', ' : ',';

  const dump = (raw: unknown, level: number): string => {
    const v = normalise(raw);
    if (v === null || v === undefined) return 'null';
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (typeof v === 'number') return jsonNumber(v);
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'string') return '"' + pyJsonEscape(v, ensureAscii) + '"';
    if (typeof v !== 'object') return '"' + pyJsonEscape(String(v), ensureAscii) + '"';
    // A cycle would make Python raise; a reporter must never crash on a result.
    if (seen.has(v)) return '"<circular>"';
    seen.add(v);
    try {
      let parts: string[];
      let open: string;
      let close: string;
      if (Array.isArray(v)) {
        open = '[';
        close = ']';
        parts = v.map((el) => dump(el, level + 1));
      } else {
        open = '{';
        close = '}';
        let keys = Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined);
        if (sortKeys) keys = keys.sort(compareCodePoints);
        parts = keys.map(
          (k) => '"' + pyJsonEscape(k, ensureAscii) + '": ' + dump((v as Record<string, unknown>)[k], level + 1),
        );
      }
      if (parts.length === 0) return open + close;
      if (indent === undefined) return open + parts.join(itemSep) + close;
      const inner = '\n' + ' '.repeat(indent * (level + 1));
      return open + inner + parts.join(itemSep + inner) + '\n' + ' '.repeat(indent * level) + close;
    } finally {
      seen.delete(v);
    }
  };
  return dump(value, 0);
}

/** Python sorts str keys by code point; JS's default sort compares UTF-16 units. */
function compareCodePoints(a: string, b: string): number {
  const aa = [...a];
  const bb = [...b];
  const n = Math.min(aa.length, bb.length);
  for (let i = 0; i < n; i++) {
    const d = aa[i]!.codePointAt(0)! - bb[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return aa.length - bb.length;
}

/** Python's repr() of a str. */
export function pyReprString(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += '\\' + quote;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + quote;
}

/** Python's repr() of the JSON-like value a loop item is. */
export function pyRepr(value: unknown): string {
  const seen = new Set<object>();
  const rep = (raw: unknown): string => {
    const v = normalise(raw);
    if (v === null || v === undefined) return 'None';
    if (typeof v === 'boolean') return v ? 'True' : 'False';
    if (typeof v === 'number') {
      if (Number.isNaN(v)) return 'nan';
      if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
      return String(v);
    }
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'string') return pyReprString(v);
    if (typeof v !== 'object') return pyReprString(String(v));
    if (seen.has(v)) return Array.isArray(v) ? '[...]' : '{...}';
    seen.add(v);
    try {
      if (Array.isArray(v)) return '[' + v.map(rep).join(', ') + ']';
      const entries = Object.entries(v).filter(([, x]) => x !== undefined);
      return '{' + entries.map(([k, x]) => pyReprString(k) + ': ' + rep(x)).join(', ') + '}';
    } finally {
      seen.delete(v);
    }
  };
  return rep(value);
}

/** Python's `'%s' % value`: str stays raw, anything else is repr'd. */
export function pyStr(value: unknown): string {
  return typeof value === 'string' ? value : pyRepr(value);
}
