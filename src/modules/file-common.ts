// Pieces every file module shares: Ansible's mode syntax, owner/group/mode steps that run
// only when something differs, backups, validated writes and content diffs. All pure.
import { quote } from '../transport/quote.js';
import { formatMode, type FileFacts } from '../facts/file-probe.js';
import type { FromSchema } from 'json-schema-to-ts';
import { ModuleFailure, type FileDiff, type Step } from './types.js';

export const COMMON_FILE_ARGS = {
  mode: { type: ['string', 'integer'] },
  owner: { type: 'string' },
  group: { type: 'string' },
  unsafe_writes: { type: 'boolean', default: false },
} as const;

const COMMON_FILE_SCHEMA = { type: 'object', properties: COMMON_FILE_ARGS } as const;

/** The attributes (mode, owner, group) every file module takes. */
export type CommonFileArgs = Pick<FromSchema<typeof COMMON_FILE_SCHEMA>, 'mode' | 'owner' | 'group'>;

const SYMBOLIC_CLAUSE = /^([ugoa]*)([-+=])([rwxXst]*|[ugo])$/;

/**
 * The mode bits a path should end up with. An integer is the mode itself (YAML 1.1 reads
 * an unquoted 0644 as 420); a string of octal digits is octal; anything else is
 * symbolic (u+rwx,g-w), applied to `current` as Ansible does (no umask, empty who = a).
 */
export function resolveMode(spec: string | number | undefined, current: number | undefined, isDir: boolean): number | undefined {
  if (spec === undefined || spec === null) return undefined;
  if (typeof spec === 'number') {
    if (!Number.isInteger(spec) || spec < 0 || spec > 0o7777) throw new ModuleFailure(`mode must be in octal or symbolic form: ${spec}`);
    return spec;
  }
  const s = spec.trim();
  if (/^[0-7]+$/.test(s)) {
    const n = parseInt(s, 8);
    if (n > 0o7777) throw new ModuleFailure(`mode must be in octal or symbolic form: ${spec}`);
    return n;
  }
  let mode = current ?? 0;
  for (const clause of s.split(',')) {
    const m = SYMBOLIC_CLAUSE.exec(clause);
    if (!m) {
      throw new ModuleFailure(
        `mode must be in octal or symbolic form: bad symbolic permission for mode: ${spec} (e.g. "u+rwx,g-w" or "0644")`,
      );
    }
    const who = !m[1] || m[1].includes('a') ? 'ugo' : m[1];
    const op = m[2];
    const perms = m[3];
    const before = mode;
    for (const w of who) {
      const bits = permBits(w as 'u' | 'g' | 'o', perms, before, isDir);
      const mask = w === 'u' ? 0o4700 : w === 'g' ? 0o2070 : 0o1007;
      if (op === '+') mode |= bits;
      else if (op === '-') mode &= ~bits;
      else mode = (mode & ~mask) | bits;
    }
  }
  return mode;
}

function permBits(who: 'u' | 'g' | 'o', perms: string, prev: number, isDir: boolean): number {
  const shift = who === 'u' ? 6 : who === 'g' ? 3 : 0;
  // Copying another class's bits (g=u) takes that class's rwx.
  if (perms === 'u' || perms === 'g' || perms === 'o') {
    const from = perms === 'u' ? 6 : perms === 'g' ? 3 : 0;
    return ((prev >> from) & 7) << shift;
  }
  let bits = 0;
  for (const p of perms) {
    if (p === 'r') bits |= 4 << shift;
    else if (p === 'w') bits |= 2 << shift;
    else if (p === 'x') bits |= 1 << shift;
    else if (p === 'X') {
      if (isDir || (prev & 0o111) !== 0) bits |= 1 << shift;
    } else if (p === 's') {
      if (who === 'u') bits |= 0o4000;
      if (who === 'g') bits |= 0o2000;
    } else if (p === 't') {
      if (who === 'o') bits |= 0o1000;
    }
  }
  return bits;
}

/** True when `spec` (a user or group name, or a numeric id) names what the facts show. */
export function sameOwner(spec: string, name: string | undefined, id: number | undefined): boolean {
  if (/^\d+$/.test(spec)) return id === Number(spec);
  return name === spec;
}

export interface AttrPlan {
  steps: Step[];
  /** Ansible's attribute diff: only the keys that change. */
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  /** The mode the path has once the steps ran (undefined: unknown). */
  mode?: number;
}

