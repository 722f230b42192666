// The mount module's pure half: fstab editing and mountinfo reading with Ansible's rules,
// and plans from probe output built as the probe prints it. Each row planned again with
// its finished state (fstab as written, the path mounted or not) must plan nothing.
import { describe, expect, it } from 'vitest';
import { escapeFstab, linuxMounts, setMount, unsetMount } from '../../src/modules/mount-fstab.js';
import { parseMount, planMount, prepareMount, type MountArgs } from '../../src/modules/mount.js';
import type { Plan } from '../../src/modules/types.js';
import { rec } from './file-module-helpers.js';

const FSTAB = '# static\nUUID=1 / ext4 errors=remount-ro 0 1\n/dev/sdb1 /srv/data ext4 defaults 0 2\n';
const MOUNTINFO = ['22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw', '40 22 0:40 / /mnt/t rw - tmpfs tmpfs rw', '41 22 8:1 /srv/src /mnt/bind rw - ext4 /dev/sda1 rw'].join('\n') + '\n';
const withoutT = MOUNTINFO.split('\n').filter((l) => !l.includes(' /mnt/t ')).join('\n');

interface Host {
  fstab?: string;
  mounted?: boolean;
  exists?: boolean;
  noMountinfo?: boolean;
  /** `mount -v`'s output. */
  mountv?: string;
}

function probeOut(h: Host): Buffer {
  const m = `@m\npath /usr/bin:/bin\nhave mount\nhave umount\n${h.exists || h.mounted ? 'exists yes\n' : ''}${h.exists || h.mounted ? `st ${h.mounted ? '40 1' : '8 5'} 8 2\n` : ''}`;
  const blob = (tag: string, t: string) => `@${tag}\ncontent ${Buffer.byteLength(t)}\n${t}\n`;
  return Buffer.concat([
    Buffer.from(m),
    rec('fstab', h.fstab === undefined ? 'absent' : { content: h.fstab }),
    Buffer.from(h.noMountinfo ? '' : blob('mountinfo', h.mounted ? MOUNTINFO : withoutT)),
    Buffer.from(blob('mounts', h.mountv ?? '')),
  ]);
}

type Row = Partial<MountArgs> & { path: string; state: MountArgs['state'] };

function planFor(row: Row, h: Host, check = false): Plan {
  const p = prepareMount({ boot: true, dump: '0', passno: '0', backup: false, ...row } as MountArgs);
  const buf = probeOut(h);
  return planMount(p, parseMount({ rc: 0, stdout: buf.toString(), stderr: '', stdoutBytes: buf }), { check });
}

