// Playbook, task file and role loading: YAML → typed AST, with every static mistake found
// here (unknown keywords and modules, bad arguments, missing files and roles, cycles)
// before any host is contacted.
import { existsSync, realpathSync, statSync, readdirSync } from 'node:fs';
import path from 'node:path';
import {
  type SourcePos,
  errActionEmpty,
  errActionNeedsModule,
  errActionNotInHandlers,
  errActionParamType,
  errActionType,
  errBadRegister,
  errBadVarName,
  errCircularImport,
  errCircularPlaybookImport,
  errComplexArgs,
  errConflictingActions,
  errConflictingKeywords,
  errDuplicateLoop,
  errEmptyPlaybook,
  errEmptyTask,
  errExtraParams,
  errHostsEmpty,
  errHostsRequired,
  errImportLoop,
  errImportPlaybookAsTask,
  errIncludeFileTwice,
  errIncludeNoFile,
  errIncludeNoName,
  errIncludeOption,
  errIncludeRemoved,
  errIncludeTarget,
  errIncludeTaskRemoved,
  errInvalidKeyword,
  errLoopControlType,
  errLoopControlValue,
  errLoopControlWithoutLoop,
  errMalformedBlock,
  errMalformedTask,
  errMustBeType,
  errNameNotString,
  errNoAction,
  errNotInHandlers,
  errPlayNotMapping,
  errPlaybookNotFound,
  errPlaybookNotList,
  errRoleCycle,
  errRoleDependencies,
  errRoleEntry,
  errRoleFileNotFound,
  errRoleMeta,
  errRoleNoName,
  errRoleNotFound,
  errRoleVars,
  errStaticName,
  errTaskFileNotFound,
  errUnknownModule,
  errUnresolvableTemplate,
  errUnsupportedLoop,
  errVarsNotDict,
  errVarsPromptNotList,
} from '../errors.js';
import { suggest } from './suggest.js';
import type { ModuleRegistry } from '../modules/registry.js';
import type { ModuleDef } from '../modules/types.js';
import {
  BLOCK_KEYWORDS,
  HANDLER_KEYWORDS,
  IMPORT_INCLUDE_ACTIONS,
  IMPORT_ROLE_ARGS,
  IMPORT_TASKS_ARGS,
  INCLUDE_KEYWORDS,
  INCLUDE_ROLE_ARGS,
  INCLUDE_TASKS_ARGS,
  LOOP_CONTROL_KEYS,
  LOOP_KINDS,
  PLAY_KEYWORDS,
  ROLE_KEYWORDS,
  TASK_KEYWORDS,
  VALID_VAR_NAME,
} from './keywords.js';
import { CHECK_RAW_MODULES, parseKv } from './split-args.js';
import type { Block, CommonKeywords, DynamicInclude, LoopSpec, Play, Playbook, RoleInstance, Task, TaskNode } from './types.js';
import { isTemplated, validateArgsAt, type ArgPositions } from './validate-args.js';
import { readYamlFile, type DocPath, type YamlFile } from './yaml-file.js';

export interface LoadOptions {
  registry: ModuleRegistry;
  /** From ansible.cfg roles_path / ANSIBLE_ROLES_PATH. */
  rolesPath: string[];
  /**
   * Renders a template in a static position (an import_tasks / import_role / roles: name,
   * an import_playbook path) with the variables known before the run (extra vars, play
   * vars). Without it, templated static names are an error.
   */
  renderStatic?: (template: string, pos: SourcePos) => string;
}

export interface RoleLoadOptions {
  baseDir: string;
  params?: Record<string, unknown>;
  tasksFrom?: string;
  handlersFrom?: string;
  varsFrom?: string;
  defaultsFrom?: string;
  pos?: SourcePos;
}

let uidCounter = 0;
function nextUid(pos: SourcePos): string {
  uidCounter++;
  return `${pos.file}:${pos.line}:${pos.col}#${uidCounter}`;
}

/** Where the parser is: which file, which role, which imports led here. */
interface Scope {
  y: YamlFile;
  /** Directory of the current file. */
  dir: string;
  /** Directory of the playbook (Ansible's loader basedir). */
  playDir: string;
  role?: RoleInstance;
  /** Files being imported, outermost first, for cycle detection. */
  importChain: string[];
  /** Role directories being loaded, outermost first. */
  roleChain: string[];
  handlers: boolean;
  /** A module_defaults keyword is in effect, so required arguments may come from it. */
  moduleDefaults: boolean;
  /** Handlers of roles brought in with import_role, made available to the whole play. */
  importedHandlers?: Task[];
  /** Directories of the files that included/imported this one (nearest first). */
  parentDirs: string[];
}

type Dict = Record<string, unknown>;

function isDict(v: unknown): v is Dict {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date);
}

function typeWord(v: unknown): string {
  if (v === null || v === undefined) return 'nothing (null)';
  if (Array.isArray(v)) return 'a list';
  if (isDict(v)) return 'a mapping';
  if (typeof v === 'string') return `a string (${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)})`;
  return `a ${typeof v} (${String(v)})`;
}

const TASK_FILE_EXTS = ['', '.yml', '.yaml', '.json'];

function findWithExts(dir: string, name: string): string | undefined {
  for (const ext of TASK_FILE_EXTS) {
    const p = path.join(dir, name + ext);
    if (existsSync(p) && statSync(p).isFile()) return p;
  }
  return undefined;
}

function rel(p: string): string {
  const r = path.relative(process.cwd(), p);
  return r && !r.startsWith('..') ? r : p;
}

export class Loader {
  private readonly files = new Map<string, Promise<YamlFile>>();
  /** include_tasks files already checked ahead of the run. */
  private readonly prevalidated = new Set<string>();

