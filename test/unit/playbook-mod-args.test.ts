// Loader rules that follow Ansible's mod_args and loader: free-form text on actions that
// take none, module names written with extra spaces, loop_var templated from the task's
// vars, a legacy include: below a dynamic include, role entry points outside the role,
// and keys written twice in one YAML mapping.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LoadError, UserError } from '../../src/errors.js';
import { defaultRegistry } from '../../src/modules/index.js';
import { loadPlaybook, loadRole, loadTaskFile, type LoadOptions, type Task, type TaskNode } from '../../src/playbook/index.js';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'rackplay-modargs-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

function options(extra: Partial<LoadOptions> = {}) {
  const warnings: UserError[] = [];
  const opts: LoadOptions = { registry: defaultRegistry(), rolesPath: [], warn: (w) => warnings.push(w), deprecate: () => undefined, ...extra };
  return { opts, warnings };
}

async function tasksOf(pbText: string, extra: Partial<LoadOptions> = {}, files: Record<string, string> = {}) {
  const dir = project({ 'pb.yml': pbText, ...files });
  const { opts, warnings } = options(extra);
  const pb = await loadPlaybook(path.join(dir, 'pb.yml'), opts);
  return { tasks: pb.plays[0].tasks, warnings, dir };
}

const play = (tasks: string) => `- hosts: all\n  gather_facts: false\n  tasks:\n${tasks}`;

describe("extra params, by Ansible's mod_args rules", () => {
  it('add_host, group_by and set_fact take free-form text as _raw_params; the action decides when it runs', async () => {
    const { tasks } = await tasksOf(play('    - add_host: somehost\n    - group_by: somekey\n    - set_fact: word\n'));
    expect((tasks as Task[]).map((t) => t.args._raw_params)).toEqual(['somehost', 'somekey', 'word']);
  });

  it('templated free-form text on any other module is _variable_params, rendered when the task runs', async () => {
    const { tasks } = await tasksOf(play('    - debug:\n        garbage {{ "x" }}\n    - add_host: "{{ h }}"\n'));
    expect((tasks[0] as Task).args).toEqual({ _variable_params: 'garbage {{ "x" }}' });
    expect((tasks[1] as Task).args).toEqual({ _variable_params: '{{ h }}' });
  });

  it('plain free-form text on a module without a free form is still a load error, listing the actions that take it', async () => {
    await expect(tasksOf(play('    - debug: garbage\n'))).rejects.toThrow(/this task 'debug' has extra params, which is only allowed in the following modules: .*add_host.*group_by.*set_fact/);
  });

  it('action: and local_action: strip the module name of extra spaces', async () => {
    const { tasks } = await tasksOf(play('    - action: set_fact     c="c"\n    - local_action: set_fact     b=b\n'));
    expect((tasks as Task[]).map((t) => [t.action, t.args])).toEqual([
      ['set_fact', { c: 'c' }],
      ['set_fact', { b: 'b' }],
    ]);
    expect((tasks[1] as Task).delegate_to).toBe('localhost');
  });
});

describe('loop_control names', () => {
  it("a template of the play's vars resolves at load; one of the task's vars stays for the run", async () => {
    const renderStatic = (t: string, _pos: unknown, vars: Record<string, unknown>) =>
      t.replace(/\{\{\s*(\w+)\s*\}\}/g, (_m, name: string) => {
        if (!(name in vars)) throw new Error(`'${name}' is undefined`);
        return String(vars[name]);
      });
    const pb = '- hosts: all\n  vars: {pv: fromplay}\n  tasks:\n' +
      '    - debug: var=fromplay\n      loop: [1]\n      loop_control: {loop_var: "{{ pv }}"}\n' +
      '    - debug: var=x\n      loop: [1]\n      loop_control: {loop_var: "{{ tv }}", index_var: "{{ iv }}"}\n      vars: {tv: x, iv: i}\n';
    const { tasks } = await tasksOf(pb, { renderStatic });
    expect((tasks[0] as Task).loop?.loop_var).toBe('fromplay');
    expect((tasks[1] as Task).loop).toMatchObject({ loop_var: '{{ tv }}', index_var: '{{ iv }}' });
  });

  it('a name that is neither a variable name nor a template is still refused', async () => {
    await expect(tasksOf(play('    - debug: msg=x\n      loop: [1]\n      loop_control: {loop_var: "not a name"}\n'))).rejects.toThrow(/loop_var/);
  });
});

