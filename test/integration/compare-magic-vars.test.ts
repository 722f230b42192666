// Magic and cross-host variables side by side with ansible-playbook (local connection):
// hostvars of other hosts and of hosts outside the play, facts (ansible_env, ansible_python),
// what a rescue sees of the failed task, the play_hosts family after failures and in serial
// batches, role name lists and search paths, ansible_loop and registered loop results,
// handlers listening to one topic across flush_handlers, and the option variables.
// Every debug message starting with MV must be the same per task and host, and so must the
// exit code, the recap and the task lines. Values that differ by nature (paths, the
// controller's Python, set order) are reduced in the playbook to what must agree.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, haveAnsiblePlaybook, parseRecap, parseTaskLines, runCommand, runRackplay } from '../helpers/cli.js';

const FILES: Record<string, string> = {
  'inventory.ini': `[app]
alpha.example.com ansible_connection=local
beta ansible_connection=local
gamma ansible_connection=local
[other]
delta ansible_connection=local colour=blue
`,
  'ansible.cfg': `[defaults]
retry_files_enabled = False
`,
  'site.yml': `- name: cross-host variables
  hosts: app
  gather_facts: true
  gather_subset: [min]
  tasks:
    - debug: msg="MV short={{ inventory_hostname_short }} groups={{ groups['app'] }} {{ groups['other'] }} names={{ group_names }}"
    - debug: msg="MV delta={{ hostvars['delta'].colour }} {{ 'delta' in hostvars }} beta_system={{ hostvars['beta'].ansible_system }} {{ hostvars['beta'].ansible_facts.system }} env={{ ansible_env.HOME is string }} {{ hostvars['beta'].ansible_env.PATH == ansible_env.PATH }}"
    - debug: msg="MV python={{ ansible_python.version.major is number }} {{ ansible_python_version is match('[0-9]+[.][0-9]+') }} {{ ansible_python.executable is string }} {{ ansible_playbook_python is string }}"
    - debug: msg="MV config={{ ansible_config_file | basename }} version={{ ansible_version.keys() | sort }} {{ ansible_version.major }} dir={{ playbook_dir | basename }} inv={{ ansible_inventory_sources | map('basename') | list }}"
    - debug: msg="MV check={{ ansible_check_mode }} diff={{ ansible_diff_mode }} run={{ ansible_run_tags }} skip={{ ansible_skip_tags }} name={{ ansible_play_name }} omit={{ omit is string }}"
    - set_fact:
        token: "t-{{ inventory_hostname_short }}"
    - command: echo {{ inventory_hostname_short }}
      register: said
      changed_when: false
    - debug: msg="MV from others={{ hostvars['beta'].token }} {{ hostvars['gamma'].said.stdout }} {{ hostvars['alpha.example.com'].token }}"
    - block:
        - name: breaks on beta
          command: /bin/false
          when: inventory_hostname == 'beta'
      rescue:
        - debug: msg="MV rescue task={{ ansible_failed_task.name }} action={{ ansible_failed_task.action }} msg={{ ansible_failed_result.msg }} rc={{ ansible_failed_result.rc }} hosts={{ ansible_play_hosts }}"
    - debug: msg="MV after rescue failed_task={{ ansible_failed_task.name | default('none') }}"
    - name: gamma fails for good
      fail: msg=stop
      when: inventory_hostname == 'gamma'
    - debug: msg="MV survivors={{ ansible_play_hosts }} batch={{ ansible_play_batch }} legacy={{ play_hosts }} all={{ ansible_play_hosts_all }}"
    - block:
        - fail: msg=again
          when: inventory_hostname == 'beta'
      always:
        - debug: msg="MV always hosts={{ ansible_play_hosts }} failed_task={{ ansible_failed_task.name | default('none') }}"

- name: roles
  hosts: alpha.example.com
  gather_facts: false
  roles: [web]
  tasks:
    - debug: msg="MV play role={{ role_name | default('none') }} all={{ ansible_role_names | sort }} search={{ ansible_search_path | map('replace', playbook_dir, 'PB') | list }}"

- name: loops and handlers
  hosts: alpha.example.com
  gather_facts: false
  tasks:
    - command: echo {{ item }}
      loop: [a, b, c]
      loop_control: {extended: true, index_var: idx}
      register: echoed
      changed_when: item != 'b'
    - debug: msg="MV results items={{ echoed.results | map(attribute='item') | list }} changed={{ echoed.results | selectattr('changed') | map(attribute='item') | list }} failed={{ echoed.results | map(attribute='failed') | list }} var={{ echoed.results[0].ansible_loop_var }} idx={{ echoed.results | map(attribute='idx') | list }} ivar={{ echoed.results[2].ansible_index_var }} skipped={{ echoed.skipped }} msg={{ echoed.msg }}"
    - debug: msg="MV loop2 {{ echoed.results[1].ansible_loop }}"
    - debug: msg="MV loop {{ ansible_loop }} var={{ ansible_loop_var }} ivar={{ ansible_index_var }} i={{ i }} prev={{ ansible_loop.previtem is defined }} next={{ ansible_loop.nextitem is defined }}"
      loop: [x, y]
      loop_control: {extended: true, index_var: i}
    - command: echo nothing
      loop: []
      register: empty
    - debug: msg="MV empty {{ empty }}"
    - command: echo one
      notify: restart
    - meta: flush_handlers
    - debug: msg="MV after flush"
    - command: echo two
      notify: [restart, lone]
  handlers:
    - name: first listener
      debug: msg="MV handler first"
      listen: restart
    - name: second listener
      debug: msg="MV handler second"
      listen: restart
    - name: lone
      debug: msg="MV handler lone"

- name: after failures
  hosts: app
  gather_facts: false
  tasks:
    - debug: msg="MV next play hosts={{ ansible_play_hosts }} batch={{ ansible_play_batch }} all={{ ansible_play_hosts_all }}"

- name: serial batches
  hosts: alpha.example.com,delta
  gather_facts: false
  serial: 1
  tasks:
    - debug: msg="MV serial batch={{ ansible_play_batch }} hosts={{ ansible_play_hosts }} all={{ ansible_play_hosts_all }}"
`,
  'flags.yml': `- hosts: alpha.example.com
  gather_facts: false
  tasks:
    - debug: msg="MV check={{ ansible_check_mode }} diff={{ ansible_diff_mode }} run={{ ansible_run_tags | sort }} skip={{ ansible_skip_tags | sort }}"
      tags: [mv]
`,
  'roles/web/meta/main.yml': `dependencies: [base]
`,
  'roles/base/tasks/main.yml': `- debug: msg="MV base role={{ role_name }} path={{ role_path | basename }} parent={{ ansible_parent_role_names | default('none') }}"
`,
  'roles/web/tasks/main.yml': `- debug: msg="MV web role={{ role_name }} {{ ansible_role_name }} all={{ ansible_role_names | sort }} play={{ ansible_play_role_names }} dep={{ ansible_dependent_role_names | sort }} legacy={{ role_names }}"
- debug: msg="MV web search={{ ansible_search_path | map('replace', playbook_dir, 'PB') | list }}"
- include_role: name=extra
`,
  'roles/extra/tasks/main.yml': `- debug: msg="MV extra role={{ role_name }} parent={{ ansible_parent_role_names }} paths={{ ansible_parent_role_paths | map('basename') | list }} search={{ ansible_search_path | map('replace', playbook_dir, 'PB') | list }}"
`,
};

