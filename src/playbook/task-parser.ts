// Task lists: blocks, tasks, finding a task's module among its keys (action,
// local_action, free-form) and building and checking its arguments.
import { ansibleModuleFqcn } from './ansible-modules.js';
import {
  errActionEmpty,
  errActionNeedsModule,
  errActionParamType,
  errActionType,
  errComplexArgs,
  errConflictingActions,
  errConflictingKeywords,
  errEmptyTask,
  errExtraParams,
  errInvalidKeyword,
  errMalformedBlock,
  errMalformedTask,
  errNoAction,
  errUnknownModule,
  errUnsupportedModule,
  LoadError,
  errBlockAsHandler,
  formatPos,
} from '../errors.js';
import { suggest } from './suggest.js';
import type { ModuleDef } from '../modules/types.js';
import { BLOCK_KEYWORDS, HANDLER_KEYWORDS, IMPORT_INCLUDE_ACTIONS, TASK_KEYWORDS } from './keywords.js';
import { CHECK_RAW_MODULES, RAW_PARAM_ACTIONS, parseKv, splitArgs } from './split-args.js';
import type { Block, Task, TaskNode } from './types.js';
import { isTemplated, validateArgsAt, type ArgPositions } from './validate-args.js';
import { type DocPath, type YamlFile } from './yaml-file.js';
import { type ParseScope, type Dict, isDict, typeWord, nextUid } from './loader-base.js';
import { parseCommon, normWhen, normStrList, parseRegister, parseLoop } from './keyword-values.js';
import { IncludeParser } from './include-parser.js';

