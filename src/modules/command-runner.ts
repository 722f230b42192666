// Shared machinery of command, shell and script: the creates/removes/chdir guard that
// runs in the same round trip as the command, Ansible's result shape (start/end/delta
// as Python prints datetimes), and the free-form `key=value` options Ansible pulls out
// of `_raw_params`.
import { randomBytes } from 'node:crypto';
import { quote } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { ModuleFailure, type ModuleResult, type RunContext } from './types.js';

/** Options Ansible's parser lifts out of a command/shell free-form string. */
export const INLINE_COMMAND_OPTIONS = [
  'creates',
  'removes',
  'chdir',
  'executable',
  'stdin',
  'stdin_add_newline',
  'strip_empty_ends',
] as const;

/**
 * Pull `creates=/x chdir=/y` style options out of a free-form command, as Ansible's
 * parse_kv(check_raw=True) does: any whitespace-separated word `key=value` whose key is
 * one of `keys`, wherever it stands. The rest of the string is kept byte for byte
 * (multi-line shell scripts stay intact); quotes around a value are removed.
 */
export function extractInlineOptions(
  raw: string,
  keys: readonly string[] = INLINE_COMMAND_OPTIONS,
): { rest: string; options: Record<string, string> } {
  const options: Record<string, string> = {};
  const cuts: Array<[number, number]> = [];
  for (const [start, end] of wordSpans(raw)) {
    const m = /^([a-z_]+)=([\s\S]*)$/.exec(raw.slice(start, end));
    if (m && keys.includes(m[1])) {
      options[m[1]] = unquoteValue(m[2]);
      cuts.push([start, end]);
    }
  }
  if (cuts.length === 0) return { rest: raw, options };
  let rest = '';
  let from = 0;
  for (const [s, e] of cuts) {
    // Drop the blanks before the option too, so `ls creates=x -l` becomes `ls -l`.
    let cutFrom = s;
    while (cutFrom > from && (raw[cutFrom - 1] === ' ' || raw[cutFrom - 1] === '\t')) cutFrom--;
    rest += raw.slice(from, cutFrom);
    from = e;
  }
  rest += raw.slice(from);
  return { rest: rest.trim(), options };
}

/**
 * Where each whitespace-separated word of a command line starts and ends, quotes kept
 * inside their word (`a "b c"` is two words), as Ansible's split_args sees them.
 */
export function wordSpans(raw: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  let i = 0;
  while (i < raw.length) {
    while (i < raw.length && /\s/.test(raw[i])) i++;
    if (i >= raw.length) break;
    const start = i;
    let quoteChar = '';
    while (i < raw.length) {
      const c = raw[i];
      if (quoteChar) {
        if (c === '\\' && quoteChar === '"') i++;
        else if (c === quoteChar) quoteChar = '';
      } else if (c === '"' || c === "'") quoteChar = c;
      else if (c === '\\') i++;
      else if (/\s/.test(c)) break;
      i++;
    }
    spans.push([start, Math.min(i, raw.length)]);
  }
  return spans;
}

function unquoteValue(v: string): string {
  if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v[v.length - 1] === v[0]) return v.slice(1, -1);
  return v;
}

/** Ansible's boolean coercion for option strings (`yes`, `on`, `1`, `true`...). */
export function toBool(v: unknown, fallback: boolean): boolean {
  if (v === undefined || v === null || v === '') return fallback;
  if (typeof v === 'boolean') return v;
  const s = String(v).toLowerCase();
  if (['yes', 'on', '1', 'true', 'y', 't'].includes(s)) return true;
  if (['no', 'off', '0', 'false', 'n', 'f'].includes(s)) return false;
  return fallback;
}

