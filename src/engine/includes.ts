// include_tasks and include_role: evaluated per host when reached, loaded once per file
// (or role entry point) for all hosts so they go through the included tasks in step.
import path from 'node:path';
import { LoadError } from '../errors.js';
import type { TaskRef } from '../output/events.js';
import { ansibleBool } from '../boolean.js';
import { loadRole, loadTaskFile } from '../playbook/index.js';
import type { DynamicInclude, RoleInstance } from '../playbook/types.js';
import { errorMessage } from './task-common.js';
import { renderedName } from './task-hosts.js';
import type { Outcome, WorkItem } from './host-iterator.js';
import type { RunState } from './run-state.js';
import { expandLoop, loopItemVars, resolveLoopNames } from './loops.js';
import { child, currentRole, inheritedWhen, isRescuable, type Scope } from './scope.js';
import { overlay, type PlayVarsContext } from './vars.js';

export type IncludeItem = Extract<WorkItem, { kind: 'include' }>;

export async function runInclude(rs: RunState, items: { host: string; item: IncludeItem }[], pv: PlayVarsContext, name?: string): Promise<Map<string, Outcome>> {
  const out = new Map<string, Outcome>();
  const first = items[0].item.include;
  const written = first.actionAsWritten ?? first.action;
  const ref: TaskRef = {
    // Ansible names an unnamed include_role after its role: `include_role : web`
    name: first.action === 'include_role' ? first.name ?? `${written} : ${String(first.args.name)}` : first.role ? `${first.role.name} : ${name ?? first.name ?? written}` : name ?? first.name ?? written,
    action: first.action,
    uid: first.uid,
    path: `${first.pos.file}:${first.pos.line}`,
    role: first.role?.name,
    ...(first.handler ? { handler: true } : {}),
  };
  if (name === undefined && first.name !== undefined && rs.o.templar.isTemplated(first.name)) {
    const { host, item } = items[0];
    ref.name = renderedName(rs, ref.name, first.name, () => rs.vars.forTask(host, pv, child(item.scope, first)));
  }
  rs.o.sink({ kind: first.handler ? 'handler-start' : 'task-start', task: ref });
  const byFile = new Map<string, string[]>();
  // A looped include's line names its item (or loop_control.label), as Ansible's callback does.
  const itemLabels = new Map<string, unknown>();
  for (const { host, item } of items) {
    const inc = item.include;
    const scope = item.scope;
    const vars = rs.vars.forTask(host, pv, child(scope, inc));
    const st = rs.stat(host);
    try {
      // A looped include is one include per item, each with the item's loop variables
      // (and its own `when`), run one after the other, as Ansible's IncludedFile list.
      const loopItems = inc.loop ? await expandLoop(inc.loop, rs.o.templar, vars, () => [], inc.action) : [undefined];
      const loop = inc.loop && resolveLoopNames(inc.loop, rs.o.templar, vars);
      const pieces: Included[] = [];
      for (let k = 0; k < loopItems.length; k++) {
        const extra = loop ? loopItemVars(loopItems, k, loop) : {};
        const piece = await includeOne(rs, host, item, pv, extra);
        if (!piece) continue;
        pieces.push(piece);
        if (piece.file) {
          const key = inc.loop ? `${piece.file}\0${k}` : piece.file;
          addTo(byFile, key, host);
          if (inc.loop && !itemLabels.has(key)) itemLabels.set(key, inc.loop.label !== undefined ? rs.o.templar.render(inc.loop.label, overlay(vars, extra)) : loopItems[k]);
        }
      }
      if (pieces.length === 0) {
        st.skipped++;
        rs.o.sink({ kind: 'host-result', task: ref, host, status: 'skipped', result: { changed: false, skipped: true, skip_reason: 'Conditional result was False' } });
        out.set(host, {});
        continue;
      }
      out.set(host, inc.loop ? { includedEach: pieces } : { included: pieces[0] });
      // Ansible counts a host's successful include_tasks as ok, once per item of a loop
      // (include_role is not a result of its own).
      if (inc.action === 'include_tasks') st.ok += pieces.length;
    } catch (e) {
      if (e instanceof LoadError && FATAL_IN_INCLUDE.has(e.code)) throw e;
      rs.state(host).failed = true;
      if (!isRescuable(scope)) rs.countFailure(host);
      rs.o.sink({ kind: 'host-result', task: ref, host, status: 'failed', result: { failed: true, msg: errorMessage(e) } });
      out.set(host, { failed: true });
    }
  }
  for (const [key, hosts] of byFile) {
    rs.o.sink({ kind: 'include', host: hosts.join(', '), file: key.split('\0')[0], task: ref, ...(itemLabels.has(key) ? { item: itemLabels.get(key) } : {}) });
  }
  return out;
}

/**
 * What Ansible raises as a parser error while loading an included file ends the run (its
 * strategy re-raises AnsibleParserError); a file it cannot find or read fails the hosts.
 */
