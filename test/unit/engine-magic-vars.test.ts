// Magic and cross-host variables as ansible-playbook 2.14 sets them: what a rescue sees of
// the failed task, the play_hosts family after failures, role name lists, loop variables
// and registered loop results, and handlers that listen to one topic. Runs the engine on
// local hosts; test/integration/compare-magic-vars.test.ts runs the same against Ansible.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runEngine } from '../helpers/run-engine.js';
import { pythonFacts } from '../../src/facts/parsers/system.js';
import type { RunEvent } from '../../src/output/events.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'rackplay-magic-vars-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const INVENTORY = `[app]
alpha.example.com
beta
gamma
[other]
delta colour=blue
`;

interface Run {
  exitCode: number;
  events: RunEvent[];
  /** host → the msg of each debug task it ran, in order. */
  msgs: Record<string, string[]>;
}

async function run(yaml: string, files: Record<string, string> = {}): Promise<Run> {
  const { exitCode, events } = await runEngine(dir, yaml, { files, inventory: { ini: INVENTORY } });
  const msgs: Record<string, string[]> = {};
  for (const e of events) {
    if (e.kind !== 'host-result' || e.task.action !== 'debug' || e.status !== 'ok' || e.loop || e.item !== undefined) continue;
    (msgs[e.host] ??= []).push(String(e.result.msg));
  }
  return { exitCode, events, msgs };
}

describe('failures and the hosts of the play', () => {
  it('a rescue sees ansible_failed_task and ansible_failed_result; play_hosts leave out failed hosts', async () => {
    const r = await run(`
- hosts: app
  gather_facts: false
  tasks:
    - block:
        - name: breaks on beta
          command: /bin/false
          when: inventory_hostname == 'beta'
      rescue:
        - debug: msg="rescue {{ ansible_failed_task.name }} {{ ansible_failed_task.action }} {{ ansible_failed_result.msg }} rc={{ ansible_failed_result.rc }} {{ ansible_failed_task.when }} {{ ansible_play_hosts }}"
    - debug: msg="kept {{ ansible_failed_task.name | default('none') }}"
    - fail: msg=stop
      when: inventory_hostname == 'gamma'
    - debug: msg="left {{ ansible_play_hosts }} {{ ansible_play_batch }} {{ play_hosts }} all={{ ansible_play_hosts_all }}"
    - block:
        - fail: msg=again
          when: inventory_hostname == 'beta'
      always:
        - debug: msg="always {{ ansible_play_hosts }}"
- hosts: app
  gather_facts: false
  tasks:
    - debug: msg="next play {{ ansible_play_hosts }} all={{ ansible_play_hosts_all }}"
`);
    expect(r.exitCode).toBe(2);
    expect(r.msgs.beta).toEqual([
      "rescue breaks on beta command non-zero return code rc=1 [\"inventory_hostname == 'beta'\"] ['alpha.example.com', 'beta', 'gamma']",
      'kept breaks on beta',
      "left ['alpha.example.com', 'beta'] ['alpha.example.com', 'beta'] ['alpha.example.com', 'beta'] all=['alpha.example.com', 'beta', 'gamma']",
      "always ['alpha.example.com']",
    ]);
    expect(r.msgs['alpha.example.com']).toEqual([
      'kept none',
      "left ['alpha.example.com', 'beta'] ['alpha.example.com', 'beta'] ['alpha.example.com', 'beta'] all=['alpha.example.com', 'beta', 'gamma']",
      "always ['alpha.example.com']",
      "next play ['alpha.example.com'] all=['alpha.example.com', 'beta', 'gamma']",
    ]);
    expect(r.msgs.gamma).toEqual(['kept none']);
  });

  it('hostvars shows set_fact and register values of other hosts, and inventory vars of hosts outside the play', async () => {
    const r = await run(`
- hosts: alpha.example.com,beta
  gather_facts: false
  tasks:
    - set_fact:
        token: "t-{{ inventory_hostname_short }}"
    - command: echo {{ inventory_hostname_short }}
      register: said
      changed_when: false
    - debug: msg="{{ hostvars['beta'].token }} {{ hostvars['alpha.example.com'].said.stdout }} {{ hostvars['delta'].colour }} {{ inventory_hostname_short }} {{ said.failed }}"
`);
    expect(r.exitCode).toBe(0);
    expect(r.msgs['alpha.example.com']).toEqual(['t-beta alpha blue alpha False']);
    expect(r.msgs.beta).toEqual(['t-beta alpha blue beta False']);
  });
});

