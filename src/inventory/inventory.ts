// The inventory data model: hosts, groups, their relations and the
// inventory layer of variable precedence, following Ansible's InventoryData,
// Group and VariableManager semantics.

import { type SourcePos, errGroupLoop, errGroupPriority, errGroupSelfChild, errUnknownHost } from '../errors.js';
import { loadVarsFor, type VarsCache, type VarsKind } from './vars-files.js';
import { LOCALHOST_NAMES } from './localhost.js';
import { selectHosts, type SelectOptions } from './patterns.js';

export interface InventoryHost {
  name: string;
  /** host's own vars (inline + host_vars), not merged with groups */
  vars: Record<string, unknown>;
  /** direct groups (may include 'all' when added to it directly, and 'ungrouped') */
  groups: Set<string>;
}

export interface InventoryGroup {
  name: string;
  /** vars set in the inventory source itself (group_vars/ files are applied by hostVars) */
  vars: Record<string, unknown>;
  children: Set<string>;
  hosts: Set<string>;
  parents: Set<string>;
  /** ansible_group_priority; only honoured when set in an inventory source, as in Ansible */
  priority?: number;
}

const DEFAULT_PRIORITY = 1;

export class Inventory {
  hosts = new Map<string, InventoryHost>();
  groups = new Map<string, InventoryGroup>();
  /** Problems Ansible only warns about (unknown keys in a YAML group, ...). */
  warnings: string[] = [];
  /** How one vars source goes over another in hostVars: replaced per key, or merged (hash_behaviour=merge, set by the engine). */
  combineVars: (low: Record<string, unknown>, high: Record<string, unknown>) => Record<string, unknown> = (low, high) => Object.assign(low, high);
  /** Directories whose group_vars/ and host_vars/ apply, inventory ones first. */
  readonly inventoryVarsDirs: string[] = [];
  readonly playbookVarsDirs: string[] = [];
  /** vars written next to the host in the inventory source, or by add_host */
  private readonly inlineHostVars = new Map<string, Record<string, unknown>>();
  private readonly varsCache: VarsCache = new Map();
  /**
   * A mapping variable set again (the same host or group in two sources): each value in
   * order, so hash_behaviour=merge can merge them as Ansible's set_variable does.
   */
  private stacked = new Map<Record<string, unknown>, Map<string, Record<string, unknown>[]>>();
  private hashMerge?: (low: Record<string, unknown>, high: Record<string, unknown>) => Record<string, unknown>;
  /** add_host and group_by as they ran, which refreshFrom applies again as Ansible does after refresh_inventory. */
  private readonly dynamic: ({ host: string; groups: string[]; vars: Record<string, unknown> } | { host: string; group: string; parents: readonly string[] })[] = [];

  constructor() {
    this.ensureGroup('all');
    this.ensureGroup('ungrouped');
    this.addChildGroup('all', 'ungrouped');
  }

  // ---- building (used by the parsers and the run-time modules) ----

  /** groupsDict() for the `groups` var of every host and task; any change to groups drops it. */
  private groupsDictCache?: Record<string, string[]>;

  ensureGroup(name: string): InventoryGroup {
    let g = this.groups.get(name);
    if (!g) {
      this.groupsDictCache = undefined;
      g = { name, vars: {}, children: new Set(), hosts: new Set(), parents: new Set() };
      this.groups.set(name, g);
    }
    return g;
  }

  ensureHost(name: string): InventoryHost {
    let h = this.hosts.get(name);
    if (!h) {
      h = { name, vars: {}, groups: new Set() };
      this.hosts.set(name, h);
      this.inlineHostVars.set(name, {});
    }
    return h;
  }

  addHostToGroup(host: string, group: string): void {
    const h = this.ensureHost(host);
    const g = this.ensureGroup(group);
    g.hosts.add(host);
    h.groups.add(group);
    this.groupsDictCache = undefined;
  }

