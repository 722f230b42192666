// The live view on a terminal: one line per host of the current play (its current task,
// counts of ok/changed/failed, elapsed time; a spinner and the latest progress message
// show a long task is alive), drawn by listr2. When the run ends, the failures are printed
// in Ansible's words, then the usual PLAY RECAP, so the scrollback ends like a plain run.
// Off a terminal the plain default reporter is used instead: never both.
import { Listr, type DefaultRenderer, type SimpleRenderer, type ListrTaskWrapper } from 'listr2';
import { createDefaultReporter } from './default-reporter.js';
import type { HostStatus, RunEvent } from './events.js';
import type { Reporter, ReporterOptions } from './options.js';
import { SecretMasker } from './secret-masker.js';

type Wrapper = ListrTaskWrapper<unknown, typeof DefaultRenderer, typeof SimpleRenderer>;

const FALSE_STRINGS = ['', '0', 'false', 'no', 'off'];

/** CI services set one of these; their log viewers cannot redraw lines. */
export function isCI(env: NodeJS.ProcessEnv): boolean {
  if (env.CI !== undefined && !FALSE_STRINGS.includes(env.CI.toLowerCase())) return true;
  return ['CONTINUOUS_INTEGRATION', 'BUILD_NUMBER', 'RUN_ID', 'GITHUB_ACTIONS', 'GITLAB_CI', 'JENKINS_URL', 'TEAMCITY_VERSION', 'BUILDKITE', 'TF_BUILD'].some(
    (k) => env[k] !== undefined && env[k] !== '',
  );
}

export function shouldUseLiveView(o: { isTTY: boolean; env: NodeJS.ProcessEnv; plain: boolean; stdoutCallback?: string; verbosity?: number }): boolean {
  if (o.plain || !o.isTTY || isCI(o.env)) return false;
  // -v asks for every result in full: that is the plain output.
  if ((o.verbosity ?? 0) > 0) return false;
  if ((o.env.TERM ?? '') === 'dumb') return false;
  if (o.env.RACKPLAY_PLAIN !== undefined && !FALSE_STRINGS.includes(o.env.RACKPLAY_PLAIN.toLowerCase())) return false;
  return (o.stdoutCallback ?? 'default') === 'default';
}

interface HostLine {
  host: string;
  task?: string;
  taskStarted: number;
  progress?: string;
  ok: number;
  changed: number;
  failed: number;
  skipped: number;
  /** failed or unreachable (not ignored): the host is out of the play. */
  down?: { status: HostStatus; msg: string };
  wrapper?: Wrapper;
  finish?: (err?: Error) => void;
  /** The play is over for this host; its line stops when its listr task has started. */
  ended?: boolean;
}

export function formatElapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

type HostResultEvent = Extract<RunEvent, { kind: 'host-result' }>;

class LiveViewReporter implements Reporter {
  private readonly masker: SecretMasker;
  private readonly now: () => number;
  private hosts = new Map<string, HostLine>();
  private running: Promise<unknown> | undefined;
  private readonly started: number;
  private recap: Extract<RunEvent, { kind: 'recap' }> | undefined;
  /** Replayed through the default reporter after the view stops. */
  private readonly afterwards: RunEvent[] = [];
  private readonly taskEvents = new Map<string, RunEvent>();
  private lastKeptTask: string | undefined;

  constructor(private readonly opts: ReporterOptions & { clock?: () => number }) {
    this.masker = opts.masker ?? new SecretMasker();
    this.now = opts.clock ?? Date.now;
    this.started = this.now();
  }

  handle(ev: RunEvent): void {
    switch (ev.kind) {
      case 'play-start':
        this.startPlay(ev.name || ev.pattern, ev.hosts);
        return;
      case 'task-start':
      case 'handler-start':
        this.taskEvents.set(ev.task.uid, ev);
        for (const h of this.hosts.values()) {
          if (h.down) continue;
          h.task = ev.task.name;
          h.taskStarted = this.now();
          if (h.progress !== undefined && h.wrapper) h.wrapper.output = '';
          h.progress = undefined;
          this.redraw(h);
        }
        return;
      case 'host-result':
        this.hostResult(ev);
        return;
      case 'host-progress': {
        const h = this.hosts.get(ev.host);
        if (!h) return;
        h.progress = ev.message;
        if (h.wrapper) h.wrapper.output = this.masker.mask(ev.message);
        this.redraw(h);
        return;
      }
      case 'play-end':
        this.endPlay();
        return;
      case 'recap':
        this.endPlay();
        this.recap = ev;
        return;
      case 'warning':
      case 'deprecation':
      case 'error':
      case 'no-hosts':
        this.afterwards.push(ev);
        return;
      default:
        return;
    }
  }

  /** A failure, shown in full after the view as the default reporter would show it. */
  private keepFailure(ev: HostResultEvent): void {
    if (this.lastKeptTask !== ev.task.uid) {
      const start = this.taskEvents.get(ev.task.uid);
      if (start) this.afterwards.push(start);
      this.lastKeptTask = ev.task.uid;
    }
    this.afterwards.push(ev);
  }

