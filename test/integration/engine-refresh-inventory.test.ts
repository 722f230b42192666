// meta: refresh_inventory reads the -i sources again: a host they no longer have leaves the
// play, a new one is in the next play, and this run's add_host and group_by apply again (as
// Ansible 2.14's refresh_inventory replays them). Compared with ansible-playbook where it is
// installed, plus plain assertions that hold without it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { debugMsgs, expectSameRun, haveAnsiblePlaybook, parseRecap, runBoth, runRackplay } from '../helpers/cli.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const local = 'ansible_connection=local ansible_python_interpreter=/usr/bin/python3';
const OLD = `one ${local} parity=odd\ntwo ${local} parity=even\n`;
const NEW = `two ${local} parity=even\nthree ${local} parity=odd\n`;

// The inventory is put back in an always section, so the same project serves both tools.
const PB = `- hosts: all
  gather_facts: false
  tasks:
    - add_host: {name: extra, ansible_connection: local, ansible_python_interpreter: /usr/bin/python3}
      run_once: true
    - group_by: {key: "{{ parity }}"}
    - block:
        - copy: {src: new.ini, dest: inv.ini}
          delegate_to: localhost
          run_once: true
        - meta: refresh_inventory
        - debug: msg="still in the play {{ inventory_hostname }}"
      always:
        - copy: {src: old.ini, dest: inv.ini}
          delegate_to: localhost
          run_once: true
- hosts: all
  gather_facts: false
  tasks:
    - debug:
        msg: "{{ inventory_hostname }} {{ groups['even'] | default([]) | join(',') }}/{{ groups['odd'] | default([]) | join(',') }}"
`;

function project(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rp-refresh-inv-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'inv.ini'), OLD);
  writeFileSync(path.join(dir, 'old.ini'), OLD);
  writeFileSync(path.join(dir, 'new.ini'), NEW);
  writeFileSync(path.join(dir, 'pb.yml'), PB);
  return dir;
}

describe('meta: refresh_inventory', () => {
  it('reads the sources again and replays add_host and group_by', async () => {
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: project() });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const msgs = debugMsgs(r.stdout);
    // `one` left the play at the refresh (and its group_by with it); `three` is new, `extra` stays
    expect(msgs).toEqual(['extra two/', 'still in the play two', 'three two/', 'two two/']);
    expect(Object.keys(parseRecap(r.stdout)).sort()).toEqual(['extra', 'one', 'three', 'two']);
  });
  it.skipIf(!haveAnsiblePlaybook)('as ansible-playbook does (skipped: ansible-playbook is not installed)', async () => {
    expectSameRun(await runBoth(project()));
  });
});
