// Variable precedence as Ansible documents it (lowest first): role defaults, inventory
// (group vars, group_vars/, host vars, host_vars/: the inventory's own ordering), facts,
// play vars, play vars_files, role vars, block vars, task vars, include_vars,
// set_fact/register, role params, extra vars. Magic variables sit on top.
import { accessSync, constants, readFileSync } from 'node:fs';
import path from 'node:path';
import { findConfigFile, parseIni } from '../ansible-cfg.js';
import { ansibleBool } from '../boolean.js';
import type { Inventory } from '../inventory/index.js';
import type { Play, RoleInstance } from '../playbook/types.js';
import { lazyVars, mergeHash, OMIT_TOKEN, opaque, type Templar } from '../template/index.js';
import { factsDict, type HostState } from './host-state.js';
import { inheritedVars, rolesInScope, type Scope } from './scope.js';
import { roleLayers } from './role-vars.js';
import type { SourcePos } from '../errors.js';

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
  /** The play's hosts before those that failed in earlier plays were left out (Ansible's ansible_play_hosts_all). */
  playHostsAll?: string[];
  batch: string[];
  /**
   * Roles an include_role with `public: true` has brought in so far: Ansible adds them to the
   * play's roles then, for the rest of the serial batch (each batch runs a copy of the play).
   */
  publicRoles?: RoleInstance[];
}

export const RACKPLAY_VERSION = '0.1.0';

export class VarsBuilder {
  /** ansible_playbook_python and ansible_config_file: the same for the whole run. */
  private readonly controller: Record<string, unknown>;
  /** ANSIBLE_PRIVATE_ROLE_VARS: a role's vars are not visible to the play's other roles and tasks. */
  private readonly privateRoleVars: boolean;
  /** hash_behaviour=merge: dict variables merge across precedence levels instead of replacing. */
  private readonly hashMerge: boolean;

  constructor(private readonly ctx: VarsContext) {
    const cfg = findConfigFile(process.env, process.cwd());
    this.controller = { ansible_config_file: cfg === undefined ? null : path.resolve(cfg) };
    this.hashMerge = hashMergeConfigured(cfg);
    if (this.hashMerge) ctx.inventory.useHashMerge((low, high) => mergeHash(low, high));
    const python = controllerPython(process.env.PATH ?? '');
    if (python) this.controller.ansible_playbook_python = python;
    this.privateRoleVars = privateRoleVars(cfg);
  }

  /** The variables a task sees on a host. `extra` holds loop vars and the like. */
  forTask(host: string, pv: PlayVarsContext, scope: Scope | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return this.build(host, pv, scope, extra, true);
  }

  private build(host: string, pv: PlayVarsContext, scope: Scope | undefined, extra: Record<string, unknown>, withHostvars: boolean): Record<string, unknown> {
    const state = this.ctx.hosts.get(host);
    const roles = roleLayers(pv.play, scope, this.privateRoleVars, pv.publicRoles);
    // A task also sees its connection's address as ansible_host when nothing sets it
    // (Ansible's PlayContext.update_vars); hostvars (no scope) does not.
    const layers: Record<string, unknown>[] = scope ? [{ ansible_host: host }, ...roles.defaults] : [...roles.defaults];
    // Ansible's implicit localhost runs modules with the controller's own python.
    if (this.ctx.inventory.isImplicit(host) && this.controller.ansible_playbook_python) layers.push({ ansible_python_interpreter: this.controller.ansible_playbook_python });
    layers.push(this.ctx.inventory.hostVars(host));
    if (state) {
      layers.push(state.facts);
      // Ansible always defines ansible_facts: an empty dict before gathering or after clear_facts.
      layers.push({ ansible_facts: factsDict(state.facts) });
    }
    layers.push(pv.play.vars ?? {});
    if (state) layers.push(state.playVarsFiles);
    layers.push(...roles.vars);
    layers.push(...inheritedVars(scope));
    if (state) {
      layers.push(state.includeVars);
      layers.push(state.setFacts);
    }
    layers.push(...roles.params);
    layers.push(this.ctx.extraVars);
    layers.push(extra);
    layers.push(this.magic(host, pv, scope, withHostvars));
    return lazyVars(layers, this.ctx.templar, this.hashMerge);
  }

  /** hostvars[x]: a host's variables outside any task (inventory, facts, play, set_fact). */
  forHost(host: string, pv: PlayVarsContext): Record<string, unknown> {
    // Ansible's HostVars.raw_get: get_vars(include_hostvars=False). With hostvars inside,
    // showing hostvars[x] would never end (each host's view holding every host's again).
    return this.build(host, pv, undefined, {}, false);
  }

