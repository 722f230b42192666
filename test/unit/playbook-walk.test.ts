// The one walk over a play's roles and handlers (src/playbook/walk.ts), on a playbook
// loaded from disk: dependency order, who pulled a dependency in, and the notify check
// that uses it.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkNotifies } from '../../src/engine/notify-check.js';
import { UserError } from '../../src/errors.js';
import { defaultRegistry } from '../../src/modules/index.js';
import { loadPlaybook, type Playbook } from '../../src/playbook/index.js';
import { playHandlers, playRoles } from '../../src/playbook/walk.js';

function write(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
}

const roles = {
  'roles/common/tasks/main.yml': '- name: common task\n  ping:\n  notify: restart common\n',
  'roles/common/handlers/main.yml': '- name: restart common\n  ping:\n',
  'roles/web/meta/main.yml': 'dependencies: [common]\n',
  'roles/web/tasks/main.yml': '- name: web task\n  ping:\n  notify: "common : restart common"\n',
  'roles/web/handlers/main.yml': '- name: restart web\n  listen: web changed\n  ping:\n',
  'roles/db/meta/main.yml': 'dependencies: [{ role: common, flavour: db }]\n',
  'roles/db/tasks/main.yml': '- name: db task\n  ping:\n  notify: web changed\n',
};

async function load(playbook: string): Promise<Playbook> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'walk-'));
  write(dir, { ...roles, 'site.yml': playbook });
  return loadPlaybook(path.join(dir, 'site.yml'), { registry: defaultRegistry(), rolesPath: [] });
}

const site = `- hosts: all
  roles:
    - { role: web, tags: [w] }
    - { role: db, tags: [d] }
  handlers:
    - name: play handler
      ping:
`;

describe('playRoles / playHandlers', () => {
  let pb: Playbook;
  beforeAll(async () => {
    pb = await load(site);
  });

  it('puts each role after its dependencies, and says which roles pulled a dependency in', () => {
    const list = playRoles(pb.plays[0]);
    expect(list.map((e) => `${e.role.name}${JSON.stringify(e.role.params)} via ${e.via.map((r) => r.name).join('/')}`)).toEqual([
      'common{} via web',
      'web{} via ',
      'common{"flavour":"db"} via db',
      'db{} via ',
    ]);
    expect(list[0].via[0].keywords.tags).toEqual(['w']);
  });

  it('lists the roles handlers in that order, then the play handlers, without a role', () => {
    const handlers = playHandlers(pb.plays[0]);
    expect(handlers.map((h) => `${h.role?.name ?? '-'} ${h.task.name}`)).toEqual(['common restart common', 'web restart web', 'common restart common', '- play handler']);
  });

  it('lets the notify check accept names, role-qualified names and listen topics', () => {
    expect(() => checkNotifies([pb])).not.toThrow();
  });

  it('makes the notify check reject a handler no role or play defines, with the closest name', async () => {
    const bad = await load(site.replace('name: play handler', 'name: play handler\n      notify: restart comon'));
    const error = (() => {
      try {
        checkNotifies([bad]);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(/'restart comon' was not found/);
    expect((error as UserError).hint).toMatch(/did you mean `restart common`\?$/);
  });
});