describe('roles', () => {
  it('sets role_name, the role name lists, parent roles of an include_role and the search path', async () => {
    const r = await run(
      `
- hosts: alpha.example.com
  gather_facts: false
  roles: [web]
  tasks:
    - debug: msg="play {{ role_name | default('none') }} {{ ansible_role_names }} {{ ansible_search_path | map('replace', playbook_dir, 'PB') | list }}"
`,
      {
        'roles/web/meta/main.yml': 'dependencies: [base]\n',
        'roles/base/tasks/main.yml': `- debug: msg="base {{ role_name }} {{ ansible_parent_role_names | default('none') }}"\n`,
        'roles/web/tasks/main.yml': [
          `- debug: msg="web {{ role_name }} {{ role_path | basename }} {{ ansible_role_names }} {{ ansible_play_role_names }} {{ ansible_dependent_role_names }} {{ role_names }}"`,
          `- include_role: name=extra`,
          '',
        ].join('\n'),
        'roles/extra/tasks/main.yml': `- debug: msg="extra {{ ansible_parent_role_names }} {{ ansible_search_path | map('replace', playbook_dir, 'PB') | list }}"\n`,
      },
    );
    expect(r.exitCode).toBe(0);
    expect(r.msgs['alpha.example.com']).toEqual([
      'base base none',
      "web web web ['base', 'web'] ['web'] ['base'] ['web']",
      "extra ['web'] ['PB/roles/extra', 'PB/roles/web', 'PB/roles/extra/tasks', 'PB']",
      "play none ['base', 'web'] ['PB']",
    ]);
  });
});

describe('magic vars shared between scopes', () => {
  it("a task's own vars do not change role_name or the search path; each role and task file keeps its own", async () => {
    const r = await run(
      `
- hosts: alpha.example.com
  gather_facts: false
  roles: [web, db]
  tasks:
    - debug: msg="play {{ role_name | default('none') }} {{ ansible_search_path | map('replace', playbook_dir, 'PB') | list }}"
      vars: { own: 1 }
`,
      {
        'roles/web/tasks/main.yml': [
          `- debug: msg="web {{ role_name }} {{ role_path | basename }} {{ ansible_search_path | map('replace', playbook_dir, 'PB') | list }}"`,
          `  vars: { own: 1 }`,
          `- import_tasks: sub/more.yml`,
          '',
        ].join('\n'),
        'roles/web/tasks/sub/more.yml': `- debug: msg="more {{ role_name }} {{ ansible_search_path | map('replace', playbook_dir, 'PB') | list }}"\n  vars: { own: 2 }\n`,
        'roles/db/tasks/main.yml': `- debug: msg="db {{ role_name }} {{ role_path | basename }}"\n  vars: { own: 3 }\n`,
      },
    );
    expect(r.exitCode).toBe(0);
    expect(r.msgs['alpha.example.com']).toEqual([
      "web web web ['PB/roles/web', 'PB/roles/web/tasks', 'PB']",
      "more web ['PB/roles/web', 'PB/roles/web/tasks/sub', 'PB']",
      'db db db',
      "play none ['PB']",
    ]);
  });

  it('ansible_facts follows the facts a cacheable set_fact adds', async () => {
    const r = await run(`
- hosts: alpha.example.com
  gather_facts: false
  tasks:
    - debug: msg="{{ ansible_facts | length }}"
    - set_fact: { colour: red, cacheable: true }
    - debug: msg="{{ ansible_facts.colour }}"
    - set_fact: { colour: blue, cacheable: true }
    - debug: msg="{{ ansible_facts.colour }}"
      vars: { own: 1 }
`);
    expect(r.exitCode).toBe(0);
    expect(r.msgs['alpha.example.com']).toEqual(['0', 'red', 'blue']);
  });
});

