import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPlaybook, loadRole, loadTaskFile, type Block, type DynamicInclude, type Playbook, type Task, type TaskNode } from '../../src/playbook/index.js';
import { testRegistry } from '../fixtures/playbooks/test-registry.js';

const dir = path.resolve('test/fixtures/playbooks/good');
const opts = () => ({ registry: testRegistry(), rolesPath: [path.join(dir, 'extra-roles')] });

function byName(nodes: TaskNode[], name: string): TaskNode {
  const found = nodes.find((n) => n.name === name);
  if (!found) throw new Error(`no task named ${name}`);
  return found;
}
const asTask = (n: TaskNode) => n as Task;

describe('loadPlaybook on a full playbook', () => {
  let pb: Playbook;
  beforeAll(async () => {
    pb = await loadPlaybook(path.join(dir, 'site.yml'), opts());
  });

  it('flattens import_playbook, applying its when, tags and vars, keeping positions in the imported file', () => {
    expect(pb.plays).toHaveLength(2);
    const base = pb.plays[0];
    expect(base.pos.file).toBe(path.join(dir, 'plays/base.yml'));
    expect(base.when).toEqual(['run_base | default(true)']);
    expect(base.tags.sort()).toEqual(['base', 'basetag']);
    expect(base.vars).toEqual({ from_import: 1, own: 2 });
    expect(asTask(base.tasks[0]).action).toBe('ping');
    expect(base.baseDir).toBe(path.join(dir, 'plays'));
  });

  it('keeps play keywords with YAML 1.1 scalars', () => {
    const play = pb.plays[1];
    expect(play.name).toBe('Web servers');
    expect(play.hosts).toBe('webservers');
    expect(play.gather_facts).toBe(false);
    expect(play.become).toBe(true);
    expect(play.serial).toBe(2);
    expect(play.vars).toEqual({ http_port: 8080, file_mode: 0o644 });
    expect(play.vars_files).toEqual(['vars/common.yml']);
    expect(play.pos).toEqual({ file: path.join(dir, 'site.yml'), line: 8, col: 3 });
  });

  it('parses free-form command args, extracting chdir/creates and keeping the spacing of the command', () => {
    const t = asTask(byName(pb.plays[1].tasks, 'free-form command with chdir'));
    expect(t.args).toEqual({ chdir: '/tmp', creates: '/tmp/x', _raw_params: 'ls -l   /etc' });
    expect(t.register).toBe('listing');
    expect(t.changed_when).toEqual([false]);
    expect(t.pos.line).toBe(30);
  });

  it('parses k=v args with quotes, notify, loops and loop_control', () => {
    const copy = asTask(byName(pb.plays[1].tasks, 'copy with k=v args'));
    expect(copy.args).toEqual({ src: 'files/motd', dest: '/etc/motd file', mode: '0644' });
    expect(copy.notify).toEqual(['restart web']);
    const file = asTask(byName(pb.plays[1].tasks, 'file with dict args and alias'));
    expect(file.args).toEqual({ dest: '/srv/app', state: 'directory', mode: '{{ file_mode }}' });
    expect(file.loop).toEqual({ kind: 'loop', value: '{{ dirs }}', loop_var: 'dir', label: '{{ dir.name }}' });
    const legacy = asTask(byName(pb.plays[1].tasks, 'legacy loop'));
    expect(legacy.loop).toEqual({ kind: 'with_items', value: ['nginx', 'curl'], loop_var: 'item' });
    expect(legacy.action).toBe('package');
  });

  it('merges args: under the module arguments', () => {
    const t = asTask(byName(pb.plays[1].tasks, 'args keyword merged'));
    expect(t.args).toEqual({ chdir: '/root', executable: '/bin/bash', _raw_params: 'echo $HOME' });
  });

  it('supports action: and local_action: forms', () => {
    const tasks = pb.plays[1].tasks;
    const action = tasks.find((n) => n.kind === 'task' && n.actionAsWritten === 'copy' && n.args.src === 'a') as Task;
    expect(action.args).toEqual({ src: 'a', dest: 'b' });
    const local = tasks.find((n) => n.kind === 'task' && n.args._raw_params === 'hostname') as Task;
    expect(local.action).toBe('command');
    expect(local.delegate_to).toBe('localhost');
  });

  it('builds nested blocks with rescue/always and normalized when/tags', () => {
    const b = byName(pb.plays[1].tasks, 'protected') as Block;
    expect(b.kind).toBe('block');
    expect(b.when).toEqual(['ansible_os_family == "Debian"']);
    expect(b.tags).toEqual(['protect', 'blocky']);
    expect(asTask(b.block[0]).action).toBe('ping');
    const nested = b.block[1] as Block;
    expect(nested.kind).toBe('block');
    expect(asTask(nested.block[0]).args).toEqual({ _raw_params: '/bin/false' });
    expect(asTask(nested.rescue[0]).args).toEqual({ var: 'ansible_failed_result' });
    expect(asTask(b.rescue[0]).args).toEqual({ msg: 'rescued' });
    expect(asTask(b.always[0]).args).toEqual({ msg: 'always' });
  });

  it('expands import_tasks into a block carrying the import keywords, nested imports resolved from the importing file', () => {
    const imp = pb.plays[1].tasks.find((n) => n.kind === 'block' && n.tags.includes('setup')) as Block;
    expect(imp.when).toEqual(['do_setup']);
    expect(imp.vars).toEqual({ setup_var: 1 });
    expect(imp.rescue).toEqual([]);
    const step = asTask(imp.block[0]);
    expect(step.name).toBe('setup step');
    expect(step.pos.file).toBe(path.join(dir, 'tasks/setup.yml'));
    const nested = imp.block[1] as Block;
    expect(asTask(nested.block[0]).pos.file).toBe(path.join(dir, 'tasks/nested.yml'));
  });

  it('keeps include_tasks / include_role dynamic, with apply and baseDir', () => {
    const incs = pb.plays[1].tasks.filter((n): n is DynamicInclude => n.kind === 'include');
    expect(incs.map((i) => i.action)).toEqual(['include_tasks', 'include_tasks', 'include_role']);
    expect(incs[0].args).toEqual({ file: 'tasks/dyn.yml' });
    expect(incs[0].loop?.value).toEqual([1, 2]);
    expect(incs[0].baseDir).toBe(dir);
    expect(incs[1].args.apply).toEqual({ tags: ['dyn'], become: true });
    expect(incs[2].args).toEqual({ name: 'web', tasks_from: 'extra' });
    expect(new Set([...incs.map((i) => i.uid)]).size).toBe(3);
  });

  it('expands import_role into a block of the role tasks, its vars the role\'s vars (Ansible\'s ri.vars), and lists it as a play role', () => {
    const b = pb.plays[1].tasks.find((n) => n.kind === 'block' && n.role?.name === 'db') as Block;
    expect(b.vars).toEqual({ db_port: 3306 });
    expect(b.role?.params).toEqual({});
    expect(b.role?.keywords.vars).toEqual({ db_port: 3306 });
    expect(pb.plays[1].importedRoles).toContain(b.role);
    const t = asTask(b.block[0]);
    expect(t.name).toBe('db task');
    expect(t.role?.name).toBe('db');
  });

  it('loads roles with dependencies, params and keywords, deduplicating repeated roles', () => {
    const roles = pb.plays[1].roles;
    expect(roles.map((r) => r.name)).toEqual(['common', 'web', 'external']);
    const [common, web, external] = roles;
    expect(common.defaults).toEqual({ common_default: 1 });
    expect(common.vars).toEqual({ common_var: 2 });
    expect(common.allowDuplicates).toBe(false);
    expect(asTask(common.tasks[0]).role).toBe(common);
    expect(common.handlers.map((h) => h.name)).toEqual(['common handler']);
    expect(web.params).toEqual({ web_port: 80 });
    expect(web.keywords.tags).toEqual(['web']);
    expect(web.keywords.when).toEqual(['deploy_web']);
    // common already ran as the first role: only db stays as a dependency
    expect(web.dependencies.map((d) => d.name)).toEqual(['db']);
    expect(web.dependencies[0].params).toEqual({ db_port: 5432 });
    expect(web.dependencies[0].keywords.when).toEqual(['use_db']);
    expect(external.path).toBe(path.join(dir, 'extra-roles/external'));
    const webInclude = web.tasks[1] as DynamicInclude;
    expect(webInclude.kind).toBe('include');
    expect(webInclude.baseDir).toBe(path.join(dir, 'roles/web/tasks'));
    expect(webInclude.role).toBe(web);
  });

  it('collects play handlers with listen; meta and set_fact are plain tasks', () => {
    const play = pb.plays[1];
    expect(play.handlers.map((h) => [h.name, h.listen])).toEqual([['restart web', ['web changed']], ['reload web', []]]);
    const meta = play.tasks.find((n) => n.kind === 'task' && n.action === 'meta') as Task;
    expect(meta.args).toEqual({ _raw_params: 'flush_handlers' });
    const sf = play.tasks.find((n) => n.kind === 'task' && n.action === 'set_fact') as Task;
    expect(sf.args).toEqual({ a: '1', b: 'two words' });
  });

  it('gives every task a unique uid', () => {
    const uids: string[] = [];
    const walk = (nodes: TaskNode[]) => {
      for (const n of nodes) {
        if (n.kind === 'block') walk([...n.block, ...n.rescue, ...n.always]);
        else uids.push(n.uid);
      }
    };
    for (const p of pb.plays) walk([...p.pre_tasks, ...p.tasks, ...p.post_tasks, ...p.roles.flatMap((r) => r.tasks)]);
    expect(uids.length).toBeGreaterThan(15);
    expect(new Set(uids).size).toBe(uids.length);
  });
});

