// The controller side of git: argument handling (umask, ssh options, refusals), the
// script's parameters, and reading the script's marked output into Ansible's result.
import { describe, expect, it } from 'vitest';
import { gitParams, gitResult, gitSshOpts, gitUmask, markedValues, type GitArgs } from '../../src/modules/git.js';
import { gitScript } from '../../src/modules/git-script.js';
import { ModuleFailure } from '../../src/modules/types.js';

const defaults = {
  version: 'HEAD', remote: 'origin', force: false, clone: true, update: true, verify_commit: false, gpg_whitelist: [], accept_hostkey: false,
  accept_newhostkey: false, bare: false, recursive: true, single_branch: false, track_submodules: false,
} as const;
const args = (a: Partial<GitArgs>): GitArgs => ({ ...defaults, repo: '/srv/r.git', dest: '/opt/r', ...a }) as GitArgs;
const M = '@@m';
const out = (pairs: [string, string][]) => pairs.map(([k, v]) => `${M} ${k}\n${v}\n${M}\n`).join('');

function failureOf(f: () => unknown): ModuleFailure {
  try {
    f();
  } catch (e) {
    if (e instanceof ModuleFailure) return e;
    throw e;
  }
  throw new Error('did not fail');
}

describe('git arguments', () => {
  it('takes umask only as a quoted octal string', () => {
    expect(gitUmask(undefined)).toBeUndefined();
    expect(gitUmask('022')).toBe('0022');
    expect(gitUmask('0o027')).toBe('0027');
    expect(() => gitUmask(18)).toThrow('umask must be defined as a quoted octal integer');
    expect(() => gitUmask('089')).toThrow('umask must be an octal integer');
  });

  it('adds StrictHostKeyChecking=no for accept_hostkey unless the options already decide', () => {
    const table: [Partial<GitArgs>, string | undefined][] = [
      [{}, undefined],
      [{ accept_hostkey: true }, '-o StrictHostKeyChecking=no'],
      [{ accept_hostkey: true, ssh_opts: '-p 2222' }, '-p 2222 -o StrictHostKeyChecking=no'],
      [{ accept_hostkey: true, ssh_opts: '-o StrictHostKeyChecking=accept-new' }, '-o StrictHostKeyChecking=accept-new'],
      [{ ssh_opts: '-v' }, '-v'],
    ];
    for (const [a, want] of table) expect(gitSshOpts({ accept_hostkey: false, ...a }), JSON.stringify(a)).toBe(want);
  });

  it('refuses archive_prefix without archive; carries the GnuPG and separate git dir choices', () => {
    expect(failureOf(() => gitParams(args({ archive_prefix: 'x/' }), { check: false, diff: false }, M)).message).toBe("missing parameter(s) required by 'archive_prefix': archive");
    const p = gitParams(args({ verify_commit: true, gpg_whitelist: ['ABC', 'DEF'], separate_git_dir: '/srv/g' }), { check: false, diff: false }, M);
    expect(p).toMatchObject({ verifyCommit: true, gpgWhitelist: ['ABC', 'DEF'], separateGitDir: '/srv/g' });
    expect(gitScript(p)).toContain("WL='ABC\nDEF'");
  });

  it('passes every value to the script through quote()', () => {
    const p = gitParams(args({ repo: "/srv/it's.git", version: 'v1; rm -rf /', depth: 1 }), { check: true, diff: false }, M);
    expect(p).toMatchObject({ depth: 1, check: true, sshOpts: undefined, git: 'git' });
    const script = gitScript(p);
    expect(script).toContain(`REPO='/srv/it'\\''s.git'`);
    expect(script).toContain(`VERSION='v1; rm -rf /'`);
    expect(script).toContain('CHECK=1');
    // the String.raw escapes are gone: the shell sees ${...}
    expect(script).not.toContain('\\${');
  });
});

describe('git result', () => {
  it('reads marked values, several lines and repeats', () => {
    expect(markedValues(`x\n${out([['a', 'one\ntwo'], ['a', '']])}tail`, M)).toEqual([['a', 'one\ntwo'], ['a', '']]);
  });

  it('makes the result: None as null, booleans, diff, warnings only when there are some', () => {
    const r = gitResult(out([['before', 'None'], ['after', 'abc'], ['changed', 'true'], ['diff', '>> Newly checked out abc'], ['done', '1']]), M);
    expect(r).toEqual({ changed: true, before: null, after: 'abc', diff: { prepared: '>> Newly checked out abc' } });
    const w = gitResult(out([['warn', 'Ignoring depth argument.'], ['before', 'a'], ['after', 'a'], ['remote_url_changed', 'false'], ['changed', 'false'], ['done', '1']]), M);
    expect(w).toEqual({ changed: false, before: 'a', after: 'a', remote_url_changed: false, warnings: ['Ignoring depth argument.'] });
  });

  it('fails with the fields Ansible gives: the result so far only for local modifications', () => {
    const local = failureOf(() => gitResult(out([['before', 'abc'], ['changed', 'false'], ['keep', '1'], ['fail', 'Local modifications exist in the destination: /opt/r (force=no).']]), M));
    expect(local.result()).toEqual({ changed: false, failed: true, before: 'abc', msg: 'Local modifications exist in the destination: /opt/r (force=no).' });
    const checkout = failureOf(() => gitResult(out([['before', 'abc'], ['cmdstr', '/usr/bin/git checkout --force nope'], ['stdout', ''], ['stderr', 'error: pathspec\n'], ['rc', '1'], ['fail', 'Failed to checkout nope']]), M));
    expect(checkout.result()).toEqual({ changed: false, failed: true, msg: 'Failed to checkout nope', cmd: '/usr/bin/git checkout --force nope', rc: 1, stdout: '', stdout_lines: [], stderr: 'error: pathspec\n', stderr_lines: ['error: pathspec'] });
    const lsRemote = failureOf(() => gitResult(out([['cmd', 'git\nls-remote\n/x'], ['rc', '128'], ['fail', 'fatal: no repo']]), M));
    expect(lsRemote.fields.cmd).toEqual(['git', 'ls-remote', '/x']);
    expect(() => gitResult('killed', M)).toThrow(/stopped before it finished/);
  });
});
