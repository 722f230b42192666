// A module's result carries `invocation.module_args` as AnsibleModule adds it (registered,
// and shown from -vvv); no_log loops show each item as None and the censored aggregate on a
// line of its own; ANSIBLE_NO_LOG is the default of no_log; a loop whose item arguments name
// an undefined variable fails as a whole. Compared with ansible-playbook 2.14 where it is
// installed, plus plain assertions that hold without it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectSameRun, haveAnsiblePlaybook, parseRecap, runBoth, runRackplay } from '../helpers/cli.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function project(pb: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rp-no-log-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'inv.ini'), 'h ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n');
  writeFileSync(path.join(dir, 'pb.yml'), pb);
  return dir;
}

const INVOCATION = `- hosts: h
  gather_facts: false
  tasks:
    - command: echo hi
      register: r
    - command: "echo {{ item }}"
      loop: [one]
      register: l
    - debug:
        msg: "registered: {{ 'invocation' in r }}"
    - debug:
        msg: "{{ l.results[0].invocation.module_args._raw_params }} {{ l.results[0].invocation.module_args.chdir }} {{ l.results[0].invocation.module_args.strip_empty_ends }}"
      register: d
    - debug:
        msg: "debug has it: {{ 'invocation' in d }}"
`;

const LOOPS = `- hosts: h
  gather_facts: false
  tasks:
    - debug: msg="x {{ item }}"
      loop: [a, b]
      no_log: true
    - command: "echo {{ item }}"
      loop: [a, b]
      no_log: true
      failed_when: item == 'b'
      ignore_errors: true
    - debug:
        msg: "SHOW {{ item.x }}"
      loop: [{x: 1}, b, {x: 3}]
      ignore_errors: true
    - debug: msg=plain
`;

describe('invocation', () => {
  it('is in a module result (module_args with defaults, null when unset) but not registered, except in loop items; none in an action plugin result', async () => {
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: project(INVOCATION) });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('"msg": "registered: False"');
    expect(r.stdout).toContain('"msg": "echo one  True"');
    expect(r.stdout).toContain('"msg": "debug has it: False"');
    // shown from -vvv only
    expect(r.stdout).not.toContain('"invocation"');
    const vvv = await runRackplay(['-i', 'inv.ini', 'pb.yml', '-vvv'], { cwd: project(INVOCATION) });
    expect(vvv.stdout).toContain('"module_args": {');
  });
  it.skipIf(!haveAnsiblePlaybook)('as ansible-playbook does (skipped: ansible-playbook is not installed)', async () => {
    expectSameRun(await runBoth(project(INVOCATION)));
  });
});

describe('no_log loops and a loop that breaks off', () => {
  it('show each item as None with the censored aggregate after them, and end a loop at an undefined item argument', async () => {
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: project(LOOPS) });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.filter((l) => l.startsWith('ok: [h] => (item=None)'))).toHaveLength(2);
    expect(lines).toContain('ok: [h]');
    expect(r.stdout).toContain('changed: [h] => (item=None)');
    // the third task: item 1 shown, item 2 ends the loop with the error alone (no item 3)
    expect(r.stdout).toContain('"msg": "SHOW 1"');
    expect(r.stdout).not.toContain('SHOW 3');
    expect(r.stdout).not.toContain('One or more items failed');
    expect(r.stdout).toMatch(/fatal: \[h\]: FAILED! => \{"msg": "The task includes an option with an undefined variable/);
    expect(parseRecap(r.stdout).h).toMatchObject({ ok: 4, changed: 1, ignored: 2 });
  });
  it('ANSIBLE_NO_LOG=1 censors every task that does not set no_log', async () => {
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml', '-v'], { cwd: project(LOOPS), env: { ANSIBLE_NO_LOG: '1' } });
    expect(r.stdout).not.toContain('plain');
    expect(r.stdout).toContain("the output has been hidden due to the fact that 'no_log: true' was specified for this result");
  });
  it.skipIf(!haveAnsiblePlaybook)('as ansible-playbook does (skipped: ansible-playbook is not installed)', async () => {
    expectSameRun(await runBoth(project(LOOPS)));
  });
});
