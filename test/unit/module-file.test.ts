import { describe, expect, it } from 'vitest';
import { fileModule, type FileArgs } from '../../src/modules/file.js';
import { resolveMode } from '../../src/modules/file-common.js';
import { finish, planCtx, planned, probeOut, rec, type RawFile } from './file-module-helpers.js';

const base = { recurse: false, force: false, follow: true, modification_time_format: '%Y%m%d%H%M.%S', access_time_format: '%Y%m%d%H%M.%S' };
const plan = (a: Partial<FileArgs> & { path: string }, p: RawFile | 'absent', extra: Buffer[] = []) =>
  planned(() => fileModule.plan!({ ...base, unsafe_writes: false, ...a }, probeOut(rec('p', p), rec('t', p), ...extra), planCtx));

describe('file plan: attributes', () => {
  const rows: Array<{ name: string; args: Partial<FileArgs>; before: RawFile; steps: string[] }> = [
    { name: 'octal string', args: { mode: '0600' }, before: { content: 'x' }, steps: ['chmod 0600 -- /srv/f'] },
    { name: 'octal without leading zero', args: { mode: '600' }, before: { content: 'x' }, steps: ['chmod 0600 -- /srv/f'] },
    { name: 'YAML 1.1 integer 0644 arrives as 420', args: { mode: 420 }, before: { content: 'x', mode: 0o600 }, steps: ['chmod 0644 -- /srv/f'] },
    { name: 'symbolic', args: { mode: 'u+x,g-w,o=' }, before: { content: 'x', mode: 0o664 }, steps: ['chmod 0740 -- /srv/f'] },
    { name: 'owner and group by name', args: { owner: 'app', group: 'web' }, before: { content: 'x' }, steps: ['chown app -- /srv/f', 'chgrp web -- /srv/f'] },
    { name: 'numeric owner already right', args: { owner: '0', mode: '0644' }, before: { content: 'x' }, steps: [] },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const p = plan({ path: '/srv/f', ...row.args }, row.before);
      expect(p.failed).toBeUndefined();
      expect(p.steps).toEqual(row.steps.map((cmd) => ({ kind: 'exec', cmd })));
      expect(plan({ path: '/srv/f', ...row.args }, finish(row.before, p)).steps).toEqual([]);
    });
  }

  it('symbolic X only adds execute to directories or already-executable files', () => {
    expect(resolveMode('a+X', 0o644, false)).toBe(0o644);
    expect(resolveMode('a+X', 0o744, false)).toBe(0o755);
    expect(resolveMode('a+X', 0o644, true)).toBe(0o755);
    expect(resolveMode('u=rwx,g=u,o-rwx', 0o640, false)).toBe(0o770);
    expect(resolveMode('u+s,o+t', 0o755, true)).toBe(0o5755);
    expect(() => resolveMode('u+q', 0o644, false)).toThrow(/bad symbolic permission/);
  });
});

