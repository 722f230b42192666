// Roles: roles: entries, finding a role on the roles path, its tasks, handlers, vars,
// defaults and meta/main.yml dependencies (with cycle detection).
import { existsSync, realpathSync, statSync, readdirSync } from 'node:fs';
import path from 'node:path';
import {
  type SourcePos,
  errActionNotInHandlers,
  errInvalidKeyword,
  errRoleCycle,
  errRoleDependencies,
  errOldStyleRole,
  errRoleEntry,
  errRoleFileNotFound,
  errRoleFileOutside,
  errRoleMeta,
  errRoleNoName,
  errRoleNotFound,
  errRoleVars,
} from '../errors.js';
import { suggest } from './suggest.js';
import { ROLE_KEYWORDS } from './keywords.js';
import type { Block, CommonKeywords, Handler, RoleInstance, Task, TaskNode } from './types.js';
import { type DocPath, type YamlFile } from './yaml-file.js';
import { LoaderBase, type ParseScope, type Dict, isDict, typeWord, findWithExts, rel } from './loader-base.js';
import { parseCommonFrom, checkVarNames } from './keyword-values.js';
import { roleValidationTask } from './role-arg-specs.js';

export abstract class RoleLoader extends LoaderBase {
  parseRoleEntry(entry: unknown, y: YamlFile, p: DocPath, vars: Dict = {}): RoleSpec {
    const pos = y.posOf(p);
    if (typeof entry === 'string') {
      // Ansible's RoleInclude.load: `foo,bar` is the old comma form, long gone.
      if (entry.includes(',')) throw errOldStyleRole(entry, { pos, hint: 'list each role on its own: `- foo` and `- bar`' });
      return { name: this.staticName(entry, 'role name', pos, 'role names in roles: are resolved before the run', vars), pos, params: {}, keywords: { tags: [], vars: {} } };
    }
    if (!isDict(entry)) {
      throw errRoleEntry(typeWord(entry), { pos, hint: 'e.g. `- common` or `- { role: web, http_port: 80 }`' });
    }
    const nameKey = 'role' in entry ? 'role' : 'name' in entry ? 'name' : undefined;
    if (!nameKey) {
      throw errRoleNoName({ pos, hint: 'add `role: <name>` to this entry' });
    }
    const name = this.staticName(entry[nameKey], 'role name', y.posOf([...p, nameKey]), 'role names in roles: are resolved before the run', vars);
    const kwDs: Dict = {};
    const params: Dict = {};
    for (const [k, v] of Object.entries(entry)) {
      if (k === nameKey) continue;
      if (ROLE_KEYWORDS.has(k) && k !== 'role') kwDs[k] = v;
      else if (k === 'loop' || k.startsWith('with_')) {
        throw errInvalidKeyword(k, 'a Role', { pos: y.keyPosOf([...p, k]), hint: 'roles: entries cannot loop; use include_role with loop in tasks:' });
      } else params[k] = v;
    }
    const keywords = parseCommonFrom(kwDs, entry, y, p, 'Role');
    return { name, pos, params, keywords, roleParams: params };
  }

