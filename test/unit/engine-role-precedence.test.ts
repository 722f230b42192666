// Role and include variable layering, run in-process: a dependency inherits its parents'
// vars and params, role vars of every play role are visible unless private, include params
// sit above set_fact, ansible_parent_role_names comes only from include_role/import_role,
// and an import's notify reaches the tasks it imports.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/output/events.js';
import { runEngine } from '../helpers/run-engine.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'rackplay-role-prec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(yaml: string, files: Record<string, string> = {}) {
  return runEngine(dir, yaml, { files, inventory: { list: 'localhost,' } });
}

/** The msg of every debug result, in order. */
function msgs(events: RunEvent[]): string[] {
  return events.flatMap((e) => (e.kind === 'host-result' && e.task.action === 'debug' && typeof e.result.msg === 'string' ? [e.result.msg] : []));
}

describe('role variable layering', () => {
  afterEach(() => {
    delete process.env.ANSIBLE_PRIVATE_ROLE_VARS;
  });

  const depFiles = {
    'roles/top/meta/main.yml': 'dependencies:\n  - { role: mid, param_var: from_top }\n',
    'roles/top/vars/main.yml': 'top_var: top\n',
    'roles/top/tasks/main.yml': '- debug: msg="top sees {{ param_var }} {{ dep_default }}"\n',
    'roles/mid/meta/main.yml': 'dependencies:\n  - leaf\n',
    'roles/mid/vars/main.yml': 'shared: mid\n',
    'roles/mid/tasks/main.yml': '- debug: msg="mid {{ param_var }}"\n',
    'roles/leaf/defaults/main.yml': 'dep_default: leaf_default\n',
    'roles/leaf/vars/main.yml': 'shared: leaf\n',
    'roles/leaf/tasks/main.yml': '- debug: msg="leaf {{ param_var }} {{ top_var }} {{ shared }}"\n',
  };

  it('gives a dependency its parents params and vars, its own vars over the chain', async () => {
    const { exitCode, events } = await run(
      `
- hosts: localhost
  gather_facts: false
  vars:
    param_var: play
  roles:
    - { role: top, param_var: entry }
`,
      depFiles,
    );
    expect(exitCode).toBe(0);
    // leaf's chain is top (param entry) then mid (param from_top); its own vars/ beat mid's.
    expect(msgs(events)).toEqual(['leaf from_top top leaf', 'mid from_top', 'top sees entry leaf_default']);
  });

  it('hides other roles vars with ANSIBLE_PRIVATE_ROLE_VARS', async () => {
    const files = {
      'roles/one/vars/main.yml': 'secret: one\n',
      'roles/one/tasks/main.yml': '- debug: msg=one\n',
      'roles/two/tasks/main.yml': '- debug: msg="two {{ secret | default(\'hidden\') }}"\n',
    };
    const yaml = '- hosts: localhost\n  gather_facts: false\n  roles: [one, two]\n';
    expect(msgs((await run(yaml, files)).events)).toEqual(['one', 'two one']);
    process.env.ANSIBLE_PRIVATE_ROLE_VARS = 'true';
    expect(msgs((await run(yaml, files)).events)).toEqual(['one', 'two hidden']);
  });

  it('puts vars/main.yml above the role entry vars, and a role entry with other vars runs again', async () => {
    const { events } = await run(
      `
- hosts: localhost
  gather_facts: false
  roles:
    - { role: r, vars: { v: entry, w: entry_a } }
    - { role: r, vars: { v: entry, w: entry_b } }
`,
      { 'roles/r/vars/main.yml': 'v: role_vars\n', 'roles/r/tasks/main.yml': '- debug: msg="{{ v }} {{ w }}"\n' },
    );
    expect(msgs(events)).toEqual(['role_vars entry_a', 'role_vars entry_b']);
  });
});

describe('include params', () => {
  it('put include_tasks and include: vars above set_fact, and the k=v words of include: below it', async () => {
    const { exitCode, events } = await run(
      `
- hosts: localhost
  gather_facts: false
  tasks:
    - set_fact: { a: from_set_fact, b: from_set_fact }
    - include_tasks:
        file: inc.yml
      vars: { a: from_include_tasks }
    - include: inc.yml b=from_words
    - include: inc.yml
      vars: { b: from_include_vars }
`,
      { 'inc.yml': '- debug: msg="{{ a }} {{ b }}"\n' },
    );
    expect(exitCode).toBe(0);
    expect(msgs(events)).toEqual(['from_include_tasks from_set_fact', 'from_set_fact from_set_fact', 'from_set_fact from_include_vars']);
  });
});

describe('parent role names', () => {
  it('come from include_role and import_role, not from dependencies or import_tasks', async () => {
    const { exitCode, events } = await run(
      `
- hosts: localhost
  gather_facts: false
  roles: [outer]
`,
      {
        'roles/outer/meta/main.yml': 'dependencies: [dep]\n',
        'roles/outer/tasks/main.yml': '- include_role: { name: inner }\n- import_role: { name: inner }\n',
        'roles/dep/tasks/main.yml': '- debug: msg="dep {{ ansible_parent_role_names | default(\'none\') }}"\n',
        'roles/inner/tasks/main.yml': '- debug: msg="inner {{ ansible_parent_role_names }} {{ role_name }}"\n- import_tasks: more.yml\n',
        'roles/inner/tasks/more.yml': '- debug: msg="more {{ ansible_parent_role_names }} {{ ansible_parent_role_paths | map(\'basename\') | list }}"\n',
      },
    );
    expect(exitCode).toBe(0);
    expect(msgs(events)).toEqual([
      'dep none',
      "inner ['outer'] inner",
      "more ['outer'] ['outer']",
      "inner ['outer'] inner",
      "more ['outer'] ['outer']",
    ]);
  });
});

describe('notify on an import', () => {
  it('reaches the imported tasks (import_tasks notify:, include_tasks apply: notify:)', async () => {
    const { exitCode, events } = await run(
      `
- hosts: localhost
  gather_facts: false
  handlers:
    - name: h
      debug: msg=handled
  tasks:
    - import_tasks: change.yml
      notify: h
    - include_tasks:
        file: change.yml
        apply: { notify: h }
    - meta: flush_handlers
`,
      { 'change.yml': '- command: "true"\n' },
    );
    expect(exitCode).toBe(0);
    expect(msgs(events)).toEqual(['handled']);
  });
});
