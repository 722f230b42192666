// Playbooks carry Python `re` patterns and replacement templates; this turns them into
// JavaScript RegExps with the same meaning for what playbooks use: (?P<n>...), (?P=n),
// \A, \Z, inline (?imsx) flags, Python's `$` (also matches before a final newline) and
// `.` (everything but \n), and \1 / \g<1> / \g<name> in replacements.

import { ModuleFailure } from './types.js';

/** A pattern or template Python would reject: the task fails with this message. */
export class PythonRegexError extends ModuleFailure {
  constructor(message: string) {
    super(message);
    this.name = 'PythonRegexError';
  }
}

export interface PythonRegexFlags {
  multiline?: boolean;
  dotall?: boolean;
  ignoreCase?: boolean;
}

const START = '(?<![\\s\\S])';
const END = '(?![\\s\\S])';

/** Compile a Python pattern. `global` adds the g flag for replace-all and matchAll. */
export function compilePythonRegex(pattern: string, flags: PythonRegexFlags = {}, global = false): RegExp {
  let multiline = !!flags.multiline;
  let dotall = !!flags.dotall;
  let ignoreCase = !!flags.ignoreCase;
  let verbose = false;
  // Global inline flags may appear anywhere (older Pythons) but apply to the whole pattern.
  const inline = /\(\?([aiLmsux]+)\)/g;
  for (const m of pattern.matchAll(inline)) {
    if (m[1].includes('m')) multiline = true;
    if (m[1].includes('s')) dotall = true;
    if (m[1].includes('i')) ignoreCase = true;
    if (m[1].includes('x')) verbose = true;
  }
  let out = '';
  let i = 0;
  const n = pattern.length;
  while (i < n) {
    const c = pattern[i];
    if (c === '\\') {
      const d = pattern[i + 1];
      if (d === undefined) throw new PythonRegexError(`bad escape (end of pattern) in ${JSON.stringify(pattern)}`);
      if (d === 'A') out += START;
      else if (d === 'Z' || d === 'z') out += END;
      else out += c + d;
      i += 2;
      continue;
    }
    if (c === '[') {
      // Copy the class; a ']' right after '[' or '[^' is a literal in Python.
      let j = i + 1;
      let cls = '[';
      if (pattern[j] === '^') {
        cls += '^';
        j++;
      }
      if (pattern[j] === ']') {
        cls += '\\]';
        j++;
      }
      while (j < n && pattern[j] !== ']') {
        if (pattern[j] === '\\' && j + 1 < n) {
          cls += pattern[j] + pattern[j + 1];
          j += 2;
        } else {
          cls += pattern[j] === '[' ? '\\[' : pattern[j];
          j++;
        }
      }
      if (j >= n) throw new PythonRegexError(`unterminated character set in ${JSON.stringify(pattern)}`);
      out += cls + ']';
      i = j + 1;
      continue;
    }
    if (c === '(' && pattern[i + 1] === '?') {
      const rest = pattern.slice(i + 2);
      let m: RegExpExecArray | null;
      if ((m = /^P<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest))) {
        out += `(?<${m[1]}>`;
        i += 2 + m[0].length;
        continue;
      }
      if ((m = /^P=([A-Za-z_][A-Za-z0-9_]*)\)/.exec(rest))) {
        out += `\\k<${m[1]}>`;
        i += 2 + m[0].length;
        continue;
      }
      if ((m = /^#[^)]*\)/.exec(rest))) {
        i += 2 + m[0].length;
        continue;
      }
      if ((m = /^[aiLmsux]+\)/.exec(rest))) {
        i += 2 + m[0].length;
        continue;
      }
      if (/^[aiLmsux-]+:/.test(rest)) {
        throw new PythonRegexError(`scoped inline flags like (?i:...) are not supported: ${JSON.stringify(pattern)}`);
      }
      out += '(?';
      i += 2;
      continue;
    }
    if (verbose && /\s/.test(c)) {
      i++;
      continue;
    }
    if (verbose && c === '#') {
      while (i < n && pattern[i] !== '\n') i++;
      continue;
    }
    if (c === '^') out += multiline ? `(?:${START}|(?<=\\n))` : START;
    else if (c === '$') out += multiline ? `(?=\\n|${END})` : `(?=\\n?${END})`;
    else if (c === '.') out += dotall ? '[\\s\\S]' : '[^\\n]';
    else out += c;
    i++;
  }
  try {
    return new RegExp(out, (ignoreCase ? 'i' : '') + (global ? 'g' : ''));
  } catch (e) {
    throw new PythonRegexError(`invalid regular expression ${JSON.stringify(pattern)}: ${(e as Error).message}`);
  }
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', a: '\x07', b: '\b', '\\': '\\' };

/** Expand a Python replacement template (match.expand) against one match. */
export function expandPythonTemplate(template: string, match: RegExpExecArray | RegExpMatchArray): string {
  let out = '';
  let i = 0;
  const group = (ref: string): string => {
    if (/^\d+$/.test(ref)) {
      const k = Number(ref);
      if (k >= match.length) throw new PythonRegexError(`invalid group reference ${k}`);
      return match[k] ?? '';
    }
    if (!match.groups || !(ref in match.groups)) throw new PythonRegexError(`unknown group name '${ref}'`);
    return match.groups[ref] ?? '';
  };
  while (i < template.length) {
    const c = template[i];
    if (c !== '\\' || i + 1 >= template.length) {
      out += c;
      i++;
      continue;
    }
    const d = template[i + 1];
    if (d === 'g') {
      const m = /^<([^>]*)>/.exec(template.slice(i + 2));
      if (!m) throw new PythonRegexError('missing group name in \\g<...>');
      out += group(m[1]);
      i += 2 + m[0].length;
      continue;
    }
    if (/[0-9]/.test(d)) {
      const oct = /^(?:0[0-7]{0,2}|[0-7]{3})/.exec(template.slice(i + 1));
      if (oct && (d === '0' || oct[0].length === 3)) {
        out += String.fromCharCode(parseInt(oct[0], 8));
        i += 1 + oct[0].length;
        continue;
      }
      const num = /^\d\d?/.exec(template.slice(i + 1))![0];
      out += group(num);
      i += 1 + num.length;
      continue;
    }
    if (d in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[d];
      i += 2;
      continue;
    }
    if (d === 'x') {
      const m = /^[0-9a-fA-F]{2}/.exec(template.slice(i + 2));
      if (!m) throw new PythonRegexError('incomplete escape \\x in replacement');
      out += String.fromCharCode(parseInt(m[0], 16));
      i += 4;
      continue;
    }
    if (/[A-Za-z]/.test(d)) throw new PythonRegexError(`bad escape \\${d} in replacement`);
    out += c + d;
    i += 2;
  }
  return out;
}

/** Python's re.subn(pattern, repl, text): the new text and the number of replacements. */
export function pythonSubn(re: RegExp, template: string, text: string): [string, number] {
  const g = re.global ? re : new RegExp(re.source, re.flags + 'g');
  let count = 0;
  let out = '';
  let last = 0;
  g.lastIndex = 0;
  for (const m of text.matchAll(g)) {
    out += text.slice(last, m.index) + expandPythonTemplate(template, m);
    last = m.index! + m[0].length;
    count++;
  }
  return [out + text.slice(last), count];
}
