// The same playbook through ansible-playbook and rackplay (local connection). Every
// comparison checks both exit codes (equal, and the expected value), the hosts of the
// PLAY RECAP, the recap itself, each task's status lines per host, and the files written;
// a --check run must leave the file tree exactly as it was.
// Skipped when ansible-playbook is not installed (CI installs Debian's ansible-core).
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliRun, parseRecap, parseTaskLines, repoRoot, runCommand, runRackplay, haveAnsiblePlaybook } from '../helpers/cli.js';

const fixture = path.join(repoRoot, 'test/fixtures/compare');

function tree(dir: string): Record<string, { mode: string; content: string }> {
  const out: Record<string, { mode: string; content: string }> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const full = path.join(d, name);
      const st = statSync(full);
      const rel = path.relative(dir, full);
      if (st.isDirectory()) {
        out[rel + '/'] = { mode: (st.mode & 0o7777).toString(8), content: '' };
        walk(full);
      } else out[rel] = { mode: (st.mode & 0o7777).toString(8), content: readFileSync(full, 'utf8') };
    }
  };
  walk(dir);
  return out;
}

/** Names, modes and contents of everything under dir, as one hash. */
function treeHash(dir: string): string {
  return existsSync(dir) ? createHash('sha256').update(JSON.stringify(tree(dir))).digest('hex') : 'absent';
}

const HOSTS = ['alpha', 'beta'];

/** The two runs agree in everything we can read from outside, and exited as expected. */
function expectSameRun(a: CliRun, r: CliRun, expected: { code: number; aDir: string; rDir: string }): void {
  expect(r.stderr).not.toMatch(/Unexpected error|at .*\.js:\d+/);
  expect(a.code, `ansible-playbook: ${a.stdout}${a.stderr}`).toBe(expected.code);
  expect(r.code, `rackplay: ${r.stdout}${r.stderr}`).toBe(expected.code);
  const aRecap = parseRecap(a.stdout);
  const rRecap = parseRecap(r.stdout);
  expect(Object.keys(aRecap).sort()).toEqual(HOSTS);
  expect(Object.keys(rRecap).sort()).toEqual(HOSTS);
  expect(rRecap).toEqual(aRecap);
  const aTasks = parseTaskLines(a.stdout, [[expected.aDir, 'OUT']]);
  const rTasks = parseTaskLines(r.stdout, [[expected.rDir, 'OUT']]);
  // A banner with no host under it would make an empty comparison look like agreement.
  expect(aTasks.filter((t) => t.banner.startsWith('TASK') && Object.keys(t.hosts).length > 0).length).toBeGreaterThan(0);
  expect(rTasks).toEqual(aTasks);
}