const work = mkdtempSync(path.join(os.tmpdir(), 'rackplay-magic-vars-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(() => {
  for (const [name, text] of Object.entries(FILES)) {
    mkdirSync(path.dirname(path.join(work, name)), { recursive: true });
    writeFileSync(path.join(work, name), text);
  }
});

const env = () => ({ ANSIBLE_CONFIG: path.join(work, 'ansible.cfg'), ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCALHOST_WARNING: '0' });
const ansible = (args: string[]) => runCommand('ansible-playbook', ['-i', 'inventory.ini', ...args], { cwd: work, env: env() });
const rackplay = (args: string[]) => runRackplay(['-i', 'inventory.ini', ...args], { cwd: work, env: env() });

/** Each MV message as `<task number> <host> <msg>`, sorted: hosts answer in any order within a task. */
function messages(stdout: string): string[] {
  const out: string[] = [];
  let task = 0;
  let host = '';
  for (const line of stdout.split('\n')) {
    if (/^(TASK|RUNNING HANDLER) \[/.test(line)) task++;
    const h = /^ok: \[([^\]]+)\]/.exec(line);
    if (h) host = h[1];
    const m = /^\s+"msg": "(MV .*)"$/.exec(line);
    if (m) out.push(`${String(task).padStart(3, '0')} ${host} ${m[1]}`);
  }
  return out.sort();
}

