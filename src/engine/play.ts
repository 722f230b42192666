// One play: its hosts (pattern, --limit, order), `serial` batches, and for each batch
// the play's vars_files, fact gathering and the strategy that walks the hosts through it.
// What Ansible finds wrong only once the play runs (an unknown strategy, a missing vars
// file, a bad serial) stops the run there with exit 1, as ansible-playbook does.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ansibleBool } from '../boolean.js';
import { errBadSerial, errBadStrategy, errBadVarsFile, errVarsFileNotFound, type SourcePos } from '../errors.js';
import { inSlice, selectPlayHosts } from '../inventory/index.js';
import { parseYamlText } from '../playbook/yaml-file.js';
import { BLOCK_KEYWORDS, PLAY_KEYWORDS, TASK_KEYWORDS } from '../playbook/keywords.js';
import type { Play, Task } from '../playbook/types.js';
import { answersNotify, collectHandlers, forceHandlers, runHandlers } from './handlers.js';
import { PlayWalk } from './play-walk.js';
import type { BatchEnd, RunState } from './run-state.js';
import type { Scope } from './scope.js';
import type { Strategy } from './strategy.js';
import { freeStrategy } from './strategy-free.js';
import { linearStrategy } from './strategy-linear.js';
import { runTaskOnHosts } from './task-hosts.js';
import { promptPlayVars } from './vars-prompt.js';
import { keywordFlag } from './task-common.js';
import type { PlayVarsContext } from './vars.js';

const STRATEGIES: Record<string, Strategy> = { linear: linearStrategy, free: freeStrategy, host_pinned: freeStrategy };

export async function runPlay(rs: RunState, play: Play): Promise<void> {
  if (rs.interrupted) return;
  await promptPlayVars(rs, play);
  const inv = rs.o.inventory;
  // hosts: may name a play var (one vars_prompt just asked, say), as Ansible templates it
  const pattern = rs.renderPlayValue(play.hosts, play.vars ?? {});
  const unsliced = selectPlayHosts(inv, pattern as string | string[], rs.o.limit);
  // --slice: this run's part of the hosts; the others stay in the inventory (groups, hostvars), as with --limit.
  const selected = inSlice(unsliced, rs.o.slice);
  // Hosts that failed or were unreachable in an earlier play sit out the rest of the run.
  let hosts = selected.filter((h) => !rs.hosts.get(h)?.failed && !rs.hosts.get(h)?.unreachable);
  // order: may be a template (the play's vars and extra vars), as Ansible renders it with the play.
  const order = String(rs.renderPlayValue(play.order ?? 'inventory'));
  orderHosts(hosts, order);
  // The play's hosts in every slice, in its order: `report merge` puts the slices' hosts back in it.
  const slicedFrom = rs.o.slice ? { slicedFrom: orderHosts([...unsliced], order) } : {};

  const name = play.name !== undefined ? String(rs.renderPlayValue(play.name, play.vars ?? {})) : String(pattern);
  if (hosts.length === 0) {
    rs.o.sink({ kind: 'play-start', name, hosts, pattern: String(pattern), ...slicedFrom, ...keywordFlag(play.check_mode, 'checkMode') });
    rs.o.sink({ kind: 'no-hosts', pattern: String(pattern) });
    return;
  }
  warnReservedNames(rs, play);
  for (const h of hosts) {
    const s = rs.state(h);
    s.ended = false;
    s.notified.clear();
  }
  // Play vars are their own precedence layer (vars.ts), not block-level scope vars.
  const playScope: Scope = { keywords: { ...play, name: undefined, vars: {} }, ...(rs.o.cliKeywords ? { parent: { keywords: rs.o.cliKeywords } } : {}) };
  // The hosts run (and batch) in the play's order, but Ansible's ansible_play_hosts keeps inventory order.
  const inInventoryOrder = selected.filter((h) => hosts.includes(h));
  const batches = serialBatches(hosts, rs.renderPlayValue(play.serial), play.pos);
  for (const batch of batches) {
    // Ansible starts the play anew for each serial batch: one PLAY banner per batch.
    rs.o.sink({ kind: 'play-start', name, hosts: batch, pattern: String(pattern), ...slicedFrom, ...keywordFlag(play.check_mode, 'checkMode') });
    const ended = await runSerialBatch(rs, play, playScope, { play, playHosts: inInventoryOrder, playHostsAll: selected, batch, publicRoles: [] });
    rs.o.sink({ kind: 'play-end', name });
    if (ended === 'break') rs.stopped = true;
    // Ansible ends the playbook when every host of a batch failed or was unreachable.
    else if (batch.every((h) => rs.state(h).failed || rs.state(h).unreachable)) rs.stopped = true;
    if (ended !== 'continue' || rs.stopped || rs.interrupted) break;
  }
}

/** Puts `hosts` in the play's `order:`, in place; returns them. */
function orderHosts(hosts: string[], order: string): string[] {
  if (order === 'reverse_inventory') hosts.reverse();
  else if (order === 'sorted') hosts.sort();
  else if (order === 'reverse_sorted') hosts.sort().reverse();
  else if (order === 'shuffle') hosts.sort(() => Math.random() - 0.5);
  return hosts;
}