  constructor(readonly opts: LoadOptions) {}

  private file(p: string, from?: SourcePos): Promise<YamlFile> {
    let f = this.files.get(p);
    if (!f) {
      f = readYamlFile(p, from);
      this.files.set(p, f);
      // a failed read should be retried (and reported) by the next caller, not cached
      f.catch(() => this.files.delete(p));
    }
    return f;
  }

  private staticName(value: unknown, what: string, pos: SourcePos, hint: string): string {
    if (typeof value !== 'string' || value.trim() === '') {
      throw errStaticName(what, typeWord(value), { pos, hint });
    }
    if (!isTemplated(value)) return value;
    if (this.opts.renderStatic) return this.opts.renderStatic(value, pos);
    throw errUnresolvableTemplate(what, value, { pos, hint });
  }

  // ---------------------------------------------------------------- playbooks

  async loadPlaybook(file: string): Promise<Playbook> {
    const abs = path.resolve(file);
    const plays = await this.loadPlaybookFile(abs, [], undefined);
    return { path: abs, plays };
  }

  private async loadPlaybookFile(abs: string, chain: string[], from: SourcePos | undefined): Promise<Play[]> {
    const y = await this.file(abs, from);
    const data = y.data;
    if (data === null || data === undefined) {
      throw errEmptyPlaybook({ pos: { file: abs, line: 1, col: 1 }, hint: 'a playbook is a list of plays: `- hosts: all` followed by `tasks:`' });
    }
    if (!Array.isArray(data)) {
      throw errPlaybookNotList(typeWord(data), {
        pos: y.posOf([]),
        hint: isDict(data) ? 'start the play with a dash: `- hosts: all` and indent the rest under it' : 'a playbook is a list of plays: `- hosts: all` followed by `tasks:`',
      });
    }
    const plays: Play[] = [];
    for (let i = 0; i < data.length; i++) {
      const entry = data[i];
      const p = [i];
      if (!isDict(entry)) {
        throw errPlayNotMapping(typeWord(entry), { pos: y.posOf(p), hint: 'each list item of a playbook is a play: `- hosts: all`' });
      }
      const importKey = Object.keys(entry).find((k) => IMPORT_INCLUDE_ACTIONS[k] === 'import_playbook' || IMPORT_INCLUDE_ACTIONS[k] === 'include');
      if (importKey) {
        plays.push(...(await this.importPlaybook(entry, importKey, y, p, chain.length ? chain : [abs])));
        continue;
      }
      plays.push(await this.parsePlay(entry, y, p));
    }
    return plays;
  }

  private async importPlaybook(entry: Dict, key: string, y: YamlFile, p: DocPath, chain: string[]): Promise<Play[]> {
    const pos = y.keyPosOf([...p, key]);
    if (IMPORT_INCLUDE_ACTIONS[key] === 'include') {
      throw errIncludeRemoved({ pos, hint: 'use `import_playbook:` to import a playbook' });
    }
    for (const k of Object.keys(entry)) {
      if (k !== key && !['name', 'when', 'tags', 'vars'].includes(k)) {
        throw errInvalidKeyword(k, 'a PlaybookInclude', {
          pos: y.keyPosOf([...p, k]),
          hint: 'import_playbook accepts only name, when, tags and vars; put other keywords in the imported plays',
        });
      }
    }
    const target = this.staticName(entry[key], 'import_playbook', y.posOf([...p, key]), 'give the path of a playbook file, relative to this playbook');
    const abs = path.resolve(path.dirname(y.file), target);
    if (chain.includes(abs)) {
      throw errCircularPlaybookImport([...chain, abs].map(rel).join(' -> '), { pos, hint: 'a playbook cannot import itself, directly or through other playbooks' });
    }
    if (!existsSync(abs)) {
      throw errPlaybookNotFound(target, abs, { pos: y.posOf([...p, key]), hint: 'import_playbook paths are relative to the importing playbook' });
    }
    const plays = await this.loadPlaybookFile(abs, [...chain, abs], pos);
    const when = normWhen(entry.when, y, [...p, 'when']);
    const tags = normTags(entry.tags, y, [...p, 'tags']);
    const vars = normVars(entry.vars, y, [...p, 'vars'], 'PlaybookInclude');
    for (const play of plays) {
      // Ansible: the import's vars win over the play's, its `when` guards every task of the play
      play.vars = { ...play.vars, ...vars };
      if (when) play.when = [...when, ...(play.when ?? [])];
      play.tags = [...new Set([...play.tags, ...tags])];
    }
    return plays;
  }

