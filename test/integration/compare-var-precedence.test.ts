// Role and include variable layering side by side with ansible-playbook: a dependency chain
// with params and vars, role entry vars under vars/main.yml, include params over set_fact,
// the k=v words of 2.14's include: under it, ansible_parent_role_names, notify on imports,
// a registered set_fact result, and the template special variables.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, debugMsgs, expectSameRun, haveAnsiblePlaybook, runBoth, runRackplay } from '../helpers/cli.js';

const FILES: Record<string, string> = {
  'inv.ini': 'testhost ansible_connection=local\n',
  'ansible.cfg': '[defaults]\nretry_files_enabled = False\ndeprecation_warnings = False\n',
  'pb.yml': `- hosts: testhost
  gather_facts: false
  vars:
    param_var: play
  roles:
    - { role: top, param_var: entry }
    - { role: r, vars: { v: entry, w: a } }
    - { role: r, vars: { v: entry, w: b } }
  tasks:
    - set_fact: { a: from_set_fact, b: from_set_fact }
    - include_tasks: { file: inc.yml }
      vars: { a: from_include_tasks }
    - include: inc.yml b=from_words
    - include: inc.yml
      vars: { b: from_include_vars }
    - include_role: { name: outer }
    - import_tasks: change.yml
      notify: h
    - set_fact: { x: 1 }
      register: reg
    - debug: msg="PV reg {{ reg.ansible_facts }}"
    - template:
        src: t.j2
        dest: "{{ playbook_dir }}/out.txt"
    - debug: msg="PV rendered {{ lookup('file', playbook_dir + '/out.txt') }}"
    - debug: msg="PV template {{ lookup('template', 't.j2') | trim }}"
  handlers:
    - name: h
      debug: msg="PV handled"
`,
  'inc.yml': '- debug: msg="PV inc {{ a }} {{ b }}"\n',
  'change.yml': '- command: "true"\n',
  'templates/t.j2': '{{ template_mtime is defined }} {{ template_uid is defined }} {{ template_path }} {{ template_host is defined }} {{ template_run_date is defined }} {{ template_destpath is defined }}\n',
  'roles/top/meta/main.yml': 'dependencies:\n  - { role: mid, param_var: from_top }\n',
  'roles/top/vars/main.yml': 'top_var: top\n',
  'roles/top/tasks/main.yml': '- debug: msg="PV top {{ param_var }} {{ dep_default }}"\n',
  'roles/mid/meta/main.yml': 'dependencies:\n  - leaf\n',
  'roles/mid/vars/main.yml': 'shared: mid\n',
  'roles/mid/tasks/main.yml': '- debug: msg="PV mid {{ param_var }}"\n',
  'roles/leaf/defaults/main.yml': 'dep_default: leaf_default\n',
  'roles/leaf/vars/main.yml': 'shared: leaf\n',
  'roles/leaf/tasks/main.yml': '- debug: msg="PV leaf {{ param_var }} {{ top_var }} {{ shared }}"\n',
  'roles/r/vars/main.yml': 'v: role_vars\n',
  'roles/r/tasks/main.yml': '- debug: msg="PV r {{ v }} {{ w }}"\n',
  'roles/outer/meta/main.yml': 'dependencies: [dep]\n',
  'roles/outer/tasks/main.yml': '- include_role: { name: inner }\n- import_role: { name: inner }\n',
  'roles/dep/tasks/main.yml': '- debug: msg="PV dep {{ ansible_parent_role_names | default(\'none\') }}"\n',
  'roles/inner/tasks/main.yml': '- debug: msg="PV inner {{ ansible_parent_role_names }} {{ role_name }}"\n- import_tasks: more.yml\n',
  'roles/inner/tasks/more.yml': '- debug: msg="PV more {{ ansible_parent_role_names }}"\n',
};

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'rackplay-var-prec-'));
  for (const [name, text] of Object.entries(FILES)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const EXPECTED = [
  'PV dep none',
  'PV handled',
  'PV inc from_include_tasks from_set_fact',
  'PV inc from_set_fact from_include_vars',
  'PV inc from_set_fact from_set_fact',
  "PV inner ['outer'] inner",
  "PV inner ['outer'] inner",
  'PV leaf from_top top leaf',
  'PV mid from_top',
  "PV more ['outer']",
  "PV more ['outer']",
  'PV r role_vars a',
  'PV r role_vars b',
  "PV reg {'x': 1}",
  'PV rendered True True t.j2 True True True',
  'PV template True True t.j2 True True True',
  'PV top entry leaf_default',
];

describe('role and include variable layering', () => {
  it('rackplay gives each task the variables Ansible would', async () => {
    const ours: CliRun = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: dir });
    expect(ours.code, ours.stdout + ours.stderr).toBe(0);
    expect(debugMsgs(ours.stdout).filter((m) => m.startsWith('PV'))).toEqual(EXPECTED);
  });

  it.skipIf(!haveAnsiblePlaybook)('the same run under ansible-playbook (skipped: ansible-playbook is not installed)', async () => {
    const both = await runBoth(dir);
    expectSameRun(both);
    expect(debugMsgs(both.theirs.stdout).filter((m) => m.startsWith('PV'))).toEqual(EXPECTED);
  });
});
