// What one run shares across plays, strategies and tasks: options, per-host state and
// stats, open connections, the vars builder, caches, and Ctrl-C handling. Everything
// else in the engine is a function of this state and the play at hand.
import { lazyVars } from '../template/index.js';
import { openFactCache, type FactCache, type FactCacheSettings } from './fact-cache.js';
import type { Inventory, Slice } from '../inventory/index.js';
import type { ModuleRegistry } from '../modules/registry.js';
import type { CustomStats } from '../modules/set-stats.js';
import { emptyStats, type EventSink, type HostStats } from '../output/events.js';
import type { LoadOptions } from '../playbook/index.js';
import type { Playbook, RoleInstance, TaskNode } from '../playbook/types.js';
import type { Templar } from '../template/index.js';
import type { Transport } from '../transport/types.js';
import { EXIT } from '../errors.js';
import { newHostState, type HostState } from './host-state.js';
import { SharedProbes, watchWrites, WriteCount } from './probe-batch.js';
import { VarsBuilder, type PlayVarsContext } from './vars.js';
import type { Scope } from './scope.js';

export interface RunOptions {
  playbooks: Playbook[];
  inventory: Inventory;
  inventorySources: string[];
  registry: ModuleRegistry;
  templar: Templar;
  loadOptions: LoadOptions;
  limit?: string[];
  /** --slice K/N: the play runs on its hosts of this slice only (inventory/slice.ts). */
  slice?: Slice;
  tags: string[];
  skipTags: string[];
  check: boolean;
  diff: boolean;
  extraVars: Record<string, unknown>;
  forks: number;
  verbosity: number;
  startAtTask?: string;
  forceHandlers: boolean;
  /** ANSIBLE_ERROR_ON_MISSING_HANDLER (default true): a notify no handler answers ends the run, else warns. */
  errorOnMissingHandler?: boolean;
  /** ansible.cfg `gathering`: implicit (default: gather unless gather_facts: false), explicit, smart */
  gathering: 'implicit' | 'explicit' | 'smart';
  becomePassword?: string;
  /** Keywords from the command line (-b, --become-user, --become-method): below the play's. */
  cliKeywords?: Scope['keywords'];
  sink: EventSink;
  openTransport(host: string, vars: Record<string, unknown>): Promise<Transport>;
  addSecret(secret: string): void;
  /** Asks a vars_prompt question on the terminal; absent when there is none (stdin not a TTY). */
  promptVar?(message: string, hidden: boolean): Promise<string>;
  /**
   * Aborted on Ctrl-C: no task starts after it; running ones get `interruptGraceMs`
   * (5 s by default) to finish, then their connections are closed, which kills them.
   */
  interrupt?: AbortSignal;
  interruptGraceMs?: number;
  /** Where facts outlive the run (ansible.cfg fact_caching); absent: the memory cache. */
  factCache?: FactCacheSettings;
  /** --flush-cache: forget the inventory hosts' cached facts first. */
  flushCache?: boolean;
}

/** How a serial batch ended: on to the next one, end the play, or end the playbook. */
export type BatchEnd = 'continue' | 'end-play' | 'break';

export class RunState {
  readonly stats = new Map<string, HostStats>();
  /** set_stats totals by host, `_run` for the whole run. */
  readonly customStats: CustomStats = {};
  readonly hosts = new Map<string, HostState>();
  readonly openTransports = new Map<string, Transport>();
  /**
   * Hosts whose failure or unreachability decides the exit code (Ansible's tqm failed and
   * unreachable hosts): the recap keeps counting them, but meta clear_host_errors forgives.
   */
  readonly failedHosts = new Set<string>();
  readonly unreachableHosts = new Set<string>();
  readonly vars: VarsBuilder;
  /** A play broke off on any_errors_fatal or max_fail_percentage: the run fails. */
  playBroken = false;
  /** Set when a play broke off (any_errors_fatal, max_fail_percentage, a batch with no host left). */
  stopped = false;
  /** --start-at-task: false until the named task is reached (shared by all hosts). */
  startAtReached: boolean;
  /** Set when the grace period after Ctrl-C ran out and running tasks were killed. */
  killedRunning = false;
  /** Dynamic includes and include_role loads, one per file (or role entry point) for all hosts. */
  readonly includeCache = new Map<string, Promise<TaskNode[]>>();
  readonly roleCache = new Map<string, Promise<RoleInstance>>();
  /** Whether the current batch's handlers answer a notification (set by play.ts for each batch). */
  answersNotify?: (name: string, host: string) => boolean;
  /** Execs and puts that are not probes, on every connection: saved probe results stand only while it stays (probe-batch.ts). */
  readonly writes = new WriteCount();
  /** Delegated tasks' probes, shared by the hosts that send the same one (probe-batch.ts). */
  readonly sharedProbes = new SharedProbes(this.writes);
  /** The end of the last queued lookahead prediction (lookahead.ts). */
  predictionTurn: Promise<void> = Promise.resolve();
  private graceTimer?: NodeJS.Timeout;
  private readonly factCache?: FactCache;
  private readonly onInterrupt = () => {
    // Closing a transport with commands on it kills them and removes unfinished uploads.
    this.graceTimer = setTimeout(() => {
      this.killedRunning = true;
      void this.closeAll();
    }, this.o.interruptGraceMs ?? 5000);
  };