const work = mkdtempSync(path.join(os.tmpdir(), 'rackplay-compare-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!haveAnsiblePlaybook)('rackplay and ansible-playbook agree (needs ansible-playbook, skipped without it: apt-get install ansible)', () => {
  const ansibleOut = path.join(work, 'ansible');
  const rackplayOut = path.join(work, 'rackplay');
  const ansible = (outDir: string, extra: string[] = []) =>
    runCommand('ansible-playbook', ['-i', 'inventory.ini', 'site.yml', '-e', `out_dir=${outDir}`, ...extra], {
      cwd: fixture,
      env: { ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: '0', ANSIBLE_LOCALHOST_WARNING: '0' },
    });
  const rackplay = (outDir: string, extra: string[] = []) => runRackplay(['-i', 'inventory.ini', 'site.yml', '-e', `out_dir=${outDir}`, ...extra], { cwd: fixture });

  it('first run: same exit code, recap, task lines and files', async () => {
    const a = await ansible(ansibleOut);
    const r = await rackplay(rackplayOut);
    expectSameRun(a, r, { code: 0, aDir: ansibleOut, rDir: rackplayOut });
    expect(tree(rackplayOut)).toEqual(tree(ansibleOut));
  });

  it('check mode on drifted copies: same predictions, and no file touched', async () => {
    // Copies of the converged trees with drift in them, so that --check has changes to
    // predict (and a run that applied them would show in the hash).
    const aDir = path.join(work, 'check-ansible');
    const rDir = path.join(work, 'check-rackplay');
    for (const [from, to] of [[ansibleOut, aDir], [rackplayOut, rDir]]) {
      cpSync(from, to, { recursive: true });
      writeFileSync(path.join(to, 'alpha/app.conf'), 'drifted\n');
      for (const h of HOSTS) chmodSync(path.join(to, h, 'item-a.txt'), 0o600);
    }
    const before = [treeHash(aDir), treeHash(rDir)];
    expect(before[1]).toBe(before[0]);
    const a = await ansible(aDir, ['--check']);
    const r = await rackplay(rDir, ['--check']);
    // Exit 2 under both: --check skips `count lines` (a command), so alpha's marker task
    // fails on the empty register, as it does under ansible-playbook.
    expectSameRun(a, r, { code: 2, aDir, rDir });
    expect([treeHash(aDir), treeHash(rDir)]).toEqual(before);
    for (const h of HOSTS) expect(parseRecap(r.stdout)[h].changed, h).toBeGreaterThan(0);
  });

  it('re-run: same exit code, recap and task lines, files unchanged', async () => {
    const before = treeHash(rackplayOut);
    expect(treeHash(ansibleOut)).toBe(before);
    const a = await ansible(ansibleOut);
    const r = await rackplay(rackplayOut);
    expectSameRun(a, r, { code: 0, aDir: ansibleOut, rDir: rackplayOut });
    expect(treeHash(rackplayOut)).toBe(before);
    expect(treeHash(ansibleOut)).toBe(before);
  });

  it('--tags config runs only the tagged tasks, like Ansible', async () => {
    const a = await ansible(ansibleOut, ['--tags', 'config']);
    const r = await rackplay(rackplayOut, ['--tags', 'config']);
    expectSameRun(a, r, { code: 0, aDir: ansibleOut, rDir: rackplayOut });
    expect(parseTaskLines(r.stdout).map((t) => t.banner)).toEqual(['PLAY [Compare engines]', 'TASK [config from a template]', 'TASK [replace in config]']);
  });
});

describe.skipIf(!haveAnsiblePlaybook)('engine features agree with ansible-playbook (needs ansible-playbook, skipped without it: apt-get install ansible)', () => {
  const ansibleOut = path.join(work, 'features-ansible');
  const rackplayOut = path.join(work, 'features-rackplay');
  const args = (outDir: string) => ['-i', 'inventory.ini', 'features.yml', '-e', `out_dir=${outDir}`];
  const env = { ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: '0' };

  it.each([['first run'], ['re-run']])('%s: same exit code, recap, task lines and files', async () => {
    const a = await runCommand('ansible-playbook', args(ansibleOut), { cwd: fixture, env });
    const r = await runRackplay(args(rackplayOut), { cwd: fixture });
    expectSameRun(a, r, { code: 0, aDir: ansibleOut, rDir: rackplayOut });
    expect(tree(rackplayOut)).toEqual(tree(ansibleOut));
    expect(r.stdout + r.stderr).not.toContain('hunter2');
  });
});


describe.skipIf(!haveAnsiblePlaybook)('variable precedence agrees with ansible-playbook (needs ansible-playbook, skipped without it: apt-get install ansible)', () => {
  it('inventory, group_vars, host_vars, play, role defaults/vars/params, block, task, set_fact, extra vars', async () => {
    const ansibleOut = path.join(work, 'prec-ansible');
    const rackplayOut = path.join(work, 'prec-rackplay');
    const args = (outDir: string) => ['-i', 'inventory.ini', 'precedence.yml', '-e', `out_dir=${outDir}`, '-e', 'p_extra=extra'];
    const a = await runCommand('ansible-playbook', args(ansibleOut), { cwd: fixture, env: { ANSIBLE_NOCOLOR: '1' } });
    const r = await runRackplay(args(rackplayOut), { cwd: fixture });
    expectSameRun(a, r, { code: 0, aDir: ansibleOut, rDir: rackplayOut });
    expect(tree(rackplayOut)).toEqual(tree(ansibleOut));
    expect(readFileSync(path.join(rackplayOut, 'alpha/precedence'), 'utf8')).toContain('host_vars=host_vars\n');
  });
});
