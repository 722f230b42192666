// Plays, then tasks, then hosts. Hosts advance in lockstep through the play (Ansible's
// linear strategy); each task runs on its hosts in parallel, up to `forks`.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pLimit, { type LimitFunction } from 'p-limit';
import { EXIT, UserError, type SourcePos } from '../errors.js';
import type { Inventory } from '../inventory/index.js';
import type { ModuleResult } from '../modules/types.js';
import type { ModuleRegistry } from '../modules/registry.js';
import { emptyStats, type EventSink, type HostStats, type TaskRef } from '../output/events.js';
import { loadRole, loadTaskFile, type LoadOptions } from '../playbook/index.js';
import { parseYamlText } from '../playbook/yaml-file.js';
import type { DynamicInclude, Play, Playbook, RoleInstance, Task, TaskNode } from '../playbook/types.js';
import type { Templar } from '../template/index.js';
import type { ExecResult, Transport } from '../transport/types.js';
import { errorMessage, runTask, speculateProbe, taskRef, type ExecEnv, type TaskOutcome } from './execute.js';
import { probeKey, runBatch, type ProbeRequest } from './probe-batch.js';
import { newHostState, type HostState } from './host-state.js';
import { HostFailure, walkPlay, type Outcome, type WorkItem } from './host-iterator.js';
import { child, inherited, inheritedTags, inheritedWhen, isRescuable, type Scope } from './scope.js';
import { VarsBuilder, type PlayVarsContext } from './vars.js';

export interface RunOptions {
  playbooks: Playbook[];
  inventory: Inventory;
  inventorySources: string[];
  registry: ModuleRegistry;
  templar: Templar;
  loadOptions: LoadOptions;
  limit?: string[];
  tags: string[];
  skipTags: string[];
  check: boolean;
  diff: boolean;
  extraVars: Record<string, unknown>;
  forks: number;
  verbosity: number;
  startAtTask?: string;
  forceHandlers: boolean;
  /** ansible.cfg `gathering`: implicit (default: gather unless gather_facts: false), explicit, smart */
  gathering: 'implicit' | 'explicit' | 'smart';
  becomePassword?: string;
  sink: EventSink;
  openTransport(host: string, vars: Record<string, unknown>): Promise<Transport>;
  addSecret(secret: string): void;
  /**
   * Aborted on Ctrl-C: no task starts after it; running ones get `interruptGraceMs`
   * (5 s by default) to finish, then their connections are closed, which kills them.
   */
  interrupt?: AbortSignal;
  interruptGraceMs?: number;
}

export interface RunSummary {
  stats: Record<string, HostStats>;
  exitCode: number;
  transports: Map<string, Transport>;
}

const TRUE_STRINGS = ['yes', 'on', 'true', '1', 'y', 't'];
const truthy = (v: unknown) => (typeof v === 'string' ? TRUE_STRINGS.includes(v.toLowerCase()) : !!v);

export async function runPlaybooks(opts: RunOptions): Promise<RunSummary> {
  const runner = new Runner(opts);
  const started = Date.now();
  try {
    plays: for (const pb of opts.playbooks) {
      for (const play of pb.plays) {
        await runner.runPlay(play);
        // Ansible's break_play: no later play runs either.
        if (runner.stopped || runner.interrupted) break plays;
      }
    }
  } finally {
    runner.endInterruptWatch();
    await runner.closeAll();
  }
  opts.sink({ kind: 'recap', stats: Object.fromEntries(runner.stats), durationMs: Date.now() - started });
  return { stats: Object.fromEntries(runner.stats), exitCode: runner.exitCode(), transports: runner.openTransports };
}

class Runner {
  readonly stats = new Map<string, HostStats>();
  readonly hosts = new Map<string, HostState>();
  readonly openTransports = new Map<string, Transport>();
  private readonly vars: VarsBuilder;
  private playBroken = false;
  /** Set when a play broke off (any_errors_fatal, max_fail_percentage, a batch with no host left). */
  stopped = false;
  private startAtReached: boolean;
  private includeCache = new Map<string, Promise<TaskNode[]>>();
  private roleCache = new Map<string, Promise<RoleInstance>>();
  private graceTimer?: NodeJS.Timeout;
  /** Set when the grace period after Ctrl-C ran out and running tasks were killed. */
  private killedRunning = false;
  private readonly onInterrupt = () => {
    // Closing a transport with commands on it kills them and removes unfinished uploads.
    this.graceTimer = setTimeout(() => {
      this.killedRunning = true;
      void this.closeAll();
    }, this.o.interruptGraceMs ?? 5000);
  };

  constructor(private readonly o: RunOptions) {
    if (o.interrupt?.aborted) this.onInterrupt();
    else o.interrupt?.addEventListener('abort', this.onInterrupt, { once: true });
    this.vars = new VarsBuilder({
      inventory: o.inventory,
      templar: o.templar,
      extraVars: o.extraVars,
      hosts: this.hosts,
      check: o.check,
      diff: o.diff,
      verbosity: o.verbosity,
      runTags: o.tags,
      skipTags: o.skipTags,
      inventorySources: o.inventorySources,
    });
    this.startAtReached = !o.startAtTask;
  }

  /** Ctrl-C was pressed: start nothing new. */
  get interrupted(): boolean {
    return !!this.o.interrupt?.aborted;
  }

  endInterruptWatch(): void {
    this.o.interrupt?.removeEventListener('abort', this.onInterrupt);
    if (this.graceTimer) clearTimeout(this.graceTimer);
  }