  private async parsePlay(ds: Dict, y: YamlFile, p: DocPath): Promise<Play> {
    const pos = y.posOf(p);
    for (const k of Object.keys(ds)) {
      if (!PLAY_KEYWORDS.has(k)) {
        const guess = suggest(k, PLAY_KEYWORDS);
        const looksLikeTask = k === 'when' || k === 'loop' || this.opts.registry.has(k) || k in IMPORT_INCLUDE_ACTIONS;
        throw errInvalidKeyword(k, 'a Play', {
          pos: y.keyPosOf([...p, k]),
          hint: guess ? `did you mean \`${guess}\`?` : looksLikeTask ? `'${k}' belongs in a task: put it under \`tasks:\`` : `valid play keywords: ${[...PLAY_KEYWORDS].sort().join(', ')}`,
        });
      }
    }
    if (!('hosts' in ds)) {
      throw errHostsRequired({ pos, hint: 'add `hosts: all` (or a group or host pattern) to the play' });
    }
    if (ds.hosts === null || ds.hosts === '' || (Array.isArray(ds.hosts) && ds.hosts.length === 0)) {
      throw errHostsEmpty({ pos: y.posOf([...p, 'hosts']), hint: 'give a host pattern, e.g. `hosts: all`' });
    }
    if (!(typeof ds.hosts === 'string' || Array.isArray(ds.hosts))) {
      throw errMustBeType("'hosts'", 'a string or a list of strings', typeWord(ds.hosts), { pos: y.posOf([...p, 'hosts']), hint: 'e.g. `hosts: webservers` or `hosts: [web1, web2]`' });
    }
    const playDir = path.dirname(y.file);
    const common = parseCommon(ds, y, p, 'Play');
    const sc: Scope = {
      y,
      dir: playDir,
      playDir,
      importChain: [y.file],
      roleChain: [],
      handlers: false,
      moduleDefaults: ds.module_defaults !== undefined,
      importedHandlers: [],
      parentDirs: [],
    };
    const section = async (key: string, handlers = false) => this.parseTaskList(ds[key], [...p, key], { ...sc, handlers });
    const pre_tasks = await section('pre_tasks');
    const roles = await this.parsePlayRoles(ds.roles, y, [...p, 'roles'], sc);
    const tasks = await section('tasks');
    const post_tasks = await section('post_tasks');
    const handlerNodes = await section('handlers', true);
    const handlers = [...(sc.importedHandlers ?? []), ...flattenHandlers(handlerNodes)];
    const play: Play = {
      ...common,
      kind: 'play',
      hosts: ds.hosts,
      vars_files: ds.vars_files === undefined || ds.vars_files === null ? [] : Array.isArray(ds.vars_files) ? ds.vars_files : [ds.vars_files],
      pre_tasks,
      roles,
      tasks,
      post_tasks,
      handlers,
      pos,
      baseDir: playDir,
    };
    for (const k of ['gather_facts', 'gather_subset', 'serial', 'strategy', 'max_fail_percentage', 'order', 'force_handlers', 'gather_timeout', 'fact_path'] as const) {
      if (ds[k] !== undefined) (play as unknown as Dict)[k] = ds[k];
    }
    if (ds.vars_prompt !== undefined && ds.vars_prompt !== null) {
      if (!Array.isArray(ds.vars_prompt)) throw errVarsPromptNotList({ pos: y.posOf([...p, 'vars_prompt']), hint: 'e.g. `vars_prompt: [{name: password, prompt: "Password?"}]`' });
      play.vars_prompt = ds.vars_prompt;
    }
    return play;
  }

