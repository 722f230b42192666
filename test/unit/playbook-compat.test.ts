// Issue 13: the loader refuses only what ansible-playbook refuses. Problems Ansible finds
// when a task runs are warnings (errors with `strict`); include:, names templated from the
// play's vars, a role importing another entry point of itself, and the roles an import
// runs again load as in Ansible 2.14.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import type { AnyModuleDef } from '../../src/modules/types.js';
import { assertModule } from '../../src/modules/assert.js';
import { waitForConnectionModule } from '../../src/modules/wait-for-connection.js';
import { loadPlaybook, validateModuleArgs, type LoadOptions, type Block, type DynamicInclude, type Task, type TaskNode } from '../../src/playbook/index.js';
import { Templar } from '../../src/template/index.js';
import { testModules, testRegistry } from '../fixtures/playbooks/test-registry.js';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'rackplay-compat-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

function load(dir: string, extra: Partial<LoadOptions> = {}) {
  const warnings: UserError[] = [];
  const deprecations: string[] = [];
  const opts: LoadOptions = { registry: testRegistry(), rolesPath: [], warn: (w) => warnings.push(w), deprecate: (m) => deprecations.push(m), ...extra };
  return { result: loadPlaybook(path.join(dir, 'pb.yml'), opts), warnings, deprecations };
}

/** Every task of a list, blocks opened, as `role : action` (or the action). */
function flat(nodes: TaskNode[]): string[] {
  return nodes.flatMap((n) => {
    if (n.kind === 'block') return flat([...n.block, ...n.rescue, ...n.always]);
    const what = n.kind === 'task' ? `${n.action}${n.args.msg !== undefined ? ` ${String(n.args.msg)}` : ''}` : n.action;
    return [n.role ? `${n.role.name} : ${what}` : what];
  });
}

// A renderer of `{{ name }}` only: the loader's contract, not the template engine's.
const renderStatic = (t: string, _pos: unknown, vars: Record<string, unknown>) =>
  t.replace(/\{\{\s*(\w+)\s*\}\}/g, (_m, name: string) => {
    if (!(name in vars)) throw new Error(`'${name}' is undefined`);
    return String(vars[name]);
  });

describe('argument problems are warnings, errors with strict', () => {
  const dir = project({
    'pb.yml': '- hosts: all\n  tasks:\n    - copy: {content: x}\n      when: false\n    - include_tasks: inc.yml\n',
    'inc.yml': '- nosuchmodule: {}\n',
  });

  it('a module argument and a dynamically included file: one positioned warning each, the load goes on', async () => {
    const { result, warnings } = load(dir);
    const pb = await result;
    expect(pb.plays[0].tasks).toHaveLength(2);
    expect(warnings.map((w) => [w.message.split('.')[0], path.basename(w.pos!.file), w.pos!.line])).toEqual([
      ['missing required arguments: dest', 'pb.yml', 3],
      ["couldn't resolve module/action 'nosuchmodule'", 'inc.yml', 1],
    ]);
    expect(warnings.every((w) => w.hint)).toBe(true);
  });

  it('strict: the first of them is the load error', async () => {
    const err = await load(dir, { strict: true }).result.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toBe('missing required arguments: dest');
    expect((err as UserError).exitCode).toBe(4);
  });

  it('what Ansible refuses while parsing stays an error', async () => {
    const bad = project({ 'pb.yml': '- hosts: all\n  tasks:\n    - debug: msg=hello world\n' });
    await expect(load(bad).result).rejects.toThrow("this task 'debug' has extra params");
  });
});

