// Handler loading, META lines and the recap's host list, each compared with ansible-playbook
// 2.14 where it is installed, plus plain assertions that hold without it.
import { describe, expect, it } from 'vitest';
import { expectSameRun, haveAnsiblePlaybook, parseRecap, runBoth, runCommand, runRackplay } from '../helpers/cli.js';
import { projectMaker } from '../helpers/project-dir.js';

const project = projectMaker('rp-handlers-meta');

const metaLines = (out: string) => out.split('\n').filter((l) => l.startsWith('META: '));

const END_HOST = `- hosts: all
  gather_facts: false
  tasks:
    - meta: end_host
      when: inventory_hostname == 'b'
    - meta: end_play
      when: inventory_hostname == 'b'
    - debug: msg=x
`;
const RUN_ONCE = `- hosts: all
  gather_facts: false
  tasks:
    - debug: msg=x
      run_once: true
`;
const BLOCK_HANDLER = `- hosts: a
  gather_facts: false
  tasks:
    - debug:
  handlers:
    - name: outer
      block:
        - name: nested
          block:
            - debug:
`;
const ROLE_HANDLER = `- hosts: a
  gather_facts: false
  tasks:
    - command: echo
      notify: role_handler
  handlers:
    - name: role_handler
      include_role:
        name: nothing
`;

describe('META lines at -vv', () => {
  it('say what a meta task did or why it was skipped, in Ansible\'s words', async () => {
    const dir = project({ 'pb.yml': END_HOST });
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml', '-vv'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(metaLines(r.stdout)).toEqual(['META: end_host conditional evaluated to False, continuing execution for a', 'META: ending play for b', 'META: end_play conditional evaluated to False, continuing play']);
    expect(r.stdout).toContain('"skip_reason": "end_host conditional evaluated to False, continuing execution for a"');
    const quiet = await runRackplay(['-i', 'inv.ini', 'pb.yml', '-v'], { cwd: dir });
    expect(metaLines(quiet.stdout)).toEqual([]);
  });
  it.skipIf(!haveAnsiblePlaybook)('match ansible-playbook (skipped: ansible-playbook is not installed)', async () => {
    const dir = project({ 'pb.yml': END_HOST });
    const ours = await runRackplay(['-i', 'inv.ini', 'pb.yml', '-vv'], { cwd: dir });
    const theirs = await runCommand('ansible-playbook', ['-i', 'inv.ini', 'pb.yml', '-vv'], { cwd: dir, env: { ANSIBLE_NOCOLOR: '1' } });
    expect(metaLines(ours.stdout)).toEqual(metaLines(theirs.stdout));
    expectSameRun({ ours, theirs });
  });
});

describe('PLAY RECAP lists only hosts that got a result', () => {
  it('leaves out a host that run_once or end_host kept from every task', async () => {
    const dir = project({ 'once.yml': RUN_ONCE, 'pb.yml': END_HOST });
    const once = await runRackplay(['-i', 'inv.ini', 'once.yml'], { cwd: dir });
    expect(Object.keys(parseRecap(once.stdout))).toEqual(['a']);
    const ended = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: dir });
    expect(Object.keys(parseRecap(ended.stdout))).toEqual(['a']);
  });
  it.skipIf(!haveAnsiblePlaybook)('as ansible-playbook does (skipped: ansible-playbook is not installed)', async () => {
    const dir = project({ 'once.yml': RUN_ONCE, 'pb.yml': END_HOST });
    expectSameRun(await runBoth(dir, 'once.yml'));
    expectSameRun(await runBoth(dir, 'pb.yml'));
  });
});

const FLUSH_FAIL = `- hosts: all
  gather_facts: false
  tasks:
    - block:
        - debug: msg=x
          changed_when: true
          notify: h
        - meta: flush_handlers
        - debug: msg=not-after-fail
      rescue:
        - debug: msg=rescued
    - debug: msg=end
  handlers:
    - name: h
      fail: msg=boom
      when: inventory_hostname == 'a'
`;