  /** Ansible's play_hosts family leaves out the hosts that failed, became unreachable or ended. */
  private removed(host: string): boolean {
    const s = this.ctx.hosts.get(host);
    return !!s && (s.failed || s.unreachable || s.ended);
  }

  /** hostvars: every host's variables, each built when asked for. */
  private hostvarsView(pv: PlayVarsContext): Record<string, unknown> {
    const inv = this.ctx.inventory;
    return opaque(new Proxy(
      {},
      {
        // The implicit localhost answers by name, as Ansible's HostVars finds it through
        // inventory.get_host, but is not listed among the inventory's hosts.
        get: (_t, key) => (typeof key === 'string' && inv.getHost(key) ? this.forHost(key, pv) : undefined),
        has: (_t, key) => typeof key === 'string' && inv.getHost(key) !== undefined,
        ownKeys: () => [...inv.hosts.keys()],
        getOwnPropertyDescriptor: (_t, key) =>
          typeof key === 'string' && inv.hosts.has(key) ? { enumerable: true, configurable: true, value: this.forHost(key, pv) } : undefined,
      },
    ));
  }

  /** Each (play batch, scope, host, hostvars or not)'s magic vars: built once, see magic(). */
  private magicViews = new WeakMap<PlayVarsContext, Map<string, Map<string, Record<string, unknown>>>>();

  private magic(host: string, pv: PlayVarsContext, scope: Scope | undefined, withHostvars: boolean): Record<string, unknown> {
    let byScope = this.magicViews.get(pv);
    if (!byScope) this.magicViews.set(pv, (byScope = new Map()));
    const scopeKey = magicKey(scope);
    let byHost = byScope.get(scopeKey);
    if (!byHost) byScope.set(scopeKey, (byHost = new Map()));
    const key = `${withHostvars ? 'h' : '-'}${host}`;
    let m = byHost.get(key);
    if (!m) byHost.set(key, (m = this.buildMagic(host, pv, scope, withHostvars)));
    return m;
  }

  /**
   * The magic vars. Built for every task on every host and every loop item the lookahead
   * predicts, so they are built once per scope and host (magic()) and what changes during
   * the play (the hosts still in it, groups, public roles) or costs a walk over hosts,
   * groups or paths is a getter, computed whenever it is read; nothing read is kept.
   */
  private buildMagic(host: string, pv: PlayVarsContext, scope: Scope | undefined, withHostvars: boolean): Record<string, unknown> {
    const inv = this.ctx.inventory;
    const roles = rolesInScope(scope);
    const role = roles.at(-1);
    const short = host.split('.')[0];
    const firstSource = this.ctx.inventorySources[0];
    const m: Record<string, unknown> = {
      ...this.controller,
      inventory_hostname: host,
      inventory_hostname_short: short,
      ansible_play_name: pv.play.name ?? '',
      playbook_dir: pv.play.baseDir,
      ansible_check_mode: this.ctx.check,
      ansible_diff_mode: this.ctx.diff,
      ansible_verbosity: this.ctx.verbosity,
      ansible_run_tags: this.ctx.runTags.length ? this.ctx.runTags : ['all'],
      ansible_skip_tags: this.ctx.skipTags,
      rackplay_version: RACKPLAY_VERSION,
      omit: OMIT_TOKEN,
    };
    const batch = () => pv.batch.filter((h) => !this.removed(h));
    const names = () => roleNames(pv.play, pv.publicRoles);
    const hostvars = once(() => this.hostvarsView(pv));
    getters(m, {
      ansible_role_names: () => names().ansible_role_names,
      ansible_dependent_role_names: () => names().ansible_dependent_role_names,
      ansible_play_role_names: () => names().ansible_play_role_names,
      role_names: () => names().role_names,
      group_names: () => inv.groupNames(host),
      groups: () => inv.groupsDict(),
      play_hosts: batch,
      ansible_play_hosts: () => pv.playHosts.filter((h) => !this.removed(h)),
      ansible_play_hosts_all: () => pv.playHostsAll ?? pv.playHosts,
      ansible_play_batch: batch,
      ansible_version: versionDict,
      ansible_inventory_sources: () => this.ctx.inventorySources.map((src) => path.resolve(src)),
      ansible_search_path: () => searchPath(scope, pv.play.baseDir),
      ...(withHostvars ? { hostvars } : {}),
      ...(firstSource ? { inventory_file: () => path.resolve(firstSource), inventory_dir: () => path.dirname(path.resolve(firstSource)) } : {}),
    });
    if (role) {
      m.role_path = role.path;
      m.role_name = role.name;
      m.ansible_role_name = role.name;
    }
    // Ansible's hostvars view is get_vars without the play: no play hosts, role names or search path.
    if (!withHostvars) for (const k of PLAY_ONLY) delete m[k];
    return m;
  }
}

