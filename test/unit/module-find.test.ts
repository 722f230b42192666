// find's pure half: the host's NUL-separated listing, Ansible's os.walk order and filters,
// and the script run for real by sh on a temporary tree.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { finishSelection, readScript, selectEntries, type FindArgs } from '../../src/modules/find.js';
import {
  contentMatches,
  findScript,
  normpath,
  parseAge,
  parseFindOutput,
  parseSize,
  patternFilter,
  walkOrder,
  type FindEntry,
} from '../../src/modules/find-walk.js';

/** One `E` record as the script prints it: type, followed type, perm, path, size, mtime. */
function rec(type: string, p: string, opts: { followed?: string; size?: number; mtime?: string; perm?: string } = {}): string {
  const f = [type, opts.followed ?? type, opts.perm ?? '644', '0', '0', 'root', '0', String(opts.size ?? 0), '7', '2049', '1'];
  const t = opts.mtime ?? '1000.5000000000';
  return ['E', ...f, t, t, t, p].join('\0') + '\0';
}
const listing = (now: string, root: string, recs: string[]): string => `T\0${now}\0P\0${root}\0${recs.join('')}`;

const base = (over: Partial<FindArgs> = {}): FindArgs =>
  ({ paths: ['/r'], patterns: [], read_whole_file: false, file_type: 'file', age_stamp: 'mtime', recurse: false, hidden: false, follow: false, get_checksum: false, use_regex: false, ...over }) as FindArgs;

describe('find listing parser', () => {
  it('takes names with newlines, tabs and tag-like text as names, and drops a truncated record', () => {
    const out = listing('2000.25', '/r', [rec('f', '/r/a\nE\0'.replace('\0', '')), rec('f', '/r/P\tN'), rec('d', '/r/d')]) + 'E\0f\0f\0644';
    const { now, roots } = parseFindOutput(out);
    expect(now).toBe(2000.25);
    expect(roots).toHaveLength(1);
    expect(roots[0].entries.map((e) => e.rel)).toEqual(['a\nE', 'P\tN', 'd']);
    expect(roots[0].entries[0]).toMatchObject({ type: 'f', perm: 0o644, uid: 0, owner: 'root', group: '', dev: 2049, mtime: 1000.5 });
  });

  it('marks a path that is not a directory', () => {
    const { roots } = parseFindOutput('T\0001\0P\0/etc/passwd\0N\0P\0/r\0');
    expect(roots.map((r) => [r.path, r.isDir])).toEqual([
      ['/etc/passwd', false],
      ['/r', true],
    ]);
  });
});

describe("find's os.walk order", () => {
  const e = (rel: string, followedType = 'f'): FindEntry => ({ rel, type: followedType, followedType }) as FindEntry;
  const cases: [string, FindEntry[], boolean, string[], number][] = [
    ['files before directories, then each directory', [e('d1', 'd'), e('d1/x'), e('a'), e('d2', 'd'), e('d2/y')], true, ['a', 'd1', 'd2', 'd1/x', 'd2/y'], 5],
    ['without recurse only the top level', [e('d1', 'd'), e('a')], false, ['a', 'd1'], 2],
    ['a link to a directory is listed with the directories', [e('l', 'd'), e('f')], true, ['f', 'l'], 2],
  ];
  it.each(cases)('%s', (_name, entries, recurse, order, looked) => {
    const r = walkOrder(entries, recurse);
    expect(r.ordered.map((x) => x.rel)).toEqual(order);
    expect(r.looked).toBe(looked);
  });
});

describe('find filters', () => {
  it.each([
    ['a.log', ['*.log'], undefined, false, true],
    ['a.log', ['*.log'], ['a*'], false, false],
    ['b.txt', ['*.log', '*.txt'], ['a*'], false, true],
    ['abc', ['b'], undefined, true, false], // re.match anchors at the start only
    ['abc', ['a'], undefined, true, true],
    ['abc', ['a.*'], ['.*c$'], true, false],
  ] as const)('%s with %j excluding %j (regex %s) -> %s', (name, pats, excl, regex, want) => {
    expect(patternFilter(name, [...pats], excl ? [...excl] : undefined, regex)).toBe(want);
  });

  it.each([
    ['1w', 604800],
    ['-2d', -172800],
    ['30', 30],
    ['5M', 300],
    ['x', undefined],
  ])('age %s -> %s', (age, want) => expect(parseAge(age)).toBe(want));

  it.each([
    ['10k', 10240],
    ['-1m', -1048576],
    ['7', 7],
    ['1.5k', undefined],
  ])('size %s -> %s', (size, want) => expect(parseSize(size)).toBe(want));

  it.each([
    ['/a/b/', '/a/b'],
    ['/a/./b/../c', '/a/c'],
    ['a//b', 'a/b'],
    ['//x', '//x'],
  ])('normpath %s -> %s', (p, want) => expect(normpath(p)).toBe(want));

  it('contains: re.match per line, re.search over the whole file, CRLF as Python text mode reads it', () => {
    const body = Buffer.from('first\r\n  hello world\r\n');
    expect(contentMatches(body, 'hello', false)).toBe(false);
    expect(contentMatches(body, '\\s+hello', false)).toBe(true);
    expect(contentMatches(body, 'hello', true)).toBe(true);
    expect(contentMatches(body, 'world$', false)).toBe(false);
    expect(contentMatches(body, '.*world$', false)).toBe(true);
    expect(contentMatches(Buffer.from([0xff, 0xfe, 0x41]), 'A', true)).toBe(false);
  });
});

