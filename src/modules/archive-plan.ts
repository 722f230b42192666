// The archive module's decisions, pure: which sources, which members under which names,
// and whether the archive on the host already holds them. Ansible re-writes the archive
// and compares it with the old one (tar members by header checksum, zip members by CRC,
// a compressed single file by the CRC of its content); rackplay predicts the same
// comparison from the probe so that an archive already up to date is not rewritten:
// tar members by type, mode, owner, size, mtime, name and link target (what a tar
// header's checksum covers), zip members by name and CRC-32, a compressed file by content.
import { fnmatchRegExp } from '../fnmatch.js';

/** One path the probe's walk saw (find's record). */
export interface WalkEntry {
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  /** device:inode and link count, for hard links. */
  inode?: string;
  nlink?: number;
  path: string;
  link: string;
  /** CRC-32 (hex) of a regular file's content, zip format only. */
  crc?: string;
}

export interface Member {
  path: string;
  name: string;
  entry: WalkEntry;
}

/** Ansible's common_path: the common directory of the paths' parents, with a final slash. */
export function commonPath(paths: string[]): string {
  if (paths.length === 0) return '';
  const parents = paths.map((p) => joinSlash(dirnameOf(p)));
  let prefix = parents[0];
  for (const p of parents.slice(1)) {
    let i = 0;
    while (i < prefix.length && i < p.length && prefix[i] === p[i]) i++;
    prefix = prefix.slice(0, i);
  }
  return joinSlash(dirnameOf(prefix));
}

function dirnameOf(p: string): string {
  const i = p.lastIndexOf('/');
  if (i < 0) return '';
  const head = p.slice(0, i + 1);
  return /^\/+$/.test(head) ? head : head.replace(/\/+$/, '');
}

const joinSlash = (p: string) => (p === '' || p.endsWith('/') ? p : p + '/');
export const stripPrefix = (prefix: string, s: string) => (s.startsWith(prefix) ? s.slice(prefix.length) : s);

export function isArchiveName(dest: string): boolean {
  const base = dest.slice(dest.lastIndexOf('/') + 1);
  return /\.(tar|tar\.(gz|bz2|xz)|tgz|tbz2|zip)$/i.test(base);
}

/**
 * The members in the order Ansible adds them: a file target itself; a directory target's
 * contents as os.walk gives them (in each directory its subdirectories, then its files,
 * both in directory order, which is the order find lists them in; then each
 * subdirectory), the directory itself not included.
 */
export function members(targets: string[], walk: Map<string, WalkEntry[]>, root: string): Member[] {
  const out: Member[] = [];
  for (const t of targets) {
    const entries = walk.get(t) ?? [];
    const top = entries[0];
    if (!top) continue;
    if (top.type !== 'd') {
      out.push({ path: t, name: stripPrefix(root, t), entry: top });
      continue;
    }
    const children = new Map<string, WalkEntry[]>();
    for (const e of entries.slice(1)) {
      const parent = e.path.slice(0, e.path.lastIndexOf('/'));
      if (!children.has(parent)) children.set(parent, []);
      children.get(parent)!.push(e);
    }
    const visit = (dir: string) => {
      const kids = children.get(dir.replace(/\/+$/, '')) ?? [];
      const dirs = kids.filter((k) => k.type === 'd');
      for (const k of [...dirs, ...kids.filter((k) => k.type !== 'd')]) out.push({ path: k.path, name: stripPrefix(root, k.path), entry: k });
      for (const d of dirs) visit(d.path);
    };
    visit(t);
  }
  return out;
}

/** Members that the exclusion patterns keep: tar matches the member's name, zip its full path. */
export function kept(list: Member[], patterns: string[], format: string): Member[] {
  const res = patterns.map(fnmatchRegExp);
  return list.filter((m) => !res.some((re) => re.test(format === 'zip' ? m.path : m.name)));
}

function permString(type: string, mode: number): string {
  const t = type === 'd' ? 'd' : type === 'l' ? 'l' : '-';
  const bit = (m: number, c: string) => (mode & m ? c : '-');
  const x = (m: number, special: number, on: string, off: string) => (mode & special ? (mode & m ? on : off) : mode & m ? 'x' : '-');
  return (
    t +
    bit(0o400, 'r') + bit(0o200, 'w') + x(0o100, 0o4000, 's', 'S') +
    bit(0o040, 'r') + bit(0o020, 'w') + x(0o010, 0o2000, 's', 'S') +
    bit(0o004, 'r') + bit(0o002, 'w') + x(0o001, 0o1000, 't', 'T')
  );
}

function utcStamp(sec: number): string {
  return new Date(Math.floor(sec) * 1000).toISOString().replace('T', ' ').slice(0, 19);
}

/** A tar member as `tar --numeric-owner --full-time -tv` shows it (TZ=UTC), spaces collapsed. */
export function tarLine(m: Member): string {
  const e = m.entry;
  const size = e.type === 'f' ? e.size : 0;
  const name = e.type === 'd' ? m.name + '/' : m.name;
  return `${permString(e.type, e.mode)} ${e.uid}/${e.gid} ${size} ${utcStamp(e.mtime)} ${name}${e.type === 'l' ? ' -> ' + e.link : ''}`;
}

/**
 * The members as tar lists them: a regular file met again by another name (a hard link)
 * is stored as a link to the first name, as both GNU tar and Python's tarfile store it.
 */
export function tarLines(list: Member[]): string[] {
  const first = new Map<string, string>();
  return list.map((m) => {
    const e = m.entry;
    if (e.type === 'f' && (e.nlink ?? 1) > 1 && e.inode !== undefined) {
      const seen = first.get(e.inode);
      if (seen !== undefined) return `h${permString(e.type, e.mode).slice(1)} ${e.uid}/${e.gid} 0 ${utcStamp(e.mtime)} ${m.name} link to ${seen}`;
      first.set(e.inode, m.name);
    }
    return tarLine(m);
  });
}

/** A zip member as name and CRC-32, as Ansible compares them. */
export function zipLine(m: Member): string {
  return m.entry.type === 'd' ? `${m.name}/ 00000000` : `${m.name} ${m.entry.crc ?? '?'}`;
}

/** Lines of `tar -tv` with their spacing collapsed. */
export function normalizeTarListing(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const f = l.trim().split(/\s+/);
      const rest = l.trim().replace(/^(\S+\s+){5}/, '');
      // an archive of Python's tarfile (pax) lists fractions of a second; its header, whose checksum Ansible compares, whole ones
      return `${f[0]} ${f[1]} ${f[2]} ${f[3]} ${f[4].replace(/\.\d+$/, '')} ${rest}`;
    });
}

/** `unzip -v`'s member lines as name and CRC-32. */
export function normalizeZipListing(text: string): string[] {
  const out: string[] = [];
  for (const l of text.split('\n')) {
    const m = /^\s*\d+\s+\S+\s+\d+\s+\S+\s+\S+\s+\S+\s+([0-9a-f]{8})\s\s(.*)$/.exec(l);
    if (m) out.push(`${m[2]} ${m[1]}`);
  }
  return out;
}

export function sameSet(a: string[], b: string[]): boolean {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === y.size && [...x].every((v) => y.has(v));
}