/**
 * What of a scope the magic vars read: its roles (role_name, role_path) and the file it
 * comes from (ansible_search_path). Scopes that agree on both share their magic vars; a
 * task's own vars make a new scope per task-host, which would otherwise build them again.
 */
function magicKey(scope: Scope | undefined): string {
  let file: string | undefined;
  for (let s = scope; s && !file; s = s.parent) file = (s.keywords as { pos?: SourcePos }).pos?.file;
  return `${rolesInScope(scope).map(objectId).join(',')}|${file ?? ''}`;
}

/** A number per object, for keys made of object identities. */
function objectId(o: object): number {
  let id = objectIds.get(o);
  if (id === undefined) objectIds.set(o, (id = ++lastObjectId));
  return id;
}
const objectIds = new WeakMap<object, number>();
let lastObjectId = 0;

const PLAY_ONLY = [
  'ansible_dependent_role_names',
  'ansible_play_batch',
  'ansible_play_hosts',
  'ansible_play_hosts_all',
  'ansible_play_name',
  'ansible_play_role_names',
  'ansible_role_names',
  'ansible_search_path',
  'play_hosts',
  'role_names',
];

/** A function computing its value once, on first call. */
function once<T>(f: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) (value = f()), (done = true);
    return value;
  };
}

/** Adds each getter to `m` as an enumerable property whose value is computed on each read. */
function getters(m: Record<string, unknown>, gets: Record<string, () => unknown>): void {
  for (const [k, get] of Object.entries(gets)) Object.defineProperty(m, k, { get, enumerable: true, configurable: true });
}

/**
 * Ansible's role name lists. It builds the first two from sets, so their order varies from
 * run to run; sorted here so a run is reproducible.
 */
function roleNames(play: Play, publicRoles: RoleInstance[] = []): Record<string, unknown> {
  // import_role's (and public include_role's) roles are play roles too, each once more (Ansible appends them)
  const roles = [...play.roles, ...(play.importedRoles ?? []), ...publicRoles];
  const direct = roles.map((r) => r.name);
  const deps = new Set<string>();
  const visit = (r: Play['roles'][number]) => r.dependencies.forEach((d) => (visit(d), deps.add(d.name)));
  roles.forEach(visit);
  return {
    ansible_role_names: [...new Set([...deps, ...direct])].sort(),
    ansible_dependent_role_names: [...deps].sort(),
    ansible_play_role_names: direct,
    role_names: direct,
  };
}

/**
 * Where Ansible looks for a task's files: its roles' dirs (innermost first), the task
 * file's own dir (the innermost position known when the task is not given), the playbook dir.
 */
export function searchPath(scope: Scope | undefined, playbookDir: string, taskFile?: string): string[] {
  const out = rolesInScope(scope).map((r) => r.path).reverse();
  let file = taskFile;
  for (let s = scope; s && !file; s = s.parent) file = (s.keywords as { pos?: SourcePos }).pos?.file;
  if (file && !out.includes(path.dirname(file))) out.push(path.dirname(file));
  if (!out.includes(playbookDir)) out.push(playbookDir);
  return out;
}

function privateRoleVars(cfg: string | undefined): boolean {
  let v = process.env.ANSIBLE_PRIVATE_ROLE_VARS;
  if (v === undefined && cfg) {
    try {
      v = parseIni(readFileSync(cfg, 'utf8'), cfg).defaults?.private_role_vars;
    } catch {
      /* an unreadable ansible.cfg is reported where the run reads it */
    }
  }
  return v !== undefined && v !== '' && ansibleBool(v);
}

/** Ansible's DEFAULT_HASH_BEHAVIOUR is merge: ANSIBLE_HASH_BEHAVIOUR, else ansible.cfg's [defaults] hash_behaviour (else it replaces). */
function hashMergeConfigured(cfg: string | undefined): boolean {
  const value = process.env.ANSIBLE_HASH_BEHAVIOUR || (cfg ? parseIni(readFileSync(cfg, 'utf8'), cfg).defaults?.hash_behaviour : undefined);
  return (value ?? '').trim().toLowerCase() === 'merge';
}

/** The controller's python3 on PATH (Ansible reports its own interpreter); rackplay does not need one. */
function controllerPython(searchPath: string): string | undefined {
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, 'python3');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

function versionDict(): Record<string, unknown> {
  // The ansible-core rackplay is compared against, in the keys Ansible gives; rackplay's own
  // version is rackplay_version.
  return { full: '2.14.18', major: 2, minor: 14, revision: 18, string: '2.14.18' };
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
