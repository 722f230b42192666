// Ansible's free-form argument syntax (`copy: src=a dest="b c"`, `shell: chdir=/tmp ls -l`).
// Behaves like ansible.parsing.splitter: split on spaces outside quotes and Jinja2 blocks,
// keep newlines and repeated spaces of the raw part, then split k=v words.
import { type SourcePos, errSplitArgs } from '../errors.js';

/** Words that command-like modules take as k=v even in free form. */
export const RAW_MODULE_KV_WORDS = new Set(['creates', 'removes', 'chdir', 'executable', 'warn', 'stdin', 'stdin_add_newline', 'strip_empty_ends']);

/** Modules whose whole free-form string is the command, with only RAW_MODULE_KV_WORDS extracted. */
export const CHECK_RAW_MODULES = new Set(['command', 'shell', 'raw', 'script', 'win_command', 'win_shell']);

/**
 * Actions without a free-form argument that Ansible's loader still lets take free-form
 * text (its RAW_PARAM_MODULES beyond the free-form ones): the action decides at run time.
 */
export const RAW_PARAM_ACTIONS = new Set(['add_host', 'group_by', 'set_fact']);

/**
 * Split like Ansible's split_args: whitespace separates words except inside quotes or
 * {{ }}, {% %}, {# #}. Repeated spaces and newlines between words stay attached to the
 * previous word so joinArgs can rebuild the original text; a lone backslash at the end
 * of a line joins it with the next.
 */
export function splitArgs(text: string, pos?: SourcePos): string[] {
  const params: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: string | null = null;
  let printDepth = 0;
  let blockDepth = 0;
  let commentDepth = 0;
  let continuation = false;
  const nested = () => quote !== null || printDepth > 0 || blockDepth > 0 || commentDepth > 0;
  const endWord = () => {
    if (!inWord) return;
    if (cur === '\\' && !nested()) {
      continuation = true;
    } else {
      params.push(cur);
    }
    cur = '';
    inWord = false;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    const two = text.slice(i, i + 2);
    if (!nested() && (ch === ' ' || ch === '\n')) {
      endWord();
      if (ch === ' ') {
        // Ansible splits on single spaces and keeps each empty piece as an extra space on
        // the previous word, so `a  b` and a trailing space survive in the raw command.
        const next = text[i + 1];
        if (params.length > 0 && (next === undefined || next === ' ' || next === '\n')) params[params.length - 1] += ' ';
      } else {
        if (!continuation && params.length > 0) params[params.length - 1] += '\n';
        continuation = false;
      }
      continue;
    }
    inWord = true;
    if ((ch === '"' || ch === "'") && text[i - 1] !== '\\') {
      if (quote === null) quote = ch;
      else if (quote === ch) quote = null;
      cur += ch;
      continue;
    }
    if (two === '{{') { printDepth++; cur += two; i++; continue; }
    if (two === '}}' && printDepth > 0) { printDepth--; cur += two; i++; continue; }
    if (two === '{%') { blockDepth++; cur += two; i++; continue; }
    if (two === '%}' && blockDepth > 0) { blockDepth--; cur += two; i++; continue; }
    if (two === '{#') { commentDepth++; cur += two; i++; continue; }
    if (two === '#}' && commentDepth > 0) { commentDepth--; cur += two; i++; continue; }
    cur += ch;
  }
  if (nested()) {
    throw errSplitArgs(text, {
      pos,
      hint: quote ? `a ${quote} quote is not closed` : 'a {{, {% or {# is not closed',
    });
  }
  endWord();
  // A trailing newline of a literal block stays on the last word, as in Ansible.
  return params;
}

/** Rebuild a command line from words kept by splitArgs. */
export function joinArgs(words: string[]): string {
  let out = '';
  for (const w of words) {
    if (out.length === 0 || out.endsWith('\n')) out += w;
    else out += ' ' + w;
  }
  return out;
}

/** Strip one pair of matching outer quotes. */
export function unquote(s: string): string {
  if (s.length >= 2 && (s[0] === '"' || s[0] === "'") && s[s.length - 1] === s[0] && s[s.length - 2] !== '\\') return s.slice(1, -1);
  return s;
}

// Not octal: parse_kv leaves `\1` alone, so a k=v replace='"\1"' keeps its backreference.
const ESCAPE_RE = /\\U[0-9a-fA-F]{8}|\\u[0-9a-fA-F]{4}|\\x[0-9a-fA-F]{2}|\\[\\'"abfnrtv]/g;
const SIMPLE_ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** Python's unicode-escape decoding of backslash sequences, as parse_kv applies to k=v words. */
export function decodeEscapes(s: string): string {
  return s.replace(ESCAPE_RE, (m) => {
    const c = m[1];
    if (c === 'U' || c === 'u' || c === 'x') return String.fromCodePoint(parseInt(m.slice(2), 16));
    return SIMPLE_ESCAPES[c] ?? m;
  });
}

export interface ParsedKv {
  options: Record<string, string>;
  /** The words that were not k=v, joined back; undefined when there were none. */
  raw?: string;
}

/**
 * Ansible's parse_kv. With checkRaw (command, shell...), only RAW_MODULE_KV_WORDS are taken
 * as options and everything else stays in the command.
 */
export function parseKv(text: string, checkRaw: boolean, pos?: SourcePos): ParsedKv {
  const options: Record<string, string> = {};
  const raw: string[] = [];
  for (const orig of splitArgs(text, pos)) {
    const x = decodeEscapes(orig);
    let eq = -1;
    for (let i = 1; i < x.length; i++) {
      if (x[i] === '=' && x[i - 1] !== '\\') {
        eq = i;
        break;
      }
    }
    if (eq < 0) {
      raw.push(x.includes('=') ? x.replace(/\\=/g, '=') : orig);
      continue;
    }
    const k = x.slice(0, eq);
    const v = x.slice(eq + 1);
    if (checkRaw && !RAW_MODULE_KV_WORDS.has(k)) raw.push(orig);
    else options[k.trim()] = unquote(v.trim());
  }
  return { options, raw: raw.length ? joinArgs(raw) : undefined };
}