  exitCode(): number {
    if (this.interrupted) return EXIT.interrupted;
    const all = [...this.stats.values()];
    if (all.some((s) => s.unreachable > 0)) return 4;
    if (all.some((s) => s.failed > 0) || this.playBroken) return 2;
    return 0;
  }

  private state(host: string): HostState {
    let s = this.hosts.get(host);
    if (!s) this.hosts.set(host, (s = newHostState(host)));
    return s;
  }

  private stat(host: string): HostStats {
    let s = this.stats.get(host);
    if (!s) this.stats.set(host, (s = emptyStats()));
    return s;
  }

  async closeAll(): Promise<void> {
    // A task may fail on the controller while its host is still connecting: wait for those
    // connections too, or they would stay open after the run.
    await Promise.allSettled([...this.hosts.values()].map((s) => s.transport));
    await Promise.allSettled([...this.openTransports.values()].map((t) => t.close()));
  }

  async runPlay(play: Play): Promise<void> {
    if (this.interrupted) return;
    const inv = this.o.inventory;
    const pattern = this.o.templar.render(play.hosts, this.o.extraVars);
    let hosts = inv.select(pattern as string | string[]);
    if (this.o.limit?.length) {
      const allowed = new Set(inv.select(this.o.limit));
      hosts = hosts.filter((h) => allowed.has(h));
    }
    // Hosts that failed or were unreachable in an earlier play sit out the rest of the run.
    hosts = hosts.filter((h) => !this.hosts.get(h)?.failed && !this.hosts.get(h)?.unreachable);
    const order = String(play.order ?? 'inventory');
    if (order === 'reverse_inventory') hosts.reverse();
    else if (order === 'sorted') hosts.sort();
    else if (order === 'reverse_sorted') hosts.sort().reverse();
    else if (order === 'shuffle') hosts.sort(() => Math.random() - 0.5);

    const name = play.name !== undefined ? String(this.o.templar.render(play.name, this.o.extraVars)) : String(pattern);
    if (hosts.length === 0) {
      this.o.sink({ kind: 'play-start', name, hosts, pattern: String(pattern) });
      this.o.sink({ kind: 'no-hosts', pattern: String(pattern) });
      return;
    }
    for (const h of hosts) {
      const s = this.state(h);
      s.ended = false;
      s.notified.clear();
      this.stat(h);
    }
    // Play vars are their own precedence layer (vars.ts), not block-level scope vars.
    const playScope: Scope = { keywords: { ...play, name: undefined, vars: {} } };
    const batches = serialBatches(hosts, this.o.templar.render(play.serial, this.o.extraVars), play.pos);
    for (const batch of batches) {
      // Ansible starts the play anew for each serial batch: one PLAY banner per batch.
      this.o.sink({ kind: 'play-start', name, hosts: batch, pattern: String(pattern) });
      const pv: PlayVarsContext = { play, playHosts: hosts, batch };
      const ended = await this.runBatch(play, playScope, pv);
      this.o.sink({ kind: 'play-end', name });
      if (ended === 'break') this.stopped = true;
      // Ansible ends the playbook when every host of a batch failed or was unreachable.
      else if (batch.every((h) => this.state(h).failed || this.state(h).unreachable)) this.stopped = true;
      if (ended !== 'continue' || this.stopped || this.interrupted) break;
    }
  }

