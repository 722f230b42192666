// The account databases as `getent passwd|group` print them (the same lines as
// /etc/passwd and /etc/group), and the shadow summary the user module's probe prints.
// The probe never sends a password hash back: only whether it is locked, its length and an
// MD5 digest of it without its leading `!`s, which is all the user module compares.

export interface PasswdEntry {
  name: string;
  /** The passwd file's password field: `x` when the hash lives in /etc/shadow. */
  passwd: string;
  uid: number;
  gid: number;
  gecos: string;
  home: string;
  shell: string;
}

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

export interface ShadowSummary {
  /** The hash starts with `!` (usermod -L). */
  locked: boolean;
  /** Length of the whole password field (Ansible treats 0 or 1 characters as no password). */
  length: number;
  /** MD5 (hex) of the field with its leading `!`s removed. */
  digest: string;
  /** Days since the epoch; -1 when the field is empty (Python's spwd does the same). */
  expire: number;
  min: number;
  max: number;
}

/** `name:x:1000:1000:Full Name,,,:/home/name:/bin/bash` */
export function parsePasswdLine(line: string): PasswdEntry | undefined {
  const f = line.replace(/\r$/, '').split(':');
  if (f.length < 7 || !/^-?\d+$/.test(f[2]) || !/^-?\d+$/.test(f[3])) return undefined;
  // a gecos field never holds ':', but a broken line with more fields keeps the last two as home and shell
  return { name: f[0], passwd: f[1], uid: Number(f[2]), gid: Number(f[3]), gecos: f.slice(4, -2).join(':'), home: f.at(-2)!, shell: f.at(-1)! };
}

/** `sudo:x:27:alice,bob` */
export function parseGroupLine(line: string): GroupEntry | undefined {
  const f = line.replace(/\r$/, '').split(':');
  if (f.length < 4 || !/^-?\d+$/.test(f[2])) return undefined;
  return { name: f[0], gid: Number(f[2]), members: f[3].split(',').map((m) => m.trim()).filter((m) => m !== '') };
}

export function parseGroupLines(text: string): GroupEntry[] {
  return text.split('\n').flatMap((l) => {
    const g = parseGroupLine(l);
    return g ? [g] : [];
  });
}

function daysField(v: string | undefined): number {
  return v !== undefined && /^-?\d+$/.test(v.trim()) ? Number(v.trim()) : -1;
}

/** The probe's `key value` lines (see userProbe): undefined when there was no shadow entry. */
export function parseShadowSummary(text: string): ShadowSummary | undefined {
  const kv: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^(\w+) ?(.*)$/.exec(line);
    if (m) kv[m[1]] = m[2];
  }
  if (kv.entry !== 'yes') return undefined;
  return {
    locked: kv.locked === 'yes',
    length: Number(kv.length ?? 0),
    digest: (kv.digest ?? '').trim().slice(0, 32),
    expire: daysField(kv.expire),
    min: daysField(kv.min),
    max: daysField(kv.max),
  };
}