  /** Make `child` a sub-group of `parent`, refusing loops as Ansible does. */
  addChildGroup(parent: string, child: string, pos?: SourcePos): void {
    if (parent === child) {
      throw errGroupSelfChild(child, {
        pos,
        hint: `remove '${child}' from the children of '${parent}'`,
      });
    }
    const p = this.ensureGroup(parent);
    const c = this.ensureGroup(child);
    if (p.children.has(child)) return;
    if (this.ancestorsOf(parent).has(child)) {
      throw errGroupLoop(
        child,
        parent,
        { pos, hint: `'${parent}' is already a descendant of '${child}'` },
      );
    }
    p.children.add(child);
    c.parents.add(parent);
    this.groupsDictCache = undefined;
  }

  setGroupVar(group: string, key: string, value: unknown, pos?: SourcePos): void {
    const g = this.ensureGroup(group);
    if (key === 'ansible_group_priority') {
      const n = typeof value === 'number' ? value : Number(value);
      if (!Number.isInteger(n)) {
        throw errGroupPriority(group, JSON.stringify(value), {
          pos,
          hint: 'use a whole number; higher numbers win among groups of the same depth',
        });
      }
      g.priority = n;
      return;
    }
    this.stack(g.vars, key, value);
    g.vars[key] = value;
  }

  private stack(vars: Record<string, unknown>, key: string, value: unknown): void {
    const prev = vars[key];
    if (!isMapping(prev) || !isMapping(value)) return;
    let keys = this.stacked.get(vars);
    if (!keys) this.stacked.set(vars, (keys = new Map()));
    const list = keys.get(key) ?? [prev];
    list.push(value);
    keys.set(key, list);
  }

  /** hash_behaviour=merge: a mapping set more than once is the merge of its values (and vars sources merge too). */
  useHashMerge(merge: (low: Record<string, unknown>, high: Record<string, unknown>) => Record<string, unknown>): void {
    this.hashMerge = merge;
    this.combineVars = merge;
    for (const [vars, keys] of this.stacked) for (const [key, list] of keys) vars[key] = list.reduce((low, high) => merge(low, high));
    for (const name of this.hosts.keys()) this.refreshHostVars(name);
  }

  setHostVar(host: string, key: string, value: unknown): void {
    this.ensureHost(host);
    const vars = this.inlineHostVars.get(host)!;
    this.stack(vars, key, value);
    vars[key] = value;
  }

  /**
   * Ansible's reconcile_inventory: groups without a parent hang under 'all',
   * hosts without any real group are in 'ungrouped' (and only those).
   */
  reconcile(): void {
    this.groupsDictCache = undefined;
    for (const g of this.groups.values()) {
      if (g.name !== 'all' && g.parents.size === 0) this.addChildGroup('all', g.name);
    }
    const ungrouped = this.groups.get('ungrouped')!;
    for (const h of this.hosts.values()) {
      const real = [...h.groups].some((n) => n !== 'all' && n !== 'ungrouped');
      if (real) {
        ungrouped.hosts.delete(h.name);
        h.groups.delete('ungrouped');
      } else if (!h.groups.has('ungrouped')) {
        ungrouped.hosts.add(h.name);
        h.groups.add('ungrouped');
      }
    }
    for (const name of this.hosts.keys()) this.refreshHostVars(name);
  }

  /** Recompute host.vars = inline vars < inventory host_vars/ < playbook host_vars/. */
  refreshHostVars(name: string): void {
    const h = this.hosts.get(name);
    if (!h) return;
    h.vars = Object.assign({}, this.inlineHostVars.get(name), ...this.fileVars('host_vars', name));
  }

  private fileVars(kind: VarsKind, name: string, dirs?: string[]): Record<string, unknown>[] {
    const list = dirs ?? [...this.inventoryVarsDirs, ...this.playbookVarsDirs];
    return list.map((d) => loadVarsFor(d, kind, name, this.varsCache));
  }