  /**
   * 'end-play': meta end_play, no further batches; 'break': any_errors_fatal or
   * max_fail_percentage, no further batches nor plays.
   */
  private async runBatch(play: Play, playScope: Scope, pv: PlayVarsContext): Promise<'continue' | 'end-play' | 'break'> {
    const batch = pv.batch;
    let playEnded = false;
    const strategy = String(this.o.templar.render(play.strategy ?? 'linear', this.o.extraVars)).replace(/^ansible\.builtin\./, '');
    if (!STRATEGIES.includes(strategy)) {
      throw new UserError(`Invalid play strategy specified: ${strategy}`, { pos: play.pos, hint: `rackplay knows the strategies ${STRATEGIES.join(', ')}` });
    }
    await this.loadVarsFiles(play, pv);
    const gatherRaw = play.gather_facts === undefined ? this.o.gathering !== 'explicit' : this.o.templar.render(play.gather_facts, this.o.extraVars);
    if (truthy(gatherRaw)) {
      const targets = this.o.gathering === 'smart' ? batch.filter((h) => Object.keys(this.state(h).facts).length === 0) : batch;
      if (targets.length) {
        const gather = gatherTask(play, this.o.templar.render(play.gather_subset, this.o.extraVars));
        const outcomes = await this.runTaskOnHosts(gather, targets.map((h) => ({ host: h, scope: playScope })), pv, false);
        for (const [h, o] of outcomes) if (o.status === 'failed' && !o.ignored) this.state(h).failed = true;
      }
    }

    const handlers = collectHandlers(play, playScope);
    const gens = new Map<string, ReturnType<typeof walkPlay>>();
    const pending = new Map<string, WorkItem>();
    const selected = (tags: string[]) => tagSelected(tags, this.o.tags, this.o.skipTags);
    const started = (task: Task) => {
      if (!this.startAtReached && (task.name === this.o.startAtTask || taskRef(task, undefined).name === this.o.startAtTask)) this.startAtReached = true;
      return this.startAtReached;
    };
    const advance = (host: string, outcome: Outcome | undefined) => {
      const gen = gens.get(host)!;
      try {
        let r = gen.next(outcome);
        while (!r.done && r.value.kind === 'rescued') {
          this.stat(host).rescued++;
          this.state(host).failed = false;
          r = gen.next(undefined);
        }
        if (r.done) pending.delete(host);
        else pending.set(host, r.value);
      } catch (e) {
        pending.delete(host);
        if (!(e instanceof HostFailure)) throw e;
      }
    };
    for (const h of batch) {
      const s = this.state(h);
      if (s.failed || s.unreachable) continue;
      gens.set(h, walkPlay(play, playScope, { selected, started, rolesRun: new Set() }));
      advance(h, undefined);
    }
    if (strategy === 'free' || strategy === 'host_pinned') {
      const ended = await this.driveFree(play, pv, handlers, gens, pending, advance);
      if (this.o.forceHandlers) await this.runHandlers(handlers, batch.filter((h) => this.state(h).failed), pv);
      return ended ? 'end-play' : 'continue';
    }

    while (pending.size > 0 && !this.interrupted) {
      for (const h of [...pending.keys()]) {
        const s = this.state(h);
        if (s.ended || s.unreachable || (s.failed && !this.o.forceHandlers)) {
          // A failed host still runs what its generator yields (rescue/always); only
          // unreachable and ended hosts stop here.
          if (s.ended || s.unreachable) {
            gens.get(h)!.return(undefined);
            pending.delete(h);
          }
        }
      }
      const first = batch.find((h) => pending.has(h));
      if (!first) break;
      const item = pending.get(first)!;
      const key = itemKey(item);
      const group = batch.filter((h) => pending.has(h) && itemKey(pending.get(h)!) === key);

      if (item.kind === 'flush') {
        await this.runHandlers(handlers, group, pv);
        for (const h of group) advance(h, undefined);
        continue;
      }
      if (item.kind === 'include') {
        const outcomes = await this.runInclude(group.map((h) => ({ host: h, item: pending.get(h) as Extract<WorkItem, { kind: 'include' }> })), pv);
        for (const h of group) advance(h, outcomes.get(h));
        continue;
      }
      if (item.kind !== 'task') continue;
      const task = item.task;
      if (task.action === 'meta') {
        const r = await this.runMeta(task, group.map((h) => ({ host: h, scope: (pending.get(h) as { scope: Scope }).scope })), pv, handlers);
        if (r === 'end_play') playEnded = true;
        for (const h of group) advance(h, {});
        continue;
      }
      const scopes = new Map(group.map((h) => [h, (pending.get(h) as { scope: Scope }).scope]));
      const lookahead = new Map(group.map((h) => [h, pending.get(h) as Extract<WorkItem, { kind: 'task' }>]));
      const outcomes = await this.runTaskOnHosts(task, group.map((h) => ({ host: h, scope: scopes.get(h)! })), pv, false, lookahead);
      let anyFatal = false;
      for (const h of group) {
        const o = outcomes.get(h)!;
        const failed = (o.status === 'failed' || o.status === 'unreachable') && !o.ignored;
        advance(h, { failed });
        // Ansible checks after the host moved on: a failure that a rescue caught is not fatal.
        const s = this.state(h);
        if (failed && (s.failed || s.unreachable) && this.fatalOnError(task, scopes.get(h)!, h, pv)) anyFatal = true;
      }
      const maxFail = play.max_fail_percentage;
      const failedCount = batch.filter((h) => this.state(h).failed || this.state(h).unreachable).length;
      if (anyFatal || (maxFail !== undefined && (failedCount / batch.length) * 100 > Number(maxFail))) {
        this.playBroken = true;
        for (const h of batch) {
          this.state(h).ended = true;
        }
        playEnded = true;
        for (const h of [...pending.keys()]) {
          gens.get(h)!.return(undefined);
          pending.delete(h);
        }
      }
    }
    if (this.o.forceHandlers) await this.runHandlers(handlers, batch.filter((h) => this.state(h).failed), pv);
    return this.playBroken && playEnded ? 'break' : playEnded ? 'end-play' : 'continue';
  }

  /** any_errors_fatal (inherited from block and play), or run_once, unless ignore_errors. */
  private fatalOnError(task: Task, scope: Scope, host: string, pv: PlayVarsContext): boolean {
    const taskScope = child(scope, task);
    const vars = this.vars.forTask(host, pv, taskScope);
    const flag = (key: 'any_errors_fatal' | 'run_once' | 'ignore_errors') => truthy(this.o.templar.render(inherited(taskScope, key), vars));
    return (flag('any_errors_fatal') || flag('run_once')) && !flag('ignore_errors');
  }