describe('arguments as Ansible takes them', () => {
  const def = (name: string) => testModules.find((m) => m.name === name)!;
  const pos = { file: 'x.yml', line: 1, col: 1 };

  it('a mapping given for a str argument becomes its Python text (check_type_str)', () => {
    expect(validateModuleArgs(def('ping'), { data: { a: 1, b: [true] } }, pos, { rendered: true })).toEqual({ data: "{'a': 1, 'b': [True]}" });
  });

  it("when the task runs, the action plugins' own checks speak first, in their words", () => {
    const run = (name: string, args: Record<string, unknown>) => () => validateModuleArgs(def(name), args, pos, { rendered: true });
    expect(run('copy', { content: 'x' })).toThrow(/^dest is required$/);
    expect(run('copy', { dest: '/d' })).toThrow(/^src \(or content\) is required$/);
    expect(run('template', { src: 'a.j2' })).toThrow(/^src and dest are required$/);
    expect(run('debug', { msg: 'a', foo: 1 })).toThrow(/^Invalid options for debug: foo$/);
    const real = (def: AnyModuleDef, args: Record<string, unknown>) => () => validateModuleArgs(def, args, pos, { rendered: true });
    expect(real(waitForConnectionModule, { foo: 'bar', timeout: 1 })).toThrow(/^Invalid options for wait_for_connection: foo$/);
    expect(real(assertModule, { that: 'x', msg: 'm', bogus: 1, other: 2 })).toThrow(/^Invalid options for assert: bogus,other$/);
    expect(real(assertModule, { that: 'x', msg: 'm' })()).toMatchObject({ fail_msg: 'm' });
    expect(run('debug', { msg: 'a', var: 'x' })).toThrow(/^'msg' and 'var' are incompatible options$/);
    // at load time the argument spec's words, with its did-you-mean
    expect(() => validateModuleArgs(def('copy'), { content: 'x', destt: '/d' }, pos, { rendered: false })).toThrow(/^Unsupported parameters for \(copy\) module: destt/);
  });

  it('an SELinux context is taken and ignored by the file-writing modules only', () => {
    expect(validateModuleArgs(def('file'), { path: '/x', setype: 'tmp_t', seuser: 'u' }, pos, { rendered: true })).not.toHaveProperty('setype');
    expect(() => validateModuleArgs(def('ping'), { setype: 'tmp_t' }, pos, { rendered: true })).toThrow('Unsupported parameters for (ping) module: setype');
  });
});

describe("Ansible 2.14's include:", () => {
  it('a plain file is imported, with its k=v words as vars and the deprecation told once', async () => {
    const dir = project({
      'pb.yml': '- hosts: all\n  tasks:\n    - include: inc.yml v=1\n    - include: inc.yml\n',
      'inc.yml': '- debug: msg=in\n',
    });
    const { result, deprecations } = load(dir);
    const tasks = (await result).plays[0].tasks as Block[];
    expect(tasks.map((b) => b.kind)).toEqual(['block', 'block']);
    expect(tasks[0].vars).toEqual({ v: '1' });
    expect(flat(tasks)).toEqual(['debug in', 'debug in']);
    expect(deprecations).toHaveLength(2);
    expect(deprecations[0]).toMatch(/^"include" is deprecated, use include_tasks\/import_tasks instead/);
  });

  it('a templated file or a loop makes it dynamic, named include', async () => {
    const dir = project({
      'pb.yml': '- hosts: all\n  tasks:\n    - include: "{{ f }}"\n    - include: inc.yml\n      loop: [1]\n',
      'inc.yml': '- debug: msg=in\n',
    });
    const tasks = (await load(dir).result).plays[0].tasks as DynamicInclude[];
    expect(tasks.map((t) => [t.kind, t.action, t.actionAsWritten])).toEqual([
      ['include', 'include_tasks', 'include'],
      ['include', 'include_tasks', 'include'],
    ]);
  });

  it('a play-level include is refused as ansible-playbook 2.14 refuses it', async () => {
    const dir = project({ 'pb.yml': '- include: other.yml\n' });
    await expect(load(dir).result).rejects.toThrow("'include' is not a valid attribute for a Play");
  });
});

describe("names resolved before the run with the play's vars", () => {
  const dir = project({
    'pb.yml': [
      '- hosts: all',
      '  vars: {rname: r1, lv: pkg, mod: debug}',
      '  tasks:',
      '    - import_role: {name: "{{ rname }}"}',
      '    - debug: msg=x',
      '      loop: [1]',
      '      loop_control: {loop_var: "{{ lv }}"}',
      '    - action: "{{ mod }} msg=acted"',
      '',
    ].join('\n'),
    'roles/r1/tasks/main.yml': '- debug: msg=r1\n',
  });

  it('import_role name, loop_var and a templated action', async () => {
    const tasks = (await load(dir, { renderStatic }).result).plays[0].tasks;
    expect(flat(tasks)).toEqual(['r1 : debug r1', 'debug x', 'debug acted']);
    expect((tasks[1] as Task).loop?.loop_var).toBe('pkg');
    // the unnamed task keeps the template as its name, as Ansible shows it
    expect((tasks[2] as Task).actionAsWritten).toBe('{{ mod }}');
  });

  it('without the values they are load errors that say why', async () => {
    await expect(load(dir).result).rejects.toThrow('import_role name is a template ({{ rname }}), which cannot be resolved before the run');
  });
});