const FATAL_IN_INCLUDE = new Set<string>(['YAML_SYNTAX', 'YAML_MULTI_DOCUMENT', 'BAD_BLOCK', 'BAD_TASK', 'INVALID_KEYWORD', 'CONFLICTING_ACTIONS', 'NO_ACTION', 'BAD_ACTION', 'UNKNOWN_MODULE', 'NOT_SUPPORTED']);

type Included = NonNullable<Outcome['included']> & { file?: string };

/** One include (or one item of a looped include) on a host; undefined when its `when` is false. */
async function includeOne(rs: RunState, host: string, item: IncludeItem, pv: PlayVarsContext, extra: Record<string, unknown>): Promise<Included | undefined> {
  const inc = item.include;
  const scope = item.scope;
  const vars = rs.vars.forTask(host, pv, child(scope, inc), extra);
  const conds = inheritedWhen(child(scope, { when: inc.when }));
  if (!conds.every((c) => rs.o.templar.evaluateCondition(c, vars))) return undefined;
  const args = rs.o.templar.render(inc.args, vars) as Record<string, unknown>;
  const apply = (args.apply ?? {}) as Record<string, unknown>;
  const incVars = (rs.o.templar.render(inc.vars ?? {}, vars) ?? {}) as Record<string, unknown>;
  // The loop variables stay visible to the included tasks, as task vars of the include.
  const applyKeywords = { ...apply, tags: toList(apply.tags), when: apply.when === undefined ? undefined : toList(apply.when), vars: { ...incVars, ...extra } } as Scope['keywords'];
  if (apply.notify !== undefined) (applyKeywords as { notify?: string[] }).notify = toList(apply.notify);
  // Ansible applies an include's vars (and loop var) again as include params, above set_fact;
  // 2.14's include: only its vars:, not its k=v words.
  const paramVars = inc.includeParamVars ? (rs.o.templar.render(inc.includeParamVars, vars) as Record<string, unknown>) : incVars;
  const includeParams = { ...extra, ...paramVars };
  if (inc.action === 'include_role') {
    const role = await includedRole(rs, inc, args);
    if (args.public !== undefined && ansibleBool(args.public)) makePublic(pv, role, incVars);
    const parentRole = currentRole(scope);
    return { nodes: [], role: { ...role, params: { ...extra, ...incVars } }, scope: child(scope, applyKeywords, { includeParams, ...(parentRole ? { parentRole } : {}) }) };
  }
  const file = String(args.file ?? args._raw_params ?? '');
  const full = path.isAbsolute(file) ? file : path.resolve(inc.baseDir, file);
  const key = `${full}\0${inc.role?.path ?? ''}${inc.handler ? '\0handlers' : ''}`;
  const nodes = rs.includeCache.get(key) ?? loadTaskFile(full, { ...rs.o.loadOptions, role: inc.role, pos: inc.pos, handlers: !!inc.handler });
  rs.includeCache.set(key, nodes);
  return { nodes: await nodes, scope: child(scope, applyKeywords, { includeParams }), file: full };
}

/**
 * include_role with `public: true`: Ansible appends the role, the include's vars as its vars,
 * to the play's roles once per distinct include, so later tasks see its defaults and vars.
 */
function makePublic(pv: PlayVarsContext, role: RoleInstance, incVars: Record<string, unknown>): void {
  if (!pv.publicRoles) return;
  const same = pv.publicRoles.find((r) => r.path === role.path && r.tasks === role.tasks && JSON.stringify(r.keywords.vars) === JSON.stringify(incVars));
  if (!same) pv.publicRoles.push({ ...role, keywords: { ...role.keywords, vars: { ...incVars } } });
}

/** One load per role and entry point, shared by all hosts; each host gets its own params. */
function includedRole(rs: RunState, inc: DynamicInclude, args: Record<string, unknown>): Promise<RoleInstance> {
  const name = String(args.name ?? args.role ?? '');
  const from = { tasksFrom: args.tasks_from, varsFrom: args.vars_from, defaultsFrom: args.defaults_from, handlersFrom: args.handlers_from } as Record<string, string | undefined>;
  const validate = args.rolespec_validate === undefined ? {} : { rolespecValidate: ansibleBool(args.rolespec_validate) };
  const key = `role\0${inc.baseDir}\0${name}\0${JSON.stringify({ ...from, ...validate })}`;
  const loaded = rs.roleCache.get(key) ?? loadRole(name, { ...rs.o.loadOptions, baseDir: inc.baseDir, ...from, ...validate, pos: inc.pos });
  rs.roleCache.set(key, loaded);
  return loaded;
}

function addTo(map: Map<string, string[]>, key: string, host: string): void {
  const list = map.get(key) ?? [];
  list.push(host);
  map.set(key, list);
}

function toList(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.map(String);
  return String(v).split(',').map((s) => s.trim()).filter(Boolean);
}
