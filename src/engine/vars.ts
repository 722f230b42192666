// Variable precedence as Ansible documents it (lowest first): role defaults, inventory
// (group vars, group_vars/, host vars, host_vars/: the inventory's own ordering), facts,
// play vars, play vars_files, role vars, block vars, task vars, include_vars,
// set_fact/register, role params, extra vars. Magic variables sit on top.
import path from 'node:path';
import type { Inventory } from '../inventory/index.js';
import type { Play } from '../playbook/types.js';
import { playRoles } from '../playbook/walk.js';
import { lazyVars, OMIT_TOKEN, opaque, type Templar } from '../template/index.js';
import { factsDict, type HostState } from './host-state.js';
import { inheritedVars, rolesInScope, type Scope } from './scope.js';

export interface VarsContext {
  inventory: Inventory;
  templar: Templar;
  extraVars: Record<string, unknown>;
  hosts: Map<string, HostState>;
  check: boolean;
  diff: boolean;
  verbosity: number;
  runTags: string[];
  skipTags: string[];
  inventorySources: string[];
}

export interface PlayVarsContext {
  play: Play;
  playHosts: string[];
  batch: string[];
}

export const RACKPLAY_VERSION = '0.1.0';

export class VarsBuilder {
  constructor(private readonly ctx: VarsContext) {}

  /** The variables a task sees on a host. `extra` holds loop vars and the like. */
  forTask(host: string, pv: PlayVarsContext, scope: Scope | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
    const state = this.ctx.hosts.get(host);
    const roles = rolesInScope(scope);
    const playRoleList = playRoles(pv.play);
    const layers: Record<string, unknown>[] = [];
    // Role defaults and vars of the play's roles are visible to the whole play, as with
    // Ansible's default private_role_vars = False; the task's own roles come again on top.
    for (const { role: r } of playRoleList) layers.push(r.defaults);
    for (const r of roles) layers.push(r.defaults);
    layers.push(this.ctx.inventory.hostVars(host));
    if (state) {
      layers.push(state.facts);
      // Ansible always defines ansible_facts: an empty dict before gathering or after clear_facts.
      layers.push({ ansible_facts: factsDict(state.facts) });
    }
    layers.push(pv.play.vars ?? {});
    if (state) layers.push(state.playVarsFiles);
    for (const { role: r } of playRoleList) layers.push(r.vars, r.keywords.vars ?? {});
    for (const r of roles) layers.push(r.vars, r.keywords.vars ?? {});
    layers.push(...inheritedVars(scope));
    if (state) {
      layers.push(state.includeVars);
      layers.push(state.setFacts);
    }
    for (const r of roles) layers.push(r.params);
    layers.push(this.ctx.extraVars);
    layers.push(extra);
    layers.push(this.magic(host, pv, roles.at(-1)?.path, roles.at(-1)?.name));
    return lazyVars(layers, this.ctx.templar);
  }

  /** hostvars[x]: a host's variables outside any task (inventory, facts, play, set_fact). */
  forHost(host: string, pv: PlayVarsContext): Record<string, unknown> {
    return this.forTask(host, pv, undefined);
  }

  private magic(host: string, pv: PlayVarsContext, rolePath?: string, roleName?: string): Record<string, unknown> {
    const inv = this.ctx.inventory;
    const short = host.split('.')[0];
    const hostvars = opaque(new Proxy(
      {},
      {
        get: (_t, key) => (typeof key === 'string' && inv.hosts.has(key) ? this.forHost(key, pv) : undefined),
        has: (_t, key) => typeof key === 'string' && inv.hosts.has(key),
        ownKeys: () => [...inv.hosts.keys()],
        getOwnPropertyDescriptor: (_t, key) =>
          typeof key === 'string' && inv.hosts.has(key) ? { enumerable: true, configurable: true, value: this.forHost(key, pv) } : undefined,
      },
    ));
    const firstSource = this.ctx.inventorySources[0];
    const m: Record<string, unknown> = {
      inventory_hostname: host,
      inventory_hostname_short: short,
      group_names: inv.groupNames(host),
      groups: inv.groupsDict(),
      hostvars,
      play_hosts: pv.batch,
      ansible_play_hosts: pv.batch,
      ansible_play_batch: pv.batch,
      ansible_play_hosts_all: pv.playHosts,
      ansible_play_name: pv.play.name ?? '',
      playbook_dir: pv.play.baseDir,
      ansible_check_mode: this.ctx.check,
      ansible_diff_mode: this.ctx.diff,
      ansible_verbosity: this.ctx.verbosity,
      ansible_run_tags: this.ctx.runTags.length ? this.ctx.runTags : ['all'],
      ansible_skip_tags: this.ctx.skipTags,
      ansible_version: versionDict(),
      omit: OMIT_TOKEN,
    };
    if (firstSource) {
      m.inventory_file = path.resolve(firstSource);
      m.inventory_dir = path.dirname(path.resolve(firstSource));
    }
    if (rolePath) {
      m.role_path = rolePath;
      m.role_name = roleName;
    }
    return m;
  }
}

function versionDict(): Record<string, unknown> {
  // Playbooks test ansible_version to pick syntax; we implement Ansible 2.15 semantics.
  return { full: '2.15.0', major: 2, minor: 15, revision: 0, string: '2.15.0', rackplay: RACKPLAY_VERSION };
}

/**
 * `extra` on top of `base` without reading every key of `base`: the task vars are lazy,
 * and spreading them would render (and fail on) variables the task never uses.
 */
export function overlay(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  return opaque(new Proxy(base, {
    get: (t, key, recv) => (typeof key === 'string' && Object.prototype.hasOwnProperty.call(extra, key) ? extra[key] : Reflect.get(t, key, recv)),
    has: (t, key) => (typeof key === 'string' && Object.prototype.hasOwnProperty.call(extra, key)) || Reflect.has(t, key),
    ownKeys: (t) => [...new Set([...Reflect.ownKeys(t), ...Reflect.ownKeys(extra)])],
    getOwnPropertyDescriptor: (t, key) =>
      typeof key === 'string' && Object.prototype.hasOwnProperty.call(extra, key)
        ? { enumerable: true, configurable: true, writable: true, value: extra[key] }
        : Reflect.getOwnPropertyDescriptor(t, key),
  }));
}
