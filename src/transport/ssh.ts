// The SSH transport: one persistent ssh2 connection per host, commands on exec channels
// (at most MAX_CHANNELS at once, the rest queued), files over one lazily opened SFTP
// session. Host keys are checked against known_hosts like OpenSSH does.
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { Client, SFTPWrapper, Stats } from 'ssh2';
import { atomicWriteScript, tempPrefix } from './become.js';
import { HandshakeLimiter, Limiter } from './limiter.js';
import { forgetOrphans, readOrphans, recordOrphans } from './orphan-journal.js';
import { quote } from './quote.js';
import { connectTcp, forwardOut, handshake } from './ssh-handshake.js';
import { abandonJobs, runChannel, type ChannelOwner, type RunningJob } from './ssh-exec.js';
import type { SshSettings } from './ssh-settings.js';
import { UnreachableError, type BecomeSpec, type ExecOptions, type ExecResult, type PutOptions, type Transport, type TransportStats } from './types.js';

// Importers reach the limiters through this module.
export { HandshakeLimiter, Limiter } from './limiter.js';

/** OpenSSH's default MaxSessions is 10: 8 exec channels leave room for SFTP and a kill. */
export const MAX_CHANNELS = 8;

export interface SshTransportOptions {
  handshakeLimiter?: HandshakeLimiter;
  maxChannels?: number;
}

export class SshTransport implements Transport {
  readonly stats: TransportStats = { execs: 0, puts: 0, gets: 0, connects: 0 };
  readonly streams = true;
  private client?: Client;
  private readonly hopClients: Client[] = [];
  private connecting?: Promise<Client>;
  private dead?: UnreachableError;
  private closed = false;
  private sftpSession?: Promise<SFTPWrapper | undefined>;
  private readonly channels: Limiter;
  private readonly inflight = new Set<(e: Error) => void>();
  private readonly handshakes?: HandshakeLimiter;
  /** Commands on the host now, with the process group to kill if we give up on them. */
  private readonly running = new Map<object, RunningJob>();
  /** Temp files of uploads in progress: removed (or journaled) if the upload is abandoned. */
  private readonly liveTemps = new Set<string>();

  constructor(
    readonly host: string,
    readonly settings: SshSettings,
    opts: SshTransportOptions = {},
  ) {
    this.channels = new Limiter(opts.maxChannels ?? MAX_CHANNELS);
    this.handshakes = opts.handshakeLimiter;
  }

  /** Opens the connection (and jump hosts); later calls reuse it. */
  async connect(): Promise<void> {
    await this.ready();
  }

  private ready(): Promise<Client> {
    if (this.closed) return Promise.reject(new UnreachableError(`${this.host}: the connection was closed`));
    if (this.dead) return Promise.reject(this.dead);
    if (!this.connecting) {
      this.connecting = this.openChain().catch((e: Error) => {
        this.dead = e instanceof UnreachableError ? e : new UnreachableError(`${this.host}: ${e.message}`);
        this.shutdown();
        throw this.dead;
      });
    }
    return this.connecting;
  }

  private async openChain(): Promise<Client> {
    let via: Client | undefined;
    for (const hop of this.settings.proxyJump) {
      via = await this.openOne(hop, via);
      this.hopClients.push(via);
    }
    const client = await this.openOne(this.settings, via);
    this.client = client;
    await this.removeOrphans(client);
    return client;
  }

  private async openOne(s: SshSettings, via: Client | undefined): Promise<Client> {
    const label = s === this.settings ? this.host : `jump host ${s.host}`;
    let sock: Duplex;
    try {
      sock = via ? await forwardOut(via, s.host, s.port) : await connectTcp(s.host, s.port, s.connectTimeoutMs);
    } catch (e) {
      throw new UnreachableError(`Failed to connect to ${label} (${s.host}:${s.port}) via ssh: ${(e as Error).message}`);
    }
    const shake = () => handshake(s, sock, label);
    const client = this.handshakes ? await this.handshakes.run(shake) : await shake();
    this.stats.connects++;
    const onLost = (why: string) => this.lost(`${label}: ${why}`);
    client.on('error', (e) => onLost(e.message));
    client.on('close', () => onLost('the SSH connection was closed'));
    return client;
  }

  /** Journal key of this host: the same machine and login in a later run. */
  private get orphanKey(): string {
    return `${this.settings.user}@${this.settings.host}:${this.settings.port}`;
  }

