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
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      const n = src[i + 1];
      if (!inClass && n === 'A') out += '(?<![\\s\\S])';
      else if (!inClass && n === 'Z') out += '(?![\\s\\S])';
      else out += c + (n ?? '');
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
      if (src[i + 1] === ']') out += '\\' + src[++i];
      continue;
    }
    if (src.startsWith('(?P<', i)) {
      out += '(?<';
      i += 3;
      continue;
    }
    const backref = /^\(\?P=(\w+)\)/.exec(src.slice(i));
    if (backref) {
      out += `\\k<${backref[1]}>`;
      i += backref[0].length - 1;
      continue;
    }
    out += c;
  }
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