async function runSerialBatch(rs: RunState, play: Play, playScope: Scope, pv: PlayVarsContext): Promise<BatchEnd> {
  const name = String(rs.renderPlayValue(play.strategy ?? 'linear')).replace(/^ansible\.builtin\./, '');
  const strategy = STRATEGIES[name];
  if (!strategy) {
    throw errBadStrategy(name, { pos: play.pos, hint: `rackplay knows the strategies ${Object.keys(STRATEGIES).join(', ')}` });
  }
  await loadVarsFiles(rs, play, pv);
  await gatherFacts(rs, play, playScope, pv, strategy);
  const handlers = collectHandlers(play, playScope);
  rs.answersNotify = (name, host) => answersNotify(rs, handlers, name, host, pv);
  const walk = new PlayWalk(rs, play, playScope, pv.batch);
  const ended = await strategy.run({ rs, play, pv, walk, handlers });
  // --force-handlers: failed hosts still run what they were notified of.
  if (forceHandlers(rs, play)) await runHandlers(rs, handlers, pv.batch.filter((h) => rs.state(h).failed), pv);
  return ended;
}

async function gatherFacts(rs: RunState, play: Play, playScope: Scope, pv: PlayVarsContext, strategy: Strategy): Promise<void> {
  const raw = play.gather_facts === undefined ? rs.o.gathering !== 'explicit' : rs.renderPlayValue(play.gather_facts);
  if (!ansibleBool(raw)) return;
  const targets = rs.o.gathering === 'smart' ? pv.batch.filter((h) => Object.keys(rs.state(h).facts).length === 0) : pv.batch;
  if (!targets.length) return;
  const gather = gatherTask(rs, play, rs.renderPlayValue(play.gather_subset));
  const outcomes = await runTaskOnHosts(rs, gather, targets.map((h) => ({ host: h, scope: playScope })), pv, { perHost: strategy.perHost });
  for (const [h, o] of outcomes) if (o.status === 'failed' && !o.ignored) rs.state(h).failed = true;
}

/** The implicit "Gathering Facts" task: the module that declares it gathers facts. */
function gatherTask(rs: RunState, play: Play, subset: unknown): Task {
  const pos: SourcePos = play.pos;
  const gatherer = rs.o.registry.modules().find((m) => m.traits?.gathersFacts);
  if (!gatherer) throw new Error('no module gathers facts');
  return {
    kind: 'task',
    action: gatherer.name,
    actionAsWritten: gatherer.name,
    name: 'Gathering Facts',
    args: subset === undefined || subset === null ? {} : { gather_subset: subset },
    tags: ['always'],
    vars: {},
    notify: [],
    listen: [],
    pos,
    uid: `gather:${pos.file}:${pos.line}:${pos.col}`,
  };
}

async function loadVarsFiles(rs: RunState, play: Play, pv: PlayVarsContext): Promise<void> {
  for (const h of pv.batch) {
    const s = rs.state(h);
    s.playVarsFiles = {};
    for (const entry of play.vars_files ?? []) {
      const vars = rs.vars.forTask(h, pv, undefined);
      const candidates = (Array.isArray(entry) ? entry : [entry]).map((e) => String(rs.o.templar.render(e, vars)));
      let loaded = false;
      for (const c of candidates) {
        // Ansible's path_dwim_relative_stack: the play dir's vars/ first, then the play dir.
        const tries = path.isAbsolute(c) || c.split('/')[0] === 'vars' ? [path.resolve(play.baseDir, c)] : [path.join(play.baseDir, 'vars', c), path.resolve(play.baseDir, c)];
        let text: string | undefined;
        let full = tries[0];
        for (const t of tries) {
          try {
            text = await readFile(t, 'utf8');
            full = t;
            break;
          } catch {
            /* the next place */
          }
        }
        if (text === undefined) continue;
        const data = parseYamlText(text, full).data ?? {};
        if (typeof data !== 'object' || Array.isArray(data)) throw errBadVarsFile(full, { pos: play.pos });
        Object.assign(s.playVarsFiles, data);
        loaded = true;
        break;
      }
      if (!loaded) throw errVarsFileNotFound(candidates.join(' or '), { pos: play.pos, hint: `paths are relative to ${play.baseDir}` });
    }
  }
}

/** Ansible's `serial`: a number, a percentage, or a list of them (the last repeats). */
export function serialBatches(hosts: string[], serial: unknown, pos?: SourcePos): string[][] {
  if (serial === undefined || serial === null || serial === '' || serial === 0) return [hosts];
  const specs = Array.isArray(serial) ? serial : [serial];
  const sizeOf = (spec: unknown): number => {
    const s = String(spec).trim();
    const n = s.endsWith('%') ? Math.floor((hosts.length * Number(s.slice(0, -1))) / 100) : Number(s);
    if (!Number.isFinite(n)) throw errBadSerial(JSON.stringify(spec), { pos, hint: 'e.g. `serial: 2`, `serial: "25%"` or `serial: [1, 5, "50%"]`' });
    return Math.max(1, n);
  };
  const out: string[][] = [];
  let i = 0;
  let k = 0;
  while (i < hosts.length) {
    const size = sizeOf(specs[Math.min(k, specs.length - 1)]);
    out.push(hosts.slice(i, i + size));
    i += size;
    k++;
  }
  return out;
}

/** Names Ansible keeps for itself: object keywords and the template globals (vars/reserved.py). */
const RESERVED_NAMES = new Set([...PLAY_KEYWORDS, ...BLOCK_KEYWORDS, ...TASK_KEYWORDS, 'with_',
  'range', 'lipsum', 'dict', 'cycler', 'joiner', 'namespace', 'lookup', 'query', 'q', 'now', 'undef']);

/** Ansible's warn_if_reserved, run as the play starts, over the play-level variables. */
function warnReservedNames(rs: RunState, play: Play): void {
  const names = new Set([...Object.keys(play.vars ?? {}), ...Object.keys(rs.o.extraVars ?? {})]);
  names.delete('vars');
  for (const name of names) {
    if (RESERVED_NAMES.has(name)) rs.o.sink({ kind: 'warning', message: `Found variable using reserved name: ${name}` });
  }
}