  /**
   * Ansible's `free` strategy: each host walks the play on its own, as fast as it can,
   * up to `forks` hosts running a task at once. Handlers run per host at its flush points.
   * Returns true when meta end_play ended the play.
   */
  private async driveFree(
    play: Play,
    pv: PlayVarsContext,
    handlers: HandlerEntry[],
    gens: Map<string, ReturnType<typeof walkPlay>>,
    pending: Map<string, WorkItem>,
    advance: (host: string, outcome: Outcome | undefined) => void,
  ): Promise<boolean> {
    const slots = pLimit(Math.max(1, this.o.forks));
    const throttles = new Map<string, LimitFunction>();
    let playEnded = false;
    if (play.max_fail_percentage !== undefined) {
      this.o.sink({ kind: 'warning', message: 'Using max_fail_percentage with the free strategy is not supported, as tasks are executed independently on each host' });
    }
    const drive = async (h: string) => {
      while (pending.has(h) && !this.interrupted) {
        const s = this.state(h);
        if (s.ended || s.unreachable) {
          gens.get(h)!.return(undefined);
          pending.delete(h);
          break;
        }
        const item = pending.get(h)!;
        if (item.kind === 'flush') {
          await this.runHandlers(handlers, [h], pv);
          advance(h, undefined);
          continue;
        }
        if (item.kind === 'include') {
          const outcomes = await this.runInclude([{ host: h, item }], pv);
          advance(h, outcomes.get(h));
          continue;
        }
        if (item.kind !== 'task') {
          advance(h, undefined);
          continue;
        }
        const { task, scope } = item;
        const target = [{ host: h, scope }];
        if (task.action === 'meta') {
          if ((await this.runMeta(task, target, pv, handlers)) === 'end_play') {
            playEnded = true;
            for (const other of pv.batch) this.state(other).ended = true;
          }
          advance(h, {});
          continue;
        }
        const vars = this.vars.forTask(h, pv, child(scope, task));
        if (truthy(this.o.templar.render(inherited(child(scope, task), 'any_errors_fatal'), vars))) {
          this.o.sink({ kind: 'warning', message: 'Using any_errors_fatal with the free strategy is not supported, as tasks are executed independently on each host' });
        }
        const throttle = throttleOf(task, scope, (v) => this.o.templar.render(v, vars));
        let gate: LimitFunction | undefined;
        if (throttle > 0) {
          gate = throttles.get(task.uid);
          if (!gate) throttles.set(task.uid, (gate = pLimit(throttle)));
        }
        const runOne = () => slots(() => this.runTaskOnHosts(task, target, pv, false));
        const outcomes = await (gate ? gate(runOne) : runOne());
        const o = outcomes.get(h)!;
        advance(h, { failed: (o.status === 'failed' || o.status === 'unreachable') && !o.ignored });
      }
    };
    await Promise.all(pv.batch.filter((h) => pending.has(h)).map(drive));
    return playEnded;
  }

  private async loadVarsFiles(play: Play, pv: PlayVarsContext): Promise<void> {
    for (const h of pv.batch) {
      const s = this.state(h);
      s.playVarsFiles = {};
      for (const entry of play.vars_files ?? []) {
        const vars = this.vars.forTask(h, pv, undefined);
        const candidates = (Array.isArray(entry) ? entry : [entry]).map((e) => String(this.o.templar.render(e, vars)));
        let loaded = false;
        for (const c of candidates) {
          const full = path.resolve(play.baseDir, c);
          let text: string;
          try {
            text = await readFile(full, 'utf8');
          } catch {
            continue;
          }
          const data = parseYamlText(text, full).data ?? {};
          if (typeof data !== 'object' || Array.isArray(data)) throw new UserError(`vars file ${full} must contain a dictionary of variables`, { pos: play.pos });
          Object.assign(s.playVarsFiles, data);
          loaded = true;
          break;
        }
        if (!loaded) throw new UserError(`vars file ${candidates.join(' or ')} was not found`, { pos: play.pos, hint: `paths are relative to ${play.baseDir}` });
      }
    }
  }

  private execEnv(pv: PlayVarsContext, task: TaskRef, lookahead?: (host: string) => Extract<WorkItem, { kind: 'task' }> | undefined): ExecEnv {
    const env: ExecEnv = {
      registry: this.o.registry,
      templar: this.o.templar,
      check: this.o.check,
      diff: this.o.diff,
      becomePassword: this.o.becomePassword,
      playbookDir: pv.play.baseDir,
      transportFor: (host) => this.transportFor(host, pv),
      progress: (host, message) => this.o.sink({ kind: 'host-progress', task, host, message }),
      retry: (host, retriesLeft) => this.o.sink({ kind: 'retry', task, host, retriesLeft }),
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      reconnect: async (host, timeoutMs) => {
        const s = this.state(host);
        const old = this.openTransports.get(host);
        this.openTransports.delete(host);
        s.transport = undefined;
        await old?.close().catch(() => undefined);
        const deadline = Date.now() + (timeoutMs ?? 600_000);
        for (;;) {
          try {
            await this.transportFor(host, pv);
            return;
          } catch (e) {
            s.transport = undefined;
            if (Date.now() > deadline) throw e;
            await new Promise((r) => setTimeout(r, 1000));
          }
        }
      },
      addSecret: this.o.addSecret,
      runProbe: (req, transport, alone) => this.runProbe(req, transport, alone, lookahead?.(req.host), pv, env),
      noteApplied: (host) => this.state(host).probeCache.noteApplied(),
    };
    return env;
  }

  /** The end of the last queued lookahead prediction (see runProbe). */
  private predictionTurn: Promise<void> = Promise.resolve();

