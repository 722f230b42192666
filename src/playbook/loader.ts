// Playbook, task file and role loading: YAML → typed AST, with every static mistake found
// here (unknown keywords and modules, bad arguments, missing files and roles, cycles)
// before any host is contacted.
//
// The work is split by concern along a chain of classes: loader-base.ts (state and
// helpers) → role-loader.ts → include-parser.ts → task-parser.ts → this file (plays).
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  type SourcePos,
  errCircularPlaybookImport,
  errEmptyPlaybook,
  errNoPlays,
  errMalformedRoles,
  errVarsPromptKey,
  errVarsPromptNoName,
  errHostsEmpty,
  errHostsRequired,
  errInvalidKeyword,
  errPlayUserAndRemoteUser,
  errMustBeType,
  errPlayNotMapping,
  errPlaybookNotFound,
  errPlaybookNotList,
  errVarsPromptNotList,
} from '../errors.js';
import { OMIT_TOKEN } from '../template/index.js';
import { suggest } from './suggest.js';
import { isTemplated } from './validate-args.js';
import { IMPORT_INCLUDE_ACTIONS, PLAY_KEYWORDS } from './keywords.js';
import type { Play, Playbook, RoleInstance } from './types.js';
import { type DocPath, type YamlFile } from './yaml-file.js';
import { type ParseScope, type Dict, isDict, typeWord, rel } from './loader-base.js';
import { parseCommon, normWhen, normTags, normVars } from './keyword-values.js';
import { dedupRoles, flattenHandlers, noteRolesRun } from './role-loader.js';
import { TaskParser } from './task-parser.js';

export type { LoadOptions, RoleLoadOptions } from './loader-base.js';
export type { RoleSpec } from './role-loader.js';

const VARS_PROMPT_KEYS = new Set(['name', 'prompt', 'default', 'private', 'confirm', 'encrypt', 'salt_size', 'salt', 'unsafe']);

export class Loader extends TaskParser {
  async loadPlaybook(file: string): Promise<Playbook> {
    const abs = path.resolve(file);
    const plays = await this.loadPlaybookFile(abs, [], undefined);
    return { path: abs, plays };
  }

