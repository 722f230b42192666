// Ansible's INI inventory runs every `key=value` value through Python's
// `ast.literal_eval` and keeps the raw string when that fails. This is a small
// parser for the same literal grammar: strings (with prefixes, escapes, implicit
// concatenation), ints/floats (hex, octal, binary, underscores), True/False/None,
// lists, tuples (also bare `1, 2`), dicts and sets. Complex numbers are not
// supported and stay strings.

type Parsed = { ok: true; value: unknown } | { ok: false };

class NotALiteral extends Error {}

/** `ast.literal_eval(text)` as JSON-ish data, or `{ ok: false }` if Python would refuse it. */
export function parsePythonLiteral(text: string): Parsed {
  // literal_eval strips leading spaces and tabs (Python >= 3.10).
  const p = new LiteralParser(text.replace(/^[ \t]+/, ''));
  try {
    const value = p.parseTop();
    return { ok: true, value };
  } catch (e) {
    if (e instanceof NotALiteral) return { ok: false };
    throw e;
  }
}

/** The INI inventory's value rule: a Python literal if it is one, else the text itself. */
export function iniValue(text: string): unknown {
  const r = parsePythonLiteral(text);
  return r.ok ? r.value : text;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\n': '',
};

class LiteralParser {
  private i = 0;
  constructor(private readonly s: string) {}

  private fail(): never {
    throw new NotALiteral();
  }

  private skipSpace(): void {
    for (;;) {
      const c = this.s[this.i];
      if (c === ' ' || c === '\t' || c === '\f') this.i++;
      else if (c === '#') this.i = this.s.length;
      else return;
    }
  }

  private peek(): string | undefined {
    this.skipSpace();
    return this.s[this.i];
  }

  parseTop(): unknown {
    const first = this.parseExpr();
    if (this.peek() === ',') {
      const items = [first];
      while (this.peek() === ',') {
        this.i++;
        if (this.peek() === undefined) break;
        items.push(this.parseExpr());
      }
      if (this.peek() !== undefined) this.fail();
      return items;
    }
    if (this.peek() !== undefined) this.fail();
    return first;
  }