  /**
   * Temp files that a cut connection left behind (in this or an earlier run) go away on
   * the next connection, before anything else is sent.
   */
  private async removeOrphans(client: Client): Promise<void> {
    const orphans = readOrphans(this.orphanKey);
    if (!orphans.length) return;
    try {
      const r = await this.channels.run(() => runChannel(this.owner, client, `rm -f -- ${orphans.map(quote).join(' ')}`, {}));
      if (r.rc === 0) forgetOrphans(this.orphanKey, orphans);
    } catch {
      /* kept in the journal for the next connection */
    }
  }

  private lost(why: string): void {
    if (this.dead) return;
    if (this.liveTemps.size) recordOrphans(this.orphanKey, [...this.liveTemps]);
    this.dead = new UnreachableError(this.closed ? `${this.host}: the connection was closed` : `Lost the connection to ${this.host}: ${why}`);
    for (const fail of [...this.inflight]) fail(this.dead);
    this.inflight.clear();
    this.shutdown();
  }

  private shutdown(): void {
    for (const c of [this.client, ...this.hopClients.slice().reverse()]) c?.end();
  }

  exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    this.stats.execs++;
    return this.execRaw(command, opts);
  }

  private async execRaw(command: string, opts: ExecOptions): Promise<ExecResult> {
    const client = await this.ready();
    return this.channels.run(() => runChannel(this.owner, client, command, opts));
  }

  /** What exec channels (ssh-exec.ts) see of this connection. */
  private get owner(): ChannelOwner {
    return { host: this.host, dead: () => this.dead, running: this.running, inflight: this.inflight };
  }

  /** Stops what still runs on the host; temps that outlive it go to the journal. */
  private async abandonWork(client: Client): Promise<void> {
    const temps = [...this.liveTemps];
    await abandonJobs(client, this.running.values(), temps);
    if (this.liveTemps.size) recordOrphans(this.orphanKey, [...this.liveTemps].filter((t) => !temps.includes(t)));
    for (const t of temps) this.liveTemps.delete(t);
  }

  private sftp(): Promise<SFTPWrapper | undefined> {
    if (!this.sftpSession) {
      this.sftpSession = this.ready().then(
        (client) =>
          new Promise<SFTPWrapper | undefined>((resolve) => {
            // A server without the sftp subsystem refuses the channel: use the shell then.
            client.sftp((err, sftp) => resolve(err ? undefined : sftp));
          }),
      );
    }
    return this.sftpSession;
  }

  /**
   * Settles with `work`, or rejects when the connection is lost: ssh2 leaves SFTP
   * requests pending forever when the connection dies under them.
   */
  private guard<T>(work: Promise<T>): Promise<T> {
    if (this.dead) return Promise.reject(this.dead);
    let fail!: (e: Error) => void;
    const lost = new Promise<never>((_, reject) => (fail = reject));
    this.inflight.add(fail);
    return Promise.race([work, lost]).finally(() => this.inflight.delete(fail));
  }

  async put(path: string, content: Buffer, opts: PutOptions = {}): Promise<void> {
    this.stats.puts++;
    const octal = opts.mode === undefined || /^0?[0-7]{3,4}$/.test(opts.mode);
    const sftp = opts.become || !octal ? undefined : await this.guard(this.sftp());
    if (!sftp) return this.putViaShell(path, content, opts);
    return this.guard(this.putViaSftp(sftp, path, content, opts));
  }

  private async putViaSftp(sftp: SFTPWrapper, path: string, content: Buffer, opts: PutOptions): Promise<void> {
    const slash = path.lastIndexOf('/');
    const dir = slash > 0 ? path.slice(0, slash) : slash === 0 ? '' : '.';
    const tmp = `${dir}/.${path.slice(slash + 1)}.rackplay-${randomBytes(6).toString('hex')}.tmp`;
    let handle: Buffer | undefined;
    this.liveTemps.add(tmp);
    try {
      const existing = await sftpCall<Stats | undefined>((cb) => sftp.stat(path, cb)).catch(() => undefined);
      handle = await sftpCall<Buffer>((cb) => sftp.open(tmp, 'wx', { mode: 0o600 }, cb));
      await writeAll(sftp, handle, content);
      // Like Ansible's atomic_move: a replaced file keeps its owner, group and mode.
      if (existing) await sftpCall((cb) => sftp.fchown(handle!, existing.uid, existing.gid, cb)).catch(() => undefined);
      const mode = opts.mode !== undefined ? parseInt(opts.mode, 8) : existing ? existing.mode & 0o7777 : 0o644;
      await sftpCall((cb) => sftp.fchmod(handle!, mode, cb));
      const h = handle;
      handle = undefined;
      await sftpCall((cb) => sftp.close(h, cb));
      try {
        await sftpCall((cb) => sftp.ext_openssh_rename(tmp, path, cb));
      } catch (e) {
        if (!/not support/i.test((e as Error).message)) throw e;
        // Plain SFTP rename refuses to replace a file: let mv do it.
        const r = await this.execRaw(`mv -f -- ${quote(tmp)} ${quote(path)}`, {});
        if (r.rc !== 0) throw new Error(r.stderr.trim() || `mv rc=${r.rc}`);
      }
    } catch (e) {
      if (handle) await sftpCall((cb) => sftp.close(handle!, cb)).catch(() => undefined);
      await sftpCall((cb) => sftp.unlink(tmp, cb)).catch(() => undefined);
      if (e instanceof UnreachableError) throw e;
      if (this.dead) throw this.dead;
      this.liveTemps.delete(tmp);
      // SFTP reports most errnos (ENOSPC, EDQUOT, EROFS...) as a bare "Failure": the
      // shell says what went wrong, so the user gets "No space left on device".
      if ((e as { code?: unknown }).code === SFTP_FAILURE) return this.putViaShell(path, content, opts);
      throw new Error(`could not write ${path} on ${this.host}: ${(e as Error).message}`);
    } finally {
      if (!this.dead) this.liveTemps.delete(tmp);
    }
  }

  private async putViaShell(path: string, content: Buffer, opts: PutOptions): Promise<void> {
    const tmp = `${tempPrefix(path)}${randomBytes(6).toString('hex')}.tmp`;
    this.liveTemps.add(tmp);
    try {
      const r = await this.execRaw(atomicWriteScript(path, opts.mode, { size: content.length, tmp }), { stdin: content, become: opts.become });
      if (r.rc !== 0) throw new Error(`could not write ${path} on ${this.host}: ${r.stderr.trim() || `rc=${r.rc}`}`);
    } finally {
      if (!this.dead) this.liveTemps.delete(tmp);
    }
  }

  async get(path: string, opts: { become?: BecomeSpec } = {}): Promise<Buffer> {
    this.stats.gets++;
    const sftp = opts.become ? undefined : await this.guard(this.sftp());
    if (sftp) {
      try {
        return await this.guard(sftpCall<Buffer>((cb) => sftp.readFile(path, cb)));
      } catch (e) {
        if (this.dead) throw this.dead;
        throw new Error(`could not read ${path} on ${this.host}: ${(e as Error).message}`);
      }
    }
    const r = await this.execRaw(`cat -- ${quote(path)}`, { become: opts.become });
    if (r.rc !== 0) throw new Error(`could not read ${path} on ${this.host}: ${r.stderr.trim() || `rc=${r.rc}`}`);
    return r.stdoutBytes;
  }

  private closing?: Promise<void>;

  /** Later calls wait for the first one (an interrupted run closes from two places). */
  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<void> {
    if (this.client && !this.dead && (this.running.size || this.liveTemps.size)) await this.abandonWork(this.client);
    this.closed = true;
    this.lost('closed');
    const sftp = await this.sftpSession?.catch(() => undefined);
    sftp?.end();
  }
}

function sftpCall<T = void>(fn: (cb: (err: Error | undefined | null, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value as T))));
}

async function writeAll(sftp: SFTPWrapper, handle: Buffer, content: Buffer): Promise<void> {
  const CHUNK = 32 * 1024;
  const WINDOW = 16; // writes in flight, so large files do not wait a round trip per chunk
  let offset = 0;
  const inflight = new Set<Promise<void>>();
  while (offset < content.length || inflight.size > 0) {
    while (offset < content.length && inflight.size < WINDOW) {
      const at = offset;
      const len = Math.min(CHUNK, content.length - at);
      offset += len;
      const p: Promise<void> = sftpCall((cb) => sftp.write(handle, content, at, len, at, cb)).then(() => {
        inflight.delete(p);
      });
      inflight.add(p);
    }
    if (inflight.size > 0) await Promise.race(inflight);
  }
}

/** ssh2's SFTP status code for errors the server does not name (ENOSPC among them). */
const SFTP_FAILURE = 4;
