// `async:` and `poll:` for any module whose work is commands on the target: the module runs
// on the controller as always, but the first command it sends (command's command, a
// plan's steps) goes to the background on the target (async-scripts.ts). With `poll: N`
// the engine reads the job file every N seconds, as Ansible polls with async_status, and
// hands the module the command's outcome once it is there, so the module builds its
// result exactly as in the foreground; the job file is then removed. With `poll: 0` the
// task returns the job id at once; the module stays waiting on the controller until an
// async_status of this run finds the outcome (ctx.finishAsyncJob), finishes its result
// then, and writes that result over the raw outcome in the job file.
import { asyncDirOf, asyncDirWord, asyncStatus, withJobTiming, type JobCapture } from '../modules/async-status.js';
import type { ModuleResult, RunContext } from '../modules/types.js';
import { quote } from '../transport/quote.js';
import type { ExecOptions, ExecResult, Transport } from '../transport/types.js';
import { jobRemoveScript, jobWriteScript, killAfterSeconds, launchScript, newJobStem, parseLaunch } from './async-scripts.js';

/** `async:` and `poll:` rendered: seconds, and the poll interval (Ansible's default 15). */
export interface AsyncSettings {
  seconds: number;
  poll: number;
}

/** Ansible's async_val and poll as ints; none or 0 seconds means the task runs in the foreground. */
export function asyncSettings(asyncValue: unknown, pollValue: unknown, render: (v: unknown) => unknown): AsyncSettings | undefined {
  if (asyncValue === undefined || asyncValue === null) return undefined;
  const seconds = toInt(render(asyncValue), 'async');
  if (!seconds || seconds <= 0) return undefined;
  const poll = pollValue === undefined || pollValue === null ? 15 : toInt(render(pollValue), 'poll');
  return { seconds, poll: Math.max(0, poll) };
}

function toInt(v: unknown, key: string): number {
  if (v === '' || v === null || v === undefined) return 0;
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  if (!Number.isFinite(n)) throw new Error(`the field '${key}' has an invalid value (${String(v)}), and could not be converted to int.`);
  return Math.trunc(n);
}

interface Pending {
  path: string;
  deliver(outcome: JobCapture): void;
  result: Promise<ModuleResult>;
}

// Fire-and-forget jobs whose module waits on this controller, by job id. Job ids are
// random, so runs in one process (tests) do not meet; an entry goes when delivered.
const pending = new Map<string, Pending>();

/** For async_status: finish a pending job's module with its outcome (RunContext.finishAsyncJob). */
export async function finishPendingJob(jid: string, outcome: JobCapture, exec: RunContext['exec']): Promise<ModuleResult | undefined> {
  const job = pending.get(jid);
  if (!job) return undefined;
  pending.delete(jid);
  job.deliver(outcome);
  const result = withJobTiming(await job.result, outcome);
  // the job file ends as Ansible's does: the module's result
  await exec(jobWriteScript(job.path), { stdin: JSON.stringify(result) });
  return result;
}

/** What a fire-and-forget task returns: Ansible's async_wrapper's answer (`failed: 0`, an int). */
function startedResult(jid: string, path: string): ModuleResult {
  const r: Record<string, unknown> = { ansible_job_id: jid, results_file: path, started: 1, finished: 0, changed: true, failed: 0 };
  return r;
}

/** Thrown into the module's run when the job ended without an outcome for it (a timeout). */
class AsyncDone extends Error {
  constructor() {
    super('async job ended');
  }
}

export interface AsyncJobDeps {
  vars: Readonly<Record<string, unknown>>;
  sleep(ms: number): Promise<void>;
  /** Ansible's async callbacks: each poll that found the job running, and the end of a polled job. */
  event?(stage: 'poll' | 'ok' | 'failed', jid: string, status?: { started?: unknown; finished?: unknown }): void;
}

/**
 * One async task on one host. Give it the task's foreground exec (runsWith), route the
 * module's commands through exec() (or a plan's steps through transport()), and pass its
 * result through settle().
 */
export class AsyncJob {
  private foreground: RunContext['exec'] = async () => {
    throw new Error('async job: no connection yet');
  };

  private launched = false;
  /** The job's id once it started on the target. */
  private jid?: string;
  private outcome?: ModuleResult;
  private readonly detached: Promise<ModuleResult>;
  private detach!: (r: ModuleResult) => void;

  constructor(
    private readonly settings: AsyncSettings,
    private readonly deps: AsyncJobDeps,
  ) {
    this.detached = new Promise((resolve) => (this.detach = resolve));
  }

  /** The task's exec, with its become and environment, for the launch, the polls and later commands. */
  runsWith(exec: RunContext['exec']): void {
    this.foreground = exec;
  }