/** Task lines without the include_role banners, which rackplay names differently (a known difference). */
function taskLines(stdout: string) {
  return parseTaskLines(stdout).filter((t) => !t.banner.startsWith('TASK [include_role'));
}

function expectSame(a: CliRun, r: CliRun, code: number): void {
  expect(r.stderr).not.toMatch(/Unexpected error|at .*\.js:\d+/);
  expect(a.code, `ansible-playbook: ${a.stdout}${a.stderr}`).toBe(code);
  expect(r.code, `rackplay: ${r.stdout}${r.stderr}`).toBe(code);
  expect(parseRecap(r.stdout)).toEqual(parseRecap(a.stdout));
  expect(taskLines(r.stdout)).toEqual(taskLines(a.stdout));
  const am = messages(a.stdout);
  expect(am.length).toBeGreaterThan(0);
  expect(messages(r.stdout)).toEqual(am);
}

describe('magic variables (rackplay alone)', () => {
  it('the site playbook gives the values ansible-playbook 2.14 gives', async () => {
    const r = await rackplay(['site.yml']);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    const msgs = messages(r.stdout).map((m) => m.slice(4));
    expect(msgs).toContain('beta MV rescue task=breaks on beta action=command msg=non-zero return code rc=1 hosts=[\'alpha.example.com\', \'beta\', \'gamma\']');
    expect(msgs).toContain("alpha.example.com MV survivors=['alpha.example.com', 'beta'] batch=['alpha.example.com', 'beta'] legacy=['alpha.example.com', 'beta'] all=['alpha.example.com', 'beta', 'gamma']");
    expect(msgs).toContain("alpha.example.com MV from others=t-beta gamma t-alpha");
    expect(msgs).toContain("alpha.example.com MV next play hosts=['alpha.example.com'] batch=['alpha.example.com'] all=['alpha.example.com', 'beta', 'gamma']");
    expect(msgs).toContain("delta MV serial batch=['delta'] hosts=['alpha.example.com', 'delta'] all=['alpha.example.com', 'delta']");
    expect(msgs.filter((m) => m.includes('MV handler second'))).toHaveLength(2);
  });
});

describe.skipIf(!haveAnsiblePlaybook)('magic variables side by side (needs ansible-playbook, skipped without it: apt-get install ansible)', () => {
  it('site.yml: cross-host vars, rescue, play hosts, roles, loops, handlers, serial', async () => {
    const [a, r] = await Promise.all([ansible(['site.yml']), rackplay(['site.yml'])]);
    expectSame(a, r, 2);
  });

  it('flags.yml with --check --diff --tags --skip-tags: the option variables', async () => {
    const args = ['flags.yml', '--check', '--diff', '--tags', 'mv,other', '--skip-tags', 'never'];
    const [a, r] = await Promise.all([ansible(args), rackplay(args)]);
    expectSame(a, r, 0);
  });
});
