// The file probe run by real shells (dash as /bin/sh, and bash --posix) against a tree
// with the awkward cases, compared with what Node's fs says about the same paths. This
// guards the probe's shortcuts: absent paths answered without stat, the size taken from
// the stat line, the checksum computed on the controller from the content, and the real
// path worked out with cd -P / pwd -P instead of readlink -f.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { factsFor, parseFileProbe, probeFile, probeKind, probeScript, type ProbeFileOptions } from '../../src/facts/file-probe.js';

let root: string;

beforeAll(() => {
  // realpath: the temp dir itself may sit behind a symlink.
  root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'rp-probe-')));
  mkdirSync(path.join(root, 'real-dir/sub'), { recursive: true });
  writeFileSync(path.join(root, 'real-dir/a.txt'), 'alpha\n');
  writeFileSync(path.join(root, 'real-dir/empty'), '');
  writeFileSync(path.join(root, 'real-dir/bin\nary'), Buffer.from([0, 1, 2, 10, 255, 10, 10]));
  writeFileSync(path.join(root, 'real-dir/big'), Buffer.alloc(70_000, 'x'));
  writeFileSync(path.join(root, "real-dir/we ird 'q' $x"), 'quoted\n');
  symlinkSync('real-dir', path.join(root, 'dir-link'));
  symlinkSync('real-dir/a.txt', path.join(root, 'file-link'));
  symlinkSync('file-link', path.join(root, 'link-to-link'));
  symlinkSync('nowhere', path.join(root, 'dangling'));
  writeFileSync(path.join(root, 'real-dir/secret'), 'no\n');
  chmodSync(path.join(root, 'real-dir/secret'), 0o000);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

function probe(shell: string[], p: string, opts: ProbeFileOptions) {
  const out = execFileSync(shell[0], [...shell.slice(1), '-c', probeScript([probeFile('x', p, opts)])], { cwd: root, env: { PATH: process.env.PATH!, CDPATH: root }, stdio: ['ignore', 'pipe', 'pipe'] });
  return factsFor(parseFileProbe(out), 'x');
}

const shells = [['/bin/sh'], ['/bin/bash', '--posix']];
const paths = [
  'real-dir/a.txt',
  'real-dir/empty',
  'real-dir/bin\nary',
  'real-dir/big',
  "real-dir/we ird 'q' $x",
  'real-dir',
  'real-dir/sub/..',
  'real-dir/sub/',
  'dir-link/a.txt',
  'dir-link/./a.txt',
  'dir-link',
  'file-link',
  'link-to-link',
  'dangling',
  'missing',
  'missing-dir/x',
  'real-dir/secret',
  '/',
];