describe('run-time loaders', () => {
  it('loadTaskFile resolves a role-relative include', async () => {
    const web = await loadRole('web', { ...opts(), baseDir: dir });
    const nodes = await loadTaskFile(path.join(dir, 'roles/web/tasks/extra.yml'), { ...opts(), role: web });
    expect(nodes).toHaveLength(1);
    expect(asTask(nodes[0]).role).toBe(web);
    expect(asTask(nodes[0]).args).toEqual({ msg: 'extra' });
  });

  it('loadRole honours tasks_from and params, and loads dependencies', async () => {
    const web = await loadRole('web', { ...opts(), baseDir: dir, tasksFrom: 'extra', params: { p: 1 } });
    expect(web.tasks.map((t) => t.name)).toEqual(['web extra']);
    expect(web.params).toEqual({ p: 1 });
    expect(web.dependencies.map((d) => d.name)).toEqual(['common', 'db']);
    expect(web.handlers.map((h) => h.name)).toEqual(['restart web']);
  });

  it('loadRole reports a missing role with the searched paths', async () => {
    await expect(loadRole('nope', { ...opts(), baseDir: dir })).rejects.toMatchObject({
      name: 'LoadError',
      code: 'ROLE_NOT_FOUND',
      message: expect.stringContaining(`${path.join(dir, 'roles')}:${path.join(dir, 'extra-roles')}:${dir}`),
    });
  });
});
