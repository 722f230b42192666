// Commands on exec channels: the remote process group reported first, timeouts that kill
// that group, and the TERM/KILL sweep of an interrupted run. Apart from the connection code.
import os from 'node:os';
import type { Client, ClientChannel } from 'ssh2';
import { stripSudoPrompt } from './become.js';
import { envPrefix } from './local.js';
import { quote } from './quote.js';
import { launchScript } from './stdin-script.js';
import { TaskTimeoutError, UnreachableError, type BecomeSpec, type ExecOptions, type ExecResult } from './types.js';

const PGID_MARK = 'rackplay-pgid:';

function signalNumber(name: string | undefined): number {
  if (!name) return 0;
  const n = (os.constants.signals as Record<string, number>)['SIG' + name.replace(/^SIG/, '')];
  return n ?? 0;
}

/** A command on the host now, with the process group to kill if we give up on it. */
export interface RunningJob {
  pgid?: number;
  become?: BecomeSpec;
}

/** What a channel needs from its connection: where to register, and why it failed if it died. */
export interface ChannelOwner {
  readonly host: string;
  dead(): UnreachableError | undefined;
  readonly running: Map<object, RunningJob>;
  readonly inflight: Set<(e: Error) => void>;
}

export function runChannel(owner: ChannelOwner, client: Client, command: string, opts: ExecOptions): Promise<ExecResult> {
  // The script goes on stdin, the command line is a constant (stdin-script.ts).
  // With a pipe, the data is the stream that follows: the script is counted.
  const { command: wrapped, stdin } = launchScript(envPrefix(opts.env) + command, opts.become, opts.pipe ? Buffer.alloc(0) : opts.stdin);
  // The login shell may be anything; the contract is /bin/sh.
  // The shell first reports its PID, which is the process group sshd made for the
  // session: what a timeout or an interrupted run kills.
  const remote = `echo ${PGID_MARK}$$ >&2; exec /bin/sh -c ${quote(wrapped)}`;
  return new Promise<ExecResult>((resolve, reject) => {
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const job: RunningJob = { become: opts.become };
    const finish = (err: Error | undefined, result?: ExecResult) => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      owner.running.delete(job);
      owner.inflight.delete(fail);
      if (err) reject(err);
      else resolve(result!);
    };
    const fail = (e: Error) => finish(e);
    owner.inflight.add(fail);
    const onChannel = (err: Error | undefined, ch: ClientChannel) => {
      if (err) return finish(owner.dead() ?? new UnreachableError(`${owner.host}: could not open a channel: ${err.message}`));
      if (done) return ch.close();
      owner.running.set(job, job);
      const out: Buffer[] = [];
      const errChunks: Buffer[] = [];
      let pgid: number | undefined;
      let pending: string | undefined = ''; // stderr held until the PID line is seen
      let exit: { code: number | null; signal?: string } | undefined;
      if (opts.pipe) ch.pipe(opts.pipe.stdout, { end: false });
      else
        ch.on('data', (b: Buffer) => {
          out.push(b);
          opts.onOutput?.(b.toString('utf8'), 'stdout');
        });
      ch.stderr.on('data', (b: Buffer) => {
        if (pending !== undefined) {
          pending += b.toString('latin1');
          const nl = pending.indexOf('\n');
          if (nl < 0) return;
          const first = pending.slice(0, nl);
          if (first.startsWith(PGID_MARK)) job.pgid = pgid = Number(first.slice(PGID_MARK.length));
          const rest = Buffer.from(first.startsWith(PGID_MARK) ? pending.slice(nl + 1) : pending, 'latin1');
          pending = undefined;
          if (rest.length === 0) return;
          b = rest;
        }
        errChunks.push(b);
        opts.onOutput?.(stripSudoPrompt(b.toString('utf8')), 'stderr');
      });
      ch.on('exit', (code: number | null, signal?: string) => {
        exit = { code, signal };
      });
      ch.on('close', () => {
        if (done) return;
        if (!exit) {
          // No exit status: the connection or the server went away under the command.
          setImmediate(() => finish(owner.dead() ?? new UnreachableError(`${owner.host}: the command's channel closed without an exit status`)));
          return;
        }
        if (pending) errChunks.unshift(Buffer.from(pending, 'latin1'));
        const bytes = Buffer.concat(out);
        const rc = exit.code ?? 128 + (signalNumber(exit.signal) || 9);
        finish(undefined, { rc, stdout: bytes.toString('utf8'), stdoutBytes: bytes, stderr: stripSudoPrompt(Buffer.concat(errChunks).toString('utf8')) });
      });
      ch.on('error', () => {
        /* reported through close */
      });
      ch.stdin.on('error', () => {
        /* the command may exit without reading its stdin */
      });
      if (opts.pipe) {
        // the script and its byte count first (stdin-script.ts), then the stream
        ch.write(stdin);
        opts.pipe.stdin.pipe(ch);
      } else ch.end(stdin);
      if (opts.timeoutMs) {
        timer = setTimeout(() => {
          finish(new TaskTimeoutError(opts.timeoutMs!));
          killGroup(client, pgid, opts.become);
          try {
            ch.signal('KILL');
          } catch {
            /* not supported */
          }
          ch.close();
        }, opts.timeoutMs);
      }
    };
    try {
      client.exec(remote, onChannel);
    } catch (e) {
      finish(owner.dead() ?? new UnreachableError(`${owner.host}: ${(e as Error).message}`));
    }
  });
}