/**
 * chmod/chown/chgrp steps for what differs between `facts` (the path's current state, or
 * not existing: then every requested attribute is set) and the requested attributes.
 * `skipMode` when the mode was already applied by a put.
 */
export function planAttrs(
  path: string,
  facts: FileFacts | undefined,
  args: CommonFileArgs,
  opts: { isDir?: boolean; skipMode?: boolean; noDeref?: boolean } = {},
): AttrPlan {
  const steps: Step[] = [];
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  const exists = !!facts?.exists;
  const p = quote(path);
  const h = opts.noDeref ? ' -h' : '';
  const wanted = resolveMode(args.mode, facts?.mode ?? (opts.isDir ? 0o755 : 0o644), !!opts.isDir);
  let mode = facts?.mode;
  if (wanted !== undefined) {
    if (!opts.skipMode && (!exists || facts!.mode !== wanted)) {
      steps.push({ kind: 'exec', cmd: `chmod ${formatMode(wanted)} -- ${p}` });
      if (exists) before.mode = formatMode(facts!.mode!);
      after.mode = formatMode(wanted);
    }
    mode = wanted;
  }
  if (args.owner !== undefined && args.owner !== '' && (!exists || !sameOwner(args.owner, facts!.owner, facts!.uid))) {
    steps.push({ kind: 'exec', cmd: `chown${h} ${quote(args.owner)} -- ${p}` });
    if (exists) before.owner = facts!.uid;
    after.owner = /^\d+$/.test(args.owner) ? Number(args.owner) : args.owner;
  }
  if (args.group !== undefined && args.group !== '' && (!exists || !sameOwner(args.group, facts!.group, facts!.gid))) {
    steps.push({ kind: 'exec', cmd: `chgrp${h} ${quote(args.group)} -- ${p}` });
    if (exists) before.group = facts!.gid;
    after.group = /^\d+$/.test(args.group) ? Number(args.group) : args.group;
  }
  return { steps, before, after, mode };
}