  async loadRoleFrom(spec: RoleSpec, env: { playDir: string; searchFirst: string[]; roleChain: string[]; staticVars?: Dict; dynamicParent?: boolean; importedRoles?: RoleInstance[] }): Promise<RoleInstance> {
    const dir = this.findRoleDir(spec.name, spec.pos, env.playDir, env.searchFirst);
    // A role may import another entry point of itself (import_role: {name: self, tasks_from: x}):
    // only the same entry point reached again is a loop.
    const real = realpathSync(dir) + (spec.tasksFrom ? `#${spec.tasksFrom}` : '');
    if (env.roleChain.includes(real)) {
      const names = [...env.roleChain, real].map((r) => path.basename(r).replace(/#.*/, ''));
      throw errRoleCycle(names.join(' -> '), { pos: spec.pos, hint: 'remove one of these dependencies from meta/main.yml' });
    }
    const roleChain = [...env.roleChain, real];
    const library = path.join(dir, 'library');
    if (!this.roleLibraries.includes(library)) this.roleLibraries.push(library);
    const role: RoleInstance = {
      name: path.basename(dir),
      path: dir,
      defaults: {},
      vars: {},
      params: spec.params,
      tasks: [],
      handlers: [],
      dependencies: [],
      keywords: spec.keywords,
      pos: spec.pos,
      allowDuplicates: false,
    };
    // meta/main.yml: dependencies and allow_duplicates
    const metaFile = findWithExts(path.join(dir, 'meta'), 'main');
    if (metaFile) {
      const my = await this.file(metaFile, spec.pos);
      const meta = my.data;
      if (meta !== null && meta !== undefined && !isDict(meta)) {
        throw errRoleMeta(typeWord(meta), { pos: my.posOf([]), hint: 'meta/main.yml holds `dependencies:` and `galaxy_info:`' });
      }
      if (isDict(meta)) {
        if (meta.allow_duplicates !== undefined) role.allowDuplicates = meta.allow_duplicates === true;
        const deps = meta.dependencies;
        if (deps !== undefined && deps !== null) {
          if (!Array.isArray(deps)) throw errRoleDependencies(typeWord(deps), { pos: my.posOf(['dependencies']), hint: 'e.g. `dependencies: [common, { role: db, port: 5432 }]`' });
          for (let i = 0; i < deps.length; i++) {
            const depSpec = this.parseRoleEntry(deps[i], my, ['dependencies', i], env.staticVars);
            role.dependencies.push(await this.loadRoleFrom(depSpec, { playDir: env.playDir, searchFirst: [path.dirname(dir)], roleChain, staticVars: env.staticVars, dynamicParent: env.dynamicParent, importedRoles: env.importedRoles }));
          }
        }
      }
    }
    declared.set(role, [...role.dependencies]);
    role.defaults = await this.loadRoleVars(dir, 'defaults', spec.defaultsFrom, spec.pos);
    role.vars = await this.loadRoleVars(dir, 'vars', spec.varsFrom, spec.pos);
    // Handlers of roles its tasks bring in with import_role are the role's handlers too, as
    // Ansible adds them to the play's when the import is loaded.
    const imported: Handler[] = [];
    const sc = (file: string, y: YamlFile, handlers: boolean): ParseScope => ({
      importedHandlers: imported,
      y,
      dir: path.dirname(file),
      playDir: env.playDir,
      role,
      importChain: [file],
      roleChain,
      handlers,
      moduleDefaults: spec.keywords.module_defaults !== undefined,
      parentDirs: [],
      staticVars: env.staticVars,
      dynamicParent: env.dynamicParent,
      importedRoles: env.importedRoles,
    });
    const tasksFile = this.roleFile(dir, 'tasks', spec.tasksFrom, spec.pos, 'tasks_from');
    if (tasksFile) {
      const y = await this.file(tasksFile, spec.pos);
      role.tasks = await this.parseTaskList(y.data, [], sc(tasksFile, y, false));
    }
    if (spec.validate !== false) {
      const entry = { dir, name: role.name, entry: spec.tasksFrom ?? 'main', params: spec.roleParams ?? {} };
      const check = await roleValidationTask(entry, (f) => this.file(f, spec.pos));
      if (check) role.tasks.unshift(...(await this.parseTaskList([check.ds], check.path, sc(check.y.file, check.y, false))));
    }
    const handlersFile = this.roleFile(dir, 'handlers', spec.handlersFrom, spec.pos, 'handlers_from');
    if (handlersFile) {
      const y = await this.file(handlersFile, spec.pos);
      const nodes = await this.parseTaskList(y.data, [], sc(handlersFile, y, true));
      role.handlers = flattenHandlers(nodes);
    }
    role.handlers.push(...imported);
    return role;
  }

  protected roleFile(dir: string, sub: string, from: string | undefined, pos: SourcePos, option: string): string | undefined {
    const found = findWithExts(path.join(dir, sub), from ?? 'main');
    if (found) insideRole(found, dir, sub, pos, option);
    if (!found && from !== undefined) {
      throw errRoleFileNotFound(`${sub}/${from}`, {
        pos,
        hint: `${option} names a file in the role's ${sub}/ directory (with or without .yml); looked in ${rel(path.join(dir, sub))}`,
      });
    }
    return found;
  }

  protected async loadRoleVars(dir: string, sub: 'vars' | 'defaults', from: string | undefined, pos: SourcePos): Promise<Dict> {
    const base = path.join(dir, sub);
    const name = from ?? 'main';
    const file = findWithExts(base, name);
    const files: string[] = [];
    if (file) insideRole(file, dir, sub, pos, `${sub}_from`);
    if (file) files.push(file);
    else if (existsSync(path.join(base, name)) && statSync(path.join(base, name)).isDirectory()) {
      // vars/main/ as a directory: every YAML file in it, in name order
      const d = path.join(base, name);
      for (const f of readdirSync(d).sort()) if (/\.(ya?ml|json)$/.test(f)) files.push(path.join(d, f));
    } else if (from !== undefined) {
      throw errRoleFileNotFound(`${sub}/${from}`, { pos, hint: `${sub}_from names a file in the role's ${sub}/ directory` });
    }
    const out: Dict = {};
    for (const f of files) {
      const y = await this.file(f, pos);
      if (y.data === null || y.data === undefined) continue;
      if (!isDict(y.data)) {
        throw errRoleVars(sub, typeWord(y.data), { pos: y.posOf([]), hint: 'e.g. `http_port: 80`' });
      }
      checkVarNames(y.data, y, [], `role ${sub}`);
      Object.assign(out, y.data);
    }
    return out;
  }

  protected findRoleDir(name: string, pos: SourcePos, playDir: string, searchFirst: string[]): string {
    const searched: string[] = [];
    if (name.includes('/') || name.startsWith('.') || path.isAbsolute(name)) {
      const p = path.resolve(playDir, name);
      if (existsSync(p) && statSync(p).isDirectory()) return p;
      searched.push(p);
    } else {
      const fq = collectionRole(name, playDir);
      if (fq) return fq;
      const dirs = [...searchFirst, path.join(playDir, 'roles'), ...this.opts.rolesPath.map((r) => path.resolve(playDir, r)), playDir];
      for (const d of [...new Set(dirs)]) {
        const p = path.join(d, name);
        searched.push(d);
        if (existsSync(p) && statSync(p).isDirectory() && looksLikeRole(p)) return p;
      }
    }
    const known: string[] = [];
    for (const d of searched) {
      try {
        for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory() && looksLikeRole(path.join(d, e.name))) known.push(e.name);
      } catch {
        // a roles_path entry that does not exist is fine
      }
    }
    const guess = suggest(path.basename(name), known);
    throw errRoleNotFound(name, searched.join(':'), {
      pos,
      hint: guess
        ? `did you mean \`${guess}\`?`
        : 'check the role name, or add the directory that holds it to roles_path in ansible.cfg (or ANSIBLE_ROLES_PATH)',
    });
  }
}

/**
 * A role named namespace.collection.role, from a collection next to the playbook or on
 * ANSIBLE_COLLECTIONS_PATH (default ~/.ansible/collections:/usr/share/ansible/collections).
 */
function collectionRole(name: string, playDir: string): string | undefined {
  const m = /^(\w+)\.(\w+)\.(\w+)$/.exec(name);
  if (!m) return undefined;
  const env = process.env.ANSIBLE_COLLECTIONS_PATH ?? process.env.ANSIBLE_COLLECTIONS_PATHS;
  const roots = [path.join(playDir, 'collections'), ...(env ?? `${process.env.HOME ?? '~'}/.ansible/collections:/usr/share/ansible/collections`).split(':').filter(Boolean)];
  for (const root of roots) {
    const p = path.join(path.resolve(playDir, root), 'ansible_collections', m[1], m[2], 'roles', m[3]);
    if (existsSync(p) && statSync(p).isDirectory()) return p;
  }
  return undefined;
}

function looksLikeRole(dir: string): boolean {
  return ['tasks', 'handlers', 'meta', 'defaults', 'vars', 'files', 'templates', 'library'].some((s) => existsSync(path.join(dir, s)));
}

export interface RoleSpec {
  name: string;
  pos: SourcePos;
  params: Dict;
  keywords: CommonKeywords;
  tasksFrom?: string;
  handlersFrom?: string;
  varsFrom?: string;
  defaultsFrom?: string;
  /** The role's own parameters (a roles: or dependencies: entry's words), for its argument spec check. */
  roleParams?: Dict;
  /** rolespec_validate: false leaves the argument spec check out. */
  validate?: boolean;
}

/** An imported role as a block: its dependencies first, then its own tasks. */
export function roleAsBlock(role: RoleInstance, keywords: CommonKeywords, pos: SourcePos): Block {
  return {
    ...keywords,
    kind: 'block',
    block: [...role.dependencies.map((d) => roleAsBlock(d, d.keywords, d.pos)), ...role.tasks],
    rescue: [],
    always: [],
    pos,
    role,
  };
}

/** Each role's dependencies as meta/main.yml lists them, before those that already ran are dropped. */
const declared = new WeakMap<RoleInstance, RoleInstance[]>();

/**
 * A role's dependencies as declared: one that is not run again (it ran earlier in the play)
 * still gives its defaults and vars to the role, as in Ansible.
 */
export function declaredDependencies(role: RoleInstance): RoleInstance[] {
  return declared.get(role) ?? role.dependencies;
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (isDict(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stableJson(v[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'undefined';
}

/**
 * Ansible runs a role once per play when it appears several times with the same
 * parameters (dependencies included), unless the role allows duplicates.
 */
const roleKey = (r: RoleInstance) => `${r.path}\0${stableJson(r.params)}\0${stableJson(r.keywords.vars)}`;

/**
 * An imported role runs every time it is imported, but a dependency of it that already
 * ran in the play (same parameters, no allow_duplicates) is not run again, as in Ansible.
 * `seen` holds the roles the play has run so far and gets this role's dependencies.
 */
/** Note roles (and their dependencies) as run in the play. */
export function noteRolesRun(roles: RoleInstance[], seen: Set<string>): void {
  for (const r of roles) {
    noteRolesRun(r.dependencies, seen);
    seen.add(roleKey(r));
  }
}

export function skipRanDependencies(role: RoleInstance, seen: Set<string>): void {
  const visit = (r: RoleInstance): boolean => {
    r.dependencies = r.dependencies.filter(visit);
    const key = roleKey(r);
    if (seen.has(key) && !r.allowDuplicates) return false;
    seen.add(key);
    return true;
  };
  role.dependencies = role.dependencies.filter(visit);
  seen.add(roleKey(role));
}

export function dedupRoles(roles: RoleInstance[]): RoleInstance[] {
  const seen = new Set<string>();
  const keyOf = roleKey;
  const visit = (r: RoleInstance): boolean => {
    r.dependencies = r.dependencies.filter(visit);
    const key = keyOf(r);
    if (seen.has(key) && !r.allowDuplicates) return false;
    seen.add(key);
    return true;
  };
  return roles.filter((r) => {
    const key = keyOf(r);
    if (seen.has(key) && !r.allowDuplicates) return false;
    return visit(r);
  });
}

/** Handlers are a flat list of tasks and include_tasks; static imports inside them are expanded. */
export function flattenHandlers(nodes: TaskNode[]): Handler[] {
  const out: Handler[] = [];
  const walk = (n: TaskNode, inherited: { when: unknown[]; tags: string[] }) => {
    if (n.kind === 'task' || (n.kind === 'include' && n.handler)) {
      out.push(inherited.when.length || inherited.tags.length ? { ...n, when: [...inherited.when, ...(n.when ?? [])], tags: [...new Set([...inherited.tags, ...n.tags])] } : n);
    } else if (n.kind === 'block') {
      const next = { when: [...inherited.when, ...(n.when ?? [])], tags: [...inherited.tags, ...n.tags] };
      for (const c of [...n.block, ...n.rescue, ...n.always]) walk(c, next);
    } else {
      throw errActionNotInHandlers(n.action, { pos: n.pos, hint: 'use import_tasks in handlers' });
    }
  };
  for (const n of nodes) walk(n, { when: [], tags: [] });
  return out;
}

/** Ansible refuses a tasks_from/vars_from/... that leads out of the role's directory (`../x`, an absolute path). */
function insideRole(found: string, dir: string, sub: string, pos: SourcePos, option: string): void {
  const base = path.join(dir, sub);
  const r = path.relative(base, path.resolve(found));
  if (r === '' || (!r.startsWith('..') && !path.isAbsolute(r))) return;
  throw errRoleFileOutside(found, path.basename(dir), base, { pos, hint: `${option} names a file inside the role's ${sub}/ directory; use include_tasks for a file elsewhere` });
}
