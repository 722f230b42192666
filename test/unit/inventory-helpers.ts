// Shared by the inventory tests: fixture paths and a rendering of an Inventory
// in the shape of `ansible-inventory --list`, so recorded Ansible output can be
// compared to ours directly.
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { Inventory } from '../../src/inventory/index.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'inventory');

export function fixture(...parts: string[]): string {
  return join(FIXTURES, ...parts);
}

/** Same layout as ansible-inventory's json_inventory (without --export). */
export function ansibleList(inv: Inventory): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const seen = new Set<string>();
  const formatGroup = (name: string) => {
    const g = inv.groups.get(name)!;
    const entry: Record<string, string[]> = {};
    if (name !== 'all') entry.hosts = [...g.hosts];
    entry.children = [];
    out[name] = entry;
    for (const child of g.children) {
      entry.children.push(child);
      if (!seen.has(child)) {
        formatGroup(child);
        seen.add(child);
      }
    }
    for (const k of ['hosts', 'children']) if (entry[k] && entry[k].length === 0) delete entry[k];
    if (Object.keys(entry).length === 0) delete out[name];
  };
  formatGroup('all');
  const hostvars: Record<string, unknown> = {};
  for (const h of inv.select('all')) {
    const vars = inv.hostVars(h);
    if (Object.keys(vars).length) hostvars[h] = vars;
  }
  out._meta = { hostvars };
  return out;
}
