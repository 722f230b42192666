// The controller side of subversion: reading `svn info`, `svn status --quiet` and the
// switch/update/revert listings as Ansible's module does, the cleaned `cmd`, and the
// script's marked output into Ansible's result. The script itself runs once here with
// this machine's svn against a file:// repository (the lab test runs it on hosts).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanCmd, filesChanged, hasLocalMods, revertChanged, revisionLine, svnResult, urlLine } from '../../src/modules/subversion.js';
import { svnScript, type SvnScriptParams } from '../../src/modules/subversion-script.js';
import { ModuleFailure } from '../../src/modules/types.js';

const INFO = `Path: /srv/app
Working Copy Root Path: /srv/app
URL: file:///srv/repo
Relative URL: ^/
Repository Root: file:///srv/repo
Revision: 12
Node Kind: directory
Last Changed Rev: 11
`;
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

describe('subversion: reading svn output', () => {
  it.each([
    [INFO, 'Revision: 12'],
    ['Chemin : /x\nRévision : 7\n', 'Révision : 7'],
    ['版本: 3\n', '版本: 3'],
    ['Path: /x\n', 'Unable to get revision'],
  ])('revision line of %j', (text, expected) => {
    expect(revisionLine(text)).toBe(expected);
  });

  it('URL line, or the placeholder', () => {
    expect(urlLine(INFO)).toBe('URL: file:///srv/repo');
    expect(urlLine('Revision: 1')).toBe('Unable to get URL');
  });

  it.each([
    ['', false],
    ['?       /srv/app/new.txt\n', false],
    ['X       /srv/app/ext\n', false],
    ['M       /srv/app/a.txt\n', true],
    ['?       x\n D      /srv/app/b\n', true],
  ])('local modifications in %j: %s', (status, expected) => {
    expect(hasLocalMods(status)).toBe(expected);
  });

  it.each([
    ['Updating \'/srv/app\':\nAt revision 3.\n', false],
    ['Updating \'/srv/app\':\nU    /srv/app/a.txt\nUpdated to revision 4.\n', true],
    ['A    /srv/app/new\n', true],
    ['Updated to revision 4.\n', false],
  ])('files changed in %j: %s', (text, expected) => {
    expect(filesChanged(text)).toBe(expected);
  });

  it('revert counts as a change when a line is not a "Reverted" line (as Ansible has it)', () => {
    expect(revertChanged("Reverted '/srv/app/a.txt'\n")).toBe(false);
    expect(revertChanged('')).toBe(false);
    expect(revertChanged("Reverted 'a'\nSkipped 'b'\n")).toBe(true);
  });

  it('cmd: quoted words, the word after a password flag masked', () => {
    expect(cleanCmd(['/usr/bin/svn', '--username', 'al ice', '--password-from-stdin', 'checkout', '-r', 'HEAD'])).toBe("/usr/bin/svn --username 'al ice' --password-from-stdin '********' -r HEAD");
    expect(cleanCmd(['svn', '--password=x', 'info'])).toBe("svn '--password=********' info");
  });
});

describe('subversion: results', () => {
  it.each<[string, [string, string][], Record<string, unknown>]>([
    ['remote only', [['remote_info', INFO], ['end', 'remote']], { changed: false, after: 'Revision: 12' }],
    ['remote without a revision', [['remote_info', ''], ['end', 'remote']], { changed: false, after: 'Unable to get remote revision' }],
    ['checkout', [['after_info', INFO], ['end', 'checkout']], { changed: true, before: null, after: ['Revision: 12', 'URL: file:///srv/repo'] }],
    ['check mode, behind', [['before_info', 'Revision: 3'], ['head_info', 'Revision: 5'], ['end', 'check_update']], { changed: true, before: 'Revision: 3', after: 'Revision: 5' }],
    ['check mode, up to date', [['before_info', 'Revision: 5'], ['head_info', 'Revision: 5'], ['end', 'check_update']], { changed: false, before: 'Revision: 5', after: 'Revision: 5' }],
    ['update with nothing new', [['before_info', INFO], ['mods', '0'], ['switch_out', 'At revision 12.'], ['update_out', 'At revision 12.'], ['after_info', INFO], ['end', 'update']], { changed: false }],
    ['update that pulled files', [['before_info', INFO], ['mods', '0'], ['switch_out', 'U    /srv/app/a'], ['update_out', ''], ['after_info', INFO], ['end', 'update']], { changed: true }],
    ['reverted local modifications', [['before_info', INFO], ['mods', '1'], ['revert_out', "Reverted 'a'"], ['update_out', ''], ['after_info', INFO], ['end', 'update']], { changed: true }],
    ['export', [['end', 'changed']], { changed: true }],
  ])('%s', (_name, pairs, expected) => {
    expect(svnResult(out(pairs), M, 'h')).toMatchObject(expected);
  });

  it('a failed svn command: msg is its stderr, with cmd, rc, stdout and stderr (and their lines)', () => {
    const f = failureOf(() => svnResult(out([['cmd', 'svn\n--non-interactive\ninfo\nfile:///x'], ['stdout', ''], ['stderr', 'svn: E170013: no\n'], ['rc', '1'], ['fail', 'svn: E170013: no']]), M, 'h'));
    expect(f.result()).toEqual({ changed: false, failed: true, msg: 'svn: E170013: no', cmd: 'svn --non-interactive info file:///x', rc: 1, stdout: '', stdout_lines: [], stderr: 'svn: E170013: no\n', stderr_lines: ['svn: E170013: no'] });
  });

  it('old svn with a password is refused, naming the version and the host', () => {
    expect(failureOf(() => svnResult(out([['svn_version', '1.9.7'], ['fail', 'old_svn']]), M, 'web1')).message).toMatch(/^svn 1\.9\.7 on web1 cannot read a password from stdin/);
  });

  it('output that stops early is a failure, not a result', () => {
    expect(failureOf(() => svnResult(out([['before_info', INFO]]), M, 'web1')).message).toBe('subversion: the script on web1 stopped before it finished');
  });
});

