// The pure half of ansible.builtin.find: the listing script, its parser, and Ansible's
// os.walk order and filters over what it lists. The host's output is NUL-separated with
// a leading tag on every record, so a file name (which can hold any byte but NUL) never
// delimits anything.
import { fnmatchRegExp } from '../fnmatch.js';
import { argvWord } from './command-runner.js';
import { compilePythonRegex } from './python-regex.js';
import { permissionFlags, typeFlags } from './file-common.js';

/** find -printf %y letters, as the probe's type words. */
const FIND_TYPES: Record<string, string> = { d: 'directory', c: 'char', b: 'block', f: 'file', p: 'fifo', l: 'link', s: 'socket' };

/** One entry as the host's lstat saw it (with its followed type, for os.walk's dirs). */
export interface FindEntry {
  /** Path relative to the searched directory, '/'-separated. */
  rel: string;
  type: string;
  /** `d` when it is a directory after following links (os.walk lists it with dirs). */
  followedType: string;
  perm: number;
  uid: number;
  gid: number;
  owner: string;
  group: string;
  size: number;
  inode: number;
  dev: number;
  nlink: number;
  atime: number;
  mtime: number;
  ctime: number;
}

/** What the host said about one of the `paths`. */
export interface FindRoot {
  /** The path after ~ and $VAR expansion on the host. */
  path: string;
  isDir: boolean;
  entries: FindEntry[];
}

export interface ListOptions {
  follow: boolean;
  recurse: boolean;
  /** Ansible's depth (0 or absent: unlimited). */
  depth?: number;
}

const FIELDS = '%y\\0%Y\\0%m\\0%U\\0%G\\0%u\\0%g\\0%s\\0%i\\0%D\\0%n\\0%A@\\0%T@\\0%C@\\0%p\\0';
const NFIELDS = 15;

/**
 * The listing script: the host's time, then per path `P`, its expanded form and either `N`
 * (not a directory) or one `E` record per entry below it. Entries deeper than Ansible looks
 * are not listed; it still counts the level below `depth`, so that one is.
 */
export function findScript(paths: string[], opts: ListOptions): string {
  let max = '';
  if (!opts.recurse) max = ' -maxdepth 1';
  else if (opts.depth) max = ` -maxdepth ${Math.max(opts.depth, 0) + 1}`;
  const lines = ['LC_ALL=C; export LC_ALL', "printf 'T\\0%s\\0' \"$(date +%s.%N)\""];
  paths.forEach((p) => {
    lines.push(`rp_p=${argvWord(p)}`);
    lines.push('case "$rp_p" in -*) rp_s="./$rp_p" ;; *) rp_s="$rp_p" ;; esac');
    lines.push(`printf 'P\\0%s\\0' "$rp_p"`);
    lines.push('if [ -d "$rp_p" ]; then');
    // With follow, find -L walks through links but describes targets: a second find (-P)
    // describes each path it lists as lstat does, as Ansible's os.lstat.
    // (-exec's `{}` must come last, hence the sh and the format in the environment.)
    if (opts.follow) {
      lines.push(`  rp_fmt='E\\0${FIELDS}'; export rp_fmt`);
      lines.push(`  find -L "$rp_s" -mindepth 1${max} -exec sh -c 'find "$@" -prune -printf "$rp_fmt"' sh {} + 2>/dev/null`);
    }
    else lines.push(`  find -H "$rp_s" -mindepth 1${max} -printf 'E\\0${FIELDS}' 2>/dev/null`);
    lines.push("else printf 'N\\0'; fi");
  });
  lines.push('true');
  return lines.join('\n');
}

/** Python's float st_*time from find's `%A@` (seconds.fraction). */
function floatTime(s: string): number {
  const [sec, frac = ''] = s.split('.');
  const ns = Number(frac.slice(0, 9).padEnd(9, '0'));
  return Number(sec) + ns * 1e-9;
}

/** Python's os.path.normpath for an absolute or relative POSIX path. */
export function normpath(p: string): string {
  if (p === '') return '.';
  const lead = p.startsWith('//') && !p.startsWith('///') ? 2 : p.startsWith('/') ? 1 : 0;
  const out: string[] = [];
  for (const c of p.split('/')) {
    if (c === '' || c === '.') continue;
    if (c !== '..' || (!lead && out.length === 0) || (out.length > 0 && out[out.length - 1] === '..')) out.push(c);
    else if (out.length > 0) out.pop();
  }
  const s = '/'.repeat(lead) + out.join('/');
  return s === '' ? '.' : s;
}

export interface FindListing {
  now: number;
  roots: FindRoot[];
}