describe('loops', () => {
  it('ansible_loop has previtem/nextitem only where they exist; registered results carry the loop variables', async () => {
    const r = await run(`
- hosts: alpha.example.com
  gather_facts: false
  tasks:
    - debug: msg="{{ ansible_loop.index }}/{{ ansible_loop.length }} {{ ansible_loop.previtem | default('-') }} {{ ansible_loop.nextitem | default('-') }} {{ ansible_loop.first }} {{ ansible_loop.last }} {{ ansible_loop.revindex0 }} {{ ansible_loop.allitems }} {{ ansible_loop_var }} {{ ansible_index_var }} {{ i }}"
      loop: [x, y]
      loop_control: {extended: true, index_var: i}
    - command: echo {{ item }}
      loop: [a, b, c]
      loop_control: {extended: true, index_var: idx}
      register: echoed
      changed_when: item != 'b'
    - debug: msg="{{ echoed.results | map(attribute='item') | list }} {{ echoed.results | selectattr('changed') | map(attribute='item') | list }} {{ echoed.results | map(attribute='failed') | list }} {{ echoed.results | map(attribute='idx') | list }} {{ echoed.results[1].ansible_loop.previtem }} {{ echoed.results[0].ansible_loop_var }} {{ echoed.skipped }} {{ echoed.msg }}"
    - command: echo never
      loop: []
      register: empty
    - debug: msg="{{ empty.skipped }} {{ empty.skipped_reason }} {{ empty.results }} {{ 'msg' in empty }}"
`);
    expect(r.exitCode).toBe(0);
    const loopItems = r.events.filter((e) => e.kind === 'host-result' && e.task.action === 'debug' && e.item !== undefined);
    expect(loopItems.map((e) => (e.kind === 'host-result' ? e.result.msg : undefined))).toEqual([
      "1/2 - y True False 1 ['x', 'y'] item i 0",
      "2/2 x - False True 0 ['x', 'y'] item i 1",
    ]);
    expect(r.msgs['alpha.example.com']).toEqual([
      "['a', 'b', 'c'] ['a', 'c'] [False, False, False] [0, 1, 2] a item False All items completed",
      'True No items in the list [] False',
    ]);
    // The aggregate of a loop is marked, so reporters show only its items.
    const aggregates = r.events.filter((e) => e.kind === 'host-result' && e.task.action === 'debug' && e.loop);
    expect(aggregates).toHaveLength(1);
  });
});

describe('handlers', () => {
  it('every handler listening to a topic runs, before and after flush_handlers', async () => {
    const r = await run(`
- hosts: alpha.example.com
  gather_facts: false
  tasks:
    - command: echo one
      notify: restart
    - meta: flush_handlers
    - debug: msg="after flush"
    - command: echo two
      notify: [restart, lone]
  handlers:
    - name: first listener
      debug: msg="first"
      listen: restart
    - name: second listener
      debug: msg="second"
      listen: restart
    - name: lone
      debug: msg="lone"
`);
    expect(r.exitCode).toBe(0);
    expect(r.msgs['alpha.example.com']).toEqual(['first', 'second', 'after flush', 'first', 'second', 'lone']);
  });
});

describe('python facts', () => {
  it('reads the probe lines as Ansible names them', () => {
    expect(pythonFacts('/usr/bin/python3\n3 11 2 final 0\n3.11.2\nTrue\ncpython\n')).toEqual({
      ansible_python: {
        version: { major: 3, minor: 11, micro: 2, releaselevel: 'final', serial: 0 },
        version_info: [3, 11, 2, 'final', 0],
        executable: '/usr/bin/python3',
        has_sslcontext: true,
        type: 'cpython',
      },
      ansible_python_version: '3.11.2',
    });
  });

  it('gives Python 2.3 (no ssl, no sys.subversion) a null type, and nothing without a Python', () => {
    const old = pythonFacts('/usr/bin/python\n2 3 4 final 0\n2.3.4\nFalse\nNone\n');
    expect(old.ansible_python).toMatchObject({ has_sslcontext: false, type: null, version_info: [2, 3, 4, 'final', 0] });
    expect(old.ansible_python_version).toBe('2.3.4');
    expect(pythonFacts('')).toEqual({});
  });
});