  private parseExpr(): unknown {
    const c = this.peek();
    if (c === undefined) this.fail();
    if (c === '+' || c === '-') {
      this.i++;
      // literal_eval accepts exactly one sign, directly on a number.
      if (!/[0-9.]/.test(this.peek() ?? '')) this.fail();
      const v = this.parseNumber();
      return c === '-' ? -v : v;
    }
    if (c === '[') return this.parseList();
    if (c === '(') return this.parseParen();
    if (c === '{') return this.parseBrace();
    if (/[0-9.]/.test(c)) return this.parseNumber();
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.i))!;
      const word = m[0];
      const q = this.s[this.i + word.length];
      if ((q === "'" || q === '"') && /^(r|u|b|br|rb)$/i.test(word)) return this.parseStrings();
      this.i += word.length;
      if (word === 'True' || word === 'False') return word === 'True';
      if (word === 'None') return null;
      this.fail();
    }
    if (c === "'" || c === '"') return this.parseStrings();
    this.fail();
  }

  private parseList(): unknown[] {
    const close = ']';
    this.i++; // open
    const items: unknown[] = [];
    for (;;) {
      if (this.peek() === close) {
        this.i++;
        return items;
      }
      items.push(this.parseExpr());
      const n = this.peek();
      if (n === ',') this.i++;
      else if (n === close) {
        this.i++;
        return items;
      } else this.fail();
    }
  }

  private parseParen(): unknown {
    this.i++;
    if (this.peek() === ')') {
      this.i++;
      return [];
    }
    const first = this.parseExpr();
    const n = this.peek();
    if (n === ')') {
      this.i++;
      return first;
    }
    if (n !== ',') this.fail();
    this.i++;
    const items = [first];
    for (;;) {
      if (this.peek() === ')') {
        this.i++;
        return items;
      }
      items.push(this.parseExpr());
      const m = this.peek();
      if (m === ',') this.i++;
      else if (m === ')') {
        this.i++;
        return items;
      } else this.fail();
    }
  }

  private parseBrace(): unknown {
    this.i++;
    if (this.peek() === '}') {
      this.i++;
      return {};
    }
    const firstKey = this.parseExpr();
    if (this.peek() === ':') {
      const obj: Record<string, unknown> = {};
      this.i++;
      obj[keyText(firstKey)] = this.parseExpr();
      for (;;) {
        const n = this.peek();
        if (n === '}') {
          this.i++;
          return obj;
        }
        if (n !== ',') this.fail();
        this.i++;
        if (this.peek() === '}') {
          this.i++;
          return obj;
        }
        const k = this.parseExpr();
        if (this.peek() !== ':') this.fail();
        this.i++;
        obj[keyText(k)] = this.parseExpr();
      }
    }
    // A set: represented as a de-duplicated list, as Ansible's JSON output does.
    const items = [firstKey];
    for (;;) {
      const n = this.peek();
      if (n === '}') {
        this.i++;
        return dedupe(items);
      }
      if (n !== ',') this.fail();
      this.i++;
      if (this.peek() === '}') {
        this.i++;
        return dedupe(items);
      }
      items.push(this.parseExpr());
    }
  }

  private parseNumber(): number {
    const rest = this.s.slice(this.i);
    const digits = '[0-9](?:_?[0-9])*';
    const radix = /^0([xX](?:_?[0-9a-fA-F])+|[oO](?:_?[0-7])+|[bB](?:_?[01])+)(?![0-9A-Za-z_.])/.exec(rest);
    if (radix) {
      this.i += radix[0].length;
      const body = radix[1].slice(1).replace(/_/g, '');
      const base = { x: 16, o: 8, b: 2 }[radix[1][0].toLowerCase() as 'x' | 'o' | 'b'];
      return parseInt(body, base);
    }
    const float = new RegExp(
      `^(?:(?:${digits})?\\.${digits}|${digits}\\.?)(?:[eE][+-]?${digits})?(?![0-9A-Za-z_.])`,
    ).exec(rest);
    if (!float) this.fail();
    const text = float[0];
    if (text === '.') this.fail();
    const isInt = /^[0-9_]+$/.test(text);
    // Python 3 forbids leading zeros in decimal ints (`007`), except all-zero.
    if (isInt && /^0/.test(text) && /[1-9]/.test(text)) this.fail();
    if (/[jJ]/.test(this.s[this.i + text.length] ?? '')) this.fail();
    this.i += text.length;
    return Number(text.replace(/_/g, ''));
  }

  private parseStrings(): string {
    let out = this.parseOneString();
    for (;;) {
      const c = this.peek();
      if (c === "'" || c === '"') {
        out += this.parseOneString();
        continue;
      }
      if (c && /[rRuUbB]/.test(c)) {
        const m = /^(r|u|b|br|rb)(?=['"])/i.exec(this.s.slice(this.i));
        if (m) {
          out += this.parseOneString();
          continue;
        }
      }
      return out;
    }
  }

  private parseOneString(): string {
    const m = /^([rRuUbB]{0,2})('''|"""|'|")/.exec(this.s.slice(this.i));
    if (!m) this.fail();
    const raw = /r/i.test(m[1]);
    const quote = m[2];
    this.i += m[0].length;
    let out = '';
    for (;;) {
      if (this.i >= this.s.length) this.fail();
      if (this.s.startsWith(quote, this.i)) {
        this.i += quote.length;
        return out;
      }
      const c = this.s[this.i];
      if (c === '\n' && quote.length === 1) this.fail();
      if (c !== '\\') {
        out += c;
        this.i++;
        continue;
      }
      const e = this.s[this.i + 1];
      if (e === undefined) this.fail();
      if (raw) {
        out += c + e;
        this.i += 2;
        continue;
      }
      if (e in SIMPLE_ESCAPES) {
        out += SIMPLE_ESCAPES[e];
        this.i += 2;
        continue;
      }
      const hex = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
      if (hex) {
        const h = this.s.slice(this.i + 2, this.i + 2 + hex);
        if (!new RegExp(`^[0-9a-fA-F]{${hex}}$`).test(h)) this.fail();
        out += String.fromCodePoint(parseInt(h, 16));
        this.i += 2 + hex;
        continue;
      }
      const oct = /^[0-7]{1,3}/.exec(this.s.slice(this.i + 1));
      if (oct) {
        out += String.fromCodePoint(parseInt(oct[0], 8));
        this.i += 1 + oct[0].length;
        continue;
      }
      // Unknown escapes keep their backslash in Python.
      out += c + e;
      this.i += 2;
    }
  }
}

function keyText(k: unknown): string {
  if (typeof k === 'string') return k;
  if (k === null) return 'None';
  if (typeof k === 'boolean') return k ? 'True' : 'False';
  if (typeof k === 'number') return String(k);
  throw new NotALiteral();
}

function dedupe(items: unknown[]): unknown[] {
  const seen = new Set<string>();
  return items.filter((v) => {
    const key = JSON.stringify(v);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