/** The script's output; a truncated record at the end is dropped. */
export function parseFindOutput(stdout: string): FindListing {
  const t = stdout.split('\0');
  const roots: FindRoot[] = [];
  let now = 0;
  let cur: FindRoot | undefined;
  let start = '';
  for (let i = 0; i < t.length; ) {
    const tag = t[i];
    if (tag === 'T') {
      now = floatTime(t[i + 1] ?? '0');
      i += 2;
    } else if (tag === 'P' && i + 1 < t.length) {
      cur = { path: t[i + 1], isDir: true, entries: [] };
      start = t[i + 1].startsWith('-') ? `./${t[i + 1]}` : t[i + 1];
      roots.push(cur);
      i += 2;
    } else if (tag === 'N' && cur) {
      cur.isDir = false;
      i += 1;
    } else if (tag === 'E' && cur && i + NFIELDS < t.length) {
      const f = t.slice(i + 1, i + 1 + NFIELDS);
      const p = f[14];
      const rel = p.startsWith(start) ? p.slice(start.length).replace(/^\/+/, '') : p;
      const uid = Number(f[3]);
      const gid = Number(f[4]);
      cur.entries.push({
        rel,
        type: f[0],
        followedType: f[1],
        perm: parseInt(f[2], 8),
        uid,
        gid,
        // find prints the number when there is no name; Python's pwd lookup gives ''
        owner: f[5] === f[3] ? '' : f[5],
        group: f[6] === f[4] ? '' : f[6],
        size: Number(f[7]),
        inode: Number(f[8]),
        dev: Number(f[9]),
        nlink: Number(f[10]),
        atime: floatTime(f[11]),
        mtime: floatTime(f[12]),
        ctime: floatTime(f[13]),
      });
      i += 1 + NFIELDS;
    } else i += 1;
  }
  return { now, roots };
}

/**
 * The entries in os.walk's order (top-down; in each directory its non-directories, then
 * its directories, each in listing order) with how many os.walk looked at.
 */
export function walkOrder(entries: FindEntry[], recurse: boolean): { ordered: FindEntry[]; looked: number } {
  const children = new Map<string, FindEntry[]>();
  for (const e of entries) {
    const slash = e.rel.lastIndexOf('/');
    const parent = slash < 0 ? '' : e.rel.slice(0, slash);
    let list = children.get(parent);
    if (!list) children.set(parent, (list = []));
    list.push(e);
  }
  const ordered: FindEntry[] = [];
  let looked = 0;
  const walk = (dir: string): void => {
    const list = children.get(dir) ?? [];
    const dirs = list.filter((e) => e.followedType === 'd');
    const files = list.filter((e) => e.followedType !== 'd');
    looked += list.length;
    ordered.push(...files, ...dirs);
    if (recurse) for (const d of dirs) walk(d.rel);
  };
  walk('');
  return { ordered, looked };
}

/** Ansible's pfilter: a basename against patterns and excludes (glob or re.match). */
export function patternFilter(name: string, patterns: string[], excludes: string[] | undefined, useRegex: boolean): boolean {
  if (patterns.length === 0 && !excludes?.length) return true;
  const matches = (p: string): boolean => {
    if (!useRegex) return fnmatchRegExp(p).test(name);
    const re = compilePythonRegex(p);
    return new RegExp(re.source, re.flags.replace('g', '') + 'y').test(name);
  };
  for (const p of patterns) {
    if (matches(p)) return !(excludes ?? []).some(matches);
  }
  return false;
}

/** Ansible's contentfilter over a file's bytes (Python's text mode: UTF-8, universal newlines). */
export function contentMatches(content: Buffer, pattern: string, readWholeFile: boolean): boolean {
  const re = compilePythonRegex(pattern);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(content).replace(/\r\n?/g, '\n');
  } catch {
    return false;
  }
  if (readWholeFile) return new RegExp(re.source, re.flags.replace(/[gy]/g, '')).test(text);
  const sticky = new RegExp(re.source, re.flags.replace('g', '') + 'y');
  return (text.match(/[^\n]*\n|[^\n]+$/g) ?? []).some((line) => {
    sticky.lastIndex = 0;
    return sticky.test(line);
  });
}

/** Ansible's `age` in seconds ("-2d", "3w"); undefined when it does not parse. */
export function parseAge(age: string): number | undefined {
  const m = /^(-?\d+)([smhdw])?$/.exec(age.toLowerCase());
  const unit: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  return m ? Number(m[1]) * (unit[m[2] ?? 's'] ?? 1) : undefined;
}

/** Ansible's `size` in bytes ("10k", "-1m"); undefined when it does not parse. */
export function parseSize(size: string): number | undefined {
  const m = /^(-?\d+)([bkmgt])?$/.exec(size.toLowerCase());
  const unit: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };
  return m ? Number(m[1]) * (unit[m[2] ?? 'b'] ?? 1) : undefined;
}

/** Ansible's statinfo() dictionary (its keys in its order) for one entry. */
export function statInfo(e: FindEntry): Record<string, unknown> {
  const m = e.perm;
  return {
    mode: m.toString(8).padStart(4, '0'),
    ...typeFlags(FIND_TYPES[e.type]),
    uid: e.uid,
    gid: e.gid,
    size: e.size,
    inode: e.inode,
    dev: e.dev,
    nlink: e.nlink,
    atime: e.atime,
    mtime: e.mtime,
    ctime: e.ctime,
    gr_name: e.group,
    pw_name: e.owner,
    ...permissionFlags(m),
  };
}