describe('a handler failing in a flush', () => {
  it('sends the host to the rescue around the flush, counted failed but not rescued, exit 0', async () => {
    const dir = project({ 'pb.yml': FLUSH_FAIL });
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: dir });
    expect(r.code, r.stdout).toBe(0);
    expect(parseRecap(r.stdout).a).toMatchObject({ failed: 1, rescued: 0, ok: 3 });
    expect(r.stdout).toMatch(/ok: \[b\] => \{\n\s+"msg": "not-after-fail"/);
    expect(r.stdout).not.toMatch(/ok: \[a\] => \{\n\s+"msg": "not-after-fail"/);
    expect(r.stdout).toMatch(/ok: \[a\] => \{\n\s+"msg": "rescued"/);
  });
  it.skipIf(!haveAnsiblePlaybook)('as ansible-playbook does (skipped: ansible-playbook is not installed)', async () => {
    expectSameRun(await runBoth(project({ 'pb.yml': FLUSH_FAIL })));
  });
});

const TEMPLATED = `- hosts: a
  gather_facts: false
  vars:
    h1: name1
    h2: name2
    several: [name3, topic]
  handlers:
    - name: name1
      debug: msg=one
    - name: "{{ h2 }}"
      debug: msg=two
    - name: name3
      debug: msg=three
    - name: listener
      debug: msg=four
      listen: topic
  tasks:
    - command: echo
      notify: ["{{ h1 }}", "{{ h2 }}"]
    - meta: flush_handlers
    - command: echo
      notify: "{{ several }}"
`;

describe('templated notify and handler names', () => {
  it('notify is rendered (a list too), and a templated handler name answers its rendered value', async () => {
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: project({ 'pb.yml': TEMPLATED }) });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const banner of ['RUNNING HANDLER [name1]', 'RUNNING HANDLER [name2]', 'RUNNING HANDLER [name3]', 'RUNNING HANDLER [listener]']) expect(r.stdout).toContain(banner);
  });
  it.skipIf(!haveAnsiblePlaybook)('as ansible-playbook does (skipped: ansible-playbook is not installed)', async () => {
    expectSameRun(await runBoth(project({ 'pb.yml': TEMPLATED })));
  });
});

describe('handler loading', () => {
  const roleProject = () =>
    project({
      'pb.yml': '- hosts: a\n  gather_facts: false\n  roles: [r]\n',
      'roles/r/tasks/main.yml': '- command: echo\n  notify: from the playbook dir\n',
      'roles/r/handlers/main.yml': '- import_tasks: shared-handlers.yml\n',
      'shared-handlers.yml': '- name: from the playbook dir\n  debug: msg=handled\n',
    });
  it("finds a role handler file's import_tasks in the playbook dir", async () => {
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: roleProject() });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('RUNNING HANDLER [r : from the playbook dir]');
  });
  it.skipIf(!haveAnsiblePlaybook)('as ansible-playbook does (skipped: ansible-playbook is not installed)', async () => {
    expectSameRun(await runBoth(roleProject()));
  });
  it('refuses a nested block or a role as a handler with Ansible\'s message', async () => {
    const dir = project({ 'block.yml': BLOCK_HANDLER, 'role.yml': ROLE_HANDLER });
    for (const [pb, msg] of [['block.yml', 'ERROR! Using a block as a handler is not supported.'], ['role.yml', "ERROR! Using 'include_role' as a handler is not supported."]]) {
      const r = await runRackplay(['-i', 'inv.ini', pb], { cwd: dir });
      expect(r.code).not.toBe(0);
      expect(r.stdout + r.stderr).toContain(msg);
      if (haveAnsiblePlaybook) {
        const theirs = await runCommand('ansible-playbook', ['-i', 'inv.ini', pb], { cwd: dir, env: { ANSIBLE_NOCOLOR: '1' } });
        expect(theirs.stdout + theirs.stderr).toContain(msg);
      }
    }
  });
});
