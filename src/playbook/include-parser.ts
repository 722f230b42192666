// import_tasks / include_tasks / import_role / include_role: checking their options,
// expanding static imports before the run, and checking dynamic includes ahead.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  type SourcePos,
  errCircularImport,
  errImportLoop,
  errImportPlaybookAsTask,
  errIncludeFileTwice,
  errIncludeNoFile,
  errIncludeNoName,
  errIncludeOption,
  errIncludeTarget,
  errInvalidKeyword,
  errMustBeType,
  errNotInHandlers,
  errRoleAsHandler,
  formatPos,
  errTaskFileNotFound,
} from '../errors.js';
import { ansibleBool } from '../boolean.js';
import { suggest } from './suggest.js';
import {
  BLOCK_KEYWORDS,
  IMPORT_INCLUDE_ACTIONS,
  IMPORT_ROLE_ARGS,
  IMPORT_TASKS_ARGS,
  INCLUDE_KEYWORDS,
  INCLUDE_ROLE_ARGS,
  INCLUDE_TASKS_ARGS,
} from './keywords.js';
import { parseKv } from './split-args.js';
import type { Block, DynamicInclude, RoleInstance, TaskNode } from './types.js';
import { isTemplated } from './validate-args.js';
import { type DocPath, type YamlFile } from './yaml-file.js';
import { type ParseScope, type Dict, isDict, typeWord, rel, nextUid, optStr } from './loader-base.js';
import { parseCommon, normStrList, parseLoop } from './keyword-values.js';
import { RoleLoader, roleAsBlock, skipRanDependencies } from './role-loader.js';