  /**
   * Probe batching (probe-batch.ts). A task's probe comes from the batch taken earlier when
   * that still stands; otherwise, in the linear strategy, the lookahead predicts the probes
   * of the simple planned tasks that follow in the same task list with the host's current
   * vars, and they ride along with this one in one exec. Predicting never touches the host,
   * and anything that goes wrong with it leaves this probe to run on its own.
   */
  private async runProbe(
    req: ProbeRequest & { host: string; batchable: boolean },
    transport: Promise<Transport>,
    alone: () => Promise<ExecResult>,
    item: Extract<WorkItem, { kind: 'task' }> | undefined,
    pv: PlayVarsContext,
    env: ExecEnv,
  ): Promise<ExecResult> {
    const cache = this.state(req.host).probeCache;
    const key = probeKey(req.script, req.become, req.env);
    // While the host is still connecting (its first task) nothing can be cached for it yet,
    // and the lookahead below runs in the meantime.
    const known = this.openTransports.get(req.host);
    const cached = known && cache.take(req.uid, key, known);
    if (cached) return cached;
    if (!req.batchable || !item || item.task.uid !== req.uid) return alone();
    cache.settle(known);
    // One host predicts at a time: interleaved, every host's batch would wait until all
    // hosts had nearly finished predicting; in turn, the first batch leaves after one
    // host's prediction and the hosts work while the controller predicts for the next.
    const turn = this.predictionTurn.then(async (): Promise<ProbeRequest[]> => {
      // Predicting is all microtasks: without a turn of the event loop between hosts, 100
      // hosts' predictions would hold up the handshakes and batches already under way.
      await new Promise((resolve) => setImmediate(resolve));
      try {
        return await this.predictProbes(req, item, cache.window - 1, pv, env);
      } catch {
        return [];
      }
    });
    this.predictionTurn = turn.then(() => undefined);
    const others = await turn;
    if (!others.length) return alone();
    const t = await transport;
    const requests = [req, ...others];
    const touches = () => t.stats.execs + t.stats.puts;
    const before = touches();
    const split = await runBatch(t, requests.map((r) => r.script), { become: req.become, env: req.env });
    // Something else used this host's connection while the batch ran (a task of another
    // host delegated here): its effect may or may not show in the results, so keep none.
    if (touches() === before + 1) {
      cache.store(
        t,
        others.flatMap((r, i) => (split[i + 1] ? [{ uid: r.uid, key: probeKey(r.script, r.become, r.env), result: split[i + 1]! }] : [])),
      );
    }
    return split[0] ?? alone();
  }

  /** The probes of up to `max` simple planned tasks after `item`, predicted from current vars. */
  private async predictProbes(first: ProbeRequest & { host: string }, item: Extract<WorkItem, { kind: 'task' }>, max: number, pv: PlayVarsContext, env: ExecEnv): Promise<ProbeRequest[]> {
    const out: ProbeRequest[] = [];
    const list = item.list;
    if (!list || item.index === undefined || max < 1) return out;
    const host = first.host;
    const registered: string[] = item.task.register ? [item.task.register] : [];
    const sameShell = probeKey('', first.become, first.env);
    for (let i = item.index + 1; i < list.length && out.length < max; i++) {
      const node = list[i];
      if (node.kind !== 'task' || node.action === 'meta') break;
      // walkNodes skips a task the tag selection leaves out; so may the lookahead.
      if (!tagSelected(inheritedTags(child(item.scope, node)), this.o.tags, this.o.skipTags)) continue;
      // assert and debug touch neither the host nor any var but their own register.
      if (PASSIVE_ACTIONS.has(this.o.registry.get(node.action)?.name ?? '')) {
        if (node.register) registered.push(node.register);
        continue;
      }
      if (registered.length && mentionsAny(node, registered)) break;
      // A lookup runs on the controller when rendered (a pipe lookup runs a command): never
      // for a prediction.
      if (mentionsLookup(node)) break;
      const varsScope = child(item.scope, { vars: node.vars });
      const vars = this.vars.forTask(host, pv, varsScope);
      const spec = await speculateProbe({ task: node, scope: item.scope, host, vars, withExtra: (extra) => this.vars.forTask(host, pv, varsScope, extra) }, env);
      if (spec.kind === 'stop') break;
      if (node.register) registered.push(node.register);
      if (spec.kind === 'skip') continue;
      // One exec runs under one become and one environment.
      if (probeKey('', spec.request.become, spec.request.env) !== sameShell) break;
      out.push(spec.request);
    }
    return out;
  }

  private transportFor(host: string, pv: PlayVarsContext): Promise<Transport> {
    const s = this.state(host);
    if (!s.transport) {
      const vars = this.vars.forHost(host, pv);
      const conn: Record<string, unknown> = {};
      for (const k of Object.keys(vars)) {
        if (k.startsWith('ansible_') && !k.startsWith('ansible_facts') && !(k in s.facts) || k.startsWith('rackplay_')) {
          try {
            conn[k] = vars[k];
          } catch {
            /* a connection var that does not render is reported by the transport if it matters */
          }
        }
      }
      for (const k of ['ansible_password', 'ansible_ssh_pass', 'ansible_become_password', 'ansible_become_pass']) {
        if (typeof conn[k] === 'string') this.o.addSecret(conn[k] as string);
      }
      s.transport = this.o.openTransport(host, conn).then((t) => {
        this.openTransports.set(host, t);
        return t;
      });
      s.transport.catch(() => undefined);
    }
    return s.transport;
  }

