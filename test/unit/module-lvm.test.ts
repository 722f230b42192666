import { describe, expect, it } from 'vitest';
import { parseLvgProbe, planLvg, type LvgArgs } from '../../src/modules/lvg.js';
import { parseLvolProbe, parseSize, planLvol, targetExtents, type LvolArgs } from '../../src/modules/lvol.js';
import { cmds, ctx, out, planned, sec } from './system-test-helpers.js';

// vg0: 2 PVs, 4 MiB extents, 512 extents, 200 free
const VG = sec('vgs', '  vg0;2;1;2048.00;800.00;4.00;512;200');
const noVg = sec('vgs', '  Volume group "vg0" not found', 5);
const lvs = (...rows: string[]) => sec('lvs', rows.map((r) => `  ${r}`).join('\n'));

function lvol(args: Partial<LvolArgs>, ...probe: string[]) {
  const a: LvolArgs = { vg: 'vg0', lv: 'root', state: 'present', force: false, resizefs: false, shrink: true, active: true, ...args };
  return planned(() => planLvol(a, parseLvolProbe(out(...probe), a), ctx));
}

describe('lvol plan', () => {
  it.each([
    ['create 512m → 128 extents', { size: '512m' }, [VG, lvs()], 'lvcreate -n root -l 128 vg0'],
    ['create 10m rounds up to 3 extents', { size: '10m' }, [VG, lvs()], 'lvcreate -n root -l 3 vg0'],
    ['create 25%VG', { size: '25%VG' }, [VG, lvs()], 'lvcreate -n root -l 128 vg0'],
    ['create 100%FREE', { size: '100%FREE' }, [VG, lvs()], 'lvcreate -n root -l 200 vg0'],
    ['grow to 1200m', { size: '1200m' }, [VG, lvs('root;vg0;1024.00;;-wi-a-')], 'lvextend -l 300 vg0/root'],
    ['grow by +100m', { size: '+100m' }, [VG, lvs('root;vg0;1024.00;;-wi-a-')], 'lvextend -l 281 vg0/root'],
    ['shrink with force', { size: '512m', force: true }, [VG, lvs('root;vg0;1024.00;;-wi-a-')], 'lvreduce -f -l 128 vg0/root'],
    ['snapshot 10%ORIGIN', { snapshot: 'snap', size: '10%ORIGIN' }, [VG, lvs('root;vg0;1024.00;;-wi-a-')], 'lvcreate -s -n snap -l 25 /dev/vg0/root'],
    ['remove with force', { state: 'absent' as const, force: true }, [VG, lvs('root;vg0;1024.00;;-wi-a-')], 'lvremove --force vg0/root'],
  ])('%s', (_t, args, probe, want) => {
    const p = lvol(args, ...probe);
    expect(p.failed).toBeUndefined();
    expect(cmds(p)[0]).toContain(want);
  });

  it.each([
    ['same size', { size: '1g' }, [VG, lvs('root;vg0;1024.00;;-wi-a-')]],
    ['rounded-up size', { size: '10m' }, [VG, lvs('root;vg0;12.00;;-wi-a-')]],
    ['100%FREE with nothing free', { size: '100%FREE' }, [sec('vgs', '  vg0;2;1;2048.00;0.00;4.00;512;0'), lvs('root;vg0;2048.00;;-wi-a-')]],
    ['no shrink when shrink is false', { size: '512m', shrink: false }, [VG, lvs('root;vg0;1024.00;;-wi-a-')]],
    ['absent and gone', { state: 'absent' as const }, [VG, lvs()]],
    ['snapshot exists', { snapshot: 'snap', size: '10%ORIGIN' }, [VG, lvs('root;vg0;1024.00;;-wi-a-', 'snap;vg0;100.00;root;swi-a-')]],
  ])('finished state plans nothing: %s', (_t, args, probe) => {
    const p = lvol(args, ...probe);
    expect(p.failed).toBeUndefined();
    expect(p.steps).toEqual([]);
  });

  it.each([
    ['shrink without force', { size: '512m' }, [VG, lvs('root;vg0;1024.00;;-wi-a-')], 'Sorry, no shrinking of root without force=true.'],
    ['remove without force', { state: 'absent' as const }, [VG, lvs('root;vg0;1024.00;;-wi-a-')], 'Sorry, no removal of logical volume root without force=true.'],
    ['no VG', { size: '1g' }, [noVg, sec('lvs', '', 5)], 'Volume group vg0 does not exist.'],
    ['not enough space', { size: '2g' }, [VG, lvs('root;vg0;1024.00;;-wi-a-')], 'Logical Volume root could not be extended. Not enough free space left (1024.00m required / 800.00m available)'],
  ])('fails: %s', (_t, args, probe, msg) => {
    expect(lvol(args, ...probe).failed).toBe(msg);
  });

  it('parses sizes in Ansible notation', () => {
    expect(parseSize('10g')).toEqual({ kind: 'abs', op: '', mb: 10240 });
    expect(parseSize('+512M')).toEqual({ kind: 'abs', op: '+', mb: 512 });
    expect(parseSize('100%free')).toEqual({ kind: 'pct', op: '', pct: 100, of: 'FREE' });
    expect(parseSize('ten')).toBeUndefined();
    const vg = { name: 'v', pvCount: 1, lvCount: 0, sizeMb: 400, freeMb: 400, extentMb: 4, extentCount: 100, freeCount: 100 };
    expect(targetExtents(parseSize('50%FREE')!, vg, 10, undefined)).toBe(60);
  });
});

