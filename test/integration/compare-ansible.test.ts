// The same playbook through ansible-playbook and rackplay (local connection): the
// PLAY RECAP and every file written must be equal, on the first run and the re-run.
// Skipped when ansible-playbook is not installed (CI installs Debian's ansible-core).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRecap, repoRoot, runCommand, runRackplay } from '../helpers/cli.js';

const fixture = path.join(repoRoot, 'test/fixtures/compare');
const haveAnsible = (() => {
  try {
    execFileSync('ansible-playbook', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

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

const work = mkdtempSync(path.join(os.tmpdir(), 'rackplay-compare-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!haveAnsible)('rackplay and ansible-playbook agree', () => {
  const ansibleOut = path.join(work, 'ansible');
  const rackplayOut = path.join(work, 'rackplay');
  const ansible = (outDir: string, extra: string[] = []) =>
    runCommand('ansible-playbook', ['-i', 'inventory.ini', 'site.yml', '-e', `out_dir=${outDir}`, ...extra], {
      cwd: fixture,
      env: { ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: '0', ANSIBLE_LOCALHOST_WARNING: '0' },
    });
  const rackplay = (outDir: string, extra: string[] = []) => runRackplay(['-i', 'inventory.ini', 'site.yml', '-e', `out_dir=${outDir}`, ...extra], { cwd: fixture });

  it('first run: same recap, same files', async () => {
    const a = await ansible(ansibleOut);
    const r = await rackplay(rackplayOut);
    expect(r.stderr).not.toMatch(/Unexpected error|at .*\.js:\d+/);
    expect(r.code).toBe(a.code);
    expect(parseRecap(r.stdout)).toEqual(parseRecap(a.stdout));
    expect(Object.keys(parseRecap(r.stdout))).toEqual(['alpha', 'beta']);
    expect(tree(rackplayOut)).toEqual(tree(ansibleOut));
  });

  it('check mode on the converged hosts: same predictions', async () => {
    const a = await ansible(ansibleOut, ['--check']);
    const r = await rackplay(rackplayOut, ['--check']);
    expect(parseRecap(r.stdout)).toEqual(parseRecap(a.stdout));
  });

  it('re-run: same recap, files unchanged', async () => {
    const before = tree(rackplayOut);
    const a = await ansible(ansibleOut);
    const r = await rackplay(rackplayOut);
    expect(parseRecap(r.stdout)).toEqual(parseRecap(a.stdout));
    expect(tree(rackplayOut)).toEqual(before);
  });

  it('--tags config runs only the tagged tasks, like Ansible', async () => {
    const a = await ansible(ansibleOut, ['--tags', 'config']);
    const r = await rackplay(rackplayOut, ['--tags', 'config']);
    expect(parseRecap(r.stdout)).toEqual(parseRecap(a.stdout));
  });
});

describe.skipIf(!haveAnsible)('engine features agree with ansible-playbook', () => {
  const ansibleOut = path.join(work, 'features-ansible');
  const rackplayOut = path.join(work, 'features-rackplay');
  const args = (outDir: string) => ['-i', 'inventory.ini', 'features.yml', '-e', `out_dir=${outDir}`];
  const env = { ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: '0' };

  it.each([['first run'], ['re-run']])('%s: same recap and files', async () => {
    const a = await runCommand('ansible-playbook', args(ansibleOut), { cwd: fixture, env });
    const r = await runRackplay(args(rackplayOut), { cwd: fixture });
    expect(r.code).toBe(a.code);
    expect(parseRecap(r.stdout)).toEqual(parseRecap(a.stdout));
    expect(tree(rackplayOut)).toEqual(tree(ansibleOut));
    expect(r.stdout + r.stderr).not.toContain('hunter2');
  });
});


describe.skipIf(!haveAnsible)('variable precedence agrees with ansible-playbook', () => {
  it('inventory, group_vars, host_vars, play, role defaults/vars/params, block, task, set_fact, extra vars', async () => {
    const ansibleOut = path.join(work, 'prec-ansible');
    const rackplayOut = path.join(work, 'prec-rackplay');
    const args = (outDir: string) => ['-i', 'inventory.ini', 'precedence.yml', '-e', `out_dir=${outDir}`, '-e', 'p_extra=extra'];
    const a = await runCommand('ansible-playbook', args(ansibleOut), { cwd: fixture, env: { ANSIBLE_NOCOLOR: '1' } });
    const r = await runRackplay(args(rackplayOut), { cwd: fixture });
    expect(r.code).toBe(a.code);
    expect(parseRecap(r.stdout)).toEqual(parseRecap(a.stdout));
    expect(tree(rackplayOut)).toEqual(tree(ansibleOut));
    expect(readFileSync(path.join(rackplayOut, 'alpha/precedence'), 'utf8')).toContain('host_vars=host_vars\n');
  });
});
