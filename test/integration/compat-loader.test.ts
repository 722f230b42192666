// Issue 13, "validate early, refuse only what Ansible refuses": playbooks ansible-playbook
// 2.14 accepts load in rackplay too. What Ansible checks only when a task runs (module
// arguments, dynamically included files) is a positioned warning here and fails the task
// if it runs; --strict makes it an error before any host is contacted. Each playbook runs
// through both CLIs on a local host where ansible-playbook is installed; the plain
// assertions below need only rackplay.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { haveAnsiblePlaybook, parseRecap, parseTaskLines, runCommand, runRackplay, type CliRun } from '../helpers/cli.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'rackplay-compat-loader-'));
afterAll(() => (process.env.KEEP_COMPAT_DIR ? undefined : rmSync(work, { recursive: true, force: true })));

function write(files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(work, name)), { recursive: true });
    writeFileSync(path.join(work, name), text);
  }
}

write({
  'inventory.ini': 'h1 ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n',
  // argument problems Ansible finds only when the task runs
  'args.yml': `- hosts: all
  gather_facts: false
  tasks:
    - name: copy without dest, never run
      copy: content=x
      when: false
    - name: ping with a mapping for its str argument
      ping: {data: {a: 1}}
      register: pinged
    - name: an SELinux context, taken and ignored
      file: path=${work}/touched state=touch setype=tmp_t
    - debug: var=pinged
    - name: copy without dest, in the copy action's words
      copy: content=x
      ignore_errors: true
    - name: debug with msg and var
      debug: msg=a var=pinged
      ignore_errors: true
    - name: slurp without src
      slurp: {}
    - debug: msg="not reached"
`,
  // Ansible 2.14's deprecated include:, static and dynamic
  'inc-tasks.yml': '- set_fact: {seen: "{{ v | default(\'none\') }}"}\n- debug: var=seen\n',
  'include.yml': `- hosts: all
  gather_facts: false
  tasks:
    - include: inc-tasks.yml v=1
    - name: named include with vars
      include: inc-tasks.yml
      vars: {v: 2}
    - include: "{{ 'inc-tasks.yml' }}"
`,
  // names resolved before the run from play vars and extra vars; omit in a play keyword
  'roles/r1/tasks/main.yml': '- debug: msg="r1 {{ p | default(0) }}"\n',
  'roles/r1/tasks/other.yml': '- debug: msg="r1 other"\n',
  'roles/d1/meta/main.yml': 'dependencies: [r1]\n',
  'roles/d1/tasks/main.yml': '- debug: msg=d1\n- import_role: {name: r1, tasks_from: other}\n',
  'roles/d2/meta/main.yml': 'dependencies: [r1]\n',
  'roles/d2/tasks/main.yml': '- debug: msg=d2\n- include_tasks: sub.yml\n- include_role: name=r1\n',
  'roles/d2/tasks/sub.yml': '- debug: msg=\"d2 sub\"\n',
  'static.yml': `- hosts: all
  gather_facts: false
  serial: "{{ nope | default(omit) }}"
  strategy: "{{ nope | default(omit) }}"
  order: "{{ nope | default(omit) }}"
  vars:
    lv: it
    rname: r1
    mod: set_fact
  tasks:
    - set_fact: {got: "{{ it }}"}
      loop: [7]
      loop_control:
        loop_var: "{{ lv }}"
    - debug: var=got
    - import_role:
        name: "{{ rname }}"
    - import_role:
        name: "{{ from_cli }}"
    - action: "{{ mod }} acted=yes"
    - debug: var=acted
`,
  // extra params: Ansible's mod_args rules; names stripped; loop_var from the task's vars;
  // a legacy include: under include_tasks is dynamic, so its broken file is never read
  'params.yml': `- hosts: all
  gather_facts: false
  vars:
    newhost: {name: added1, color: blue}
  tasks:
    - name: templated extra params that are no mapping
      debug:
        garbage {{ "with a template" }}
      ignore_errors: true
    - name: add_host from a mapping variable
      add_host: "{{ newhost }}"
    - debug: msg="{{ hostvars['added1'].color }}"
    - action: set_fact     spaced=yes
    - local_action: set_fact     local_spaced=1
    - debug: msg="{{ spaced }} {{ local_spaced }}"
    - debug: msg="{{ lv }}"
      loop: [a, b]
      loop_control:
        loop_var: "{{ n }}"
      vars:
        n: lv
    - include_tasks: dyn-parent.yml
`,
  'dyn-parent.yml': '- debug: msg=in-dyn\n- include: broken.yml\n  when: false\n',
  'broken.yml': 'not a list of tasks\n',
  'dup.yml': '- hosts: all\n  gather_facts: false\n  vars:\n    foo: bar\n    foo: baz\n  tasks:\n    - debug: var=foo\n',
  'local.yml': '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - debug: msg=hi\n',
  // roles: and dependencies run once; imports and includes every time
  'roles.yml': `- hosts: all
  gather_facts: false
  roles: [r1, d1, d2, r1]
  tasks:
    - import_role: name=d1
    - include_role: name=d2
    - import_role: name=r1
    - include_role: name=d1
`,
});

