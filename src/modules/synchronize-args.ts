// The pure parts of synchronize: the rsync command line Ansible's module builds from the
// arguments (same options, same order, same quoting, so `cmd` reads the same), the remote
// side's `[user@]host:path`, and the reading of rsync's itemized output.
import { quote } from '../transport/quote.js';

/** The arguments that shape the rsync command (the module's schema, after defaults). */
export interface RsyncSpec {
  src: string;
  dest: string;
  delete: boolean;
  archive: boolean;
  checksum: boolean;
  compress: boolean;
  existing_only: boolean;
  dirs: boolean;
  recursive?: boolean;
  links?: boolean;
  copy_links: boolean;
  perms?: boolean;
  times?: boolean;
  owner?: boolean;
  group?: boolean;
  rsync_timeout: number;
  rsync_opts: string[];
  partial: boolean;
  delay_updates: boolean;
  rsync_path?: string;
  link_dest?: string[];
}

export interface RsyncCommandContext {
  /** The controller's rsync (a path). */
  rsync: string;
  check: boolean;
  /** The remote shell, one shell-quoted string; undefined when both ends are local. */
  rsh?: string;
  /** Prefix of every itemized line (Ansible's `<<CHANGED>>`). */
  marker: string;
}

/** Ansible's command string: the words joined with spaces, some shell-quoted (rsync_opts not). */
export function rsyncCommand(a: RsyncSpec, c: RsyncCommandContext): string {
  const cmd = [c.rsync];
  if (a.delay_updates) cmd.push('--delay-updates', '-F');
  if (a.compress) cmd.push('--compress');
  if (a.rsync_timeout) cmd.push(`--timeout=${a.rsync_timeout}`);
  if (c.check) cmd.push('--dry-run');
  if (a.delete) cmd.push('--delete-after');
  if (a.existing_only) cmd.push('--existing');
  if (a.checksum) cmd.push('--checksum');
  if (a.copy_links) cmd.push('--copy-links');
  const flags: [boolean | undefined, string][] = [
    [a.recursive, 'recursive'],
    [a.links, 'links'],
    [a.perms, 'perms'],
    [a.times, 'times'],
    [a.owner, 'owner'],
    [a.group, 'group'],
  ];
  if (a.archive) {
    // with archive, only an explicit false says something
    cmd.push('--archive');
    for (const [v, name] of flags) if (v === false) cmd.push(`--no-${name}`);
  } else {
    for (const [v, name] of flags) if (v === true) cmd.push(`--${name}`);
  }
  if (a.dirs) cmd.push('--dirs');
  // a user's own --rsh wins, as in Ansible
  if (c.rsh !== undefined && !a.rsync_opts.some((o) => o.includes('--rsh'))) cmd.push(`--rsh=${quote(c.rsh)}`);
  if (a.rsync_path) cmd.push(`--rsync-path=${quote(a.rsync_path)}`);
  cmd.push(...a.rsync_opts);
  if (a.partial) cmd.push('--partial');
  if (a.link_dest?.length) {
    // -vv: rsync does not count a new hard link as a change otherwise
    cmd.push('-H', '-vv');
    for (const l of a.link_dest) cmd.push(`--link-dest=${l}`);
  }
  cmd.push(`--out-format=${quote(`${c.marker}%i %n%L`)}`);
  cmd.push(quote(a.src), quote(a.dest));
  return cmd.join(' ');
}

/** The remote end as Ansible writes it: `user@host:path`, an IPv6 host in brackets. */
export function remoteTarget(host: string, p: string, user: string | undefined): string {
  if (p.startsWith('rsync://')) return p;
  const prefix = user ? `${user}@` : '';
  return host.includes(':') ? `[${prefix}${host}]:${p}` : `${prefix}${host}:${p}`;
}

export interface RsyncOutcome {
  changed: boolean;
  /** Ansible's `msg`: the output with the marker taken out. */
  msg: string;
  /** Ansible's `stdout_lines`: msg's non-empty lines. */
  lines: string[];
}

/**
 * Reads rsync's stdout. Only a line that starts with the marker is an item: rsync writes
 * file names with newlines and other control bytes escaped (`\#012`), so a name cannot
 * begin a line of its own, and the marker is random, so a name cannot hold it either.
 * Only the leading marker is removed: a name stays as rsync wrote it.
 */
export function readRsyncOutput(stdout: string, marker: string, linkDest: boolean): RsyncOutcome {
  const items: string[] = [];
  const lines = stdout.split('\n').map((line) => {
    if (!line.startsWith(marker)) return line;
    const item = line.slice(marker.length);
    items.push(item);
    return item;
  });
  // with link_dest (-vv) every file is listed; a leading '.' is "no change"
  const changed = linkDest ? items.some((i) => !i.startsWith('.')) : items.length > 0;
  const msg = lines.join('\n');
  return { changed, msg, lines: lines.filter((l) => l !== '') };
}