describe.each(shells)('file probe through %s', (...shell) => {
  for (const rel of paths) {
    it(`describes ${JSON.stringify(rel)} as fs does, following links and not`, () => {
      const abs = rel.startsWith('/') ? rel : path.join(root, rel);
      for (const follow of [true, false]) {
        const f = probe(shell, rel, { follow, realpath: true, checksum: 'sha1', contentMax: 65_536 });
        let st: ReturnType<typeof statSync> | undefined;
        try {
          st = follow ? statSync(abs) : lstatSync(abs);
        } catch {
          st = undefined;
        }
        expect(f.exists, `exists (follow ${follow})`).toBe(!!st);
        if (!st) continue;
        expect(f.size).toBe(st.size);
        expect(f.inode).toBe(st.ino);
        expect(f.mode).toBe(st.mode & 0o7777);
        expect(f.type).toBe(st.isDirectory() ? 'directory' : st.isSymbolicLink() ? 'link' : 'file');
        // readlink -f: every link resolved, the last component included (a dangling
        // link's target need not exist).
        expect(f.realpath).toBe(rel === 'dangling' ? path.join(root, 'nowhere') : realpathSync(abs));
        if (st.isFile() && f.readable) {
          const bytes = readFileSync(abs);
          expect(f.checksum).toBe(createHash('sha1').update(bytes).digest('hex'));
          if (bytes.length <= 65_536) expect(f.content?.equals(bytes)).toBe(true);
          else expect(f.content).toBeUndefined();
        } else {
          expect(f.content).toBeUndefined();
        }
      }
    });
  }

  it('asks for a checksum tool only when the content is not sent (md5 on a large file)', () => {
    const f = probe(shell, 'real-dir/big', { follow: true, checksum: 'md5', contentMax: 10 });
    expect(f.content).toBeUndefined();
    expect(f.checksum).toBe(createHash('md5').update(readFileSync(path.join(root, 'real-dir/big'))).digest('hex'));
    const small = probe(shell, 'real-dir/a.txt', { follow: true, checksum: 'sha256', contentMax: -1 });
    expect(small.checksum).toBe(createHash('sha256').update('alpha\n').digest('hex'));
  });

  it('tells what kind of thing a path is, links followed, with builtins only (rp_k)', () => {
    const kind = (p: string) => {
      const out = execFileSync(shell[0], [...shell.slice(1), '-c', probeScript([probeKind('k', p)])], { cwd: root, env: { PATH: '/nonexistent' }, stdio: ['ignore', 'pipe', 'pipe'] });
      const f = factsFor(parseFileProbe(out), 'k');
      return f.exists ? f.type : 'absent';
    };
    expect(['real-dir', 'dir-link', 'real-dir/a.txt', 'link-to-link', 'dangling', 'missing', '/dev/null'].map(kind)).toEqual(['directory', 'directory', 'file', 'file', 'absent', 'absent', 'unknown']);
  });

  it('reports a dangling link as a link when not following, with its target', () => {
    const f = probe(shell, 'dangling', { follow: false, realpath: false });
    expect(f.type).toBe('link');
    expect(f.linkTarget).toBe('nowhere');
  });
});

it('rejects an unknown checksum tool in the probe output', () => {
  expect(() => parseFileProbe(Buffer.from('@x\nsumof rot13\ncontent 1\na\n'))).toThrow(/unknown checksum tool/);
});

describe('programs the probe runs on the host', () => {
  // Wrappers named like the tools log each run, then run the real one.
  function withLoggedTools(fn: (run: (p: string, opts: ProbeFileOptions) => string[]) => void) {
    const bin = mkdtempSync(path.join(os.tmpdir(), 'rp-tools-'));
    const log = path.join(bin, 'log');
    try {
      for (const tool of ['stat', 'cat', 'readlink', 'sha1sum', 'md5sum']) {
        const real = execFileSync('sh', ['-c', `command -v ${tool}`]).toString().trim();
        writeFileSync(path.join(bin, tool), `#!/bin/sh\necho ${tool} >> '${log}'\nexec ${real} "$@"\n`, { mode: 0o755 });
      }
      fn((p, opts) => {
        writeFileSync(log, '');
        execFileSync('/bin/sh', ['-c', probeScript([probeFile('x', p, opts)])], { cwd: root, env: { PATH: `${bin}:${process.env.PATH}` }, stdio: ['ignore', 'pipe', 'pipe'] });
        return readFileSync(log, 'utf8').split('\n').filter(Boolean);
      });
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  }

  it('runs no program for a missing path, stat + cat for a small file, stat + sha1sum for a large one', () => {
    withLoggedTools((run) => {
      const full = { follow: true, realpath: true, checksum: 'sha1' as const, contentMax: 65_536 };
      expect(run('missing', full)).toEqual([]);
      expect(run('real-dir/a.txt', full)).toEqual(['stat', 'cat']);
      expect(run('dir-link/a.txt', full)).toEqual(['stat', 'cat']);
      expect(run('real-dir/big', full)).toEqual(['stat', 'sha1sum']);
      // readlink only where the path itself is a link.
      expect(run('file-link', { ...full, follow: false })).toEqual(['stat', 'readlink', 'readlink']);
    });
  });
});