const ENV = { ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: '0', ANSIBLE_LOCALHOST_WARNING: '0', ANSIBLE_FORCE_COLOR: '0' };
const ansible = (args: string[]) => runCommand('ansible-playbook', ['-i', 'inventory.ini', ...args], { cwd: work, env: ENV, timeoutMs: 120_000 });
const rackplay = (args: string[]) => runRackplay(['-i', 'inventory.ini', ...args], { cwd: work, env: ENV, timeoutMs: 60_000 });

const PLAYBOOKS: Record<string, string[]> = {
  'args.yml': [],
  'include.yml': [],
  'static.yml': ['-e', 'from_cli=r1'],
  'roles.yml': [],
  'params.yml': [],
};

/** The fatal messages of a run, in order (the result on one line or indented over several). */
const fatalMessages = (r: CliRun) =>
  [...r.stdout.matchAll(/^fatal: \[[^\]]+\]: FAILED! => \{[^]*?"msg": ("(?:[^"\\]|\\.)*")/gm)].map((m) => JSON.parse(m[1]) as string);
/** --list-tasks output, without blank lines (ansible-playbook ends with one more). */
const listing = (r: CliRun) => r.stdout.split('\n').filter((l) => l.trim() !== '');

describe('what ansible-playbook accepts loads (no ansible-playbook needed)', () => {
  it('an argument problem is a positioned warning; the task fails only when it runs, in Ansible words', async () => {
    const r = await rackplay(['args.yml']);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^\[WARNING\]: \S*args\.yml:5:7: missing required arguments: dest\n {2}hint: /m);
    expect(r.stderr).toMatch(/^\[WARNING\]: \S*args\.yml:20:7: missing required arguments: src$/m);
    // printed once, though the loader and the run both look at the task
    expect(r.stderr.match(/missing required arguments: src/g)).toHaveLength(1);
    expect(fatalMessages(r)).toEqual(['dest is required', "'msg' and 'var' are incompatible options", 'missing required arguments: src']);
    expect(r.stdout).toContain(`"ping": "{'a': 1}"`);
    expect(parseRecap(r.stdout).h1).toMatchObject({ ok: 5, changed: 1, failed: 1, skipped: 1, ignored: 2 });
  });

  it('--strict refuses them before any task runs (exit 4), as does strict = true in ansible.cfg', async () => {
    const strict = await rackplay(['args.yml', '--strict']);
    expect(strict.code).toBe(4);
    expect(strict.stderr).toMatch(/^ERROR! missing required arguments: dest\n\nThe error appears to be in '\S*args\.yml': line 5, column 7,/m);
    expect(strict.stdout).not.toContain('TASK [');
    const dir = path.join(work, 'strict-cfg');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'ansible.cfg'), '[rackplay]\nstrict = true\n');
    const cfg = await runRackplay(['-i', '../inventory.ini', '../args.yml', '--syntax-check'], { cwd: dir, env: ENV });
    expect(cfg.code).toBe(4);
    expect(cfg.stderr).toMatch(/^ERROR! missing required arguments: dest\n\nThe error appears to be in '\S*args\.yml': line 5, column 7,/m);
  });

  it('include:, templated names, loop_var and omit in a play keyword run', async () => {
    const inc = await rackplay(['include.yml']);
    expect(inc.code, inc.stderr).toBe(0);
    expect(inc.stderr).toContain('[DEPRECATION WARNING]: "include" is deprecated, use include_tasks/import_tasks instead.');
    expect([...inc.stdout.matchAll(/"seen": "?(\w+)/g)].map((m) => m[1])).toEqual(['1', '2', 'none']);
    const st = await rackplay(['static.yml', '-e', 'from_cli=r1']);
    expect(st.code, st.stdout + st.stderr).toBe(0);
    expect(st.stdout).toContain('"got": 7');
    // set_fact turns 'yes' into a boolean, as ansible-playbook prints it
    expect(st.stdout).toContain('"acted": true');
    expect(st.stdout.match(/"msg": "r1 0"/g)).toHaveLength(2);
  });

  it("extra params, spaced module names, a task-vars loop_var and a dynamic parent's include: run as in Ansible", async () => {
    const r = await rackplay(['params.yml']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(fatalMessages(r)).toEqual(["invalid or malformed argument: 'garbage with a template'"]);
    expect(r.stdout).toContain('"msg": "blue"');
    expect(r.stdout).toContain('"msg": "True 1"');
    expect(r.stdout).toMatch(/\(item=b\) => \{\n {4}"msg": "b"/);
    expect(r.stdout).toContain('"msg": "in-dyn"');
    // read ahead only to warn early: the include is skipped, so the run does not fail
    expect(r.stderr).toMatch(/^\[WARNING\]: \S*broken\.yml:1:1: A malformed block was encountered/m);
  });

  it('free-form text on add_host fails the task; on debug without a template it is a load error', async () => {
    write({
      'raw-add-host.yml': '- hosts: all\n  gather_facts: false\n  tasks:\n    - add_host: name=x somehost\n      ignore_errors: true\n      register: r\n    - assert: {that: [r is failed]}\n',
      'raw-debug.yml': '- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: garbage\n',
    });
    const ok = await rackplay(['raw-add-host.yml']);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(fatalMessages(ok)).toEqual(["Invalid raw parameters passed, requires a dictonary/mapping got a  <class 'str'>"]);
    const bad = await rackplay(['raw-debug.yml']);
    expect(bad.code).toBe(4);
    expect(bad.stderr).toMatch(/^ERROR! this task 'debug' has extra params, which is only allowed in the following modules: .*add_host.*\n\nThe error appears to be in '\S*raw-debug\.yml': line 4, column 14,/m);
  });

  it("a role entry point outside the role's directory is refused in Ansible's words", async () => {
    write({
      'roles/r2/tasks/main.yml': '- debug: msg=r2\n',
      'outside.yml': '- debug: msg=outside\n',
      'outside-role.yml': '- hosts: all\n  gather_facts: false\n  tasks:\n    - include_role: {name: r2, tasks_from: "{{ playbook_dir }}/outside.yml"}\n',
    });
    const r = await rackplay(['outside-role.yml']);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain(`Failed loading '${work}/outside.yml' for role (r2) as it is not inside the expected role path: '${work}/roles/r2/tasks'`);
  });

  it('a duplicate YAML key warns, stops the load or passes silently, as DUPLICATE_YAML_DICT_KEY says', async () => {
    const warn = await rackplay(['dup.yml']);
    expect(warn.code).toBe(0);
    expect(warn.stderr).toMatch(/^\[WARNING\]: \S*dup\.yml:5:5: found a duplicate dict key \(foo\)\. Using last defined value only\.$/m);
    expect(warn.stdout).toContain('"foo": "baz"');
    const error = await runRackplay(['-i', 'inventory.ini', 'dup.yml'], { cwd: work, env: { ...ENV, ANSIBLE_DUPLICATE_YAML_DICT_KEY: 'error' } });
    expect(error.code).toBe(4);
    expect(error.stderr).toContain('found a duplicate dict key (foo)');
    const ignore = await runRackplay(['-i', 'inventory.ini', 'dup.yml'], { cwd: work, env: { ...ENV, ANSIBLE_DUPLICATE_YAML_DICT_KEY: 'ignore' } });
    expect(ignore.code).toBe(0);
    expect(ignore.stderr).not.toContain('duplicate');
  });

  it('a missing inventory source is a warning and the run goes on with localhost; --strict refuses it', async () => {
    const r = await runRackplay(['-i', 'nosuch', 'local.yml'], { cwd: work, env: ENV });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`[WARNING]: Unable to parse ${work}/nosuch as an inventory source`);
    expect(r.stderr).toContain('[WARNING]: No inventory was parsed, only implicit localhost is available');
    const strict = await runRackplay(['-i', 'nosuch', 'local.yml', '--strict'], { cwd: work, env: ENV });
    expect(strict.code).toBe(5);
  });

  it('an imported role runs every time, its dependencies once per play', async () => {
    const r = await rackplay(['roles.yml']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.match(/"msg": "r1 0"/g)).toHaveLength(4);
    expect(r.stdout.match(/"msg": "d1"/g)).toHaveLength(3);
    expect(r.stdout).toContain('TASK [include_role : d2]');
    expect(r.stdout).toContain('TASK [d2 : include_tasks]');
  });
});

describe.skipIf(!haveAnsiblePlaybook)('side by side with ansible-playbook (skipped: ansible-playbook is not installed)', () => {
  for (const [pb, extra] of Object.entries(PLAYBOOKS)) {
    it(`${pb}: the same tasks, statuses, failures, recap and exit code`, async () => {
      const [a, r] = await Promise.all([ansible([pb, ...extra]), rackplay([pb, ...extra])]);
      expect(r.code, r.stdout + r.stderr).toBe(a.code);
      expect(parseTaskLines(r.stdout)).toEqual(parseTaskLines(a.stdout));
      expect(fatalMessages(r)).toEqual(fatalMessages(a));
      expect(parseRecap(r.stdout)).toEqual(parseRecap(a.stdout));
    });

    // Known difference: ansible-playbook lists a dependency every time a role brings it in
    // and skips the repeats while running; rackplay drops them while loading, so its
    // --list-tasks of roles.yml is shorter (the runs are the same).
    const flags = pb === 'roles.yml' ? ['--syntax-check'] : ['--syntax-check', '--list-tasks'];
    it(`${pb}: ${flags.join(' and ')} answer the same`, async () => {
      for (const flag of flags) {
        const [a, r] = await Promise.all([ansible([pb, ...extra, flag]), rackplay([pb, ...extra, flag])]);
        expect(r.code, `${flag}\n${r.stderr}`).toBe(a.code);
        expect(listing(r), flag).toEqual(listing(a));
      }
    });
  }

  it('a duplicate YAML key and a missing inventory source: the same warnings and exit codes', async () => {
    for (const [args, env] of [
      [['-i', 'inventory.ini', 'dup.yml'], {}],
      [['-i', 'inventory.ini', 'dup.yml'], { ANSIBLE_DUPLICATE_YAML_DICT_KEY: 'error' }],
      [['-i', 'nosuch', 'local.yml'], {}],
    ] as [string[], Record<string, string>][]) {
      const [a, r] = await Promise.all([runCommand('ansible-playbook', args, { cwd: work, env: { ...ENV, ...env } }), runRackplay(args, { cwd: work, env: { ...ENV, ...env } })]);
      expect(r.code, args.join(' ')).toBe(a.code);
      for (const text of ['found a duplicate dict key (foo)', 'as an inventory source', 'No inventory was parsed']) {
        expect(r.stderr.replace(/\s+/g, ' ').includes(text), text).toBe(a.stderr.replace(/\s+/g, ' ').includes(text));
      }
    }
  });

  it('a play-level include: is refused by both, in the same words', async () => {
    write({ 'play-include.yml': '- include: include.yml\n' });
    const [a, r] = await Promise.all([ansible(['play-include.yml']), rackplay(['play-include.yml'])]);
    expect(a.code).toBe(4);
    expect(r.code).toBe(4);
    expect(a.stderr).toContain("'include' is not a valid attribute for a Play");
    expect(r.stderr).toContain("'include' is not a valid attribute for a Play");
  });
});
