// Playbooks carry Python `re` patterns and replacement strings. JS RegExp agrees on
// most syntax; this translates the parts that differ: named groups `(?P<n>..)`,
// `(?P=n)`, `\A` / `\Z`, leading inline flags `(?i)`, and `\1` / `\g<n>` in
// replacements.
import { TemplateError } from './errors.js';
import { pythonRegexErrorText } from './regex-errors.js';

export interface PyRegexOptions {
  ignorecase?: boolean;
  multiline?: boolean;
  dotall?: boolean;
}

/** A pattern that does not compile; `reason` is Python's `re.error` text where it is known. */
export class RegexSyntaxError extends TemplateError {
  constructor(readonly pattern: string, readonly reason: string) {
    super(`invalid regular expression ${JSON.stringify(pattern)}: ${reason}`);
  }
}

const cache = new Map<string, RegExp>();

export function pyRegex(pattern: string, opts: PyRegexOptions = {}, global = false): RegExp {
  let flags = (global ? 'g' : '') + (opts.ignorecase ? 'i' : '') + (opts.multiline ? 'm' : '') + (opts.dotall ? 's' : '');
  let src = pattern;
  const inline = /^\(\?([aiLmsux]+)\)/.exec(src);
  if (inline) {
    src = src.slice(inline[0].length);
    for (const f of inline[1]) {
      if (f === 'i' && !flags.includes('i')) flags += 'i';
      if (f === 'm' && !flags.includes('m')) flags += 'm';
      if (f === 's' && !flags.includes('s')) flags += 's';
      if (f === 'x') src = stripVerbose(src);
    }
  }
  const key = flags + '\0' + src;
  const hit = cache.get(key);
  if (hit) {
    hit.lastIndex = 0;
    return hit;
  }
  const out = translatePyPattern(src, {
    escape: (n, inClass) => (!inClass && n === 'A' ? '(?<![\\s\\S])' : !inClass && n === 'Z' ? '(?![\\s\\S])' : '\\' + (n ?? '')),
    // Python takes a `]` first in a class as a member; JS would read an empty class
    leadingBracket: '\\]',
    construct(s, i) {
      if (s.startsWith('(?P<', i)) return { text: '(?<', length: 4 };
      const backref = /^\(\?P=(\w+)\)/.exec(s.slice(i));
      return backref ? { text: `\\k<${backref[1]}>`, length: backref[0].length } : undefined;
    },
  });
  let re: RegExp;
  try {
    re = new RegExp(out, flags);
  } catch (e) {
    throw new RegexSyntaxError(pattern, pythonRegexErrorText(pattern) ?? (e as Error).message);
  }
  if (cache.size > 500) cache.clear();
  cache.set(key, re);
  return re;
}

/** How a Python pattern's pieces are written in another regex dialect. */
export interface PyPatternDialect {
  /** The text for a backslash and the character `n` after it (undefined: the pattern ends in a backslash). */
  escape(n: string | undefined, inClass: boolean): string;
  /** A `]` right after a class's `[` or `[^`, which Python takes as a member. */
  leadingBracket: string;
  /** Outside a class, a construct at `i` the dialect rewrites (its text and the length it replaces); undefined keeps the character. */
  construct?(src: string, i: number): { text: string; length: number } | undefined;
}

/**
 * Walks a Python pattern once, knowing which characters are escaped and which lie inside a
 * bracket class (where `(`, `?` and friends are plain members), and writes it in a dialect.
 */
export function translatePyPattern(src: string, dialect: PyPatternDialect): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      out += dialect.escape(src[i + 1], inClass);
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (src[i + 1] === '^') out += src[++i];
      if (src[i + 1] === ']') {
        out += dialect.leadingBracket;
        i++;
      }
      continue;
    }
    const hit = dialect.construct?.(src, i);
    if (hit) {
      out += hit.text;
      i += hit.length - 1;
      continue;
    }
    out += c;
  }
  return out;
}

function stripVerbose(src: string): string {
  return src.replace(/\\#|\\\s|\[(?:\\.|[^\]])*\]|#[^\n]*|\s+/g, (m) => (m.startsWith('\\') || m.startsWith('[') ? m : ''));
}

/** Expands a Python replacement template (`\1`, `\g<1>`, `\g<name>`, `\n`) for one match. */
export function expandReplacement(template: string, match: RegExpExecArray | string[], groups?: Record<string, string | undefined>): string {
  return template.replace(/\\(g<(\w+)>|\d{1,2}|[ntr\\fvab]|.)/g, (whole, esc: string, gname?: string) => {
    if (gname !== undefined) {
      if (/^\d+$/.test(gname)) return match[Number(gname)] ?? '';
      if (!groups || !(gname in groups)) throw new TemplateError(`unknown group name '${gname}'`);
      return groups[gname] ?? '';
    }
    if (/^\d+$/.test(esc)) {
      const idx = Number(esc);
      if (idx >= match.length) throw new TemplateError(`invalid group reference ${idx}`);
      return match[idx] ?? '';
    }
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', f: '\f', v: '\v', a: '\x07', b: '\b' };
    return simple[esc] ?? whole;
  });
}