/** What the step's script leaves: the fstab it prints last, mounted after mount/remount, not after umount. */
function after(h: Host, plan: Plan): Host {
  const next = { ...h };
  for (const s of plan.steps) {
    if (s.kind !== 'exec') continue;
    // the fstab written (not the one put back after a failed mount, which discards errors)
    for (const w of s.cmd.matchAll(/printf '%s' ('(?:[^']|'\\'')*'|\S+) > \S+(?=\n|$)/g)) {
      next.fstab = w[1].startsWith("'") ? w[1].slice(1, -1).split("'\\''").join("'") : w[1];
    }
    if (/rp_m=\$\(umount /.test(s.cmd)) next.mounted = false;
    if (/rp_m=\$\((mount|rmdir) /.test(s.cmd)) next.mounted = /rp_m=\$\(mount /.test(s.cmd);
    if (/rp_m=\$\(rmdir /.test(s.cmd)) next.exists = false;
    if (/mkdir -- /.test(s.cmd)) next.exists = true;
  }
  return next;
}

function converge(row: Row, h: Host): { plan: Plan; host: Host } {
  const plan = planFor(row, h);
  const host = after(h, plan);
  const again = planFor(row, host);
  expect(again.steps).toEqual([]);
  expect(again.changed).toBe(false);
  return { plan, host };
}

describe('fstab lines', () => {
  it('escapes spaces, ampersands and backslashes', () => {
    expect(escapeFstab('/mnt/a b&c\\d')).toBe('/mnt/a\\040b\\046c\\134d');
  });

  it('adds a line, changes only a differing one, and keeps comments and odd lines', () => {
    const e = { name: '/mnt/t', src: 'tmpfs', fstype: 'tmpfs', opts: 'size=1m', dump: '0', passno: '0' };
    expect(setMount(FSTAB, e)).toMatchObject({ changed: true, text: `${FSTAB}tmpfs /mnt/t tmpfs size=1m 0 0\n` });
    expect(setMount(`${FSTAB}tmpfs   /mnt/t  tmpfs size=1m\n`, e)).toMatchObject({ changed: false });
    expect(setMount(`tmpfs /mnt/t tmpfs size=2m 0 0\nodd line\n`, e).text).toBe('tmpfs /mnt/t tmpfs size=1m 0 0\nodd line\n');
    expect(setMount('no newline', e).old).toBe('no newline\n');
  });

  it('removes only six-field lines of the mount point', () => {
    expect(unsetMount(`${FSTAB}tmpfs /mnt/t tmpfs size=1m 0 0\n`, { name: '/mnt/t' })).toEqual({ text: FSTAB, changed: true });
    expect(unsetMount(`tmpfs /mnt/t tmpfs size=1m\n`, { name: '/mnt/t' }).changed).toBe(false);
  });

  it('reads mountinfo as Ansible does: a bind mount shows the directory it comes from', () => {
    const m = linuxMounts(MOUNTINFO);
    expect(m.get('/mnt/t')).toEqual({ dst: '/mnt/t', src: '/', opts: 'rw', fs: 'tmpfs' });
    expect(m.get('/mnt/bind')?.src).toBe('/srv/src');
    expect(m.get('/')?.src).toBe('/dev/sda1');
  });
});

describe('mount states', () => {
  const T = { path: '/mnt/t', src: 'tmpfs', fstype: 'tmpfs', opts: 'size=1m' } as const;

  it('mounted: makes the directory, adds the fstab line and mounts', () => {
    const { plan, host } = converge({ ...T, state: 'mounted' }, { fstab: FSTAB });
    expect(host.fstab).toBe(`${FSTAB}tmpfs /mnt/t tmpfs size=1m 0 0\n`);
    expect(host.mounted).toBe(true);
    const script = plan.steps[0].kind === 'exec' ? plan.steps[0].cmd : '';
    expect(script).toContain("rp_m=$(mount /mnt/t 2>&1)");
    // a failed mount puts the old fstab back and removes the directories it made
    expect(script).toContain(`printf '%s' '${FSTAB}' > /etc/fstab 2>/dev/null; if [ -n "\${rp_c1-}" ]; then rmdir -- /mnt/t`);
    expect(plan.result).toMatchObject({ name: '/mnt/t', src: 'tmpfs', fstype: 'tmpfs', opts: 'size=1m', dump: '0', passno: '0', fstab: '/etc/fstab', boot: 'yes', backup_file: '' });
  });

  it('mounted with a changed fstab line on a mounted path remounts', () => {
    const { plan } = converge({ ...T, state: 'mounted' }, { fstab: `${FSTAB}tmpfs /mnt/t tmpfs size=2m 0 0\n`, mounted: true });
    expect(plan.steps[0].kind === 'exec' && plan.steps[0].cmd).toContain("mount -o remount /mnt/t");
  });

  it('present and absent_from_fstab touch fstab only; another fstab is named with -T', () => {
    expect(converge({ ...T, state: 'present', fstab: '/etc/fstab.test' }, { fstab: '' }).host).toEqual({ fstab: 'tmpfs /mnt/t tmpfs size=1m 0 0\n' });
    expect(converge({ path: '/mnt/t', state: 'absent_from_fstab' }, { fstab: 'tmpfs /mnt/t tmpfs size=1m 0 0\n', mounted: true }).host).toMatchObject({ fstab: '', mounted: true });
    const p = planFor({ ...T, state: 'mounted', fstab: '/etc/fstab.test' }, { fstab: '' });
    expect(p.steps[0].kind === 'exec' && p.steps[0].cmd).toContain('mount -T /etc/fstab.test /mnt/t');
  });

  it('absent: fstab line out, unmounted, directory removed', () => {
    const { host } = converge({ path: '/mnt/t', state: 'absent' }, { fstab: 'tmpfs /mnt/t tmpfs size=1m 0 0\n', mounted: true });
    expect(host).toMatchObject({ fstab: '', mounted: false, exists: false });
  });

  it('unmounted: umount only when mounted', () => {
    expect(converge({ path: '/mnt/t', state: 'unmounted' }, { fstab: FSTAB, mounted: true }).host.mounted).toBe(false);
    expect(planFor({ path: '/mnt/t', state: 'unmounted' }, { fstab: FSTAB, exists: true }).changed).toBe(false);
  });

  it('remounted always reports a change; with options it refuses to fall back', () => {
    const p = planFor({ path: '/mnt/t', state: 'remounted', opts: 'ro' }, { fstab: FSTAB, mounted: true });
    expect(p.changed).toBe(true);
    const script = p.steps[0].kind === 'exec' ? p.steps[0].cmd : '';
    expect(script).toContain('mount -o remount,ro /mnt/t');
    expect(script).toContain('Options were specified with remounted, but the remount command failed.');
  });

  it('ephemeral on a mounted path: the same source (by mountinfo or mount -v) remounts, another fails', () => {
    const row = { path: '/mnt/t', src: '/tmp/a.img', fstype: 'ext2', opts: 'loop', state: 'ephemeral' } as const;
    const p = planFor(row, { fstab: FSTAB, mounted: true, mountv: '/tmp/a.img on /mnt/t type ext2 (rw)\n' });
    expect(p.changed).toBe(true);
    expect(p.steps[0].kind === 'exec' && p.steps[0].cmd).toContain("mount -o remount -t ext2 -o loop /tmp/a.img /mnt/t");
    expect(() => planFor(row, { fstab: FSTAB, mounted: true, mountv: '/tmp/b.img on /mnt/t type ext2 (rw)\n' })).toThrow(/^Ephemeral mount point is already mounted with a different source/);
    const fresh = planFor(row, { fstab: FSTAB });
    expect(fresh.steps[0].kind === 'exec' && fresh.steps[0].cmd).toContain('rp_m=$(mount -t ext2 -o loop /tmp/a.img /mnt/t 2>&1)');
  });

  it('check mode plans no steps; boot: false adds noauto; a missing mountinfo warns', () => {
    const p = planFor({ ...T, state: 'mounted', boot: false }, { fstab: FSTAB, noMountinfo: true }, true);
    expect(p.steps).toEqual([]);
    expect(p.changed).toBe(true);
    expect(p.result).toMatchObject({ opts: 'size=1m,noauto', boot: 'no', warnings: ['Cannot open file /proc/self/mountinfo. Bind mounts might be misinterpreted.'] });
  });
});
