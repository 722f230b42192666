// The pure half of ansible.posix.mount on Linux: fstab lines edited with Ansible's rules
// (a line is found by its mount point, or for swap by its source; fields are escaped as
// \040, \046, \134; only the fields that differ make a new line), and /proc/self/mountinfo
// read as Ansible reads it to tell whether a path is mounted (bind mounts included).

/** The fstab fields of a mount, as strings. */
export interface FstabEntry {
  name: string;
  src?: string;
  fstype?: string;
  opts: string;
  dump: string;
  passno: string;
}

export function escapeFstab(v: string): string {
  return v.split('\\').join('\\134').split(' ').join('\\040').split('&').join('\\046');
}

/** Python's readlines(). */
export function readLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

const FIELDS = ['src', 'name', 'fstype', 'opts', 'dump', 'passno'] as const;

function isOther(line: string, ld: Record<string, string>, e: FstabEntry): boolean {
  return ld.name !== escapeFstab(e.name) || (e.src !== undefined && ld.name === 'none' && ld.fstype === 'swap' && ld.src !== e.src);
}

/**
 * Ansible's _set_mount_save_old: the new fstab text and whether it changed. `old` is the
 * text Ansible would put back after a failed mount (each line ending in a newline).
 */
export function setMount(text: string, e: FstabEntry): { text: string; old: string; changed: boolean } {
  const esc: Record<string, string> = {
    name: escapeFstab(e.name),
    src: escapeFstab(e.src ?? 'None'),
    fstype: escapeFstab(e.fstype ?? 'None'),
    opts: escapeFstab(e.opts),
    dump: escapeFstab(e.dump),
    passno: escapeFstab(e.passno),
  };
  const out: string[] = [];
  const old: string[] = [];
  let exists = false;
  let changed = false;
  const lineOf = (ld: Record<string, string>) => `${ld.src} ${ld.name} ${ld.fstype} ${ld.opts} ${ld.dump} ${ld.passno}\n`;
  for (let line of readLines(text)) {
    if (!line.endsWith('\n')) line += '\n';
    old.push(line);
    const fields = line.trim() === '' || line.trim().startsWith('#') ? [] : line.split(/\s+/).filter((f) => f !== '');
    if (fields.length < 4 || fields.length > 6) {
      out.push(line);
      continue;
    }
    const ld: Record<string, string> = { dump: '0', passno: '0' };
    fields.forEach((f, i) => (ld[FIELDS[i]] = f));
    if (isOther(line, ld, e)) {
      out.push(line);
      continue;
    }
    exists = true;
    // `changed` carries over from an earlier matching line, as in Ansible
    for (const t of ['src', 'fstype', 'opts', 'dump', 'passno']) {
      if (ld[t] !== esc[t]) {
        ld[t] = esc[t];
        changed = true;
      }
    }
    out.push(changed ? lineOf(ld) : line);
  }
  if (!exists) {
    out.push(lineOf(esc));
    changed = true;
  }
  return { text: out.join(''), old: old.join(''), changed };
}

/** Ansible's unset_mount: the fstab without the mount's 6-field lines. */
export function unsetMount(text: string, e: Pick<FstabEntry, 'name' | 'src'>): { text: string; changed: boolean } {
  const out: string[] = [];
  let changed = false;
  for (const line of readLines(text)) {
    const fields = line.split(/\s+/).filter((f) => f !== '');
    if (line.trim() === '' || line.trim().startsWith('#') || fields.length !== 6) {
      out.push(line);
      continue;
    }
    const ld: Record<string, string> = {};
    fields.forEach((f, i) => (ld[FIELDS[i]] = f));
    if (isOther(line, ld, { ...e, opts: '', dump: '', passno: '' })) {
      out.push(line);
      continue;
    }
    changed = true;
  }
  return { text: out.join(''), changed };
}

export interface LinuxMount {
  dst: string;
  src: string;
  opts: string;
  fs: string;
}

/** Ansible's get_linux_mounts: mount point → mount, a bind mount's src being the directory it shows. */
export function linuxMounts(mountinfo: string): Map<string, LinuxMount> {
  interface Rec {
    id: number;
    parent: number;
    root: string;
    dst: string;
    opts: string;
    fs: string;
    src: string;
  }
  const byId = new Map<number, Rec>();
  for (const raw of mountinfo.split('\n')) {
    const f = raw.trim().split(/\s+/);
    if (f.length < 7) continue;
    byId.set(Number(f[0]), { id: Number(f[0]), parent: Number(f[1]), root: f[3], dst: f[4], opts: f[5], fs: f.at(-3)!, src: f.at(-2)! });
  }
  const mounts = new Map<string, LinuxMount>();
  for (const m of byId.values()) {
    let src = m.src;
    const p = byId.get(m.parent);
    if (m.parent !== 1 && p) {
      if (p.root.length > 1 && m.root.startsWith(`${p.root}/`)) m.root = m.root.slice(p.root.length);
      if (p.dst !== '/') m.root = `${p.dst}${m.root}`;
      src = m.root;
    }
    mounts.set(m.dst, { dst: m.dst, src, opts: m.opts, fs: m.fs });
  }
  return mounts;
}