  /** `importVars`: the vars of the import_playbook entry that loads this file, known while its plays are parsed. */
  protected async loadPlaybookFile(abs: string, chain: string[], from: SourcePos | undefined, importVars: Dict = {}): Promise<Play[]> {
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
    if (data.length === 0) throw errNoPlays(abs, { pos: y.posOf([]), hint: 'a playbook is a list of plays: `- hosts: all` followed by `tasks:`' });
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
      plays.push(await this.parsePlay(entry, y, p, importVars));
    }
    return plays;
  }

  protected async importPlaybook(entry: Dict, key: string, y: YamlFile, p: DocPath, chain: string[]): Promise<Play[]> {
    const pos = y.keyPosOf([...p, key]);
    if (IMPORT_INCLUDE_ACTIONS[key] === 'include') {
      // Ansible 2.14 already refuses a playbook-level include, in these words
      throw errInvalidKeyword(key, 'a Play', { pos, hint: 'use `import_playbook:` to import a playbook' });
    }
    for (const k of Object.keys(entry)) {
      if (k !== key && !['name', 'when', 'tags', 'vars'].includes(k)) {
        throw errInvalidKeyword(k, 'a PlaybookInclude', {
          pos: y.keyPosOf([...p, k]),
          hint: 'import_playbook accepts only name, when, tags and vars; put other keywords in the imported plays',
        });
      }
    }
    const vars = normVars(entry.vars, y, [...p, 'vars'], 'PlaybookInclude');
    // Ansible templates the path, and the static names of the plays it loads (not those of
    // plays imported further down), with this import's own vars
    const target = this.staticName(entry[key], 'import_playbook', y.posOf([...p, key]), 'give the path of a playbook file, relative to this playbook', vars);
    const abs = path.resolve(path.dirname(y.file), target);
    if (chain.includes(abs)) {
      throw errCircularPlaybookImport([...chain, abs].map(rel).join(' -> '), { pos, hint: 'a playbook cannot import itself, directly or through other playbooks' });
    }
    if (!existsSync(abs)) {
      throw errPlaybookNotFound(target, abs, { pos: y.posOf([...p, key]), hint: 'import_playbook paths are relative to the importing playbook' });
    }
    const plays = await this.loadPlaybookFile(abs, [...chain, abs], pos, vars);
    const when = normWhen(entry.when, y, [...p, 'when']);
    const tags = normTags(entry.tags, y, [...p, 'tags']);
    for (const play of plays) {
      // Ansible: the import's vars win over the play's, its `when` guards every task of the play
      play.vars = { ...play.vars, ...vars };
      if (when) play.when = [...when, ...(play.when ?? [])];
      play.tags = [...new Set([...play.tags, ...tags])];
    }
    return plays;
  }

  protected async parsePlay(ds: Dict, y: YamlFile, p: DocPath, importVars: Dict = {}): Promise<Play> {
    const pos = y.posOf(p);
    // A play's `user:` is the old name of remote_user, which Ansible 2.14 still accepts.
    if ('user' in ds) {
      if ('remote_user' in ds) throw errPlayUserAndRemoteUser({ pos: y.keyPosOf([...p, 'user']), hint: 'keep `remote_user:` and remove `user:`' });
      const { user, ...rest } = ds;
      ds = { ...rest, remote_user: user };
    }
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
    const playDir = this.opts.playDir ?? path.dirname(y.file);
    ds = this.withoutOmitted(ds, y, p);
    const common = parseCommon(ds, y, p, 'Play');
    const sc: ParseScope = {
      y,
      dir: playDir,
      playDir,
      importChain: [y.file],
      roleChain: [],
      handlers: false,
      moduleDefaults: ds.module_defaults !== undefined,
      importedHandlers: [],
      importedRoles: [],
      parentDirs: [],
      // while loading, as Ansible's Play.load: the play's own vars over the import's
      staticVars: { ...importVars, ...(isDict(ds.vars) ? ds.vars : {}) },
      ranRoles: new Set(),
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
      importedRoles: sc.importedRoles,
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
      ds.vars_prompt.forEach((prompt: unknown, i: number) => {
        if (!isDict(prompt) || !('name' in prompt)) throw errVarsPromptNoName({ pos: y.posOf([...p, 'vars_prompt', i]), hint: 'e.g. `- name: password` with `prompt: "Password?"`' });
        const bad = Object.keys(prompt).find((k) => !VARS_PROMPT_KEYS.has(k));
        if (bad) throw errVarsPromptKey(bad, { pos: y.keyPosOf([...p, 'vars_prompt', i, bad]), hint: `a vars_prompt entry takes ${[...VARS_PROMPT_KEYS].join(', ')}` });
      });
      play.vars_prompt = ds.vars_prompt;
    }
    return play;
  }

  /**
   * `serial: "{{ n | default(omit) }}"`: a play keyword that renders to omit, with the
   * play's vars and extra vars, is not set, as in Ansible.
   */
  protected withoutOmitted(ds: Dict, y: YamlFile, p: DocPath): Dict {
    const render = this.opts.renderStatic;
    if (!render) return ds;
    const vars = isDict(ds.vars) ? ds.vars : {};
    const out = { ...ds };
    for (const [k, v] of Object.entries(ds)) {
      if (k === 'hosts' || k === 'vars' || !isTemplated(v)) continue;
      try {
        if (render(v as string, y.posOf([...p, k]), vars) === OMIT_TOKEN) delete out[k];
      } catch {
        // needs values only the hosts have: rendered when the play runs
      }
    }
    return out;
  }

  protected async parsePlayRoles(value: unknown, y: YamlFile, p: DocPath, sc: ParseScope): Promise<RoleInstance[]> {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      throw errMalformedRoles(typeWord(value), { pos: y.posOf(p), hint: 'e.g. `roles: [common, { role: web, port: 80 }]`' });
    }
    const out: RoleInstance[] = [];
    for (let i = 0; i < value.length; i++) {
      const spec = this.parseRoleEntry(value[i], y, [...p, i], sc.staticVars);
      out.push(await this.loadRoleFrom(spec, { playDir: sc.playDir, searchFirst: [], roleChain: [], staticVars: sc.staticVars, importedRoles: sc.importedRoles }));
    }
    const kept = dedupRoles(out);
    if (sc.ranRoles) noteRolesRun(kept, sc.ranRoles);
    return kept;
  }
}
