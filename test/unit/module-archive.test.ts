// archive run for real on this machine (sh, find, tar, gzip, bzip2, xz, zip, unzip) in a
// scratch directory: each case archives, then runs again with nothing to do, and a
// changed source makes it write again. The pure pieces (common root, listings) by table.
import { spawnSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { archiveModule, type ArchiveArgs } from '../../src/modules/archive.js';
import { commonPath, normalizeTarListing, normalizeZipListing } from '../../src/modules/archive-plan.js';
import { ModuleFailure, type ModuleResult, type RunContext } from '../../src/modules/types.js';

const tools = ['tar', 'gzip', 'bzip2', 'xz', 'zip', 'unzip', 'find'];
const missing = tools.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);

function localCtx(check: boolean): RunContext {
  return {
    check,
    diff: false,
    host: 'local',
    vars: {},
    exec: async (command: string, opts?: { stdin?: string | Buffer }) => {
      const r = spawnSync('sh', ['-c', command], { input: opts?.stdin ?? '' });
      return { rc: r.status ?? 1, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8'), stdoutBytes: r.stdout };
    },
  } as unknown as RunContext;
}

const run = (a: Partial<ArchiveArgs>, check = false): Promise<ModuleResult> =>
  archiveModule.run!({ format: 'gz', exclude_path: [], force_archive: false, remove: false, ...a } as ArchiveArgs, localCtx(check));

async function fails(a: Partial<ArchiveArgs>): Promise<ModuleFailure> {
  try {
    await run(a);
  } catch (e) {
    if (e instanceof ModuleFailure) return e;
    throw e;
  }
  throw new Error('did not fail');
}

describe('archive: pure pieces', () => {
  it.each([
    [['/tmp/src'], '/tmp/'],
    [['/tmp/a/x', '/tmp/ab/y'], '/tmp/'],
    [['/srv/a/x', '/srv/a/y/z'], '/srv/a/'],
    [['/x'], '/'],
  ])('common root of %j is %s', (paths, root) => expect(commonPath(paths)).toBe(root));

  it('reads tar and unzip listings', () => {
    expect(normalizeTarListing('-rw-r--r-- 0/0               2 2026-12-06 10:33:35.7954528 src/a b.txt\n')).toEqual(['-rw-r--r-- 0/0 2 2026-12-06 10:33:35 src/a b.txt']);
    const unzip = ' Length   Method    Size  Cmpr    Date    Time   CRC-32   Name\n--------  ------  ------- ---- ---------- ----- --------  ----\n       0  Stored        0   0% 2026-12-06 10:33 00000000  src/sub/\n       2  Defl:N        4 100% 2026-12-06 10:33 ddeaa107  src/a.txt\n';
    expect(normalizeZipListing(unzip)).toEqual(['src/sub/ 00000000', 'src/a.txt ddeaa107']);
  });
});

describe.skipIf(missing.length > 0)(`archive on this machine${missing.length ? ` (skipped: no ${missing.join(', ')})` : ''}`, () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'rackplay-archive-'));
    mkdirSync(path.join(dir, 'src/sub'), { recursive: true });
    writeFileSync(path.join(dir, 'src/a.txt'), 'a\n');
    writeFileSync(path.join(dir, 'src/sub/b.log'), 'b\n');
    writeFileSync(path.join(dir, 'one.txt'), 'one\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const p = (rel: string) => path.join(dir, rel);
  const list = (cmd: string) => spawnSync('sh', ['-c', cmd], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l !== '').sort();

  it.each(['gz', 'bz2', 'xz', 'tar'] as const)('packs a tree as tar (%s), then has nothing to do until a source changes', async (format) => {
    const a = { path: [p('src')], dest: p(`out.${format}`), format };
    expect(await run(a, true)).toMatchObject({ changed: true, dest_state: 'absent', archived: [] });
    expect(existsSync(p(`out.${format}`))).toBe(false);
    const r = await run(a);
    expect(r).toMatchObject({ changed: true, dest_state: 'archive', arcroot: dir + '/', missing: [], expanded_paths: [p('src')], state: 'file' });
    expect(r.archived).toEqual([p('src/sub'), p('src/a.txt'), p('src/sub/b.log')]);
    expect(list(`tar -tf ${p(`out.${format}`)}`)).toEqual(['src/a.txt', 'src/sub/', 'src/sub/b.log']);
    expect(await run(a)).toMatchObject({ changed: false, dest_state: 'archive', size: expect.any(Number) });
    // as in Ansible, check mode cannot tell without writing: an archive always "changes"
    expect(await run(a, true)).toMatchObject({ changed: true, dest_state: 'absent' });
    utimesSync(p('src/a.txt'), 1_000_000, 1_000_000);
    expect((await run(a)).changed).toBe(true);
  });

  it('packs a zip without the excluded files; a newer but equal file changes nothing (CRC)', async () => {
    const a = { path: [p('src')], dest: p('out.zip'), format: 'zip' as const, exclusion_patterns: ['*.log'] };
    const r = await run(a);
    expect(r).toMatchObject({ changed: true, archived: [p('src/a.txt')] });
    expect(list(`unzip -Z1 ${p('out.zip')}`)).toEqual(['src/a.txt', 'src/sub/']);
    utimesSync(p('src/a.txt'), 1_000_000, 1_000_000);
    expect((await run(a)).changed).toBe(false);
    writeFileSync(p('src/a.txt'), 'A\n');
    expect((await run(a)).changed).toBe(true);
  });

  it('compresses one file next to itself, by content', async () => {
    const a = { path: [p('one.txt')], format: 'xz' as const, mode: '0600' };
    expect(await run(a, true)).toMatchObject({ changed: true });
    expect((await run(a, true)).state).toBeUndefined();
    expect(await run(a)).toMatchObject({ changed: true, dest: p('one.txt.xz'), dest_state: 'compress', archived: [p('one.txt')], mode: '0600' });
    expect(spawnSync('xz', ['-dc', p('one.txt.xz')], { encoding: 'utf8' }).stdout).toBe('one\n');
    expect((await run(a)).changed).toBe(false);
    expect((await run(a, true)).changed).toBe(false);
    utimesSync(p('one.txt'), 1_000_000, 1_000_000);
    expect((await run(a)).changed).toBe(false);
    writeFileSync(p('one.txt'), 'two\n');
    expect((await run(a)).changed).toBe(true);
  });

  it('expands globs, drops exclude_path, reports missing sources and removes what it archived', async () => {
    writeFileSync(p('src/c.txt'), 'c\n');
    const a = { path: [p('src/*.txt'), p('nothere')], exclude_path: [p('src/c.txt')], dest: p('t.tgz'), remove: true };
    const r = await run(a);
    expect(r).toMatchObject({ changed: true, dest_state: 'incomplete', missing: [p('nothere')], expanded_paths: [p('src/a.txt'), p('src/c.txt'), p('nothere')], expanded_exclude_paths: [p('src/c.txt')] });
    expect(r.archived).toEqual([p('src/a.txt')]);
    expect(existsSync(p('src/a.txt'))).toBe(false);
    expect(existsSync(p('src/c.txt'))).toBe(true);
  });

  it('packs hard links as links, and sees nothing to do the second time', async () => {
    linkSync(p('src/a.txt'), p('src/sub/a-again.txt'));
    const a = { path: [p('src')], dest: p('links.tar'), format: 'tar' as const };
    expect((await run(a)).changed).toBe(true);
    expect(spawnSync('sh', ['-c', `tar -tvf ${p('links.tar')} | grep -c '^h'`], { encoding: 'utf8' }).stdout).toBe('1\n');
    expect((await run(a)).changed).toBe(false);
  });

  it('fails as the module does', async () => {
    expect((await fails({ path: [p('src/*.none')], dest: p('x.tgz') })).message).toBe('Error, no source paths were found');
    expect((await fails({ path: [p('src')] })).message).toBe('Error, must specify "dest" when archiving multiple files or trees');
    expect((await fails({ path: [p('src')], dest: p('src/in.tgz'), remove: true })).message).toBe('Error, created archive can not be contained in source paths when remove=true');
  });
});
