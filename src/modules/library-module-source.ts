// What kind of module a file in a library/ directory is, judged as Ansible's
// module_common judges it (binary, new-style Python, PowerShell, JSON-args, WANT_JSON,
// or old style), and the arguments file an old-style or WANT_JSON module reads.
import { shlexSplit } from '../shlex.js';
import { quote } from '../transport/quote.js';

/**
 * How the module gets its arguments: 'old' a file of key=value shell words, 'want_json'
 * and 'binary' a JSON file, 'jsonargs' the JSON written into the module text itself. The
 * path of the arguments file is the module's first argument ($1) in the first three.
 */
export type LibraryStyle = 'old' | 'want_json' | 'binary' | 'jsonargs';

export type ModuleSource =
  | { kind: 'runnable'; style: LibraryStyle; interpreter: string[] }
  | { kind: 'refused'; reason: string };

const REPLACER = '#<<INCLUDE_ANSIBLE_MODULE_COMMON>>';
export const REPLACER_JSONARGS = '<<INCLUDE_ANSIBLE_MODULE_JSON_ARGS>>';
// Ansible's NEW_STYLE_PYTHON_MODULE_RE: a module importing module_utils is an AnsiballZ module.
const NEW_STYLE_PYTHON = /(?:from +\.{2,} *module_utils.* +import |from +ansible_collections\.[^.]+\.[^.]+\.plugins\.module_utils.* +import |import +ansible_collections\.[^.]+\.[^.]+\.plugins\.module_utils.*|from +ansible\.module_utils.* +import |import +ansible\.module_utils\.)/;
const POWERSHELL = /# POWERSHELL_COMMON|#Requires -Module|#Requires -Version|#AnsibleRequires -OSVersion|#AnsibleRequires -Powershell|#AnsibleRequires -CSharpUtil/i;

/** Ansible's _is_binary: a byte outside printable text in the first KiB. */
export function isBinary(data: Buffer): boolean {
  for (const b of data.subarray(0, 1024)) {
    const text = b === 7 || b === 8 || b === 9 || b === 10 || b === 12 || b === 13 || b === 27 || (b >= 0x20 && b !== 0x7f);
    if (!text) return true;
  }
  return false;
}

/** The interpreter and its arguments from a `#!` line, or undefined without one. */
export function shebangOf(text: string): string[] | undefined {
  const first = text.split('\n', 1)[0];
  if (!first.startsWith('#!')) return undefined;
  try {
    const words = shlexSplit(first.slice(2).trim());
    return words.length ? words : undefined;
  } catch {
    return undefined;
  }
}

function isPythonInterpreter(words: readonly string[]): boolean {
  const base = (w: string) => w.slice(w.lastIndexOf('/') + 1);
  const name = base(words[0]) === 'env' ? base(words.find((w, i) => i > 0 && !w.startsWith('-')) ?? '') : base(words[0]);
  return name.startsWith('python');
}

/** Classifies a library module file; `name` is only for the messages. */
export function classifyModuleSource(name: string, data: Buffer): ModuleSource {
  const noPython = `module '${name}' is a Python module: rackplay runs no Python on targets (only a POSIX shell). Rewrite it as a shell module (old style: key=value arguments file in $1, JSON on stdout) or use a built-in module`;
  if (isBinary(data)) return { kind: 'runnable', style: 'binary', interpreter: [] };
  const text = data.toString('utf8');
  if (text.includes(REPLACER) || NEW_STYLE_PYTHON.test(text)) return { kind: 'refused', reason: noPython };
  if (POWERSHELL.test(text)) return { kind: 'refused', reason: `module '${name}' is a PowerShell module: rackplay runs modules on POSIX hosts only` };
  const style: LibraryStyle = text.includes(REPLACER_JSONARGS) ? 'jsonargs' : text.includes('WANT_JSON') ? 'want_json' : 'old';
  const interpreter = shebangOf(text);
  if (!interpreter) return { kind: 'refused', reason: `module (${name}) is missing interpreter line` };
  if (isPythonInterpreter(interpreter)) return { kind: 'refused', reason: noPython };
  return { kind: 'runnable', style, interpreter };
}

/** Python's str() of an argument value, as Ansible's text_type(v) writes it. */
export function pyText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : String(v);
  return pyReprValue(v);
}

function pyReprValue(v: unknown): string {
  if (typeof v === 'string') {
    // Python's repr picks double quotes for a string with a single quote and no double one
    const q = v.includes("'") && !v.includes('"') ? '"' : "'";
    const body = v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
    return q + (q === "'" ? body.replace(/'/g, "\\'") : body) + q;
  }
  if (Array.isArray(v)) return '[' + v.map(pyReprValue).join(', ') + ']';
  if (v && typeof v === 'object') return '{' + Object.entries(v).map(([k, x]) => `${pyReprValue(k)}: ${pyReprValue(x)}`).join(', ') + '}';
  return pyText(v);
}

/**
 * The old-style arguments file: `key=value ` for each argument, the value a quoted shell
 * word, so a module can source it with `. "$1"`. A key that is no shell name is quoted
 * too: Ansible writes it raw, which would let a key run as a command when sourced.
 */
export function oldStyleArgsFile(args: Record<string, unknown>): string {
  let out = '';
  for (const [k, v] of Object.entries(args)) {
    const key = /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? k : quote(k);
    out += `${key}=${quote(pyText(v))} `;
  }
  return out;
}