export abstract class IncludeParser extends RoleLoader {
  protected async parseImportInclude(
    kind: (typeof IMPORT_INCLUDE_ACTIONS)[string],
    actionKey: string,
    thing: unknown,
    ds: Dict,
    p: DocPath,
    sc: ParseScope,
  ): Promise<TaskNode> {
    const y = sc.y;
    const keyPos = y.keyPosOf([...p, actionKey]);
    if (kind === 'include') return this.parseLegacyInclude(actionKey, thing, ds, p, sc);
    if (kind === 'import_playbook') {
      throw errImportPlaybookAsTask({ pos: keyPos, hint: 'move it out of `tasks:` to the playbook\'s list of plays' });
    }
    if (sc.handlers && (kind === 'include_role' || kind === 'import_role')) {
      throw errRoleAsHandler(kind, { hint: `at ${formatPos(keyPos)}: notify a handler that the role itself defines, or call the role from a task` });
    }
    if (sc.handlers && kind !== 'import_tasks' && kind !== 'include_tasks') {
      throw errNotInHandlers(kind, { pos: keyPos, hint: 'use import_tasks (static) in handlers, or call the role/tasks from a task' });
    }
    const dynamic = kind === 'include_tasks' || kind === 'include_role';
    const className = kind === 'include_role' || kind === 'import_role' ? 'IncludeRole' : 'TaskInclude';
    // the legacy `include:` takes every task keyword
    if (dynamic && actionKey !== 'include') {
      for (const k of Object.keys(ds)) {
        if (k === actionKey || k.startsWith('with_') || INCLUDE_KEYWORDS.has(k) || (sc.handlers && k === 'listen')) continue;
        throw errInvalidKeyword(k, `a ${className}`, {
          pos: y.keyPosOf([...p, k]),
          hint: `keywords on ${kind} apply to the include itself; to apply \`${k}\` to the included tasks, put it under \`apply:\` (e.g. \`apply: {${k}: ...}\`)`,
        });
      }
    }
    // gather the arguments: mapping, `args:` or free form
    const args: Dict = {};
    const thingPath: DocPath = [...p, actionKey];
    if (isDict(ds.args)) Object.assign(args, ds.args);
    if (typeof thing === 'string') {
      const parsed = parseKv(thing, false, y.posOf(thingPath));
      Object.assign(args, parsed.options);
      if (parsed.raw !== undefined) args._raw_params = parsed.raw;
    } else if (isDict(thing)) {
      Object.assign(args, thing);
    } else if (thing !== null && thing !== undefined) {
      throw errIncludeTarget(kind, kind.endsWith('role') ? 'role name' : 'file name', typeWord(thing), { pos: y.posOf(thingPath), hint: kind.endsWith('role') ? `e.g. \`${kind}: {name: myrole}\`` : `e.g. \`${kind}: other.yml\`` });
    }
    const validArgs = kind === 'include_tasks' ? INCLUDE_TASKS_ARGS : kind === 'import_tasks' ? IMPORT_TASKS_ARGS : kind === 'include_role' ? INCLUDE_ROLE_ARGS : IMPORT_ROLE_ARGS;
    const argKeyPos = (k: string) => (isDict(thing) && k in thing ? y.keyPosOf([...thingPath, k]) : isDict(ds.args) && k in ds.args ? y.keyPosOf([...p, 'args', k]) : y.posOf(thingPath));
    for (const k of Object.keys(args)) {
      if (validArgs.has(k)) continue;
      const guess = suggest(k, [...validArgs].filter((a) => a !== '_raw_params'));
      throw errIncludeOption(kind, k, {
        pos: argKeyPos(k),
        hint: guess ? `did you mean \`${guess}\`?` : `valid options: ${[...validArgs].filter((a) => a !== '_raw_params').join(', ')}`,
      });
    }
    if (kind.endsWith('tasks')) {
      if (args._raw_params !== undefined) {
        if (args.file !== undefined) throw errIncludeFileTwice(kind, { pos: y.posOf(thingPath), hint: 'give the file name once' });
        args.file = args._raw_params;
        delete args._raw_params;
      }
      if (args.file === undefined || args.file === null || args.file === '') {
        throw errIncludeNoFile(kind, { pos: keyPos, hint: `e.g. \`${kind}: other.yml\`` });
      }
    } else if (args.name === undefined || args.name === null || args.name === '') {
      throw errIncludeNoName(kind, { pos: keyPos, hint: `e.g. \`${kind}: {name: myrole}\`` });
    }
    if (args.apply !== undefined) this.checkApply(args.apply, y, isDict(thing) && 'apply' in thing ? [...thingPath, 'apply'] : [...p, 'args', 'apply']);

    const common = parseCommon(ds, y, p, className);
    const loop = parseLoop(ds, y, p, this.loopVarRenderer(sc));
    const pos = y.posOf(p);
    if (!dynamic && loop) {
      throw errImportLoop(kind, kind.replace('import', 'include'), {
        pos: y.keyPosOf([...p, ds.loop !== undefined ? 'loop' : Object.keys(ds).find((k) => k.startsWith('with_'))!]),
        hint: `${kind} is resolved before the run; ${kind.replace('import', 'include')} is evaluated per host and can loop`,
      });
    }

    if (kind === 'include_tasks' || kind === 'include_role') {
      const { baseDir, searchDirs } = this.includeBaseDir(kind, args, sc);
      const node: DynamicInclude = { ...common, kind: 'include', action: kind, args, pos, uid: nextUid(pos), baseDir, searchDirs };
      if (actionKey !== kind && actionKey !== 'action' && actionKey !== 'local_action') node.actionAsWritten = actionKey;
      if (loop) node.loop = loop;
      if (sc.role) node.role = sc.role;
      if (sc.handlers) node.handler = { listen: ds.listen === undefined ? [] : normStrList(ds.listen, y, [...p, 'listen'], 'listen') };
      await this.prevalidateInclude(node, sc);
      return node;
    }

    if (kind === 'import_tasks') {
      const target = this.staticName(args.file, 'import_tasks file', y.posOf(thingPath), 'import_tasks is resolved before the run: use include_tasks for file names built from host variables', sc.staticVars);
      const candidates = this.taskFileCandidates(target, sc);
      const found = candidates.find((c) => existsSync(c) && statSync(c).isFile());
      if (!found) {
        throw errTaskFileNotFound(target, {
          pos: y.posOf(thingPath),
          hint: `searched: ${[...new Set(candidates)].map(rel).join(', ')}`,
        });
      }
      const abs = path.resolve(found);
      if (sc.importChain.includes(abs)) {
        throw errCircularImport([...sc.importChain, abs].map(rel).join(' -> '), {
          pos: y.posOf(thingPath),
          hint: 'import_tasks is expanded before the run, so a file cannot import itself; use include_tasks with a condition for recursion',
        });
      }
      const y2 = await this.file(abs, y.posOf(thingPath));
      const inner: ParseScope = {
        ...sc,
        y: y2,
        dir: path.dirname(abs),
        importChain: [...sc.importChain, abs],
        handlerNested: sc.handlers,
        moduleDefaults: sc.moduleDefaults || ds.module_defaults !== undefined,
        parentDirs: [sc.dir, ...sc.parentDirs],
      };
      const tasks = await this.parseTaskList(y2.data, [], inner);
      const block: Block = { ...common, kind: 'block', block: tasks, rescue: [], always: [], pos };
      if (sc.role) block.role = sc.role;
      if (ds.notify !== undefined) block.notify = normStrList(ds.notify, y, [...p, 'notify'], 'notify');
      return block;
    }

    // import_role
    const name = this.staticName(args.name, 'import_role name', y.posOf(thingPath), 'import_role is resolved before the run: use include_role for role names built from host variables', sc.staticVars);
    const role = await this.loadRoleFrom(
      {
        name,
        pos: keyPos,
        // Ansible gives the import's vars to the role as its vars (ri.vars), not as params
        params: {},
        keywords: { tags: [], vars: { ...common.vars } },
        tasksFrom: optStr(args.tasks_from),
        handlersFrom: optStr(args.handlers_from),
        varsFrom: optStr(args.vars_from),
        defaultsFrom: optStr(args.defaults_from),
        validate: args.rolespec_validate === undefined ? undefined : ansibleBool(args.rolespec_validate),
      },
      { playDir: sc.playDir, searchFirst: sc.role ? [path.dirname(sc.role.path)] : [], roleChain: sc.roleChain, staticVars: sc.staticVars, dynamicParent: sc.dynamicParent, importedRoles: sc.importedRoles },
    );
    sc.importedRoles?.push(role);
    if (args.allow_duplicates !== undefined) role.allowDuplicates = args.allow_duplicates === true || args.allow_duplicates === 'yes' || args.allow_duplicates === 'true';
    if (sc.ranRoles) skipRanDependencies(role, sc.ranRoles);
    const collect = (r: RoleInstance) => {
      for (const d of r.dependencies) collect(d);
      sc.importedHandlers?.push(...r.handlers);
    };
    collect(role);
    const block = roleAsBlock(role, common, pos);
    if (ds.notify !== undefined) block.notify = normStrList(ds.notify, y, [...p, 'notify'], 'notify');
    return block;
  }