/** Ansible's backup name: path.PID.YYYY-MM-DD@HH:MM:SS~ */
export function backupName(path: string, s: BackupStamp): string {
  const d = new Date(s.time);
  const two = (n: number) => String(n).padStart(2, '0');
  const when = `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}@${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  return `${path}.${s.pid}.${when}~`;
}

export interface BackupStamp {
  pid: number;
  time: number;
}

/** Taken in prepare() so plan() stays a pure function of its inputs. */
export function makeBackupStamp(): BackupStamp {
  return { pid: process.pid, time: Date.now() };
}

export function backupStep(path: string, name: string): Step {
  return { kind: 'exec', cmd: `cp -p -- ${quote(path)} ${quote(name)}` };
}

export function dirname(path: string): string {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
  const i = trimmed.lastIndexOf('/');
  if (i < 0) return '.';
  if (i === 0) return '/';
  return trimmed.slice(0, i);
}

export function basename(path: string): string {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

export function joinPath(dir: string, name: string): string {
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

/** A path safe to give commands that have no `--` (find): a leading '-' gets './'. */
export function dashSafe(path: string): string {
  return path.startsWith('-') ? `./${path}` : path;
}

/**
 * Steps that put `content` at `path`. Without `validate` it is one atomic put. With it:
 * put to a temp file beside the destination, run the check on it, and only then move it
 * over the destination (keeping the old file's owner); a failed check removes the temp.
 */
export function writeSteps(
  path: string,
  content: Buffer,
  opts: { mode?: number; validate?: string; existing?: FileFacts },
): Step[] {
  const mode = opts.mode !== undefined ? formatMode(opts.mode) : undefined;
  if (!opts.validate) return [{ kind: 'put', path, content, mode }];
  if (!opts.validate.includes('%s')) throw new ModuleFailure(`validate must contain %s: ${opts.validate}`);
  const tmp = joinPath(dirname(path), `.${basename(path)}.rackplay-validate`);
  const t = quote(tmp);
  const d = quote(path);
  // The temp is new, so it would get umask permissions: give it the old file's mode.
  const tmpMode = mode ?? (opts.existing?.exists && opts.existing.mode !== undefined ? formatMode(opts.existing.mode) : undefined);
  const check = opts.validate.split('%s').join(t);
  return [
    { kind: 'put', path: tmp, content, mode: tmpMode },
    {
      kind: 'exec',
      cmd:
        `{ ( ${check}\n) || { rp_rc=$?; rm -f -- ${t}; echo "failed to validate: rc:$rp_rc" >&2; exit $rp_rc; }; }` +
        ` && { [ ! -e ${d} ] || chown --reference=${d} -- ${t} 2>/dev/null || true; } && mv -f -- ${t} ${d}`,
    },
  ];
}

export const MAX_DIFF_BYTES = 64 * 1024;

/** True when the bytes look like text (no NUL) — as Ansible decides to skip binary diffs. */
export function looksBinary(b: Buffer): boolean {
  return b.includes(0);
}

/**
 * A content diff like Ansible's. `before` undefined means the file did not exist;
 * null means its content is unknown (too large to fetch in the probe).
 */
export function contentDiff(path: string, before: Buffer | undefined | null, after: Buffer): FileDiff {
  if (before === null) {
    return { before: '', after: '', before_header: path, after_header: `${path} (diff skipped: destination file size is greater than ${MAX_DIFF_BYTES})` };
  }
  if ((before && looksBinary(before)) || looksBinary(after)) {
    return { before: '', after: '', before_header: path, after_header: `${path} (diff skipped: file appears to be binary)` };
  }
  return {
    before: before ? before.toString('utf8') : '',
    after: after.toString('utf8'),
    before_header: before ? path : `${path} (absent)`,
    after_header: path,
  };
}

/** Ansible's rendering of a state/attribute diff dict (JSON with sorted keys). */
export function dictDiff(path: string, before: Record<string, unknown>, after: Record<string, unknown>): FileDiff {
  const render = (o: Record<string, unknown>) =>
    JSON.stringify(Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]])), null, 4) + '\n';
  return { before: render({ path, ...before }), after: render({ path, ...after }), before_header: path, after_header: path };
}

/**
 * Text handling for line-oriented modules: a file that is valid UTF-8 is edited as
 * Unicode; anything else as bytes (latin1 code units), with the task's strings converted
 * to the same byte view so a match still works on their UTF-8 bytes.
 */
export interface TextCodec {
  decode(b: Buffer): string;
  encode(s: string): Buffer;
  /** A task string in the same view as decoded content. */
  fromTask(s: string): string;
}

const UTF8: TextCodec = {
  decode: (b) => b.toString('utf8'),
  encode: (s) => Buffer.from(s, 'utf8'),
  fromTask: (s) => s,
};
const BYTES: TextCodec = {
  decode: (b) => b.toString('latin1'),
  encode: (s) => Buffer.from(s, 'latin1'),
  fromTask: (s) => Buffer.from(s, 'utf8').toString('latin1'),
};

export function codecFor(content: Buffer | undefined): TextCodec {
  if (!content) return UTF8;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(content);
    return UTF8;
  } catch {
    return BYTES;
  }
}

/** Python's bytes.readlines(): split after each \n, keeping it. */
export function readLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      lines.push(text.slice(start, i + 1));
      start = i + 1;
    }
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

/** Python's bytes.splitlines(True): line ends are \n, \r\n or \r. */
export function splitLinesKeepEnds(text: string): string[] {
  return text.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
}

/** Common checks for the modules that edit an existing file in place. */
export function requireEditable(path: string, facts: FileFacts, create: boolean): string | undefined {
  if (facts.exists && facts.type === 'directory') return `Path ${path} is a directory !`;
  if (!facts.exists && !create) return `Destination ${path} does not exist !`;
  if (facts.exists && facts.content === undefined) return `Could not read ${path} (permission denied?)`;
  return undefined;
}


/** The permission booleans of Ansible's stat result (wusr ... isgid), for stat and find. */
export function permissionFlags(m: number): Record<string, boolean> {
  return {
    wusr: !!(m & 0o200),
    rusr: !!(m & 0o400),
    xusr: !!(m & 0o100),
    wgrp: !!(m & 0o020),
    rgrp: !!(m & 0o040),
    xgrp: !!(m & 0o010),
    woth: !!(m & 0o002),
    roth: !!(m & 0o004),
    xoth: !!(m & 0o001),
    isuid: !!(m & 0o4000),
    isgid: !!(m & 0o2000),
  };
}

/** The file-type booleans of Ansible's stat result (isdir ... issock), from the probe's type word. */
export function typeFlags(type: string | undefined): Record<string, boolean> {
  return {
    isdir: type === 'directory',
    ischr: type === 'char',
    isblk: type === 'block',
    isreg: type === 'file',
    isfifo: type === 'fifo',
    islnk: type === 'link',
    issock: type === 'socket',
  };
}