describe('lvg plan', () => {
  const pvs = (...rows: string[]) => sec('pvs', rows.map((r) => `  ${r}`).join('\n'));
  function lvg(args: Partial<LvgArgs>, ...probe: string[]) {
    const a: LvgArgs = { vg: 'vg0', pesize: '4', pv_options: '', vg_options: '', state: 'present', force: false, ...args };
    return planned(() => planLvg(a, parseLvgProbe(out(...probe), a), ctx));
  }
  const devs = (...ds: string[]) => ds.map((d, i) => sec(`dev${i}`, d)).join('');

  it('creates PVs and the VG', () => {
    expect(cmds(lvg({ pvs: ['/dev/sdb', '/dev/sdc'], pesize: '32M' }, noVg, pvs('/dev/sdc;'), devs('/dev/sdb', '/dev/sdc'))).map((c) => c.replace(/^.*&& /, ''))).toEqual([
      'pvcreate /dev/sdb',
      'vgcreate -s 32M vg0 /dev/sdb /dev/sdc',
    ]);
  });

  it('compares devices by their real path', () => {
    expect(lvg({ pvs: ['/dev/disk/by-id/x'] }, VG, pvs('/dev/sdb;vg0'), devs('/dev/sdb')).steps).toEqual([]);
  });

  it('extends and reduces to the listed PVs', () => {
    expect(cmds(lvg({ pvs: ['/dev/sdb', '/dev/sdd'] }, VG, pvs('/dev/sdb;vg0', '/dev/sdc;vg0'), devs('/dev/sdb', '/dev/sdd'))).map((c) => c.replace(/^.*&& /, ''))).toEqual([
      'pvcreate /dev/sdd',
      'vgextend vg0 /dev/sdd',
      'vgreduce --force vg0 /dev/sdc',
    ]);
  });

  it.each([
    ['missing device', { pvs: ['/dev/sdz'] }, [noVg, pvs(), sec('dev0', '', 1)], 'Device /dev/sdz not found.'],
    ['device in another VG', { pvs: ['/dev/sdb'] }, [noVg, pvs('/dev/sdb;other'), devs('/dev/sdb')], 'Device /dev/sdb is already in other volume group.'],
    ['remove non-empty without force', { state: 'absent' as const }, [VG, pvs()], 'Refuse to remove non-empty volume group vg0 without force=true'],
  ])('fails: %s', (_t, args, probe, msg) => {
    expect(lvg(args, ...probe).failed).toBe(msg);
  });

  it('absent and gone plans nothing', () => {
    expect(lvg({ state: 'absent' }, noVg, pvs()).steps).toEqual([]);
  });
});