  /** Read every group_vars/host_vars file that applies now, so mistakes in them surface at load time. */
  preloadVarsFiles(): void {
    for (const g of this.groups.keys()) this.fileVars('group_vars', g);
    for (const h of this.hosts.keys()) this.fileVars('host_vars', h);
  }

  // ---- queries ----

  /** The host, or the implicit localhost when `name` is a local name not in the inventory. */
  getHost(name: string): InventoryHost | undefined {
    const h = this.hosts.get(name);
    if (h) return h;
    if (LOCALHOST_NAMES.has(name)) {
      return {
        name,
        vars: Object.assign({ ansible_connection: 'local' }, ...this.fileVars('host_vars', name)),
        groups: new Set(),
      };
    }
    return undefined;
  }

  isImplicit(name: string): boolean {
    return !this.hosts.has(name) && LOCALHOST_NAMES.has(name);
  }

  /** Every group above `group`, not including itself. */
  ancestorsOf(group: string): Set<string> {
    const out = new Set<string>();
    const walk = (n: string) => {
      for (const p of this.groups.get(n)?.parents ?? []) {
        if (!out.has(p)) {
          out.add(p);
          walk(p);
        }
      }
    };
    walk(group);
    return out;
  }

  /** All groups of a host, transitively, including 'all' and 'ungrouped'. */
  private hostGroupsTransitive(host: string): Set<string> {
    const out = new Set<string>();
    for (const g of this.hosts.get(host)?.groups ?? []) {
      out.add(g);
      for (const a of this.ancestorsOf(g)) out.add(a);
    }
    return out;
  }

  /** Longest path from 'all', which is Ansible's Group.depth. */
  private depthOf(group: string, memo = new Map<string, number>()): number {
    if (group === 'all') return 0;
    const known = memo.get(group);
    if (known !== undefined) return known;
    const parents = this.groups.get(group)?.parents ?? new Set<string>();
    let d = 1;
    for (const p of parents) d = Math.max(d, this.depthOf(p, memo) + 1);
    memo.set(group, d);
    return d;
  }

