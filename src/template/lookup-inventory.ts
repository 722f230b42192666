// The inventory_hostnames lookup: the hosts a pattern names. Like Ansible's, it builds its
// view of the inventory from the `groups` variable, so it needs nothing but the task's vars.
import { selectPlayHosts, type HostPatternSource } from '../inventory/index.js';
import type { Lookup } from './lookup-types.js';

export const inventoryHostnames: Lookup = (ctx, terms) => {
  const groups = ctx.vars.groups as Record<string, string[]> | undefined;
  if (!groups || typeof groups !== 'object') return [];
  const all = groups.all ?? [];
  const source: HostPatternSource = {
    hosts: new Map(all.map((h) => [h, h])),
    groups: new Map(Object.keys(groups).map((g) => [g, g])),
    groupHosts: (g) => groups[g] ?? [],
  };
  try {
    return selectPlayHosts(source, terms.flat().map(String));
  } catch {
    // Ansible's lookup answers a pattern that names nothing with an empty list.
    return [];
  }
};