  private async runTaskOnHosts(
    task: Task,
    targets: { host: string; scope: Scope }[],
    pv: PlayVarsContext,
    handler: boolean,
    /** Linear strategy: where each host's task sits, so its probe can be batched with the next ones. */
    lookahead?: Map<string, Extract<WorkItem, { kind: 'task' }>>,
  ): Promise<Map<string, TaskOutcome>> {
    // After Ctrl-C a task does not start (nor is it shown); callers stop at their next check.
    const notStarted = (): TaskOutcome => ({ status: 'skipped', result: { changed: false, skipped: true, msg: 'interrupted' }, ignored: false, items: [] });
    if (this.interrupted) return new Map(targets.map((t) => [t.host, notStarted()]));
    const ref = taskRef(task, targets[0]?.scope, handler);
    this.o.sink({ kind: handler ? 'handler-start' : 'task-start', task: ref });
    const env = this.execEnv(pv, ref, (host) => (runOnce || bypass ? undefined : lookahead?.get(host)));
    const out = new Map<string, TaskOutcome>();
    const first = targets[0];
    const renderFirst = (v: unknown) => (v === undefined ? v : this.o.templar.render(v, this.vars.forTask(first.host, pv, child(first.scope, task))));
    const free = ['free', 'host_pinned'].includes(String(this.o.templar.render(pv.play.strategy ?? 'linear', this.o.extraVars)).replace(/^ansible\.builtin\./, ''));
    let runOnce = !!first && truthy(renderFirst(inherited(child(first.scope, task), 'run_once')));
    if (runOnce && free) {
      this.o.sink({ kind: 'warning', message: 'Using run_once with the free strategy is not currently supported. This task will still be executed for every host in the inventory list.' });
      runOnce = false;
    }
    // Like Ansible: throttle lowers forks for this one task, and is ignored with run_once.
    const throttle = first && !runOnce ? throttleOf(task, first.scope, renderFirst) : 0;
    const limit = pLimit(Math.max(1, throttle > 0 ? Math.min(throttle, this.o.forks) : this.o.forks));
    const bypass = task.action === 'add_host';
    const runOn = runOnce || bypass ? targets.slice(0, 1) : targets;
    await Promise.all(
      runOn.map(({ host, scope }) =>
        limit(async () => {
          if (this.interrupted) {
            out.set(host, notStarted());
            return;
          }
          const started = Date.now();
          // The task's own `vars:` are the innermost vars layer (Ansible: task vars).
          const varsScope = child(scope, { vars: task.vars });
          const vars = this.vars.forTask(host, pv, varsScope);
          let outcome: TaskOutcome;
          try {
            outcome = await runTask(
              { task, scope, host, vars, withExtra: (extra) => this.vars.forTask(host, pv, varsScope, extra) },
              env,
            );
          } catch (e) {
            outcome = { status: 'failed', result: { failed: true, msg: errorMessage(e) }, ignored: false, items: [] };
          }
          if (this.killedRunning && (outcome.status === 'failed' || outcome.status === 'unreachable')) {
            const why = outcome.result.msg === undefined ? '' : `: ${String(outcome.result.msg)}`;
            outcome = { ...outcome, result: { ...outcome.result, msg: `killed after Ctrl-C (still running when the grace period ended)${why}` } };
          }
          this.afterTask(task, host, scope, outcome, ref, Date.now() - started);
          out.set(host, outcome);
        }),
      ),
    );
    if (runOnce) {
      const first = out.get(runOn[0].host)!;
      for (const { host } of targets.slice(1)) {
        out.set(host, first);
        if (task.register) this.state(host).setFacts[task.register] = first.result;
      }
    }
    return out;
  }

  /** Bookkeeping after a task ran on a host: facts, register, notify, stats, events. */
  private afterTask(task: Task, host: string, scope: Scope, o: TaskOutcome, ref: TaskRef, durationMs: number): void {
    const s = this.state(host);
    const st = this.stat(host);
    const r = o.result;
    const applyFacts = (res: ModuleResult) => {
      const facts = res.ansible_facts;
      if (!facts || res.failed || res.skipped) return;
      if (task.action === 'set_fact') {
        Object.assign(s.setFacts, facts);
        if (res._ansible_facts_cacheable) Object.assign(s.facts, facts);
      } else if (task.action === 'include_vars') Object.assign(s.includeVars, facts);
      else Object.assign(s.facts, facts);
    };
    if (o.items.length) o.items.forEach((it) => applyFacts(it.result));
    else applyFacts(r);
    if (o.status !== 'failed' && o.status !== 'unreachable') {
      const applyInventory = (res: ModuleResult) => {
        if (res.add_host && typeof res.add_host === 'object') {
          const a = res.add_host as { host_name: string; groups?: string[]; host_vars?: Record<string, unknown> };
          this.o.inventory.addHost(a.host_name, a.groups ?? [], a.host_vars ?? {});
        }
        if (typeof res.add_group === 'string') this.o.inventory.addToGroup(host, res.add_group);
      };
      if (o.items.length) o.items.forEach((it) => applyInventory(it.result));
      else applyInventory(r);
    }
    if (task.register) {
      const reg: ModuleResult = { ...r };
      delete reg.ansible_facts;
      s.setFacts[task.register] = reg;
    }
    if (o.status === 'changed' || (o.status === 'ok' && r.changed)) {
      for (const n of task.notify) s.notified.add(n);
    }
    for (const it of o.items) {
      this.o.sink({ kind: 'host-result', task: ref, host, status: it.status, result: it.result, item: it.item, itemLabel: it.label, delegatedTo: o.delegatedTo });
    }
    this.o.sink({ kind: 'host-result', task: ref, host, status: o.status, result: r, ignored: o.ignored, delegatedTo: o.delegatedTo, checkSkipped: o.checkSkipped, durationMs });
    switch (o.status) {
      case 'unreachable':
        if (o.ignored) {
          st.ok++;
          st.ignored++;
        } else {
          st.unreachable++;
          s.unreachable = true;
        }
        break;
      case 'failed':
        if (o.ignored) {
          st.ok++;
          st.ignored++;
        } else {
          s.failed = true;
          if (!isRescuable(scope)) st.failed++;
        }
        break;
      case 'skipped':
        st.skipped++;
        break;
      case 'changed':
        st.ok++;
        st.changed++;
        break;
      default:
        st.ok++;
    }
  }