  /** Groups in merge order: shallow before deep, then by priority, then by name. */
  private sortGroups(names: Iterable<string>): string[] {
    const memo = new Map<string, number>();
    const key = (n: string) => ({
      depth: this.depthOf(n, memo),
      priority: this.groups.get(n)?.priority ?? DEFAULT_PRIORITY,
    });
    return [...names].sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      return ka.depth - kb.depth || ka.priority - kb.priority || (a < b ? -1 : a > b ? 1 : 0);
    });
  }

  hostVars(host: string): Record<string, unknown> {
    const known = this.hosts.get(host);
    if (!known && !LOCALHOST_NAMES.has(host)) return {};
    const groups = known ? this.sortGroups([...this.hostGroupsTransitive(host)].filter((g) => g !== 'all')) : [];
    const all = this.groups.get('all')!;
    let out: Record<string, unknown> = {};
    const add = (...srcs: Record<string, unknown>[]) => {
      for (const src of srcs) out = this.combineVars(out, src);
    };
    add(all.vars);
    for (const g of groups) add(this.groups.get(g)!.vars);
    add(...this.fileVars('group_vars', 'all', this.inventoryVarsDirs));
    add(...this.fileVars('group_vars', 'all', this.playbookVarsDirs));
    // Per source directory, every group in merge order, as Ansible's vars plugin loop does.
    for (const d of this.inventoryVarsDirs) for (const g of groups) add(loadVarsFor(d, 'group_vars', g, this.varsCache));
    for (const d of this.playbookVarsDirs) for (const g of groups) add(loadVarsFor(d, 'group_vars', g, this.varsCache));
    add(this.getHost(host)!.vars);
    return out;
  }

  groupNames(host: string): string[] {
    return [...this.hostGroupsTransitive(host)].filter((g) => g !== 'all').sort();
  }

  /**
   * Hosts of a group and its descendants: the group's own hosts, then its
   * children's, breadth first, each host once (Ansible's Group.get_hosts).
   */
  groupHosts(group: string): string[] {
    const g = this.groups.get(group);
    if (!g) return [];
    const order: string[] = [group];
    const seenGroups = new Set(order);
    for (let i = 0; i < order.length; i++) {
      for (const c of this.groups.get(order[i])!.children) {
        if (!seenGroups.has(c)) {
          seenGroups.add(c);
          order.push(c);
        }
      }
    }
    const out = new Set<string>();
    for (const name of order) for (const h of this.groups.get(name)!.hosts) out.add(h);
    return [...out];
  }

  groupsDict(): Record<string, string[]> {
    if (this.groupsDictCache) return this.groupsDictCache;
    const out: Record<string, string[]> = {};
    for (const name of this.groups.keys()) out[name] = this.groupHosts(name);
    return (this.groupsDictCache = out);
  }

  select(pattern: string | string[], opts?: SelectOptions): string[] {
    return selectHosts(this, pattern, opts);
  }

  // ---- run time: add_host / group_by ----

  /**
   * add_host. Returns whether the inventory changed (a new host, a new group, or the host
   * in a group it was not in), which is what Ansible reports as the task's `changed`.
   */
  addHost(name: string, groups: string[], vars: Record<string, unknown>, replay = false): boolean {
    if (!replay) this.dynamic.push({ host: name, groups, vars });
    let changed = !this.hosts.has(name);
    this.ensureHost(name);
    this.addHostToGroup(name, 'all');
    for (const g of groups) {
      if (!this.groups.get(g)?.hosts.has(name)) changed = true;
      this.addHostToGroup(name, g);
    }
    for (const [k, v] of Object.entries(vars)) this.setHostVar(name, k, v);
    this.reconcile();
    return changed;
  }

  /**
   * group_by: the host joins `group`, which becomes a child of each of `parents`. Returns
   * whether that changed anything, as Ansible's add_dynamic_group reports it.
   */
  addToGroup(host: string, group: string, parents: readonly string[] = ['all'], replay = false): boolean {
    if (!replay) this.dynamic.push({ host, group, parents });
    if (!this.hosts.has(host)) {
      throw errUnknownHost(host, group, {
        hint: 'add the host to the inventory first (add_host)',
      });
    }
    let changed = !this.groups.get(group)?.hosts.has(host);
    this.addHostToGroup(host, group);
    for (const parent of parents) {
      if (parent === 'all' || this.groups.get(parent)?.children.has(group)) continue;
      this.addChildGroup(parent, group);
      changed = true;
    }
    this.reconcile();
    return changed;
  }

  /**
   * meta refresh_inventory: take the hosts, groups and vars of `fresh` (the sources read
   * again), keep the playbook's vars directories, and apply this run's add_host and group_by
   * again, as Ansible's refresh_inventory does; a group_by whose host is gone is dropped.
   */
  refreshFrom(fresh: Inventory): void {
    this.hosts = fresh.hosts;
    this.groups = fresh.groups;
    this.warnings = fresh.warnings;
    this.inventoryVarsDirs.splice(0, this.inventoryVarsDirs.length, ...fresh.inventoryVarsDirs);
    this.inlineHostVars.clear();
    for (const [h, v] of fresh.inlineHostVars) this.inlineHostVars.set(h, v);
    this.varsCache.clear();
    this.groupsDictCache = undefined;
    this.stacked = fresh.stacked;
    if (this.hashMerge) this.useHashMerge(this.hashMerge);
    for (const d of this.dynamic) {
      if ('groups' in d) this.addHost(d.host, d.groups, d.vars, true);
      else if (this.hosts.has(d.host)) this.addToGroup(d.host, d.group, d.parents, true);
    }
    this.reconcile();
  }
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}