  private async parsePlayRoles(value: unknown, y: YamlFile, p: DocPath, sc: Scope): Promise<RoleInstance[]> {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      throw errMustBeType("'roles'", 'a list', typeWord(value), { pos: y.posOf(p), hint: 'e.g. `roles: [common, { role: web, port: 80 }]`' });
    }
    const out: RoleInstance[] = [];
    for (let i = 0; i < value.length; i++) {
      const spec = this.parseRoleEntry(value[i], y, [...p, i]);
      out.push(await this.loadRoleFrom(spec, { playDir: sc.playDir, searchFirst: [], roleChain: [] }));
    }
    return dedupRoles(out);
  }

  // ---------------------------------------------------------------- task lists

  async parseTaskList(value: unknown, p: DocPath, sc: Scope): Promise<TaskNode[]> {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      throw errMalformedBlock(typeWord(value), {
        pos: sc.y.posOf(p),
        hint: 'tasks are a YAML list: start each task with `- `',
      });
    }
    const out: TaskNode[] = [];
    for (let i = 0; i < value.length; i++) out.push(await this.parseTaskEntry(value[i], [...p, i], sc));
    return out;
  }

  private async parseTaskEntry(ds: unknown, p: DocPath, sc: Scope): Promise<TaskNode> {
    const y = sc.y;
    const pos = y.posOf(p);
    if (ds === null || ds === undefined) {
      throw errEmptyTask({ pos, hint: 'remove the lone `-`, or add a module, e.g. `- debug: msg=hello`' });
    }
    if (!isDict(ds)) {
      throw errMalformedTask(typeWord(ds), {
        pos,
        hint: typeof ds === 'string' ? 'a task is a mapping like `- name: x` + `module: args`; check for a missing `:` after the module name' : 'a task is a mapping of keywords and one module',
      });
    }
    if ('block' in ds || 'rescue' in ds || 'always' in ds) return this.parseBlock(ds, p, sc);
    return this.parseTask(ds, p, sc);
  }

  private async parseBlock(ds: Dict, p: DocPath, sc: Scope): Promise<Block> {
    const y = sc.y;
    for (const k of Object.keys(ds)) {
      if (BLOCK_KEYWORDS.has(k)) continue;
      let hint: string;
      if (this.opts.registry.has(k) || k in IMPORT_INCLUDE_ACTIONS) hint = `a block cannot run a module itself: move \`${k}:\` into a task under \`block:\``;
      else if (k === 'loop' || k.startsWith('with_')) hint = 'blocks cannot loop: put the tasks in a file and loop over `include_tasks`';
      else {
        const guess = suggest(k, BLOCK_KEYWORDS);
        hint = guess ? `did you mean \`${guess}\`?` : `valid block keywords: ${[...BLOCK_KEYWORDS].sort().join(', ')}`;
      }
      throw errInvalidKeyword(k, 'a Block', { pos: y.keyPosOf([...p, k]), hint });
    }
    const common = parseCommon(ds, y, p, 'Block');
    const inner: Scope = { ...sc, moduleDefaults: sc.moduleDefaults || ds.module_defaults !== undefined };
    const block: Block = {
      ...common,
      kind: 'block',
      block: await this.parseTaskList(ds.block, [...p, 'block'], inner),
      rescue: await this.parseTaskList(ds.rescue, [...p, 'rescue'], inner),
      always: await this.parseTaskList(ds.always, [...p, 'always'], inner),
      pos: y.posOf(p),
    };
    if (sc.role) block.role = sc.role;
    if (ds.notify !== undefined) block.notify = normStrList(ds.notify, y, [...p, 'notify'], 'notify');
    return block;
  }

  private async parseTask(ds: Dict, p: DocPath, sc: Scope): Promise<TaskNode> {
    const y = sc.y;
    const reg = this.opts.registry;
    const allowed = sc.handlers ? HANDLER_KEYWORDS : TASK_KEYWORDS;
    const candidates: string[] = [];
    const unknown: string[] = [];
    for (const k of Object.keys(ds)) {
      if (k === 'action' || k === 'local_action') {
        candidates.push(k);
        continue;
      }
      if (allowed.has(k) || k.startsWith('with_')) continue;
      if (k in IMPORT_INCLUDE_ACTIONS || reg.has(k)) candidates.push(k);
      else unknown.push(k);
    }
    const moduleNames = () => reg.names();
    if (candidates.length > 1) {
      throw errConflictingActions(candidates[0], candidates[1], {
        pos: y.keyPosOf([...p, candidates[1]]),
        hint: candidates.includes('local_action') && candidates.includes('action')
          ? 'action and local_action are mutually exclusive'
          : 'a task runs exactly one module: split this into two tasks (check the indentation of the module arguments)',
      });
    }
    if (candidates.length === 0) {
      if (unknown.length) {
        const k = unknown[0];
        const guess = suggest(k, [...moduleNames(), ...allowed]);
        const hint = guess
          ? allowed.has(guess)
            ? `did you mean the task keyword \`${guess}\`? (the task also needs a module)`
            : `did you mean \`${guess}\`?`
          : 'check the module name for typos; only modules rackplay knows can be used';
        throw errUnknownModule(k, {
          pos: y.keyPosOf([...p, k]),
          hint,
        });
      }
      throw errNoAction({ pos: y.posOf(p), hint: 'add a module to the task, e.g. `debug: msg=hello`' });
    }
    if (unknown.length) {
      const k = unknown[0];
      const guess = suggest(k, [...allowed, ...moduleNames()]);
      const isModuleGuess = guess !== undefined && !allowed.has(guess);
      throw errInvalidKeyword(k, sc.handlers ? 'a Handler' : 'a Task', {
        pos: y.keyPosOf([...p, k]),
        hint: guess
          ? isModuleGuess
            ? `did you mean \`${guess}\`? (a task runs one module; this one already has \`${candidates[0]}\`)`
            : `did you mean \`${guess}\`?`
          : 'module arguments go under the module key, indented; task keywords are: ' + [...allowed].sort().join(', '),
      });
    }

    const actionKey = candidates[0];
    let actionName: string;
    let thing: unknown;
    let thingPath: DocPath = [...p, actionKey];
    let delegateLocal = false;
    if (actionKey === 'action' || actionKey === 'local_action') {
      delegateLocal = actionKey === 'local_action';
      const v = ds[actionKey];
      const apos = y.posOf(thingPath);
      if (typeof v === 'string') {
        const m = /^\s*(\S+)\s*([\s\S]*)$/.exec(v);
        if (!m) throw errActionEmpty(actionKey, { pos: apos, hint: `e.g. \`${actionKey}: command uptime\`` });
        actionName = m[1];
        thing = m[2];
      } else if (isDict(v)) {
        if (typeof v.module !== 'string') {
          throw errActionNeedsModule(actionKey, { pos: apos, hint: `e.g. \`${actionKey}: {module: copy, src: a, dest: b}\`` });
        }
        actionName = v.module;
        const rest = { ...v };
        delete rest.module;
        thing = rest;
      } else {
        throw errActionType(actionKey, typeWord(v), { pos: apos, hint: `e.g. \`${actionKey}: command uptime\`` });
      }
      if (!(actionName in IMPORT_INCLUDE_ACTIONS) && !reg.has(actionName)) {
        const guess = suggest(actionName, moduleNames());
        throw errUnknownModule(actionName, {
          pos: apos,
          hint: guess ? `did you mean \`${guess}\`?` : 'check the module name for typos',
        });
      }
      if (delegateLocal && ds.delegate_to !== undefined) {
        throw errConflictingKeywords('local_action', 'delegate_to', { pos: y.keyPosOf([...p, 'delegate_to']), hint: 'use `delegate_to:` with a normal module key instead of local_action' });
      }
    } else {
      actionName = actionKey;
      thing = ds[actionKey];
    }

    const inc = IMPORT_INCLUDE_ACTIONS[actionName];
    if (inc) return this.parseImportInclude(inc, actionKey, thing, ds, p, sc);

    const def = reg.get(actionName)!;
    const common = parseCommon(ds, y, p, sc.handlers ? 'Handler' : 'Task');
    const loop = parseLoop(ds, y, p);
    const { args, positions, variable } = this.buildArgs(def, actionName, thing, ds, y, p, thingPath);
    if (!variable) {
      validateArgsAt(def, args, positions, { rendered: false, skipRequired: sc.moduleDefaults || ds.module_defaults !== undefined });
    }
    const pos = y.posOf(p);
    const task: Task = {
      ...common,
      kind: 'task',
      action: def.name,
      actionAsWritten: actionName,
      args,
      notify: ds.notify === undefined ? [] : normStrList(ds.notify, y, [...p, 'notify'], 'notify'),
      listen: ds.listen === undefined ? [] : normStrList(ds.listen, y, [...p, 'listen'], 'listen'),
      pos,
      uid: nextUid(pos),
    };
    if (sc.role) task.role = sc.role;
    if (loop) task.loop = loop;
    if (delegateLocal) task.delegate_to = 'localhost';
    if (ds.register !== undefined) task.register = parseRegister(ds.register, y, [...p, 'register']);
    for (const k of ['changed_when', 'failed_when', 'until'] as const) {
      if (ds[k] !== undefined) task[k] = normWhen(ds[k], y, [...p, k]);
    }
    for (const k of ['retries', 'delay', 'async', 'poll'] as const) {
      if (ds[k] !== undefined) task[k] = ds[k];
    }
    return task;
  }

  /** Merge `args:`, the module's value and free-form text into one argument mapping. */
  private buildArgs(def: ModuleDef, actionName: string, thing: unknown, ds: Dict, y: YamlFile, p: DocPath, thingPath: DocPath) {
    const args: Dict = {};
    let variable = false;
    const fromArgsKw = new Set<string>();
    const fromDict = new Set<string>();
    if (ds.args !== undefined && ds.args !== null) {
      if (isDict(ds.args)) {
        for (const [k, v] of Object.entries(ds.args)) {
          args[k] = v;
          fromArgsKw.add(k);
        }
      } else if (isTemplated(ds.args)) {
        args._variable_params = ds.args;
        variable = true;
      } else {
        throw errComplexArgs(typeWord(ds.args), {
          pos: y.posOf([...p, 'args']),
          hint: 'e.g. `args: {chdir: /tmp}`',
        });
      }
    }
    const thingPos = y.posOf(thingPath);
    let raw: string | undefined;
    if (thing === null || thing === undefined) {
      // `ping:` with no arguments
    } else if (typeof thing === 'string' || typeof thing === 'number' || typeof thing === 'boolean') {
      const parsed = parseKv(String(thing), CHECK_RAW_MODULES.has(def.name), thingPos);
      Object.assign(args, parsed.options);
      for (const k of Object.keys(parsed.options)) fromArgsKw.delete(k);
      raw = parsed.raw;
    } else if (isDict(thing)) {
      for (const [k, v] of Object.entries(thing)) {
        args[k] = v;
        fromDict.add(k);
        fromArgsKw.delete(k);
      }
      if (typeof args._raw_params === 'string' && def.freeForm && def.freeForm !== '_raw_params') {
        args[def.freeForm] = args._raw_params;
        delete args._raw_params;
      }
    } else {
      throw errActionParamType(typeWord(thing), {
        pos: thingPos,
        hint: `give ${actionName} a mapping of arguments (or a key=value string)`,
      });
    }
    if (raw !== undefined && raw.trim() !== '') {
      if (def.freeForm) {
        args[def.freeForm] = raw;
      } else if (isTemplated(raw) && /^\s*\{\{[\s\S]*\}\}\s*$/.test(raw)) {
        // Ansible allows the whole argument mapping to come from a variable
        args._variable_params = raw;
        variable = true;
      } else {
        const freeForm = this.opts.registry.modules().filter((m) => m.freeForm).map((m) => m.name).sort();
        throw errExtraParams(actionName, freeForm.join(', '), {
          pos: thingPos,
          hint: `${actionName} takes key=value arguments or a mapping; '${raw.length > 40 ? raw.slice(0, 40) + '…' : raw}' is not of the form key=value`,
        });
      }
    }
    const positions: ArgPositions = {
      key: (name) => {
        if (name === undefined) return y.keyPosOf(thingPath);
        if (fromDict.has(name)) return y.keyPosOf([...thingPath, name]);
        if (fromArgsKw.has(name)) return y.keyPosOf([...p, 'args', name]);
        return thingPos;
      },
      value: (name) => {
        if (name === undefined) return y.keyPosOf(thingPath);
        if (fromDict.has(name)) return y.posOf([...thingPath, name]);
        if (fromArgsKw.has(name)) return y.posOf([...p, 'args', name]);
        return thingPos;
      },
    };
    return { args, positions, variable };
  }

  // ---------------------------------------------------------------- imports & includes

  private async parseImportInclude(
    kind: (typeof IMPORT_INCLUDE_ACTIONS)[string],
    actionKey: string,
    thing: unknown,
    ds: Dict,
    p: DocPath,
    sc: Scope,
  ): Promise<TaskNode> {
    const y = sc.y;
    const keyPos = y.keyPosOf([...p, actionKey]);
    if (kind === 'include') {
      throw errIncludeTaskRemoved({ pos: keyPos, hint: 'use `include_tasks:` (dynamic) or `import_tasks:` (static) instead' });
    }
    if (kind === 'import_playbook') {
      throw errImportPlaybookAsTask({ pos: keyPos, hint: 'move it out of `tasks:` to the playbook\'s list of plays' });
    }
    if (sc.handlers && kind !== 'import_tasks') {
      throw errNotInHandlers(kind, { pos: keyPos, hint: 'use import_tasks (static) in handlers, or call the role/tasks from a task' });
    }
    const dynamic = kind === 'include_tasks' || kind === 'include_role';
    const className = kind === 'include_role' || kind === 'import_role' ? 'IncludeRole' : 'TaskInclude';
    if (dynamic) {
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
    const loop = parseLoop(ds, y, p);
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
      if (loop) node.loop = loop;
      if (sc.role) node.role = sc.role;
      await this.prevalidateInclude(node, sc);
      return node;
    }

    if (kind === 'import_tasks') {
      const target = this.staticName(args.file, 'import_tasks file', y.posOf(thingPath), 'import_tasks is resolved before the run: use include_tasks for file names built from host variables');
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
      const inner: Scope = {
        ...sc,
        y: y2,
        dir: path.dirname(abs),
        importChain: [...sc.importChain, abs],
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
    const name = this.staticName(args.name, 'import_role name', y.posOf(thingPath), 'import_role is resolved before the run: use include_role for role names built from host variables');
    const role = await this.loadRoleFrom(
      {
        name,
        pos: keyPos,
        params: { ...common.vars },
        keywords: { tags: [], vars: {} },
        tasksFrom: optStr(args.tasks_from),
        handlersFrom: optStr(args.handlers_from),
        varsFrom: optStr(args.vars_from),
        defaultsFrom: optStr(args.defaults_from),
      },
      { playDir: sc.playDir, searchFirst: sc.role ? [path.dirname(sc.role.path)] : [], roleChain: sc.roleChain },
    );
    if (args.allow_duplicates !== undefined) role.allowDuplicates = args.allow_duplicates === true || args.allow_duplicates === 'yes' || args.allow_duplicates === 'true';
    const collect = (r: RoleInstance) => {
      for (const d of r.dependencies) collect(d);
      sc.importedHandlers?.push(...r.handlers);
    };
    collect(role);
    const block = roleAsBlock(role, common, pos);
    if (ds.notify !== undefined) block.notify = normStrList(ds.notify, y, [...p, 'notify'], 'notify');
    return block;
  }

  private checkApply(apply: unknown, y: YamlFile, p: DocPath): void {
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
  private taskFileCandidates(target: string, sc: Scope): string[] {
    if (path.isAbsolute(target)) return [target];
    const out: string[] = [];
    if (sc.role) {
      out.push(path.join(sc.role.path, 'tasks', target), path.join(sc.role.path, target));
      out.push(path.join(sc.dir, target));
    } else {
      out.push(path.join(sc.dir, target));
      for (const d of sc.parentDirs) out.push(path.join(d, target));
      out.push(path.join(sc.playDir, target));
    }
    return [...new Set(out)];
  }

  private includeBaseDir(kind: 'include_tasks' | 'include_role', args: Dict, sc: Scope): { baseDir: string; searchDirs: string[] } {
    if (kind === 'include_role') {
      return { baseDir: sc.playDir, searchDirs: [sc.playDir] };
    }
    const dirs = sc.role
      ? [path.join(sc.role.path, 'tasks'), sc.role.path, sc.dir]
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
  private async prevalidateInclude(node: DynamicInclude, sc: Scope): Promise<void> {
    if (node.action === 'include_tasks') {
      const file = node.args.file;
      if (typeof file !== 'string' || isTemplated(file)) return;
      const full = path.resolve(node.baseDir, file);
      if (!existsSync(full) || this.prevalidated.has(full)) return;
      this.prevalidated.add(full);
      await this.loadTaskFileInternal(full, { role: sc.role, playDir: sc.playDir, parentDirs: [sc.dir, ...sc.parentDirs], pos: node.pos, roleChain: sc.roleChain });
    } else {
      const name = node.args.name;
      if (typeof name !== 'string' || isTemplated(name)) return;
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
        { playDir: sc.playDir, searchFirst, roleChain: sc.roleChain },
      );
    }
  }

  async loadTaskFileInternal(file: string, o: { role?: RoleInstance; playDir?: string; parentDirs?: string[]; pos?: SourcePos; roleChain?: string[] }): Promise<TaskNode[]> {
    const abs = path.resolve(file);
    const y = await this.file(abs, o.pos);
    const sc: Scope = {
      y,
      dir: path.dirname(abs),
      playDir: o.playDir ?? path.dirname(abs),
      role: o.role,
      importChain: [abs],
      roleChain: o.roleChain ?? [],
      handlers: false,
      moduleDefaults: false,
      parentDirs: o.parentDirs ?? [],
    };
    return this.parseTaskList(y.data, [], sc);
  }

  // ---------------------------------------------------------------- roles

  parseRoleEntry(entry: unknown, y: YamlFile, p: DocPath): RoleSpec {
    const pos = y.posOf(p);
    if (typeof entry === 'string') {
      return { name: this.staticName(entry, 'role name', pos, 'role names in roles: are resolved before the run'), pos, params: {}, keywords: { tags: [], vars: {} } };
    }
    if (!isDict(entry)) {
      throw errRoleEntry(typeWord(entry), { pos, hint: 'e.g. `- common` or `- { role: web, http_port: 80 }`' });
    }
    const nameKey = 'role' in entry ? 'role' : 'name' in entry ? 'name' : undefined;
    if (!nameKey) {
      throw errRoleNoName({ pos, hint: 'add `role: <name>` to this entry' });
    }
    const name = this.staticName(entry[nameKey], 'role name', y.posOf([...p, nameKey]), 'role names in roles: are resolved before the run');
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
    return { name, pos, params, keywords };
  }

  async loadRoleFrom(spec: RoleSpec, env: { playDir: string; searchFirst: string[]; roleChain: string[] }): Promise<RoleInstance> {
    const dir = this.findRoleDir(spec.name, spec.pos, env.playDir, env.searchFirst);
    const real = realpathSync(dir);
    if (env.roleChain.includes(real)) {
      const names = [...env.roleChain, real].map((r) => path.basename(r));
      throw errRoleCycle(names.join(' -> '), { pos: spec.pos, hint: 'remove one of these dependencies from meta/main.yml' });
    }
    const roleChain = [...env.roleChain, real];
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
            const depSpec = this.parseRoleEntry(deps[i], my, ['dependencies', i]);
            role.dependencies.push(await this.loadRoleFrom(depSpec, { playDir: env.playDir, searchFirst: [path.dirname(dir)], roleChain }));
          }
        }
      }
    }
    role.defaults = await this.loadRoleVars(dir, 'defaults', spec.defaultsFrom, spec.pos);
    role.vars = await this.loadRoleVars(dir, 'vars', spec.varsFrom, spec.pos);
    const sc = (file: string, y: YamlFile, handlers: boolean): Scope => ({
      y,
      dir: path.dirname(file),
      playDir: env.playDir,
      role,
      importChain: [file],
      roleChain,
      handlers,
      moduleDefaults: spec.keywords.module_defaults !== undefined,
      parentDirs: [],
    });
    const tasksFile = this.roleFile(dir, 'tasks', spec.tasksFrom, spec.pos, 'tasks_from');
    if (tasksFile) {
      const y = await this.file(tasksFile, spec.pos);
      role.tasks = await this.parseTaskList(y.data, [], sc(tasksFile, y, false));
    }
    const handlersFile = this.roleFile(dir, 'handlers', spec.handlersFrom, spec.pos, 'handlers_from');
    if (handlersFile) {
      const y = await this.file(handlersFile, spec.pos);
      const nodes = await this.parseTaskList(y.data, [], sc(handlersFile, y, true));
      role.handlers = flattenHandlers(nodes);
    }
    return role;
  }

  private roleFile(dir: string, sub: string, from: string | undefined, pos: SourcePos, option: string): string | undefined {
    const found = findWithExts(path.join(dir, sub), from ?? 'main');
    if (!found && from !== undefined) {
      throw errRoleFileNotFound(`${sub}/${from}`, {
        pos,
        hint: `${option} names a file in the role's ${sub}/ directory (with or without .yml); looked in ${rel(path.join(dir, sub))}`,
      });
    }
    return found;
  }

  private async loadRoleVars(dir: string, sub: 'vars' | 'defaults', from: string | undefined, pos: SourcePos): Promise<Dict> {
    const base = path.join(dir, sub);
    const name = from ?? 'main';
    const file = findWithExts(base, name);
    const files: string[] = [];
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

  private findRoleDir(name: string, pos: SourcePos, playDir: string, searchFirst: string[]): string {
    const searched: string[] = [];
    if (name.includes('/') || name.startsWith('.') || path.isAbsolute(name)) {
      const p = path.resolve(playDir, name);
      if (existsSync(p) && statSync(p).isDirectory()) return p;
      searched.push(p);
    } else {
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
}

function optStr(v: unknown): string | undefined {
  return v === undefined || v === null ? undefined : String(v);
}

/** An imported role as a block: its dependencies first, then its own tasks. */
function roleAsBlock(role: RoleInstance, keywords: CommonKeywords, pos: SourcePos): Block {
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

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (isDict(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stableJson(v[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'undefined';
}

/**
 * Ansible runs a role once per play when it appears several times with the same
 * parameters (dependencies included), unless the role allows duplicates.
 */
function dedupRoles(roles: RoleInstance[]): RoleInstance[] {
  const seen = new Set<string>();
  const keyOf = (r: RoleInstance) => `${r.path}\0${stableJson(r.params)}\0${stableJson(r.keywords.vars)}`;
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

/** Handlers are a flat list of tasks; static imports inside them are expanded. */
function flattenHandlers(nodes: TaskNode[]): Task[] {
  const out: Task[] = [];
  const walk = (n: TaskNode, inherited: { when: unknown[]; tags: string[] }) => {
    if (n.kind === 'task') {
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

// ---------------------------------------------------------------- keyword normalisation

function parseCommon(ds: Dict, y: YamlFile, p: DocPath, what: string): CommonKeywords {
  return parseCommonFrom(ds, ds, y, p, what);
}

const RAW_COMMON = ['become', 'become_user', 'become_method', 'become_flags', 'check_mode', 'diff', 'ignore_errors', 'ignore_unreachable', 'no_log',
  'any_errors_fatal', 'run_once', 'delegate_to', 'delegate_facts', 'environment', 'timeout', 'throttle', 'remote_user', 'connection', 'module_defaults',
  'port'] as const;

function parseCommonFrom(ds: Dict, _whole: Dict, y: YamlFile, p: DocPath, what: string): CommonKeywords {
  const out: CommonKeywords = { tags: normTags(ds.tags, y, [...p, 'tags']), vars: normVars(ds.vars, y, [...p, 'vars'], what) };
  if (ds.name !== undefined && ds.name !== null) {
    if (typeof ds.name === 'string') out.name = ds.name;
    else if (typeof ds.name === 'number' || typeof ds.name === 'boolean') out.name = String(ds.name);
    else {
      throw errNameNotString(typeWord(ds.name), {
        pos: y.posOf([...p, 'name']),
        hint: 'quote the name if it contains `: ` or starts with `{`, `[` or `*`',
      });
    }
  }
  if (ds.when !== undefined) out.when = normWhen(ds.when, y, [...p, 'when']);
  for (const k of RAW_COMMON) if (ds[k] !== undefined) (out as unknown as Dict)[k] = ds[k];
  return out;
}

function normWhen(v: unknown, y: YamlFile, p: DocPath): unknown[] | undefined {
  if (v === undefined || v === null) return undefined;
  const check = (x: unknown, at: DocPath): unknown => {
    if (typeof x === 'string' || typeof x === 'boolean' || typeof x === 'number') return x;
    throw errMustBeType('a conditional', 'a string, a boolean or a list of those', typeWord(x), {
      pos: y.posOf(at),
      hint: 'write the condition as a Jinja2 expression without braces, e.g. `when: ansible_os_family == "Debian"`',
    });
  };
  if (Array.isArray(v)) return v.map((x, i) => check(x, [...p, i]));
  return [check(v, p)];
}

function normTags(v: unknown, y: YamlFile, p: DocPath): string[] {
  if (v === undefined || v === null) return [];
  const one = (x: unknown, at: DocPath): string[] => {
    if (typeof x === 'string') return x.split(',').map((s) => s.trim()).filter(Boolean);
    if (typeof x === 'number' || typeof x === 'boolean') return [String(x)];
    throw errMustBeType('tags', 'a string or a list of strings', typeWord(x), { pos: y.posOf(at), hint: 'e.g. `tags: [web, config]` or `tags: web,config`' });
  };
  if (Array.isArray(v)) {
    return v.flatMap((x, i) => {
      if (typeof x === 'string') return [x];
      return one(x, [...p, i]);
    });
  }
  return one(v, p);
}

function normStrList(v: unknown, y: YamlFile, p: DocPath, what: string): string[] {
  if (v === null || v === undefined) return [];
  const one = (x: unknown, at: DocPath): string => {
    if (typeof x === 'string') return x;
    if (typeof x === 'number') return String(x);
    throw errMustBeType(what, 'a string or a list of strings', typeWord(x), { pos: y.posOf(at), hint: `e.g. \`${what}: restart nginx\`` });
  };
  if (Array.isArray(v)) return v.map((x, i) => one(x, [...p, i]));
  return [one(v, p)];
}

function checkVarNames(vars: Dict, y: YamlFile, p: DocPath, what: string): void {
  for (const k of Object.keys(vars)) {
    if (!VALID_VAR_NAME.test(k)) {
      throw errBadVarName(what, k, {
        pos: y.keyPosOf([...p, k]),
        hint: 'variable names use letters, digits and underscores and do not start with a digit',
      });
    }
  }
}

function normVars(v: unknown, y: YamlFile, p: DocPath, what: string): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (isDict(v)) {
    checkVarNames(v, y, p, `vars specified for ${what}`);
    return { ...v };
  }
  if (Array.isArray(v) && v.every(isDict)) {
    // the old list-of-mappings form
    const out: Dict = {};
    v.forEach((d, i) => {
      checkVarNames(d as Dict, y, [...p, i], `vars specified for ${what}`);
      Object.assign(out, d);
    });
    return out;
  }
  throw errVarsNotDict(what, typeWord(v), { pos: y.posOf(p), hint: 'e.g. `vars: {http_port: 80}`' });
}

function parseRegister(v: unknown, y: YamlFile, p: DocPath): string {
  if (typeof v !== 'string' || !VALID_VAR_NAME.test(v)) {
    throw errBadRegister(String(v), {
      pos: y.posOf(p),
      hint: 'register takes a variable name: letters, digits and underscores, not starting with a digit',
    });
  }
  return v;
}

function parseLoop(ds: Dict, y: YamlFile, p: DocPath): LoopSpec | undefined {
  const loopKeys = Object.keys(ds).filter((k) => k === 'loop' || k.startsWith('with_'));
  if (loopKeys.length === 0) {
    if (ds.loop_control !== undefined) {
      throw errLoopControlWithoutLoop({ pos: y.keyPosOf([...p, 'loop_control']), hint: 'add `loop:` or remove loop_control' });
    }
    return undefined;
  }
  for (const k of loopKeys) {
    if (k !== 'loop' && !(LOOP_KINDS as readonly string[]).includes(k)) {
      const guess = suggest(k, [...LOOP_KINDS, 'loop']);
      throw errUnsupportedLoop(k, k.slice(5), {
        pos: y.keyPosOf([...p, k]),
        hint: guess ? `did you mean \`${guess}\`?` : `use \`loop:\` or one of: ${LOOP_KINDS.join(', ')}`,
      });
    }
  }
  if (loopKeys.length > 1) {
    const second = loopKeys[1];
    const names = loopKeys.filter((k) => k !== 'loop').map((k) => k.slice(5));
    throw errDuplicateLoop(names.join(', '), {
      pos: y.keyPosOf([...p, second]),
      hint: `a task can have only one loop: use either ${loopKeys.map((k) => `\`${k}:\``).join(' or ')}`,
    });
  }
  const kind = loopKeys[0] as LoopSpec['kind'];
  const spec: LoopSpec = { kind, value: ds[kind], loop_var: 'item' };
  const lc = ds.loop_control;
  if (lc !== undefined && lc !== null) {
    const lp = [...p, 'loop_control'];
    if (!isDict(lc)) throw errLoopControlType(typeWord(lc), { pos: y.posOf(lp), hint: 'e.g. `loop_control: {loop_var: pkg}`' });
    for (const [k, v] of Object.entries(lc)) {
      if (!LOOP_CONTROL_KEYS.has(k)) {
        const guess = suggest(k, LOOP_CONTROL_KEYS);
        throw errInvalidKeyword(k, 'a LoopControl', {
          pos: y.keyPosOf([...lp, k]),
          hint: guess ? `did you mean \`${guess}\`?` : `valid loop_control keys: ${[...LOOP_CONTROL_KEYS].join(', ')}`,
        });
      }
      switch (k) {
        case 'loop_var':
        case 'index_var':
          if (typeof v !== 'string' || !VALID_VAR_NAME.test(v)) {
            throw errLoopControlValue(k, 'a variable name', typeWord(v), { pos: y.posOf([...lp, k]), hint: 'e.g. `loop_var: pkg`' });
          }
          spec[k] = v;
          break;
        case 'label':
          spec.label = v;
          break;
        case 'pause': {
          const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
          if (!Number.isFinite(n) || n < 0) throw errLoopControlValue('pause', 'a number of seconds', typeWord(v), { pos: y.posOf([...lp, k]), hint: 'e.g. `pause: 2`' });
          spec.pause = n;
          break;
        }
        case 'extended':
          spec.extended = v === true || v === 'yes' || v === 'true';
          break;
        case 'break_when':
          spec.break_when = normWhen(v, y, [...lp, k]);
          break;
        default:
          break;
      }
    }
  }
  return spec;
}