  /**
   * Ansible 2.14's `include:` (deprecated, removed in 2.16): `include: file.yml k=v` is
   * import_tasks when the file name is not a template, the task does not loop and no
   * include_tasks/include_role is above it, else include_tasks; its `k=v` words are
   * variables of the included tasks.
   */
  protected async parseLegacyInclude(actionKey: string, thing: unknown, ds: Dict, p: DocPath, sc: ParseScope): Promise<TaskNode> {
    const y = sc.y;
    this.opts.deprecate?.(
      '"include" is deprecated, use include_tasks/import_tasks instead. See https://docs.ansible.com/ansible-core/2.14/user_guide/playbooks_reuse_includes.html for details. This feature will be removed in version 2.16. Deprecation warnings can be disabled by setting deprecation_warnings=False in ansible.cfg.',
    );
    const words: Dict = {};
    if (isDict(ds.args)) Object.assign(words, ds.args);
    if (typeof thing === 'string') {
      const parsed = parseKv(thing, false, y.posOf([...p, actionKey]));
      Object.assign(words, parsed.options);
      if (parsed.raw !== undefined) words._raw_params = parsed.raw;
    } else if (isDict(thing)) {
      Object.assign(words, thing);
    }
    const file = words._raw_params ?? words.file;
    delete words._raw_params;
    delete words.file;
    const loops = ds.loop !== undefined || Object.keys(ds).some((k) => k.startsWith('with_'));
    const kind = isTemplated(file) || loops || sc.dynamicParent ? 'include_tasks' : 'import_tasks';
    const rest: Dict = { ...ds };
    delete rest.args;
    if (Object.keys(words).length) rest.vars = { ...(isDict(ds.vars) ? ds.vars : {}), ...words };
    const node = await this.parseImportInclude(kind, actionKey, file, rest, p, sc);
    if (node.kind === 'block' || node.kind === 'include') node.includeParamVars = isDict(ds.vars) ? ds.vars : {};
    return node;
  }

  protected checkApply(apply: unknown, y: YamlFile, p: DocPath): void {
    if (!isDict(apply)) {
      if (isTemplated(apply)) return;
      throw errMustBeType("'apply'", 'a mapping of task keywords', typeWord(apply), { pos: y.posOf(p), hint: 'e.g. `apply: {tags: [web], become: true}`' });
    }
    const ok = new Set([...BLOCK_KEYWORDS].filter((k) => k !== 'block' && k !== 'rescue' && k !== 'always'));
    for (const k of Object.keys(apply)) {
      if (ok.has(k)) continue;
      const guess = suggest(k, ok);
      throw errInvalidKeyword(k, 'apply', { pos: y.keyPosOf([...p, k]), hint: guess ? `did you mean \`${guess}\`?` : 'apply takes block keywords such as tags, become, when, environment' });
    }
  }