describe('file plan: states', () => {
  it('directory: creates each missing level with the mode', () => {
    const p = plan({ path: '/srv/a b', state: 'directory', mode: '0750' }, 'absent');
    expect(p.steps).toEqual([
      { kind: 'exec', cmd: "{ [ -d /srv ] || if mkdir -- /srv; then chmod 0750 -- /srv; else [ -d /srv ]; fi; } && { [ -d '/srv/a b' ] || if mkdir -- '/srv/a b'; then chmod 0750 -- '/srv/a b'; else [ -d '/srv/a b' ]; fi; }" },
    ]);
    // Ansible's file diff is a mapping in every result (shown with --diff)
    expect(p.result?.diff).toEqual({ before: { path: '/srv/a b', state: 'absent' }, after: { path: '/srv/a b', state: 'directory' } });
    expect(plan({ path: '/srv/a b', state: 'directory', mode: '0750' }, { type: 'directory', mode: 0o750 }).steps).toEqual([]);
  });

  it('directory over a file fails', () => {
    expect(plan({ path: '/srv/f', state: 'directory' }, { content: 'x' }).failed).toBe('/srv/f already exists as a file');
  });

  it('absent removes files and trees, and is a no-op when gone', () => {
    expect(plan({ path: '/srv/d', state: 'absent' }, { type: 'directory' }).steps).toEqual([{ kind: 'exec', cmd: 'rm -rf -- /srv/d' }]);
    expect(plan({ path: '-f', state: 'absent' }, { content: '' }).steps).toEqual([{ kind: 'exec', cmd: 'rm -f -- -f' }]);
    expect(plan({ path: '/srv/d', state: 'absent' }, 'absent').steps).toEqual([]);
  });

  it('link: creates, keeps a correct one, retargets a wrong one, refuses a file without force', () => {
    const src = rec('s', { content: 'x' });
    expect(plan({ path: '/srv/l', state: 'link', src: 'target' }, 'absent', [src]).steps).toEqual([{ kind: 'exec', cmd: 'ln -s -- target /srv/l' }]);
    expect(plan({ path: '/srv/l', state: 'link', src: 'target' }, { type: 'link', link: 'target' }, [src]).steps).toEqual([]);
    expect(plan({ path: '/srv/l', state: 'link', src: 'target' }, { type: 'link', link: 'old' }, [src]).steps).toEqual([{ kind: 'exec', cmd: 'ln -sfn -- target /srv/l' }]);
    expect(plan({ path: '/srv/l', state: 'link', src: 'target' }, { content: 'x' }, [src]).failed).toBe('refusing to convert from file to symlink for /srv/l');
    expect(plan({ path: '/srv/l', state: 'link', src: 'target' }, 'absent', [rec('s', 'absent')]).failed).toMatch(/src file does not exist/);
  });

  it('hard: same inode is done; another file needs force', () => {
    const src = rec('s', { content: 'x', inode: 7 });
    expect(plan({ path: '/srv/h', state: 'hard', src: '/srv/x' }, { content: 'x', inode: 7 }, [src]).steps).toEqual([]);
    expect(plan({ path: '/srv/h', state: 'hard', src: '/srv/x' }, 'absent', [src]).steps).toEqual([{ kind: 'exec', cmd: 'ln -- /srv/x /srv/h' }]);
    expect(plan({ path: '/srv/h', state: 'hard', src: '/srv/x' }, { content: 'y', inode: 8 }, [src]).failed).toBe('Cannot link, file exists at destination');
  });

  it('touch: always changes unless times are preserved', () => {
    expect(plan({ path: '/srv/t', state: 'touch' }, { content: '' }).steps).toEqual([
      { kind: 'exec', cmd: 'touch -m -- /srv/t' },
      { kind: 'exec', cmd: 'touch -a -- /srv/t' },
    ]);
    expect(plan({ path: '/srv/t', state: 'touch', modification_time: 'preserve', access_time: 'preserve' }, { content: '' }).steps).toEqual([]);
    expect(plan({ path: '/srv/t', state: 'touch' }, 'absent').steps[0]).toEqual({ kind: 'exec', cmd: 'touch -- /srv/t' });
  });

  it('state=file on a missing path fails like Ansible', () => {
    expect(plan({ path: '/srv/none' }, 'absent').failed).toBe('file (/srv/none) is absent, cannot continue');
  });

  it('recurse: chmod -R only when some entry differs', () => {
    const args = { path: '/srv/tree', state: 'directory' as const, recurse: true, mode: 'u=rwX,g=rX,o=' };
    expect(fileModule.probe!({ ...base, ...args } as FileArgs)).toContain("find /srv/tree ! -type l -printf 'rmode %y %m\\n'");
    const differs = plan(args, { type: 'directory', mode: 0o750 }, [rec('r', { type: 'directory', extra: ['rmode d 750', 'rmode f 644'] })]);
    expect(differs.steps).toEqual([{ kind: 'exec', cmd: 'chmod -R u=rwX,g=rX,o= -- /srv/tree' }]);
    const same = plan(args, { type: 'directory', mode: 0o750 }, [rec('r', { type: 'directory', extra: ['rmode d 750', 'rmode f 640'] })]);
    expect(same.steps).toEqual([]);
  });
});

describe('file results as Ansible returns them', () => {
  const parse = (p: RawFile | 'absent', tail = '') =>
    fileModule.parse!({ rc: 0, stdout: '', stderr: '', stdoutBytes: Buffer.concat([rec('p', p), rec('t', p), Buffer.from(tail)]) }, { ...base, path: '/srv/f' } as FileArgs);
  const planWith = (a: Partial<FileArgs>, facts: ReturnType<typeof parse>) => planned(() => fileModule.plan!({ ...base, unsafe_writes: false, path: '/srv/f', ...a }, facts, planCtx));

  it('always has a diff: path, state when it changes, the attributes that change', () => {
    expect(plan({ path: '/srv/f', mode: '0600' }, { content: 'x', mode: 0o644 }).result?.diff).toEqual({ before: { path: '/srv/f', mode: '0644' }, after: { path: '/srv/f', mode: '0600' } });
    expect(plan({ path: '/srv/f', mode: '0644' }, { content: 'x', mode: 0o644 }).result?.diff).toEqual({ before: { path: '/srv/f' }, after: { path: '/srv/f' } });
    expect(plan({ path: '/srv/f', state: 'absent' }, { content: 'x' }).result?.diff).toEqual({ before: { path: '/srv/f', state: 'file' }, after: { path: '/srv/f', state: 'absent' } });
  });
  it('a missing file fails with its path and state', () => {
    expect(() => fileModule.plan!({ ...base, unsafe_writes: false, path: '/srv/f', state: 'file' }, probeOut(rec('p', 'absent'), rec('t', 'absent')), planCtx)).toThrow(/file \(\/srv\/f\) is absent, cannot continue/);
  });
  it('lists what a directory to remove holds (with --diff), and peeks whether a file is binary', () => {
    const facts = parse({ type: 'directory' }, '@@content\nd /srv/f/sub\nf /srv/f/sub/x\n');
    expect(planWith({ state: 'absent' }, facts).result?.diff).toMatchObject({ before: { path_content: { directories: ['/srv/f/sub'], files: ['/srv/f/sub/x'] } } });
    expect(planWith({ _diff_peek: true }, parse({ content: 'x' }, '@@content\npeek 10 9\n')).result).toEqual({ path: '/srv/f', changed: false, appears_binary: true });
    expect(planWith({ _diff_peek: true }, parse({ content: 'x' }, '@@content\npeek 10 10\n')).result?.appears_binary).toBe(false);
  });
  it('state=link without src keeps an existing link, and refuses to make one', () => {
    expect(plan({ path: '/srv/f', state: 'link' }, { type: 'link', link: '/srv/t' }).steps).toEqual([]);
    expect(plan({ path: '/srv/f', state: 'link' }, 'absent').failed).toBe('src is required for creating new symlinks');
  });
});