const haveSvn = spawnSync('svn', ['--version', '--quiet']).status === 0 && spawnSync('svnadmin', ['--version', '--quiet']).status === 0;

describe.skipIf(!haveSvn)('subversion: the script with this machine\'s svn (skipped without svn and svnadmin)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rackplay-svn-unit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const repo = `file://${dir}/repo`;
  const params = (p: Partial<SvnScriptParams>): SvnScriptParams => ({
    svn: 'svn', explicit: false, dest: `${dir}/wc`, repo, revision: 'HEAD', force: false, inPlace: false, username: '', password: '',
    trustServerCert: true, export: false, checkout: true, update: true, switch: true, check: false, marker: M, ...p,
  });
  const run = (p: Partial<SvnScriptParams>) => svnResult(execFileSync('sh', ['-s'], { input: svnScript(params(p)), encoding: 'utf8' }), M, 'here');

  it('checks out, finds nothing to do, predicts and takes a new revision, refuses local changes', () => {
    execFileSync('svnadmin', ['create', `${dir}/repo`]);
    execFileSync('svn', ['-q', 'checkout', repo, `${dir}/seed`]);
    writeFileSync(`${dir}/seed/a.txt`, 'one\n');
    execFileSync('svn', ['-q', 'add', `${dir}/seed/a.txt`]);
    execFileSync('svn', ['-q', 'commit', '-m', 'one', `${dir}/seed`]);
    expect(run({ check: true })).toEqual({ changed: true });
    expect(run({})).toEqual({ changed: true, before: null, after: ['Revision: 1', `URL: ${repo}`] });
    expect(run({}).changed).toBe(false);
    writeFileSync(`${dir}/seed/a.txt`, 'two\n');
    execFileSync('svn', ['-q', 'commit', '-m', 'two', `${dir}/seed`]);
    expect(run({ check: true })).toEqual({ changed: true, before: 'Revision: 1', after: 'Revision: 2' });
    expect(run({})).toMatchObject({ changed: true, after: ['Revision: 2', `URL: ${repo}`] });
    writeFileSync(`${dir}/wc/a.txt`, 'local\n');
    expect(failureOf(() => run({})).message).toBe('ERROR: modified files exist in the repository.');
    expect(run({ force: true }).changed).toBe(true);
    expect(run({ checkout: false, update: false, dest: '' })).toEqual({ changed: false, after: 'Revision: 2' });
    expect(failureOf(() => run({ dest: dir })).message).toBe(`ERROR: ${dir} folder already exists, but its not a subversion repository.`);
  });

  it('takes ~ in dest as the home directory', () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'rackplay-svn-home-'));
    try {
      const r = svnResult(execFileSync('sh', ['-s'], { input: svnScript(params({ dest: '~/wc' })), encoding: 'utf8', env: { ...process.env, HOME: home } }), M, 'here');
      expect(r).toMatchObject({ changed: true, before: null });
      expect(existsSync(path.join(home, 'wc/a.txt'))).toBe(true);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('names svn when the host has none', () => {
    const f = failureOf(() => svnResult(execFileSync('sh', ['-s'], { input: svnScript(params({ svn: 'svn-not-installed' })), encoding: 'utf8' }), M, 'here'));
    expect(f.message).toMatch(/^Failed to find required executable "svn-not-installed" in paths: \//);
  });
});