  constructor(readonly o: RunOptions) {
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
    this.factCache = o.factCache && openFactCache(o.factCache);
    if (this.factCache && o.flushCache) this.factCache.flush(o.inventory.hosts.keys());
    else if (this.factCache) {
      // Cached facts are there from the start, for hostvars of hosts no play has reached too.
      for (const h of o.inventory.hosts.keys()) {
        const facts = this.factCache.load(h);
        if (facts) this.state(h).facts = facts;
      }
    }
  }

  /** Write every host's facts to the fact cache (a no-op for the memory cache). */
  saveFacts(): void {
    if (this.factCache) for (const [h, s] of this.hosts) this.factCache.save(h, s.facts);
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
    if (this.unreachableHosts.size > 0) return EXIT.unreachable;
    if (this.failedHosts.size > 0 || this.playBroken) return EXIT.hostFailed;
    return EXIT.ok;
  }

  /** A failure that no rescue catches and no ignore_errors forgives. */
  countFailure(host: string): void {
    this.stat(host).failed++;
    this.failedHosts.add(host);
  }

  countUnreachable(host: string): void {
    this.stat(host).unreachable++;
    this.unreachableHosts.add(host);
    this.state(host).unreachable = true;
  }

  /** meta clear_host_errors: the host is neither failed nor unreachable any more. */
  clearHostErrors(host: string): void {
    const s = this.state(host);
    s.failed = false;
    s.unreachable = false;
    this.failedHosts.delete(host);
    this.unreachableHosts.delete(host);
  }

  state(host: string): HostState {
    let s = this.hosts.get(host);
    if (!s) this.hosts.set(host, (s = newHostState(host, this.writes)));
    return s;
  }

  /** A host's counters, created on its first result: the recap lists only such hosts (Ansible's stats.processed). */
  stat(host: string): HostStats {
    let s = this.stats.get(host);
    if (!s) this.stats.set(host, (s = emptyStats()));
    return s;
  }

  /** Render a play-level value (hosts, strategy, serial...) with the extra vars only. */
  /** A play keyword's value, rendered with the extra vars (and the play's vars when given, as for `hosts:`). */
  renderPlayValue(value: unknown, playVars?: Record<string, unknown>): unknown {
    return this.o.templar.render(value, playVars ? lazyVars([playVars, this.o.extraVars], this.o.templar) : this.o.extraVars);
  }

  async closeAll(): Promise<void> {
    // A task may fail on the controller while its host is still connecting: wait for those
    // connections too, or they would stay open after the run.
    await Promise.allSettled([...this.hosts.values()].map((s) => s.transport));
    await Promise.allSettled([...this.openTransports.values()].map((t) => t.close()));
  }

  /** The host's connection, opened on first use with its connection vars, kept for the run. */
  transportFor(host: string, pv: PlayVarsContext): Promise<Transport> {
    const s = this.state(host);
    if (!s.transport) {
      const vars = this.vars.forHost(host, pv);
      const conn: Record<string, unknown> = {};
      // Reflect.ownKeys lists names without rendering values (Object.keys would render every
      // variable of the lazy view, and one that needs a loop variable would throw here).
      for (const k of Reflect.ownKeys(vars)) {
        if (typeof k !== 'string') continue;
        if ((k.startsWith('ansible_') && !k.startsWith('ansible_facts') && !(k in s.facts)) || k.startsWith('rackplay_')) {
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
      s.transport = this.o.openTransport(host, conn).then((opened) => {
        const t = watchWrites(opened, this.writes);
        this.openTransports.set(host, t);
        return t;
      });
      s.transport.catch(() => undefined);
    }
    return s.transport;
  }

  /** Close the host's connection; the next use opens a new one (meta reset_connection, reboots). */
  async dropConnection(host: string): Promise<void> {
    const t = this.openTransports.get(host);
    this.openTransports.delete(host);
    this.state(host).transport = undefined;
    await t?.close().catch(() => undefined);
  }

  /** Reconnect after the host went away, retrying every second until `timeoutMs` (10 min). */
  async reconnect(host: string, pv: PlayVarsContext, timeoutMs?: number): Promise<void> {
    await this.dropConnection(host);
    const deadline = Date.now() + (timeoutMs ?? 600_000);
    for (;;) {
      try {
        await this.transportFor(host, pv);
        return;
      } catch (e) {
        this.state(host).transport = undefined;
        if (Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }
}
