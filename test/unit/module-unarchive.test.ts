import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveMembers, detectFormat, parseUnarchiveProbe, planUnarchive, type UnarchiveArgs, type UnarchivePrepared } from '../../src/modules/unarchive.js';
import { cmds, ctx, have, out, planned, sec } from './system-test-helpers.js';

let dir: string;
let tgz: Buffer;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rackplay-unarchive-'));
  mkdirSync(join(dir, 'app'));
  writeFileSync(join(dir, 'app/a.txt'), 'hello\n');
  utimesSync(join(dir, 'app/a.txt'), 1600000000, 1600000000);
  const long = 'd'.repeat(120);
  mkdirSync(join(dir, 'app', long));
  writeFileSync(join(dir, 'app', long, 'f'), 'x');
  execFileSync('tar', ['-czf', join(dir, 'a.tgz'), '-C', dir, 'app']);
  tgz = readFileSync(join(dir, 'a.tgz'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What prepare() makes of a controller src (the archive read), or with remote_src of the args alone. */
function args(extra: Partial<UnarchiveArgs> = {}): UnarchivePrepared {
  const a: UnarchiveArgs = { src: 'a.tgz', dest: '/opt', remote_src: false, extra_opts: [], list_files: false, exclude: [], keep_newer: false, ...extra };
  return a.remote_src ? { args: a } : { args: a, archive: { content: tgz, format: 'gzip', members: archiveMembers(tgz, 'gzip') } };
}

/** Probe lines for the members in order: stat output or '-' for missing. */
function probe(a: UnarchivePrepared, stat: (path: string) => string | undefined) {
  const lines = a.archive!.members.map((m) => stat(m.path) ?? '-').join('\n');
  return out(have({ dest: true }), sec('members', lines));
}

const statOf = (m: { type: string; size: number; mtime: number }, extra = '') =>
  `+ ${m.size} ${m.mtime} root root ${m.type === 'dir' ? '755' : '644'} ${m.type === 'dir' ? 'directory' : 'regular file'}${extra}`;

describe('unarchive', () => {
  it('reads the members of a tar.gz, including GNU long names', () => {
    const members = archiveMembers(tgz, 'gzip');
    expect(detectFormat(tgz)).toBe('gzip');
    expect(members.find((m) => m.path === 'app/a.txt')).toEqual({ path: 'app/a.txt', type: 'file', size: 6, mtime: 1600000000 });
    expect(members.some((m) => m.path === `app/${'d'.repeat(120)}/f`)).toBe(true);
  });

  it('finished state plans nothing: every member there with its size and mtime', () => {
    const a = args({ list_files: true });
    const byPath = Object.fromEntries(a.archive!.members.map((m) => [m.path, m]));
    const p = planned(() => planUnarchive(a, parseUnarchiveProbe(probe(a, (path) => statOf(byPath[path])), a), ctx));
    expect(p.steps).toEqual([]);
    expect(p.result?.files).toContain('app/a.txt');
  });

  it.each([
    ['a member is missing', (m: { path: string }) => m.path === 'app/a.txt'],
    ['a file has another size', (m: { path: string }) => m.path === 'app/a.txt' && 'size'],
  ])('sends and unpacks when %s', (_t, pick) => {
    const a = args();
    const facts = parseUnarchiveProbe(
      probe(a, (path) => {
        const m = a.archive!.members.find((x) => x.path === path)!;
        const hit = pick(m);
        if (hit === 'size') return statOf({ ...m, size: 99 });
        return hit ? undefined : statOf(m);
      }),
      a,
    );
    const p = planned(() => planUnarchive(a, facts, ctx));
    expect(p.steps[0]).toMatchObject({ kind: 'put', path: expect.stringMatching(/^\/tmp\/\.rackplay-unarchive-[0-9a-f]{16}$/) });
    expect(cmds(p)[0]).toMatch(/^tar -xzf \/tmp\/\.rackplay-unarchive-\S+ -C \/opt; rc=\$\?; rm -f/);
  });

  it('creates short-circuits, and dest must exist', () => {
    const a = args({ creates: '/opt/app' });
    expect(planned(() => planUnarchive(a, parseUnarchiveProbe(out(have({ dest: true, creates: true })), a), ctx)).steps).toEqual([]);
    expect(planned(() => planUnarchive(args(), parseUnarchiveProbe(out(), args()), ctx)).failed).toBe("dest '/opt' must be an existing dir");
  });

  it('with remote_src, lists on the host and checks that members exist', () => {
    const a = args({ src: '/tmp/x.tar.bz2', remote_src: true });
    const done = parseUnarchiveProbe(out(have({ dest: true }), sec('members', 'x/\n+ 0 1 root root 755 directory\nx/y\n+ 1 1 root root 644 regular file')), a);
    expect(planned(() => planUnarchive(a, done, ctx)).steps).toEqual([]);
    const missing = parseUnarchiveProbe(out(have({ dest: true }), sec('members', 'x/\n+ 0 1 root root 755 directory\nx/y\n-')), a);
    expect(cmds(planned(() => planUnarchive(a, missing, ctx)))[0]).toBe('tar -xjf /tmp/x.tar.bz2 -C /opt');
  });
});
