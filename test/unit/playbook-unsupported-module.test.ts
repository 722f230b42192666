// A module Ansible has and rackplay lacks (community.general.pacman, or `pacman` as
// ansible-core routes it) is accepted at load with a warning at its position, and the task
// fails only if it runs; a name Ansible does not know either stays a load error.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { ansibleModuleFqcn } from '../../src/playbook/ansible-modules.js';
import { loadPlaybook, type LoadOptions, type Task } from '../../src/playbook/index.js';
import { testRegistry } from '../fixtures/playbooks/test-registry.js';

function project(pb: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'rackplay-unsupported-'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'pb.yml'), pb);
  return dir;
}

async function load(pb: string, extra: Partial<LoadOptions> = {}) {
  const warnings: UserError[] = [];
  const opts: LoadOptions = { registry: testRegistry(), rolesPath: [], warn: (w) => warnings.push(w), ...extra };
  const plays = await loadPlaybook(path.join(project(pb), 'pb.yml'), opts);
  return { plays, warnings };
}

const PB = `- hosts: all
  tasks:
    - name: arch only
      pacman: name=nginx
      when: ansible_os_family == 'Archlinux'
    - action: community.general.timezone name=UTC
`;

describe('modules Ansible has and rackplay does not', () => {
  it('knows Ansible\'s names: builtin, routed short names and collection FQCNs', () => {
    expect(ansibleModuleFqcn('apt_repository')).toBe('ansible.builtin.apt_repository');
    expect(ansibleModuleFqcn('ansible.legacy.dnf')).toBe('ansible.builtin.dnf');
    expect(ansibleModuleFqcn('pacman')).toBe('community.general.pacman');
    expect(ansibleModuleFqcn('community.general.timezone')).toBe('community.general.timezone');
    expect(ansibleModuleFqcn('ansible.posix.synchronize')).toBe('ansible.posix.synchronize');
    expect(ansibleModuleFqcn('pacmann')).toBeUndefined();
    expect(ansibleModuleFqcn('community.general.nope')).toBeUndefined();
    expect(ansibleModuleFqcn('ansible.builtin.pacman')).toBeUndefined();
  });

  it('loads with one warning per task, at the module key, and keeps the tasks', async () => {
    const { plays, warnings } = await load(PB);
    expect(warnings.map((w) => [w.code, w.message, w.pos?.line, w.pos?.col])).toEqual([
      ['UNSUPPORTED_MODULE', "rackplay does not implement the module 'pacman' (community.general.pacman) yet: the task fails if it runs", 4, 7],
      ['UNSUPPORTED_MODULE', "rackplay does not implement the module 'community.general.timezone' yet: the task fails if it runs", 6, 15],
    ]);
    const tasks = plays.plays[0].tasks as Task[];
    expect(tasks.map((t) => [t.action, !!t.dynamicAction])).toEqual([['pacman', true], ['community.general.timezone', true]]);
  });

  it('is a load error with strict', async () => {
    await expect(load(PB, { strict: true })).rejects.toMatchObject({ code: 'UNSUPPORTED_MODULE' });
  });

  it('still refuses a name Ansible does not know', async () => {
    await expect(load('- hosts: all\n  tasks:\n    - pacmann: name=nginx\n')).rejects.toMatchObject({ code: 'UNKNOWN_MODULE' });
  });
});
