// Our inventory against the real Ansible: each *.ansible.json was produced by
// test/fixtures/inventory/record-ansible.sh running ansible-inventory 2.14.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadInventory } from '../../src/inventory/index.js';
import { ansibleList, fixture } from './inventory-helpers.js';

// Ansible prints vault values as {__ansible_vault: text}; we keep them as {__vault__: text}.
function fromAnsibleJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromAnsibleJson);
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if (Object.keys(obj).length === 1 && typeof obj.__ansible_vault === 'string') return { __vault__: obj.__ansible_vault };
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, fromAnsibleJson(v)]));
  }
  return value;
}

const cases: { name: string; sources: string[]; playbookDir?: string; expected: string }[] = [
  { name: 'INI inventory', sources: [fixture('same/hosts.ini')], expected: 'same/hosts.ini.ansible.json' },
  { name: 'YAML inventory', sources: [fixture('same/hosts.yml')], expected: 'same/hosts.yml.ansible.json' },
  { name: 'host ranges', sources: [fixture('ranges/hosts.ini')], expected: 'ranges/hosts.ini.ansible.json' },
  { name: 'INI value typing', sources: [fixture('typing/hosts.ini')], expected: 'typing/hosts.ini.ansible.json' },
  { name: 'nested YAML groups, priority, vault', sources: [fixture('nested/hosts.yml')], expected: 'nested/hosts.yml.ansible.json' },
  { name: 'directory source', sources: [fixture('dir')], expected: 'dir.ansible.json' },
  {
    name: 'group_vars/host_vars of inventory and playbook',
    sources: [fixture('precedence/inventory/hosts.ini')],
    playbookDir: fixture('precedence/playbook'),
    expected: 'precedence/precedence.ansible.json',
  },
  {
    name: 'several -i sources including a host list',
    sources: [fixture('same/hosts.ini'), fixture('ranges/hosts.ini'), 'extra1,extra2:2022,'],
    expected: 'multi.ansible.json',
  },
];

describe('inventory matches ansible-inventory --list', () => {
  it.each(cases)('$name', async ({ sources, playbookDir, expected }) => {
    const inv = await loadInventory(sources, { playbookDir });
    const want = fromAnsibleJson(JSON.parse(readFileSync(fixture(expected), 'utf8')));
    expect(ansibleList(inv)).toEqual(want);
  });
});
