// The inventory layer of variable precedence. Each level of the fixture sets
// `v` to the level's own name; removing levels from the top down must reveal
// each next lower level in exactly Ansible's documented order.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadInventory } from '../../src/inventory/index.js';
import { fixture } from './inventory-helpers.js';

type Remover = (root: string) => void;
const removeFile = (rel: string): Remover => (root) => rmSync(join(root, rel));
// Renaming the variable in the INI file removes that level and nothing else.
const renameInIni = (text: string): Remover => (root) => {
  const file = join(root, 'inventory/hosts.ini');
  const before = readFileSync(file, 'utf8');
  const after = before.replace(text, 'unused_' + text);
  expect(after).not.toBe(before);
  writeFileSync(file, after);
};

// Highest precedence first.
const levels: { value: string; remove: Remover }[] = [
  { value: 'pb_hv', remove: removeFile('playbook/host_vars/h1') },
  { value: 'inv_hv', remove: removeFile('inventory/host_vars/h1.yml') },
  { value: 'inv_file_host', remove: renameInIni('v=inv_file_host') },
  { value: 'pb_gv_child', remove: removeFile('playbook/group_vars/web.yml') },
  { value: 'pb_gv_parent', remove: removeFile('playbook/group_vars/prod.yml') },
  { value: 'inv_gv_child', remove: removeFile('inventory/group_vars/web/02-b') },
  { value: 'inv_gv_child_first', remove: removeFile('inventory/group_vars/web/01-a.yml') },
  { value: 'inv_gv_parent', remove: removeFile('inventory/group_vars/prod.yaml') },
  { value: 'pb_gv_all', remove: removeFile('playbook/group_vars/all.json') },
  { value: 'inv_gv_all', remove: removeFile('inventory/group_vars/all.yml') },
  { value: 'inv_file_child', remove: renameInIni('v=inv_file_child') },
  { value: 'inv_file_parent', remove: renameInIni('v=inv_file_parent') },
  { value: 'inv_file_all', remove: renameInIni('v=inv_file_all') },
];

describe('inventory variable precedence', () => {
  it('each level overrides all lower ones, and removing it reveals the next', async () => {
    const root = mkdtempSync(join(tmpdir(), 'inv-prec-'));
    cpSync(fixture('precedence'), root, { recursive: true });
    const seen: string[] = [];
    for (const level of levels) {
      const inv = await loadInventory([join(root, 'inventory/hosts.ini')], { playbookDir: join(root, 'playbook') });
      seen.push(inv.hostVars('h1').v as string);
      level.remove(root);
    }
    const inv = await loadInventory([join(root, 'inventory/hosts.ini')], { playbookDir: join(root, 'playbook') });
    expect(seen).toEqual(levels.map((l) => l.value));
    expect(inv.hostVars('h1')).not.toHaveProperty('v');
  });

  it('host.vars holds inline and host_vars values only; group.vars only the inventory file', async () => {
    const inv = await loadInventory([fixture('precedence/inventory/hosts.ini')], { playbookDir: fixture('precedence/playbook') });
    expect(inv.hosts.get('h1')!.vars).toEqual({ v: 'pb_hv', other: 1 });
    expect(inv.groups.get('web')!.vars).toEqual({ v: 'inv_file_child' });
  });

  it('ansible_group_priority beats name order among groups of the same depth', async () => {
    const root = mkdtempSync(join(tmpdir(), 'inv-prio-'));
    const file = join(root, 'hosts.yml');
    const yml = (prio: string) =>
      `all:\n  children:\n    alpha:\n      vars: {x: alpha${prio}}\n      hosts: {h: }\n    beta:\n      vars: {x: beta}\n      hosts: {h: }\n`;
    writeFileSync(file, yml(''));
    expect((await loadInventory([file])).hostVars('h').x).toBe('beta');
    writeFileSync(file, yml(', ansible_group_priority: 5'));
    const inv = await loadInventory([file]);
    expect(inv.hostVars('h').x).toBe('alpha');
    expect(inv.groups.get('alpha')!.priority).toBe(5);
    expect(inv.hostVars('h')).not.toHaveProperty('ansible_group_priority');
  });

  it('a child group overrides its parent whatever their names', async () => {
    const root = mkdtempSync(join(tmpdir(), 'inv-depth-'));
    const file = join(root, 'hosts.ini');
    writeFileSync(file, '[aaa_child]\nh\n[zzz_parent:children]\naaa_child\n[zzz_parent:vars]\nx=parent\n[aaa_child:vars]\nx=child\n');
    expect((await loadInventory([file])).hostVars('h').x).toBe('child');
  });
});