/** Kills a timed-out command's whole process group on the host, as the user that runs it. */
function killGroup(client: Client, pgid: number | undefined, become: BecomeSpec | undefined): void {
  if (!pgid || !Number.isInteger(pgid) || pgid <= 1) return;
  sendScript(client, `kill -9 -${pgid} 2>/dev/null || kill -9 ${pgid} 2>/dev/null; exit 0`, become);
}

/** Runs a short script as `become`'s user, output discarded; `done` once it ends or cannot start. */
function sendScript(client: Client, body: string, become: BecomeSpec | undefined, done: () => void = () => undefined): void {
  try {
    const run = launchScript(body, become);
    client.exec(`/bin/sh -c ${quote(run.command)}`, (err, ch) => {
      if (err) return done();
      ch.on('data', () => undefined);
      ch.stderr.on('data', () => undefined);
      ch.on('error', () => undefined);
      ch.on('close', done);
      ch.end(run.stdin);
    });
  } catch {
    /* connection gone */
    done();
  }
}

/**
 * Closing with commands still running (an interrupted run): their process groups get
 * TERM, then KILL a second later, and temp files of unfinished uploads are removed,
 * before the connection goes. An SFTP upload still writing then fails at its rename.
 */
export async function abandonJobs(client: Client, jobs: Iterable<RunningJob>, temps: string[]): Promise<void> {
  const byUser = new Map<string, { become?: BecomeSpec; pgids: number[] }>();
  for (const job of jobs) {
    const key = job.become ? `${job.become.method}:${job.become.user}` : '';
    const entry = byUser.get(key) ?? { become: job.become, pgids: [] };
    if (job.pgid && Number.isInteger(job.pgid) && job.pgid > 1) entry.pgids.push(job.pgid);
    byUser.set(key, entry);
  }
  const rm = temps.length ? `rm -f -- ${temps.map(quote).join(' ')}; ` : '';
  const kills = [...byUser.values()].filter((e) => e.pgids.length || (!e.become && rm));
  if (!byUser.has('') && rm) kills.push({ become: undefined, pgids: [] });
  const send = (become: BecomeSpec | undefined, pgids: number[], withRm: boolean) => {
    const groups = pgids.map((p) => `-${p}`).join(' ');
    // The second round (KILL, a second later) only for groups that outlived TERM.
    const alive = pgids.map((p) => `kill -0 -${p} 2>/dev/null`).join(' || ');
    const body = pgids.length
      ? `kill -TERM ${groups} 2>/dev/null; ${withRm ? rm : ''}if ${alive}; then sleep 1; kill -KILL ${groups} 2>/dev/null; ${withRm ? rm : ''}fi; exit 0`
      : `${rm}exit 0`;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 5000);
      sendScript(client, body, become, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  };
  await Promise.all(kills.map((e) => send(e.become, e.pgids, !e.become)));
}