describe('find selection (Ansible main loop)', () => {
  const out = listing('10000', '/r', [
    rec('f', '/r/big.log', { size: 5000, mtime: '100' }),
    rec('f', '/r/new.log', { size: 10, mtime: '9990' }),
    rec('f', '/r/.hidden.log'),
    rec('l', '/r/link', { followed: 'f' }),
    rec('d', '/r/sub', { mtime: '100' }),
    rec('f', '/r/sub/deep.log'),
    rec('f', '/r/sub/x/deeper.log'),
  ]);
  const paths = (args: Partial<FindArgs>) => selectEntries(base(args), out).candidates.map((c) => c.result.path);

  it.each([
    ['defaults', {}, ['/r/big.log', '/r/new.log']],
    ['hidden', { hidden: true }, ['/r/big.log', '/r/new.log', '/r/.hidden.log']],
    ['older than a minute', { age: '1m' }, ['/r/big.log']],
    ['at most 100 bytes', { size: '-100' }, ['/r/new.log']],
    ['links', { file_type: 'link' }, ['/r/link']],
    ['directories', { file_type: 'directory' }, ['/r/sub']],
    ['recurse to depth 2', { recurse: true, depth: 2 }, ['/r/big.log', '/r/new.log', '/r/sub/deep.log']],
    ['any, 1k or more (size does not apply to non-files)', { file_type: 'any', size: '1k' }, ['/r/big.log', '/r/link', '/r/sub']],
  ] as [string, Partial<FindArgs>, string[]][])('%s', (_name, args, want) => {
    expect(paths(args)).toEqual(want);
  });

  it('a path that is not a directory is skipped with Ansible words, and a warning', () => {
    const sel = selectEntries(base({ paths: ['/etc/passwd'] }), 'T\0001\0P\0/etc/passwd\0N\0');
    expect(sel.skipped).toEqual({ '/etc/passwd': "'/etc/passwd' is not a directory" });
    expect(sel.warnings).toEqual(["Skipped '/etc/passwd' path due to this access issue: '/etc/passwd' is not a directory\n"]);
  });

  it('a bad age or size fails the task as Ansible does', () => {
    expect(() => selectEntries(base({ age: '3y' }), '')).toThrow('failed to process age');
    expect(() => selectEntries(base({ size: 'big' }), '')).toThrow('failed to process size');
  });

  it('checksums and contents come back one line each, in order', () => {
    const args = base({ get_checksum: true, contains: 'needle' });
    const sel = selectEntries(args, out);
    expect(readScript(sel.candidates)).toContain('sha1sum < /r/big.log');
    const answers = ['Yaaa', `Y${Buffer.from('a needle').toString('base64')}`, 'Ybbb', `Y${Buffer.from('needle').toString('base64')}`].join('\n');
    const files = finishSelection(args, sel.candidates, answers);
    expect(files.map((f) => [f.path, f.checksum])).toEqual([['/r/new.log', 'bbb']]);
  });
});

describe('find script on this machine', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rp-find-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(path.join(dir, 'a/b'), { recursive: true });
  writeFileSync(path.join(dir, 'odd\nname.txt'), 'x');
  writeFileSync(path.join(dir, 'a/b/z.txt'), 'hello\n');
  utimesSync(path.join(dir, 'a/b/z.txt'), 100, 100);
  symlinkSync('a', path.join(dir, 'la'));
  const run = (args: Partial<FindArgs>) => {
    const a = base({ paths: [dir], ...args });
    const out = execFileSync('sh', ['-c', findScript(a.paths ?? [], { follow: !!a.follow, recurse: !!a.recurse, depth: a.depth })], { encoding: 'utf8' });
    return selectEntries(a, out);
  };

  it('lists a name with a newline as one file', () => {
    expect(run({}).candidates.map((c) => c.result.path)).toEqual([path.join(dir, 'odd\nname.txt')]);
  });

  it('recurses, with old files by age and the stat fields Ansible returns', () => {
    const sel = run({ recurse: true, age: '1d' });
    expect(sel.candidates.map((c) => c.result.path)).toEqual([path.join(dir, 'a/b/z.txt')]);
    const [f] = finishSelection(base(), sel.candidates, '');
    expect(f).toMatchObject({ isreg: true, islnk: false, size: 6, mtime: 100, mode: expect.stringMatching(/^0[0-7]{3}$/) });
    expect(sel.examined).toBe(5);
  });

  it('follow walks through the link to a directory but reports the link itself', () => {
    const sel = run({ recurse: true, follow: true, file_type: 'any' });
    const paths = sel.candidates.map((c) => c.result.path);
    expect(paths).toContain(path.join(dir, 'la/b/z.txt'));
    expect(sel.candidates.find((c) => c.result.path === path.join(dir, 'la'))?.entry.type).toBe('l');
  });

  it('a missing path is skipped, the others still searched', () => {
    const a = base({ paths: [path.join(dir, 'nope'), dir] });
    const out = execFileSync('sh', ['-c', findScript(a.paths ?? [], { follow: false, recurse: false })], { encoding: 'utf8' });
    const sel = selectEntries(a, out);
    expect(Object.keys(sel.skipped)).toEqual([path.join(dir, 'nope')]);
    expect(sel.candidates).toHaveLength(1);
  });
});
