// The pure half of ansible.builtin.assemble: which fragments of a directory listing take
// part, in which order, and the bytes they make, joined as Ansible joins them (a newline
// after a fragment that lacks one, the delimiter only between fragments).
import { compilePythonRegex, PythonRegexError } from './python-regex.js';
import { ModuleFailure } from './types.js';

/** One directory entry: its name, and its bytes when it is a regular file (links followed). */
export interface Fragment {
  name: string;
  /** undefined: not a regular file (a directory, a broken link...): left out, as Ansible does. */
  content?: Buffer;
  /** A regular file the probe could not read. */
  unreadable?: boolean;
}

export interface AssembleOptions {
  delimiter?: string;
  regexp?: string;
  ignoreHidden?: boolean;
  /**
   * Where the joining runs. Ansible has two copies of it: the module (on the host) adds a
   * newline after a delimiter that lacks one; the action plugin (remote_src: false) compares
   * a byte with a bytes object, which never matches, so it always adds one.
   */
  side: 'host' | 'controller';
}

const SIMPLE_ESCAPES: Record<string, number> = { '\\': 0x5c, "'": 0x27, '"': 0x22, a: 0x07, b: 0x08, f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b };

/** Python's codecs.escape_decode: backslash escapes in bytes; unknown ones stay as they are. */
export function escapeDecode(input: Buffer): Buffer {
  const out: number[] = [];
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c !== 0x5c) {
      out.push(c);
      continue;
    }
    if (i + 1 >= input.length) throw new ModuleFailure('Trailing \\ in string');
    const n = String.fromCharCode(input[++i]);
    if (n === '\n') continue;
    if (n in SIMPLE_ESCAPES) out.push(SIMPLE_ESCAPES[n]);
    else if (n >= '0' && n <= '7') {
      let digits = n;
      while (digits.length < 3 && i + 1 < input.length && input[i + 1] >= 0x30 && input[i + 1] <= 0x37) digits += String.fromCharCode(input[++i]);
      out.push(parseInt(digits, 8) & 0xff);
    } else if (n === 'x') {
      const hex = input.subarray(i + 1, i + 3).toString('latin1');
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new ModuleFailure(`invalid \\x escape at position ${i - 1}`);
      out.push(parseInt(hex, 16));
      i += 2;
    } else out.push(0x5c, input[i]);
  }
  return Buffer.from(out);
}

/** Python sorts the names of os.listdir by code point, which is UTF-8 byte order. */
function byCodePoint(a: Fragment, b: Fragment): number {
  return Buffer.compare(Buffer.from(a.name, 'utf8'), Buffer.from(b.name, 'utf8'));
}

/** The regexp compiled, or the module's words for a bad one. */
export function fragmentFilter(regexp: string | undefined): RegExp | undefined {
  if (regexp === undefined || regexp === null) return undefined;
  try {
    return compilePythonRegex(regexp);
  } catch (e) {
    if (e instanceof PythonRegexError) throw new ModuleFailure(`Invalid Regexp (${e.message}) in "${regexp}"`);
    throw e;
  }
}

/** The assembled bytes of a directory listing. */
export function assembleFragments(entries: readonly Fragment[], opts: AssembleOptions): Buffer {
  const re = fragmentFilter(opts.regexp);
  const parts: Buffer[] = [];
  // Ansible decodes the delimiter again before each use, so escapes of escapes unfold.
  let delimiter: Buffer | undefined = opts.delimiter ? Buffer.from(opts.delimiter, 'utf8') : undefined;
  let first = true;
  let addNewline = false;
  for (const f of [...entries].sort(byCodePoint)) {
    if (re && !re.test(f.name)) continue;
    if (f.content === undefined && !f.unreadable) continue;
    if (opts.ignoreHidden && f.name.startsWith('.')) continue;
    if (f.unreadable || !f.content) throw new ModuleFailure(`Unable to read fragment ${f.name} (permission denied?)`);
    if (addNewline) parts.push(Buffer.from('\n'));
    if (!first && delimiter && delimiter.length) {
      delimiter = escapeDecode(delimiter);
      parts.push(delimiter);
      if (opts.side === 'controller' || delimiter.at(-1) !== 0x0a) parts.push(Buffer.from('\n'));
    }
    parts.push(f.content);
    first = false;
    addNewline = !(f.content.length && f.content.at(-1) === 0x0a);
  }
  return Buffer.concat(parts);
}