  private async runInclude(items: { host: string; item: Extract<WorkItem, { kind: 'include' }> }[], pv: PlayVarsContext): Promise<Map<string, Outcome>> {
    const out = new Map<string, Outcome>();
    const first = items[0].item.include;
    const ref: TaskRef = {
      name: first.name ?? first.action,
      action: first.action,
      uid: first.uid,
      path: `${first.pos.file}:${first.pos.line}`,
      role: first.role?.name,
    };
    this.o.sink({ kind: 'task-start', task: ref });
    const byFile = new Map<string, string[]>();
    for (const { host, item } of items) {
      const inc = item.include;
      const scope = item.scope;
      const vars = this.vars.forTask(host, pv, child(scope, inc));
      const st = this.stat(host);
      try {
        const conds = inheritedWhen(child(scope, { when: inc.when }));
        if (!conds.every((c) => this.o.templar.evaluateCondition(c, vars))) {
          st.skipped++;
          this.o.sink({ kind: 'host-result', task: ref, host, status: 'skipped', result: { changed: false, skipped: true, skip_reason: 'Conditional result was False' } });
          out.set(host, {});
          continue;
        }
        const args = this.o.templar.render(inc.args, vars) as Record<string, unknown>;
        const apply = (args.apply ?? {}) as Record<string, unknown>;
        const incVars = (this.o.templar.render(inc.vars ?? {}, vars) ?? {}) as Record<string, unknown>;
        const applyKeywords = { ...apply, tags: toList(apply.tags), when: apply.when === undefined ? undefined : toList(apply.when), vars: incVars };
        if (inc.action === 'include_role') {
          const name = String(args.name ?? args.role ?? '');
          const from = { tasksFrom: args.tasks_from, varsFrom: args.vars_from, defaultsFrom: args.defaults_from, handlersFrom: args.handlers_from } as Record<string, string | undefined>;
          // One load per role and entry point, shared by all hosts, so they run its tasks
          // in step; each host gets its own params.
          const key = `role\0${inc.baseDir}\0${name}\0${JSON.stringify(from)}`;
          const loaded = this.roleCache.get(key) ?? loadRole(name, { ...this.o.loadOptions, baseDir: inc.baseDir, ...from, pos: inc.pos });
          this.roleCache.set(key, loaded);
          const role: RoleInstance = { ...(await loaded), params: incVars };
          out.set(host, { included: { nodes: [], role, scope: child(scope, applyKeywords as Scope['keywords']) } });
        } else {
          const file = String(args.file ?? args._raw_params ?? '');
          const full = resolveInclude(file, inc);
          const key = `${full}\0${inc.role?.path ?? ''}`;
          const nodes = this.includeCache.get(key) ?? loadTaskFile(full, { ...this.o.loadOptions, role: inc.role, pos: inc.pos });
          this.includeCache.set(key, nodes);
          const scopeForIncluded = child(scope, applyKeywords as Scope['keywords'], inc.role ? {} : {});
          out.set(host, { included: { nodes: await nodes, scope: scopeForIncluded } });
          addTo(byFile, full, host);
        }
        // Ansible counts a host's successful include_tasks as ok (include_role is not a result of its own).
        if (inc.action === 'include_tasks') st.ok++;
      } catch (e) {
        st.failed++;
        this.state(host).failed = true;
        this.o.sink({ kind: 'host-result', task: ref, host, status: 'failed', result: { failed: true, msg: errorMessage(e) } });
        out.set(host, { failed: true });
      }
    }
    for (const [file, hosts] of byFile) this.o.sink({ kind: 'include', host: hosts.join(', '), file });
    return out;
  }

  private async runMeta(task: Task, targets: { host: string; scope: Scope }[], pv: PlayVarsContext, handlers: HandlerEntry[]): Promise<string> {
    const action = String(task.args._raw_params ?? task.args.free_form ?? '');
    const applies = targets.filter(({ host, scope }) => {
      const conds = inheritedWhen(child(scope, task));
      const vars = this.vars.forTask(host, pv, child(scope, task));
      return conds.every((c) => this.o.templar.evaluateCondition(c, vars));
    });
    switch (action) {
      case 'flush_handlers':
        await this.runHandlers(handlers, targets.map((t) => t.host), pv);
        return action;
      case 'end_play':
        if (applies.length) for (const { host } of targets) this.state(host).ended = true;
        return applies.length ? 'end_play' : action;
      case 'end_host':
      case 'end_batch':
        for (const { host } of action === 'end_batch' ? (applies.length ? targets : []) : applies) this.state(host).ended = true;
        return action;
      case 'clear_facts':
        for (const { host } of applies) this.state(host).facts = {};
        return action;
      case 'clear_host_errors':
        for (const { host } of applies) this.state(host).failed = false;
        return action;
      case 'reset_connection':
        for (const { host } of applies) {
          const t = this.openTransports.get(host);
          this.openTransports.delete(host);
          this.state(host).transport = undefined;
          await t?.close().catch(() => undefined);
        }
        return action;
      case 'noop':
      case 'refresh_inventory':
        return action;
      default:
        throw new UserError(`invalid meta action requested: ${action}`, { pos: task.pos });
    }
  }

  private async runHandlers(handlers: HandlerEntry[], hosts: string[], pv: PlayVarsContext): Promise<void> {
    // A handler may notify another; later ones run in the same flush, earlier ones in a
    // further pass (bounded, so a notify cycle cannot loop forever).
    for (let pass = 0; pass < 10; pass++) {
      let ran = false;
      for (const h of handlers) {
        if (this.interrupted) return;
        const targets = hosts.filter((host) => {
          const s = this.state(host);
          if (s.unreachable || (s.failed && !this.o.forceHandlers)) return false;
          return [...s.notified].some((n) => handlerMatches(h, n));
        });
        if (!targets.length) continue;
        ran = true;
        for (const host of targets) {
          const s = this.state(host);
          for (const n of [...s.notified]) if (handlerMatches(h, n)) s.notified.delete(n);
        }
        await this.runTaskOnHosts(h.task, targets.map((host) => ({ host, scope: h.scope })), pv, true);
      }
      if (!ran) break;
    }
  }
}