  private hostResult(ev: HostResultEvent): void {
    const h = this.hosts.get(ev.host);
    const failedLike = ev.status === 'failed' || ev.status === 'unreachable';
    if (ev.item !== undefined || ev.itemLabel !== undefined) {
      // A loop prints its failures item by item; its aggregated result stays quiet.
      if (failedLike) this.keepFailure(ev);
      if (h) {
        h.progress = `item ${ev.itemLabel ?? JSON.stringify(ev.item)}: ${ev.status}`;
        if (h.wrapper) h.wrapper.output = this.masker.mask(h.progress);
        this.redraw(h);
      }
      return;
    }
    if (failedLike) this.keepFailure(ev);
    if (!h) return;
    if (ev.status === 'ok') h.ok++;
    else if (ev.status === 'changed') {
      h.ok++;
      h.changed++;
    } else if (ev.status === 'skipped') h.skipped++;
    else if (ev.ignored) h.ok++;
    else {
      h.failed++;
      h.down = { status: ev.status, msg: typeof ev.result.msg === 'string' ? ev.result.msg : ev.status };
    }
    h.progress = undefined;
    this.redraw(h);
  }

  private title(h: HostLine): string {
    const counts = `ok=${h.ok} changed=${h.changed} failed=${h.failed}${h.skipped ? ` skipped=${h.skipped}` : ''}`;
    const elapsed = formatElapsed(this.now() - this.started);
    let what: string;
    if (h.down) what = `${h.down.status.toUpperCase()}: ${h.down.msg.split('\n')[0]!.slice(0, 60)}`;
    else if (h.task) what = `${h.task} (${formatElapsed(this.now() - h.taskStarted)})`;
    else what = h.ended ? 'done' : 'waiting';
    return this.masker.mask(`${h.host.padEnd(this.hostWidth())}  ${what}  [${counts}]  ${elapsed}`);
  }

  private hostWidth(): number {
    let w = 0;
    for (const h of this.hosts.keys()) w = Math.max(w, h.length);
    return Math.min(w, 30);
  }

  private redraw(h: HostLine): void {
    if (h.wrapper) h.wrapper.title = this.title(h);
  }

  private startPlay(name: string, hosts: string[]): void {
    this.endPlay();
    const previous = this.running ?? Promise.resolve();
    const lines = new Map(hosts.map((host): [string, HostLine] => [host, { host, taskStarted: this.now(), ok: 0, changed: 0, failed: 0, skipped: 0 }]));
    this.hosts = lines;
    if (hosts.length === 0) return;
    const list = new Listr<unknown, 'default', 'simple'>(
      [...lines.values()].map((h) => ({
        title: this.title(h),
        task: (_ctx: unknown, wrapper: Wrapper) =>
          new Promise<void>((resolve, reject) => {
            h.wrapper = wrapper;
            h.finish = (err) => (err ? reject(err) : resolve());
            wrapper.title = this.title(h);
            // Progress that arrived before listr started this line.
            if (h.progress) wrapper.output = this.masker.mask(h.progress);
            if (h.ended) this.finishHost(h);
          }),
      })),
      {
        concurrent: true,
        exitOnError: false,
        registerSignalListeners: false,
        fallbackRendererCondition: false,
        rendererOptions: { collapseErrors: false, showErrorMessage: false, formatOutput: 'truncate', clearOutput: false },
      },
    );
    // One play's view at a time: the next starts drawing when the previous has stopped.
    this.running = previous.then(async () => {
      this.opts.write(this.masker.mask(`PLAY [${name}]\n`));
      const ticker = setInterval(() => lines.forEach((h) => this.redraw(h)), 500);
      ticker.unref();
      try {
        await list.run();
      } catch {
        /* failed hosts are shown by their lines and in the failures after the view */
      } finally {
        clearInterval(ticker);
      }
    });
  }

  private finishHost(h: HostLine): void {
    const fin = h.finish;
    if (!fin) return;
    h.finish = undefined;
    this.redraw(h);
    fin(h.down ? new Error(this.title(h)) : undefined);
  }

  private endPlay(): void {
    for (const h of this.hosts.values()) {
      if (h.ended) continue;
      h.ended = true;
      if (!h.down) h.task = undefined;
      this.finishHost(h);
    }
  }

  async close(): Promise<void> {
    this.endPlay();
    if (this.running) await this.running;
    this.running = undefined;
    // The failures and messages in Ansible's words, then PLAY RECAP, as a plain run ends.
    const plain = createDefaultReporter({ ...this.opts, displayOkHosts: true, displaySkippedHosts: true });
    for (const ev of this.afterwards) plain.handle(ev);
    if (this.recap) plain.handle(this.recap);
    await plain.close();
  }
}

export function createLiveViewReporter(opts: ReporterOptions & { clock?: () => number }): Reporter {
  return new LiveViewReporter(opts);
}