describe('legacy include: under a dynamic include', () => {
  const files = { 'inc.yml': '- include: broken.yml\n', 'broken.yml': 'not tasks\n', 'good.yml': '- debug: msg=g\n' };

  it('is static when all its parents are static: the broken file stops the load', async () => {
    await expect(tasksOf(play('    - include: broken.yml\n'), {}, files)).rejects.toThrow(/malformed block/);
  });

  it('is dynamic in a file include_tasks reads at run time, so the broken file is not read then', async () => {
    const dir = project(files);
    const { opts } = options();
    const nodes: TaskNode[] = await loadTaskFile(path.join(dir, 'inc.yml'), opts);
    expect(nodes).toHaveLength(1);
    expect(nodes[0]).toMatchObject({ kind: 'include', action: 'include_tasks', args: { file: 'broken.yml' } });
  });

  it('ahead of the run, a problem in the file below is a warning, not an error', async () => {
    const { warnings, tasks } = await tasksOf(play('    - include_tasks: inc.yml\n'), {}, files);
    expect(tasks).toHaveLength(1);
    expect(warnings.map((w) => w.message)).toEqual([expect.stringMatching(/malformed block/)]);
  });
});

describe("a role's entry point must be inside the role", () => {
  const dir = project({ 'roles/r/tasks/main.yml': '- debug: msg=r\n', 'roles/r/vars/main.yml': 'a: 1\n', 'elsewhere/x.yml': '- debug: msg=x\n' });
  const { opts } = options();

  it('tasks_from with ../ or an absolute path is refused, in Ansible words', async () => {
    for (const from of ['../../../elsewhere/x.yml', path.join(dir, 'elsewhere/x.yml')]) {
      const e = await loadRole('r', { ...opts, baseDir: dir, tasksFrom: from }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(LoadError);
      expect((e as LoadError).message).toBe(`Failed loading '${path.join(dir, 'elsewhere/x.yml')}' for role (r) as it is not inside the expected role path: '${path.join(dir, 'roles/r/tasks')}'`);
    }
  });

  it('vars_from outside vars/ is refused too; a file inside loads', async () => {
    await expect(loadRole('r', { ...opts, baseDir: dir, varsFrom: '../tasks/main.yml' })).rejects.toThrow(/is not inside the expected role path: '.*roles\/r\/vars'/);
    await expect(loadRole('r', { ...opts, baseDir: dir, varsFrom: 'main' })).resolves.toMatchObject({ vars: { a: 1 } });
  });
});

describe('DUPLICATE_YAML_DICT_KEY', () => {
  const pb = '- hosts: all\n  vars:\n    foo: bar\n    foo: baz\n  tasks:\n    - debug: {msg: a, msg: b}\n';

  it('warn (the default): each repeated key is told with its position, and the last value kept', async () => {
    const { tasks, warnings, dir } = await tasksOf(pb);
    expect(warnings.map((w) => [w.message, w.pos])).toEqual([
      ['found a duplicate dict key (foo). Using last defined value only.', { file: path.join(dir, 'pb.yml'), line: 4, col: 5 }],
      ['found a duplicate dict key (msg). Using last defined value only.', { file: path.join(dir, 'pb.yml'), line: 6, col: 23 }],
    ]);
    expect((tasks[0] as Task).args.msg).toBe('b');
  });

  it('error stops the load; ignore says nothing', async () => {
    await expect(tasksOf(pb, { duplicateDictKey: 'error' })).rejects.toThrow('found a duplicate dict key (foo)');
    const { warnings } = await tasksOf(pb, { duplicateDictKey: 'ignore' });
    expect(warnings).toEqual([]);
  });

  it('merge keys (<<) are no duplicates', async () => {
    const { warnings } = await tasksOf('- hosts: all\n  vars:\n    base: &b {x: 1}\n    more:\n      <<: *b\n      y: 2\n  tasks: []\n');
    expect(warnings).toEqual([]);
  });
});
