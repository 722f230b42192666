// include_tasks as a handler (its tasks run as handlers when it is notified), a notify no
// handler answers found at run time, and flush_handlers refused as a handler; compared with
// ansible-playbook 2.14 where it is installed, plus plain assertions that hold without it.
import { describe, expect, it } from 'vitest';
import { expectSameRun, haveAnsiblePlaybook, parseRecap, runBoth, runRackplay } from '../helpers/cli.js';
import { projectMaker } from '../helpers/project-dir.js';

const project = projectMaker('rp-handler-includes');

const INCLUDE_HANDLER = {
  'pb.yml': `- hosts: all
  gather_facts: false
  roles: [r]
  tasks:
    - command: echo
      notify: play include
      when: inventory_hostname == 'a'
    - debug: msg="notify role handlers"
      changed_when: true
      notify: [from handlers dir, from tasks dir]
  handlers:
    - name: play include
      include_tasks: handlers-inc.yml
`,
  'handlers-inc.yml': `- debug: msg="first included handler on {{ inventory_hostname }}"
- debug: msg="second included handler"
`,
  'roles/r/handlers/main.yml': `- name: from handlers dir
  include_tasks: A.yml
- name: from tasks dir
  include_tasks: B.yml
`,
  'roles/r/handlers/A.yml': '- debug: msg="A from handlers/"\n',
  'roles/r/tasks/B.yml': '- debug: msg="B from tasks/"\n',
  'roles/r/tasks/main.yml': '- debug: msg="role task"\n',
};

const NOTIFY_INCLUDED = {
  'pb.yml': `- hosts: a
  gather_facts: false
  tasks:
    - command: echo
      notify: include_handler
    - meta: flush_handlers
    - command: echo
      notify: handler_from_include
  handlers:
    - name: include_handler
      include_tasks: inc.yml
`,
  'inc.yml': '- name: handler_from_include\n  debug: msg="I was included"\n',
};

const FLUSH_AS_HANDLER = {
  'pb.yml': `- hosts: a
  gather_facts: false
  tasks:
    - command: echo
      notify: handler
  handlers:
    - name: handler
      meta: flush_handlers
`,
};

describe('include_tasks as a handler', () => {
  it('runs every task of the included file as a handler, on the hosts notified; role handlers look in handlers/ then tasks/', async () => {
    const dir = project(INCLUDE_HANDLER);
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('RUNNING HANDLER [play include]');
    expect(r.stdout).toMatch(/included: .*handlers-inc\.yml for a\n/);
    expect(r.stdout).toContain('"msg": "first included handler on a"');
    expect(r.stdout).not.toContain('first included handler on b');
    expect(r.stdout).toMatch(/included: .*roles\/r\/handlers\/A\.yml for a, b/);
    expect(r.stdout).toMatch(/included: .*roles\/r\/tasks\/B\.yml for a, b/);
    expect(r.stdout).toContain('RUNNING HANDLER [r : debug]');
    // a: role task, command, debug, 3 includes, 4 included handlers; b: skipped command
    expect(parseRecap(r.stdout).a).toMatchObject({ ok: 10, changed: 2 });
    expect(parseRecap(r.stdout).b).toMatchObject({ ok: 6, changed: 1, skipped: 1 });
  });
  it.skipIf(!haveAnsiblePlaybook)('as ansible-playbook does (skipped: ansible-playbook is not installed)', async () => {
    expectSameRun(await runBoth(project(INCLUDE_HANDLER)));
  });
});

describe('a notify no handler answers, at run time', () => {
  it('ends the run when the changed task notifies a task of an included handler file (exit 1)', async () => {
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: project(NOTIFY_INCLUDED) });
    expect(r.code).toBe(1);
    expect(r.stdout.match(/I was included/g)).toHaveLength(1);
    expect(r.stdout + r.stderr).toContain("ERROR! The requested handler 'handler_from_include' was not found in either the main handlers list nor in the listening handlers list");
    const off = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: project(NOTIFY_INCLUDED), env: { ANSIBLE_ERROR_ON_MISSING_HANDLER: 'false' } });
    expect(off.code).toBe(0);
  });
  it('flush_handlers as a handler ends the run when it runs', async () => {
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: project(FLUSH_AS_HANDLER) });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain('ERROR! flush_handlers cannot be used as a handler');
  });
  it.skipIf(!haveAnsiblePlaybook)('as ansible-playbook does (skipped: ansible-playbook is not installed)', async () => {
    for (const files of [NOTIFY_INCLUDED, FLUSH_AS_HANDLER]) {
      const { ours, theirs } = await runBoth(project(files));
      expect(ours.code).toBe(theirs.code);
      expect(ours.stdout.match(/I was included/g)?.length).toBe(theirs.stdout.match(/I was included/g)?.length);
    }
  });
});
