// The package module hands a task with its package manager's own arguments (apt's
// update_cache, install_recommends...) to that manager's module, as Ansible's package
// action does: the arguments are valid, the result is apt's (cache_updated...), and an
// argument no module knows fails with the apt module's words (Ansible names the module
// ansible.legacy.apt there, rackplay apt: the test compares the rest). Runs on this machine
// (ansible_connection=local) and touches nothing: bash is installed, no cache update.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { debugMsgs, expectSameRun, haveAnsiblePlaybook, runBoth, runRackplay } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'rp-package-hands-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(path.join(dir, 'inv.ini'), 'h ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n');
writeFileSync(
  path.join(dir, 'pb.yml'),
  `- hosts: all
  tasks:
    - name: apt's own arguments through package
      package: { name: bash, state: present, update_cache: false, install_recommends: false }
      register: r
    - debug:
        msg: "changed={{ r.changed }} cache_updated={{ r.cache_updated }} has_time={{ 'cache_update_time' in r }}"
    - name: an argument no module has
      package: { name: bash, no_such_option: 1 }
      register: bad
      ignore_errors: true
    - debug:
        msg: "{{ 'apt) module' in bad.msg }} {{ bad.msg.split(' module: ')[1].split('.')[0] }}"
`,
);
const debianWithApt = existsSync('/usr/bin/apt-get') && existsSync('/etc/debian_version');

describe('package hands the task to the manager module', () => {
  it.skipIf(!debianWithApt)('apt arguments are accepted and answered as apt answers', async () => {
    const run = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: dir });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(debugMsgs(run.stdout)).toEqual(['True no_such_option', 'changed=False cache_updated=False has_time=True']);
    expect(run.stdout).not.toMatch(/\[WARNING\].*Unsupported parameters for \(package\)/);
  });

  it.skipIf(!debianWithApt || !haveAnsiblePlaybook)('the same run as ansible-playbook (skipped without ansible-playbook or apt)', async () => {
    expectSameRun(await runBoth(dir));
  });
});