  /** The first command becomes the job; any later one runs in the foreground after it. */
  exec = async (command: string, opts: { stdin?: string | Buffer; timeoutMs?: number; noBecome?: boolean } = {}): Promise<ExecResult> => {
    if (this.launched) return this.foreground(command, opts);
    this.launched = true;
    const script = launchScript({ stem: newJobStem(), dir: asyncDirOf(this.deps.vars), command, stdin: opts.stdin, killAfter: killAfterSeconds(this.settings.seconds) });
    const r = await this.foreground('/bin/sh -s', { stdin: script, noBecome: opts.noBecome });
    const launch = parseLaunch(r.stdout, r.stderr);
    if (launch.kind !== 'started') {
      const msg = launch.kind === 'nodir' ? `could not create directory: ${launch.path}` : `could not start the async job: ${launch.output}`;
      return this.end({ failed: true, changed: false, msg });
    }
    this.jid = launch.jid;
    const started = startedResult(launch.jid, launch.path);
    if (this.settings.poll === 0) {
      let deliver!: (o: JobCapture) => void;
      const delivered = new Promise<JobCapture>((resolve) => (deliver = resolve));
      pending.set(launch.jid, { path: launch.path, deliver, result: this.pendingResult });
      this.detach(started);
      return delivered;
    }
    return this.pollUntilDone(launch.jid, launch.path);
  };

  /** A plan's steps: the transport the engine applies them with, its exec routed here. */
  transport(t: Transport): Transport {
    return {
      host: t.host,
      exec: (command: string, o: ExecOptions = {}) => this.exec(command, { stdin: o.stdin, timeoutMs: o.timeoutMs }),
      put: (p, c, o) => t.put(p, c, o),
      get: (p, o) => t.get(p, o),
      close: () => t.close(),
      get stats() {
        return t.stats;
      },
    };
  }

  private pendingResult: Promise<ModuleResult> = new Promise(() => undefined);

  /**
   * The task's result: the module's (with the job's fields), what ended the job, or, with
   * poll 0, the job id as soon as the job started.
   */
  async settle(body: Promise<ModuleResult>): Promise<ModuleResult> {
    this.pendingResult = body;
    // the job's own end (a timeout) is thrown through the module; it is the result
    const first = await Promise.race([body, this.detached]).catch((e: unknown) => {
      if (this.outcome) return this.outcome;
      throw e;
    });
    if (this.jid !== undefined && this.settings.poll > 0) {
      const result = this.outcome ?? this.wrap(first);
      this.deps.event?.(result.failed ? 'failed' : 'ok', this.jid);
      return result;
    }
    if (this.outcome) return this.outcome;
    if (this.launched) return first;
    // the module sent no command (it failed or decided without one): nothing to background
    if (first.failed || first.skipped) return first;
    if (this.settings.poll > 0) return { ...first, started: 1, finished: 1 };
    return this.recordFinished(first);
  }

  /** With poll 0, a result the module reached without a command becomes a finished job. */
  private async recordFinished(result: ModuleResult): Promise<ModuleResult> {
    // on stdin, like a launch: the job id is on no command line
    const dir = asyncDirWord(asyncDirOf(this.deps.vars));
    const script = `umask 077; d=${dir}; mkdir -p "$d" && jid=${quote(newJobStem())}.$$ && printf '%s' ${quote(JSON.stringify(result))} > "$d/$jid.tmp" && mv -f "$d/$jid.tmp" "$d/$jid" && printf 'RPASYNC started %s %s\\n' "$jid" "$d/$jid"\n`;
    const launch = parseLaunch((await this.foreground('/bin/sh -s', { stdin: script })).stdout);
    if (launch.kind !== 'started') return { failed: true, changed: false, msg: `could not create directory: ${asyncDirOf(this.deps.vars)}` };
    return startedResult(launch.jid, launch.path);
  }

  private end(result: ModuleResult): never {
    this.outcome = result;
    throw new AsyncDone();
  }

  /** Ansible's _poll_async_result: every `poll` seconds until finished or `async` seconds are spent. */
  private async pollUntilDone(jid: string, path: string): Promise<ExecResult> {
    const { seconds, poll } = this.settings;
    let capture: JobCapture | undefined;
    const statusCtx = {
      exec: this.foreground,
      vars: this.deps.vars,
      finishAsyncJob: async (_jid: string, c: JobCapture) => {
        capture = c;
        return {};
      },
    };
    let status: ModuleResult = {};
    for (let left = seconds; left > 0; left -= poll) {
      await this.deps.sleep(poll * 1000);
      try {
        status = await asyncStatus(jid, 'status', statusCtx);
      } catch (e) {
        // a connection that drops while polling (a network bounce) is retried until the time is up
        if (left - poll <= 0) throw e;
        continue;
      }
      if (Number(status.finished ?? 0) === 1 || 'failed' in status || 'skipped' in status) break;
      this.deps.event?.('poll', jid, { started: status.started, finished: status.finished });
    }
    if (Number(status.finished ?? 0) !== 1) {
      return this.end({ failed: true, changed: false, msg: `async task did not complete within the requested time - ${seconds}s`, async_result: status });
    }
    await this.foreground(jobRemoveScript(path));
    if (!capture) return this.end(status);
    const done = capture;
    // the module's result, once built, gets the job's fields around it (settle); async_status's
    // empty output fields first, for a module that has none of its own
    this.wrap = (r) => ({ stdout: '', stderr: '', stdout_lines: [], stderr_lines: [], ...withJobTiming(r, done), ansible_job_id: jid, results_file: path, started: 1, finished: 1 });
    return done;
  }

  /** Adds the job's fields to the module's own result once it is built. */
  wrap: (r: ModuleResult) => ModuleResult = (r) => r;
}