const STRATEGIES = ['linear', 'free', 'host_pinned'];

/** Controller-only actions a probe lookahead may pass (probe-batch.ts). */
const PASSIVE_ACTIONS = new Set(['assert', 'debug']);

/** A task's `throttle` (inherited from its blocks and play); 0 means no limit. */
function throttleOf(task: Task, scope: Scope, render: (v: unknown) => unknown): number {
  const raw = inherited(child(scope, task), 'throttle');
  if (raw === undefined || raw === null) return 0;
  const n = Number(render(raw));
  if (!Number.isInteger(n) || n < 0) throw new UserError(`Failed to convert the throttle value to an integer: ${JSON.stringify(raw)}`, { pos: task.pos, hint: 'throttle takes a whole number of hosts, 0 for no limit' });
  return n;
}

interface HandlerEntry {
  task: Task;
  scope: Scope;
}

function collectHandlers(play: Play, playScope: Scope): HandlerEntry[] {
  const out: HandlerEntry[] = [];
  const seen = new Set<RoleInstance>();
  const visit = (role: RoleInstance) => {
    if (seen.has(role)) return;
    seen.add(role);
    for (const d of role.dependencies) visit(d);
    const scope = child(child(playScope, role.keywords), {}, { role });
    for (const t of role.handlers) out.push({ task: t, scope });
  };
  for (const r of play.roles) visit(r);
  for (const t of play.handlers) out.push({ task: t, scope: playScope });
  return out;
}

function handlerMatches(h: HandlerEntry, notified: string): boolean {
  const t = h.task;
  if (t.name === notified || t.listen.includes(notified)) return true;
  const role = h.scope.role?.name ?? t.role?.name;
  return !!role && (`${role} : ${t.name}` === notified || t.listen.some((l) => `${role} : ${l}` === notified));
}

function itemKey(item: WorkItem): string {
  switch (item.kind) {
    case 'task':
      return `t:${item.task.uid}`;
    case 'include':
      return `i:${item.include.uid}`;
    default:
      return item.kind;
  }
}

/** A task's templates (args, conditions, vars, keywords) as one text; undefined if it has none that print. */
/** Task texts for the lookahead's name checks: per task, not per host and task. */
const taskTexts = new WeakMap<Task, string | undefined>();

function taskText(task: Task): string | undefined {
  if (taskTexts.has(task)) return taskTexts.get(task);
  const { pos: _pos, uid: _uid, role: _role, ...rest } = task;
  let text: string | undefined;
  try {
    text = JSON.stringify(rest);
  } catch {
    text = undefined;
  }
  taskTexts.set(task, text);
  return text;
}

/** Whether a task's templates name any of `names`. */
function mentionsAny(task: Task, names: string[]): boolean {
  const text = taskText(task);
  return text === undefined || names.some((n) => new RegExp(`\\b${n.replace(/[^A-Za-z0-9_]/g, '')}\\b`).test(text));
}

/** Whether a task's templates call a lookup (lookup, query, q). */
function mentionsLookup(task: Task): boolean {
  const text = taskText(task);
  return text === undefined || /\b(?:lookup|query|q)\s*\(/.test(text);
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

function resolveInclude(file: string, inc: DynamicInclude): string {
  if (path.isAbsolute(file)) return file;
  return path.resolve(inc.baseDir, file);
}

/**
 * Ansible's Taggable.evaluate_tags: untagged tasks carry the tag `untagged`; with no
 * --tags the selection is `all`, which runs everything but `never`; `always` runs unless
 * skipped by name.
 */
export function tagSelected(taskTags: string[], only: string[], skip: string[]): boolean {
  const tags = new Set(taskTags.length ? taskTags : ['untagged']);
  const onlyTags = new Set(only.length ? only : ['all']);
  const skipTags = new Set(skip);
  const untagged = taskTags.length === 0;
  const meets = (set: Set<string>) => [...set].some((t) => tags.has(t));
  let run: boolean;
  if (tags.has('always')) run = true;
  else if (onlyTags.has('all') && !tags.has('never')) run = true;
  else if (meets(onlyTags)) run = true;
  else run = onlyTags.has('tagged') && !untagged && !tags.has('never');
  if (run && skipTags.size) {
    if (skipTags.has('all')) {
      if (!tags.has('always') || skipTags.has('always')) run = false;
    } else if (meets(skipTags)) run = false;
    else if (skipTags.has('tagged') && !untagged) run = false;
  }
  return run;
}

/** Ansible's `serial`: a number, a percentage, or a list of them (the last repeats). */
export function serialBatches(hosts: string[], serial: unknown, pos?: SourcePos): string[][] {
  if (serial === undefined || serial === null || serial === '' || serial === 0) return [hosts];
  const specs = Array.isArray(serial) ? serial : [serial];
  const sizeOf = (spec: unknown): number => {
    const s = String(spec).trim();
    const n = s.endsWith('%') ? Math.floor((hosts.length * Number(s.slice(0, -1))) / 100) : Number(s);
    if (!Number.isFinite(n)) throw new UserError(`serial must be a number, a percentage or a list of them, got ${JSON.stringify(spec)}`, { pos, hint: 'e.g. `serial: 2`, `serial: "25%"` or `serial: [1, 5, "50%"]`' });
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

function gatherTask(play: Play, subset: unknown): Task {
  const pos: SourcePos = play.pos;
  return {
    kind: 'task',
    action: 'setup',
    actionAsWritten: 'gather_facts',
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