/** Python's str.splitlines() for the common line breaks: no trailing empty entry. */
export function splitLines(s: string): string[] {
  if (s === '') return [];
  const lines = s.split(/\r\n|\n|\r/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** A local time as Python's str(datetime): `2024-05-01 13:04:05.123456`. */
export function pythonTimestamp(d: Date, micros = d.getMilliseconds() * 1000): string {
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(micros, 6)}`
  );
}

/** A duration as Python's str(timedelta): `0:00:00.003456`, or `0:00:05` when whole. */
export function pythonDelta(totalMicros: number): string {
  const us = Math.max(0, Math.round(totalMicros));
  const days = Math.floor(us / 86_400_000_000);
  let rest = us - days * 86_400_000_000;
  const h = Math.floor(rest / 3_600_000_000);
  rest -= h * 3_600_000_000;
  const m = Math.floor(rest / 60_000_000);
  rest -= m * 60_000_000;
  const s = Math.floor(rest / 1_000_000);
  const frac = rest - s * 1_000_000;
  const clock = `${h}:${pad(m)}:${pad(s)}${frac ? '.' + pad(frac, 6) : ''}`;
  return days ? `${days} day${days === 1 ? '' : 's'}, ${clock}` : clock;
}

/**
 * A shell word for a creates/removes pattern: Ansible globs these, so `*`, `?` and
 * `[...]` stay live while everything else is quoted. A leading `~/` means $HOME, as
 * Ansible's `type='path'` expands it on the host.
 */
export function globWord(pattern: string): string {
  let prefix = '';
  let body = pattern;
  if (body === '~' || body.startsWith('~/')) {
    prefix = '"$HOME"';
    body = body.slice(1);
  }
  const parts = body.split(/([*?[\]])/).filter((p) => p !== '');
  return prefix + parts.map((p) => (/^[*?[\]]$/.test(p) ? p : quote(p))).join('');
}

export function newNonce(): string {
  return 'rp' + randomBytes(8).toString('hex');
}

export interface GuardSpec {
  nonce: string;
  chdir?: string;
  creates?: string;
  removes?: string;
}

/**
 * Shell lines that cd and test creates/removes before the command, in the command's own
 * round trip. Each way out prints `<nonce>:<why>` as the whole of stdout; the command
 * cannot print that line because it never learns the nonce.
 */
export function guardScript(g: GuardSpec): string {
  const lines: string[] = [];
  const mark = (why: string) => `printf '%s\\n' ${quote(`${g.nonce}:${why}`)}`;
  // -P: the physical directory, as after Python's os.chdir (a symlinked path does not stay in $PWD)
  if (g.chdir) {
    const d = quote(g.chdir);
    lines.push(
      `cd -P -- ${d} 2>/dev/null || { if [ ! -e ${d} ]; then ${mark('chdir:2')}; elif [ ! -d ${d} ]; then ${mark('chdir:20')}; else ${mark('chdir:13')}; fi; exit 1; }`,
    );
  }
  if (g.creates) {
    lines.push(`for f in ${globWord(g.creates)}; do if [ -e "$f" ] || [ -h "$f" ]; then ${mark('creates')}; exit 0; fi; done`);
  }
  if (g.removes) {
    lines.push(
      `x=; for f in ${globWord(g.removes)}; do if [ -e "$f" ] || [ -h "$f" ]; then x=1; fi; done; [ -n "$x" ] || { ${mark('removes')}; exit 0; }`,
    );
  }
  return lines.join('\n');
}

/** The word a batched guard prints its outcome with (it runs alone, so no nonce is needed). */
const GUARD_TAG = 'guard';

/**
 * The creates/removes/chdir test alone, as a read-only probe the engine can batch with the
 * probes of the tasks around it; undefined when there is nothing to test.
 */
export function guardProbe(g: Omit<GuardSpec, 'nonce'>): string | undefined {
  if (g.creates === undefined && g.removes === undefined) return undefined;
  return `${guardScript({ ...g, nonce: GUARD_TAG })}\nprintf '%s\\n' '${GUARD_TAG}:run'`;
}

export type GuardOutcome =
  | { kind: 'ran' }
  | { kind: 'creates' | 'removes' | 'would' | 'notfound' }
  | { kind: 'chdir'; errno: number };

/** Which way the guard went, from the whole stdout of the exec. */
export function readGuard(stdout: string, nonce: string): GuardOutcome {
  const prefix = `${nonce}:`;
  if (!stdout.startsWith(prefix)) return { kind: 'ran' };
  const why = stdout.slice(prefix.length).trim();
  if (why.startsWith('chdir:')) return { kind: 'chdir', errno: Number(why.slice(6)) };
  if (why === 'creates' || why === 'removes' || why === 'would' || why === 'notfound') return { kind: why };
  return { kind: 'ran' };
}

const ERRNO_TEXT: Record<number, string> = { 2: 'No such file or directory', 13: 'Permission denied', 20: 'Not a directory' };

export function chdirFailureMessage(chdir: string, errno: number): string {
  return `Unable to change directory before execution: [Errno ${errno}] ${ERRNO_TEXT[errno] ?? 'Error'}: '${chdir}'`;
}

/** Ansible's messages when creates/removes stop a command. */
export function skipMessages(kind: 'creates' | 'removes', path: string, check: boolean): { msg: string; stdout: string } {
  const shoulda = check ? 'Would' : 'Did';
  return kind === 'creates'
    ? { msg: `${shoulda} not run command since '${path}' exists`, stdout: `skipped, since ${path} exists` }
    : { msg: `${shoulda} not run command since '${path}' does not exist`, stdout: `skipped, since ${path} does not exist` };
}

export interface CommandSpec {
  /** What Ansible reports as `cmd`: the argv list (command) or the string (shell). */
  cmd: string[] | string;
  /** The shell text that runs the command, placed after the guard. */
  commandLine: string;
  /** For command: the program, to report a missing one as Ansible does. */
  program?: string;
  chdir?: string;
  creates?: string;
  removes?: string;
  stdin?: string;
  stdinAddNewline: boolean;
  strip: boolean;
  /** Warnings the result carries, whatever the outcome. */
  warnings?: string[];
}

function withLines(r: ModuleResult): ModuleResult {
  r.stdout_lines = splitLines(r.stdout ?? '');
  r.stderr_lines = splitLines(r.stderr ?? '');
  return r;
}

/** Fails the task with `msg`, the command's result fields (rc, stdout, cmd...) kept in it. */
function failWith(r: ModuleResult, msg: string): never {
  const fields = { ...r };
  delete fields.msg;
  delete fields.failed;
  throw new ModuleFailure(msg, fields);
}

function programCheck(program: string, nonce: string): string {
  const p = quote(program);
  const test = program.includes('/') ? `[ -f ${p} ] && [ -x ${p} ]` : `command -v ${p} >/dev/null 2>&1`;
  return `${test} || { printf '%s\\n' ${quote(`${nonce}:notfound`)}; exit 2; }`;
}

/** Run a command (or predict it in check mode) with Ansible's command-module semantics. */
export async function runCommandSpec(spec: CommandSpec, ctx: RunContext): Promise<ModuleResult> {
  const r: ModuleResult = {
    changed: false,
    stdout: '',
    stderr: '',
    rc: undefined,
    cmd: spec.cmd,
    start: null,
    end: null,
    delta: null,
    msg: '',
    ...(spec.warnings ? { warnings: spec.warnings } : {}),
  };
  // A batched guard that already says "skip" ends the task with no round trip of its own;
  // any other outcome runs the command, which tests its guard again in the same exec.
  const batchedScript = guardProbe(spec);
  const batched = batchedScript && ctx.batchedGuard ? await ctx.batchedGuard(batchedScript) : undefined;
  if (batched) {
    const g = readGuard(batched.stdout, GUARD_TAG);
    if (g.kind === 'creates') return withLines({ ...r, rc: 0, ...skipMessages('creates', spec.creates!, ctx.check) });
    if (g.kind === 'removes') return withLines({ ...r, rc: 0, ...skipMessages('removes', spec.removes!, ctx.check) });
  }
  const nonce = newNonce();
  const guard = guardScript({ nonce, chdir: spec.chdir, creates: spec.creates, removes: spec.removes });

  if (ctx.check) {
    if (spec.creates === undefined && spec.removes === undefined) {
      return withLines({ ...r, rc: 0, msg: 'Command would have run if not in check mode', skipped: true, changed: false });
    }
    const probe = `${guard}\nprintf '%s\\n' ${quote(`${nonce}:would`)}`;
    const res = await ctx.exec(probe);
    const g = readGuard(res.stdout, nonce);
    if (g.kind === 'chdir') failWith(withLines({ ...r }), chdirFailureMessage(spec.chdir!, g.errno));
    if (g.kind === 'creates') return withLines({ ...r, rc: 0, ...skipMessages('creates', spec.creates!, true) });
    if (g.kind === 'removes') return withLines({ ...r, rc: 0, ...skipMessages('removes', spec.removes!, true) });
    return withLines({ ...r, rc: 0, changed: true, msg: 'Command would have run if not in check mode' });
  }

  const script = [guard, spec.program ? programCheck(spec.program, nonce) : '', spec.commandLine].filter(Boolean).join('\n');
  let stdin: string | undefined;
  if (spec.stdin !== undefined) stdin = spec.stdinAddNewline ? spec.stdin + '\n' : spec.stdin;
  const startDate = new Date();
  const t0 = process.hrtime.bigint();
  const res = await ctx.exec(script, stdin !== undefined ? { stdin } : undefined);
  const micros = Number((process.hrtime.bigint() - t0) / 1000n);
  const startMicros = startDate.getMilliseconds() * 1000;
  const endTotal = startDate.getTime() * 1000 + micros;
  const endDate = new Date(Math.floor(endTotal / 1000));

  const g = readGuard(res.stdout, nonce);
  switch (g.kind) {
    case 'chdir':
      return failWith(withLines({ ...r }), chdirFailureMessage(spec.chdir!, g.errno));
    case 'creates':
      return withLines({ ...r, rc: 0, ...skipMessages('creates', spec.creates!, false) });
    case 'removes':
      return withLines({ ...r, rc: 0, ...skipMessages('removes', spec.removes!, false) });
    case 'notfound':
      return failWith(withLines({ ...r, rc: 2 }), `[Errno 2] No such file or directory: b'${spec.program}'`);
    default:
      break;
  }
  const endMicros = endTotal % 1_000_000;
  const out: ModuleResult = {
    ...r,
    changed: true,
    rc: res.rc,
    stdout: spec.strip ? res.stdout.replace(/[\r\n]+$/, '') : res.stdout,
    stderr: spec.strip ? res.stderr.replace(/[\r\n]+$/, '') : res.stderr,
    start: pythonTimestamp(startDate, startMicros),
    end: pythonTimestamp(endDate, endMicros),
    delta: pythonDelta(micros),
  };
  if (res.rc !== 0) failWith(withLines(out), 'non-zero return code');
  return withLines(out);
}

/** A finished command as Ansible reports it: rc, output and lines, failed on a non-zero rc. */
export function commandResult(res: ExecResult): ModuleResult {
  const r: ModuleResult = {
    changed: true,
    rc: res.rc,
    stdout: res.stdout,
    stderr: res.stderr,
    stdout_lines: splitLines(res.stdout),
    stderr_lines: splitLines(res.stderr),
  };
  if (res.rc !== 0) failWith(r, 'non-zero return code');
  return r;
}

/**
 * One argv word for the command module. Ansible's run_command expands `~` and
 * environment variables in each word (os.path.expanduser/expandvars) and nothing
 * else; here `$NAME`/`${NAME}` become `${NAME-$NAME}` so an unset variable stays
 * literal as in Python, and every other byte is single-quoted.
 */
export function argvWord(word: string, expandVars = true): string {
  if (!expandVars || (!word.includes('$') && !word.startsWith('~'))) return quote(word);
  let out = '';
  let body = word;
  const tilde = /^~([A-Za-z0-9_.-]*)(?=\/|$)/.exec(body);
  if (tilde) {
    out += tilde[1] ? `~${tilde[1]}` : '"$HOME"';
    body = body.slice(tilde[0].length);
  }
  const re = /\$(?:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)\})/g;
  let last = 0;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    if (m.index > last) out += quote(body.slice(last, m.index));
    const name = m[1] ?? m[2];
    const literal = m[0].replace(/[$}]/g, (c) => "\\" + c);
    out += `"\${${name}-${literal}}"`;
    last = m.index + m[0].length;
  }
  if (last < body.length) out += quote(body.slice(last));
  return out === '' ? "''" : out;
}