export abstract class TaskParser extends IncludeParser {
  async parseTaskList(value: unknown, p: DocPath, sc: ParseScope): Promise<TaskNode[]> {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      const last = p[p.length - 1];
      const section = typeof last === 'string' && SECTIONS.has(last) ? last : 'tasks';
      throw errMalformedBlock(section, pyScalarRepr(value), pyTypeName(value), {
        pos: sc.y.posOf(p),
        hint: `expected a list of tasks, got ${typeWord(value)}: start each task with \`- \``,
      });
    }
    const out: TaskNode[] = [];
    for (let i = 0; i < value.length; i++) out.push(await this.parseTaskEntry(value[i], [...p, i], sc));
    return out;
  }

  protected async parseTaskEntry(ds: unknown, p: DocPath, sc: ParseScope): Promise<TaskNode> {
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

  protected async parseBlock(ds: Dict, p: DocPath, sc: ParseScope): Promise<Block> {
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
    // Ansible takes a block at the top of a handlers list as the implicit block of its
    // handlers; any deeper one (or in an imported file) would be a block run as a handler.
    // The message stands alone on the ERROR! line, as Ansible's (scripts grep it).
    if (sc.handlers && sc.handlerNested) throw errBlockAsHandler({ hint: `at ${formatPos(y.posOf(p))}: put its tasks in the handlers list, or notify several handlers` });
    const common = parseCommon(ds, y, p, 'Block');
    const inner: ParseScope = { ...sc, handlerNested: sc.handlers, moduleDefaults: sc.moduleDefaults || ds.module_defaults !== undefined };
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

  protected async parseTask(ds: Dict, p: DocPath, sc: ParseScope): Promise<TaskNode> {
    const y = sc.y;
    const reg = this.opts.registry;
    const allowed = sc.handlers ? HANDLER_KEYWORDS : TASK_KEYWORDS;
    const candidates: string[] = [];
    const unknown: string[] = [];
    // modules Ansible has and rackplay lacks: parsed as a task, failing if it runs
    const unsupported = new Set<string>();
    for (const k of Object.keys(ds)) {
      if (k === 'action' || k === 'local_action') {
        candidates.push(k);
        continue;
      }
      if (allowed.has(k) || k.startsWith('with_')) continue;
      if (k in IMPORT_INCLUDE_ACTIONS || this.knowsModule(k, sc)) candidates.push(k);
      else if (ansibleModuleFqcn(k)) {
        candidates.push(k);
        unsupported.add(k);
      } else unknown.push(k);
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
    let writtenAs: string | undefined;
    let dynamic = false;
    if (actionKey === 'action' || actionKey === 'local_action') {
      delegateLocal = actionKey === 'local_action';
      const v = ds[actionKey];
      const apos = y.posOf(thingPath);
      if (typeof v === 'string') {
        // the first word, kept whole when it is a template (`action: "{{ packager }} name=git"`)
        const first = v.trim() === '' ? undefined : splitArgs(v, apos)[0];
        if (!first) throw errActionEmpty(actionKey, { pos: apos, hint: `e.g. \`${actionKey}: command uptime\`` });
        // Ansible strips the module word: `action: set_fact    a=b` names set_fact
        actionName = first.trim();
        thing = v.slice(v.indexOf(first) + first.length).replace(/^\s+/, '');
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
      if (isTemplated(actionName)) {
        // resolved with the play's vars and extra vars; the task keeps the template as its name
        writtenAs = actionName;
        try {
          actionName = this.staticName(actionName, `${actionKey} module`, apos, 'a module name built from host variables cannot be resolved before the run', sc.staticVars);
        } catch (e) {
          // a module named by host variables (`{{ ansible_pkg_mgr }}`): each host resolves it when the task runs
          if (!(e instanceof LoadError && e.code === 'UNRESOLVABLE_TEMPLATE')) throw e;
          dynamic = true;
        }
      }
      if (!dynamic && !(actionName in IMPORT_INCLUDE_ACTIONS) && !this.knowsModule(actionName, sc) && ansibleModuleFqcn(actionName)) {
        unsupported.add(actionName);
      } else if (!dynamic && !(actionName in IMPORT_INCLUDE_ACTIONS) && !this.knowsModule(actionName, sc)) {
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
    if (unsupported.has(actionName)) {
      this.deferred(errUnsupportedModule(actionName, ansibleModuleFqcn(actionName)!, {
        pos: actionKey === 'action' || actionKey === 'local_action' ? y.posOf(thingPath) : y.keyPosOf(thingPath),
        hint: 'docs/modules.md lists the modules rackplay has; run this task with ansible-playbook, or skip it on these hosts with `when:`',
      }));
      dynamic = true;
    }

    const inc = IMPORT_INCLUDE_ACTIONS[actionName];
    if (inc) return this.parseImportInclude(inc, actionKey, thing, ds, p, sc);

    const common = parseCommon(ds, y, p, sc.handlers ? 'Handler' : 'Task');
    const loop = parseLoop(ds, y, p, this.loopVarRenderer(sc));
    if (dynamic) return this.finishTask(ds, y, p, sc, common, loop, { action: actionName, actionAsWritten: actionName, args: isDict(ds.args) ? { ...ds.args } : {}, dynamicAction: { raw: thing } }, delegateLocal);
    const def = reg.get(actionName)!;
    const { args, positions, variable } = this.buildArgs(def, actionName, thing, ds, y, p, thingPath);
    if (!variable) {
      try {
        validateArgsAt(def, args, positions, { rendered: false, skipRequired: sc.moduleDefaults || ds.module_defaults !== undefined });
      } catch (e) {
        // Ansible checks a module's arguments when the task runs: the engine validates the
        // rendered arguments again then, and fails the task with the same message.
        this.deferred(e);
      }
    }
    return this.finishTask(ds, y, p, sc, common, loop, { action: def.name, actionAsWritten: writtenAs ?? actionName, args }, delegateLocal);
  }

  /** The task's keywords common to every action: notify, register, conditions, retries. */
  private finishTask(
    ds: Dict,
    y: YamlFile,
    p: DocPath,
    sc: ParseScope,
    common: ReturnType<typeof parseCommon>,
    loop: ReturnType<typeof parseLoop>,
    what: Pick<Task, 'action' | 'actionAsWritten' | 'args' | 'dynamicAction'>,
    delegateLocal: boolean,
  ): Task {
    const pos = y.posOf(p);
    const task: Task = {
      ...common,
      kind: 'task',
      ...what,
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
  protected buildArgs(def: ModuleDef, actionName: string, thing: unknown, ds: Dict, y: YamlFile, p: DocPath, thingPath: DocPath) {
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
      } else if (isTemplated(raw)) {
        // Ansible allows the whole argument mapping to come from a variable (`add_host: "{{ h }}"`);
        // text that does not render to a mapping fails the task when it runs ("invalid or malformed argument")
        args._variable_params = raw;
        variable = true;
      } else if (RAW_PARAM_ACTIONS.has(def.name)) {
        // Ansible's loader lets these actions take free-form text; the action itself refuses it when it runs
        args._raw_params = raw;
      } else {
        const freeForm = [...this.opts.registry.modules().filter((m) => m.freeForm).map((m) => m.name), ...[...RAW_PARAM_ACTIONS].filter((n) => this.opts.registry.has(n))].sort();
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
}

const SECTIONS = new Set(['tasks', 'pre_tasks', 'post_tasks', 'handlers', 'block', 'rescue', 'always']);

/** Python's type name of a YAML value, for Ansible's "... but is <class 'int'>". */
function pyTypeName(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'str';
  return isDict(v) ? 'dict' : typeof v;
}

/** Python's repr of a scalar (a mapping shows as JSON, near enough for a message). */
function pyScalarRepr(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return String(v);
  return JSON.stringify(v);
}