describe('omit in a play keyword', () => {
  it('leaves the keyword unset, as Ansible does; a value stays', async () => {
    const dir = project({
      'pb.yml': '- hosts: all\n  serial: "{{ n | default(omit) }}"\n  strategy: "{{ s | default(omit) }}"\n  order: "{{ o | default(\'sorted\') }}"\n  tasks: []\n',
    });
    const templar = new Templar();
    const play = (await load(dir, { renderStatic: (t, _pos, vars) => templar.render(t, vars) }).result).plays[0];
    expect(play.serial).toBeUndefined();
    expect(play.strategy).toBeUndefined();
    expect(play.order).toBe("{{ o | default('sorted') }}");
  });
});

describe('roles', () => {
  it('a role importing another entry point of itself is no cycle; the same entry point is', async () => {
    const ok = project({
      'pb.yml': '- hosts: all\n  roles: [sa]\n',
      'roles/sa/tasks/main.yml': '- debug: msg=main\n- import_role: {name: sa, tasks_from: other}\n',
      'roles/sa/tasks/other.yml': '- debug: msg=other\n',
    });
    expect(flat((await load(ok).result).plays[0].roles[0].tasks)).toEqual(['sa : debug main', 'sa : debug other']);
    const loop = project({
      'pb.yml': '- hosts: all\n  roles: [sa]\n',
      'roles/sa/tasks/main.yml': '- import_role: {name: sa}\n',
    });
    await expect(load(loop).result).rejects.toThrow('role dependency cycle: sa -> sa');
  });

  it('an include_role of a role being loaded is checked ahead without a false cycle', async () => {
    const dir = project({
      'pb.yml': '- hosts: all\n  roles: [sb]\n',
      'roles/sb/tasks/main.yml': '- include_role: {name: sb, tasks_from: other}\n  when: false\n',
      'roles/sb/tasks/other.yml': '- include_role: {name: sb}\n  when: false\n',
    });
    const { result, warnings } = load(dir);
    await result;
    expect(warnings).toEqual([]);
  });

  it('an imported role runs every time; its dependencies that already ran do not', async () => {
    const dir = project({
      'pb.yml': '- hosts: all\n  roles: [r1, d1]\n  tasks:\n    - import_role: {name: d1}\n    - import_role: {name: r1}\n',
      'roles/r1/tasks/main.yml': '- debug: msg=r1\n',
      'roles/d1/meta/main.yml': 'dependencies: [r1]\n',
      'roles/d1/tasks/main.yml': '- debug: msg=d1\n',
    });
    const play = (await load(dir).result).plays[0];
    expect(play.roles.map((r) => [r.name, r.dependencies.map((d) => d.name)])).toEqual([['r1', []], ['d1', []]]);
    expect(flat(play.tasks)).toEqual(['d1 : debug d1', 'r1 : debug r1']);
  });
});

describe("a play's user: keyword", () => {
  it('is the old name of remote_user, as Ansible 2.14 accepts it', async () => {
    const dir = project({ 'pb.yml': '- hosts: all\n  user: deploy\n  tasks: []\n' });
    const pb = await load(dir).result;
    expect(pb.plays[0].remote_user).toBe('deploy');
  });

  it('with remote_user as well is refused in Ansible\'s words', async () => {
    const dir = project({ 'pb.yml': '- hosts: all\n  user: deploy\n  remote_user: ops\n  tasks: []\n' });
    await expect(load(dir).result).rejects.toThrow("both 'user' and 'remote_user' are set for this play");
  });
});

describe("Ansible's words for an empty or malformed playbook", () => {
  it('a playbook with no plays', async () => {
    const dir = project({ 'pb.yml': '[]\n' });
    await expect(load(dir).result).rejects.toThrow('A playbook must contain at least one play');
  });

  it('a section that is not a list names the section, the value and its Python type', async () => {
    const dir = project({ 'pb.yml': '- hosts: all\n  pre_tasks: 123\n' });
    await expect(load(dir).result).rejects.toThrow("A malformed block was encountered while loading pre_tasks: 123 should be a list or None but is <class 'int'>");
  });
});

describe("Ansible's words for malformed roles and vars_prompt", () => {
  it('roles that are not a list', async () => {
    const dir = project({ 'pb.yml': '- hosts: all\n  roles: 123\n' });
    await expect(load(dir).result).rejects.toThrow('A malformed role declaration was encountered.');
  });

  it('the old comma form of a role', async () => {
    const dir = project({ 'pb.yml': '- hosts: all\n  roles: ["foo,bar"]\n' });
    await expect(load(dir).result).rejects.toThrow('Invalid old style role requirement: foo,bar');
  });

  it('a vars_prompt entry without a name', async () => {
    const dir = project({ 'pb.yml': '- hosts: all\n  vars_prompt:\n    - foo: bar\n' });
    await expect(load(dir).result).rejects.toThrow("Invalid vars_prompt data structure, missing 'name' key");
  });
});