  /** Ansible's lookup order for a relative task file (import_tasks / include_tasks). */
  protected taskFileCandidates(target: string, sc: ParseScope): string[] {
    if (path.isAbsolute(target)) return [target];
    const out: string[] = [];
    if (sc.role) {
      // Ansible's path_dwim_relative: the role's handlers/ (for its handlers) or tasks/, the
      // role itself, then the same under the playbook's directory.
      const sub = sc.handlers ? 'handlers' : 'tasks';
      out.push(path.join(sc.role.path, sub, target), path.join(sc.role.path, 'tasks', target), path.join(sc.role.path, target));
      out.push(path.join(sc.dir, target), path.join(sc.playDir, sub, target), path.join(sc.playDir, target));
    } else {
      out.push(path.join(sc.dir, target));
      for (const d of sc.parentDirs) out.push(path.join(d, target));
      out.push(path.join(sc.playDir, target));
    }
    return [...new Set(out)];
  }

  protected includeBaseDir(kind: 'include_tasks' | 'include_role', args: Dict, sc: ParseScope): { baseDir: string; searchDirs: string[] } {
    if (kind === 'include_role') {
      return { baseDir: sc.playDir, searchDirs: [sc.playDir] };
    }
    // A role's handler includes look in its handlers/ first, as its task includes in tasks/.
    const dirs = sc.role
      ? [...(sc.handlers ? [path.join(sc.role.path, 'handlers')] : []), path.join(sc.role.path, 'tasks'), sc.role.path, sc.dir]
      : [sc.dir, ...sc.parentDirs, sc.playDir];
    const searchDirs = [...new Set(dirs)];
    const file = args.file;
    if (typeof file === 'string' && !isTemplated(file) && !path.isAbsolute(file)) {
      const hit = searchDirs.find((d) => existsSync(path.join(d, file)));
      if (hit) return { baseDir: hit, searchDirs };
    }
    return { baseDir: searchDirs[0], searchDirs };
  }

  /**
   * Check an include's target ahead of the run when its name is static, so typos in
   * included files are reported before any host is touched. Missing files are left to the
   * run (the include may be behind a condition, as in Ansible).
   */
  protected async prevalidateInclude(node: DynamicInclude, sc: ParseScope): Promise<void> {
    if (node.action === 'include_tasks') {
      const file = node.args.file;
      if (typeof file !== 'string' || isTemplated(file)) return;
      const full = path.resolve(node.baseDir, file);
      if (!existsSync(full) || this.prevalidated.has(full)) return;
      this.prevalidated.add(full);
      // Ansible reads an included file only when the include runs: what is wrong in it
      // fails the include then, on the hosts that reach it.
      await this.loadTaskFileInternal(full, { role: sc.role, playDir: sc.playDir, parentDirs: [sc.dir, ...sc.parentDirs], pos: node.pos, roleChain: [], staticVars: sc.staticVars, dynamicParent: true, handlers: sc.handlers }).catch((e: unknown) => this.deferred(e));
    } else {
      const name = node.args.name;
      if (typeof name !== 'string' || isTemplated(name)) return;
      // an entry point built from variables is known only when the include runs
      if (['tasks_from', 'vars_from', 'defaults_from', 'handlers_from'].some((k) => isTemplated(node.args[k]))) return;
      const key = `role:${name}:${String(node.args.tasks_from ?? '')}`;
      if (this.prevalidated.has(key)) return;
      this.prevalidated.add(key);
      const searchFirst = sc.role ? [path.dirname(sc.role.path)] : [];
      try {
        this.findRoleDir(name, node.pos, sc.playDir, searchFirst);
      } catch {
        // as with include_tasks, a role that is not there may be behind a condition
        return;
      }
      await this.loadRoleFrom(
        {
          name,
          pos: node.pos,
          params: {},
          keywords: { tags: [], vars: {} },
          tasksFrom: optStr(node.args.tasks_from),
          handlersFrom: optStr(node.args.handlers_from),
          varsFrom: optStr(node.args.vars_from),
          defaultsFrom: optStr(node.args.defaults_from),
        },
        // loaded afresh when the include runs: the roles around it are no cycle
        { playDir: sc.playDir, searchFirst, roleChain: [], staticVars: sc.staticVars, dynamicParent: true },
      ).catch((e: unknown) => this.deferred(e));
    }
  }

  async loadTaskFileInternal(file: string, o: { role?: RoleInstance; playDir?: string; parentDirs?: string[]; pos?: SourcePos; roleChain?: string[]; staticVars?: Dict; dynamicParent?: boolean; handlers?: boolean }): Promise<TaskNode[]> {
    const abs = path.resolve(file);
    const y = await this.file(abs, o.pos);
    const sc: ParseScope = {
      y,
      dir: path.dirname(abs),
      playDir: o.playDir ?? path.dirname(abs),
      role: o.role,
      importChain: [abs],
      roleChain: o.roleChain ?? [],
      handlers: !!o.handlers,
      moduleDefaults: false,
      parentDirs: o.parentDirs ?? [],
      staticVars: o.staticVars,
      dynamicParent: o.dynamicParent,
    };
    return this.parseTaskList(y.data, [], sc);
  }
}
