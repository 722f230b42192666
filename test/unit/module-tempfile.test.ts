// tempfile's script (run by sh for real in a temporary directory) and its result in
// Ansible's shape, including the failure Python's mkstemp would raise.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempfileResult, tempfileScript, type TempfileArgs } from '../../src/modules/tempfile.js';
import { ModuleFailure } from '../../src/modules/types.js';

const dir = mkdtempSync(path.join(tmpdir(), 'rp-tempfile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const args = (over: Partial<TempfileArgs>): TempfileArgs => ({ state: 'file', prefix: 'ansible.', suffix: '', ...over });
const run = (a: TempfileArgs) => execFileSync('sh', ['-c', tempfileScript(a)], { encoding: 'utf8' });

describe('tempfile', () => {
  it.each([
    ['a file with the defaults', args({ path: dir }), /^ansible\.[A-Za-z0-9]{8}$/, 'file', '0600'],
    ['a directory with prefix and suffix', args({ path: dir, state: 'directory', prefix: 'hello.', suffix: '.good bye' }), /^hello\.[A-Za-z0-9]{8}\.good bye$/, 'directory', '0700'],
    ["a prefix that starts with '-'", args({ path: dir, prefix: '-x' }), /^-x[A-Za-z0-9]{8}$/, 'file', '0600'],
  ] as const)('creates %s', (_name, a, name, state, mode) => {
    const r = tempfileResult(a, run(a));
    expect(r).toMatchObject({ changed: true, state, mode });
    const p = r.path as string;
    expect(path.dirname(p)).toBe(dir);
    expect(path.basename(p)).toMatch(name);
    expect(statSync(p).isDirectory()).toBe(state === 'directory');
  });

  it('expands $VARS in path on the host, as type=path does', () => {
    const a = args({ path: '$RP_TF_DIR' });
    const out = execFileSync('sh', ['-c', tempfileScript(a)], { encoding: 'utf8', env: { ...process.env, RP_TF_DIR: dir } });
    expect(path.dirname(tempfileResult(a, out).path as string)).toBe(dir);
  });

  it.each([
    ['a missing directory', 'missing', 'FileNotFoundError: [Errno 2] No such file or directory'],
  ])('in %s fails with Python words', (_name, sub, words) => {
    const a = args({ path: path.join(dir, sub) });
    let err: unknown;
    try {
      tempfileResult(a, run(a), () => 0);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ModuleFailure);
    const f = err as ModuleFailure;
    expect(f.message).toBe(`[Errno 2] No such file or directory: '${path.join(dir, sub)}/ansible.aaaaaaaa'`);
    expect(String(f.fields.exception).trim().split('\n').pop()).toBe(`${words}: '${path.join(dir, sub)}/ansible.aaaaaaaa'`);
  });
});
