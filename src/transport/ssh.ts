// The SSH transport: one persistent ssh2 connection per host, commands on exec channels
// (at most MAX_CHANNELS at once, the rest queued), files over one lazily opened SFTP
// session. Host keys are checked against known_hosts like OpenSSH does.
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import nodePath from 'node:path';
import type { Duplex } from 'node:stream';
import ssh2, { type AuthenticationType, type Client as SshClient, type ClientChannel, type ConnectConfig, type SFTPWrapper, type Stats } from 'ssh2';

// ssh2 is CommonJS: Node's ESM loader exposes only its default export at run time.
const { Client, utils: sshUtils } = ssh2;
type Client = SshClient;
import { atomicWriteScript, becomeStdin, stripSudoPrompt, tempPrefix, wrapBecome } from './become.js';
import { algorithmsForKeyType, checkHostKey, fingerprintSha256, keyTypeOfBlob, knownHostName, knownKeyTypes, parseKnownHosts, type KnownHostEntry } from './known-hosts.js';
import { envPrefix } from './local.js';
import { quote } from './quote.js';
import type { SshSettings } from './ssh-settings.js';
import { TaskTimeoutError, UnreachableError, type BecomeSpec, type ExecOptions, type ExecResult, type PutOptions, type Transport, type TransportStats } from './types.js';

/** OpenSSH's default MaxSessions is 10: 8 exec channels leave room for SFTP and a kill. */
export const MAX_CHANNELS = 8;

/** A counting semaphore. */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(readonly max: number) {
    if (!(max >= 1)) throw new Error(`limit must be at least 1, got ${max}`);
  }
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((r) => this.waiting.push(r));
    else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
  get pending(): number {
    return this.waiting.length;
  }
}

/**
 * Caps SSH handshakes in progress (key exchange is CPU work on the controller),
 * separately from how many hosts run tasks at once (forks).
 */
export class HandshakeLimiter extends Limiter {
  constructor(max = Math.max(4, os.cpus().length * 4)) {
    super(max);
  }
}

export interface SshTransportOptions {
  handshakeLimiter?: HandshakeLimiter;
  maxChannels?: number;
}

const PGID_MARK = 'rackplay-pgid:';

function signalNumber(name: string | undefined): number {
  if (!name) return 0;
  const n = (os.constants.signals as Record<string, number>)['SIG' + name.replace(/^SIG/, '')];
  return n ?? 0;
}

/** Parsed known_hosts files by path, kept while their content is the same. */
const knownHostsCache = new Map<string, { text: string; entries: KnownHostEntry[] }>();

function loadKnownHosts(files: readonly string[]): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue; // a missing known_hosts file is an empty one
    }
    // Re-read every time (a run may add keys), parsed again only when it changed.
    let hit = knownHostsCache.get(f);
    if (!hit || hit.text !== text) knownHostsCache.set(f, (hit = { text, entries: parseKnownHosts(text, f) }));
    entries.push(...hit.entries);
  }
  return entries;
}

function readKey(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

function connectTcp(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`connect to ${host} port ${port}: timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      // Without it each small exec request waits for a delayed ACK (~40 ms per command).
      sock.setNoDelay(true);
      sock.setKeepAlive(true, 30000);
      resolve(sock);
    });
    sock.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`connect to ${host} port ${port}: ${(e as NodeJS.ErrnoException).code ?? e.message}`));
    });
  });
}

export class SshTransport implements Transport {
  readonly stats: TransportStats = { execs: 0, puts: 0, gets: 0, connects: 0 };
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
  private readonly running = new Map<object, { pgid?: number; become?: BecomeSpec }>();
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
    const handshake = () => this.handshake(s, sock, label);
    const client = this.handshakes ? await this.handshakes.run(handshake) : await handshake();
    this.stats.connects++;
    const onLost = (why: string) => this.lost(`${label}: ${why}`);
    client.on('error', (e) => onLost(e.message));
    client.on('close', () => onLost('the SSH connection was closed'));
    return client;
  }

  private handshake(s: SshSettings, sock: Duplex, label: string): Promise<Client> {
    const entries = loadKnownHosts(s.knownHostsFiles);
    const lookupHost = s.hostKeyAlias ?? s.host;
    const lookupPort = s.hostKeyAlias ? 22 : s.port;
    // Like OpenSSH, ask for the key types we already know for this host first.
    const preferred = knownKeyTypes(entries, lookupHost, lookupPort).flatMap(algorithmsForKeyType);
    const serverHostKey = [...preferred.filter((a) => s.algorithms.serverHostKey.includes(a)), ...s.algorithms.serverHostKey.filter((a) => !preferred.includes(a))];
    let hostKeyProblem: string | undefined;

    const hostVerifier = (key: Buffer): boolean => {
      const fp = fingerprintSha256(key);
      const name = knownHostName(lookupHost, lookupPort);
      const verdict = checkHostKey(entries, lookupHost, lookupPort, key);
      if (verdict.status === 'match') return true;
      if (verdict.status === 'revoked') {
        hostKeyProblem = `Host key ${fp} for ${name} is marked as revoked in ${verdict.entry.file}:${verdict.entry.line}`;
        return false;
      }
      if (s.strictHostKeyChecking === 'no') return true;
      if (verdict.status === 'mismatch') {
        hostKeyProblem = `Host key verification failed: the host key for ${name} has changed. The server offers ${fp}; ${verdict.entry.file}:${verdict.entry.line} has a different ${verdict.entry.keyType} key. Remove that line if the change is expected.`;
        return false;
      }
      const userFile = s.knownHostsFiles[0] ?? '~/.ssh/known_hosts';
      if (s.strictHostKeyChecking === 'accept-new') {
        try {
          appendFileSync(userFile, `${name} ${keyTypeOfBlob(key)} ${key.toString('base64')}\n`);
        } catch {
          /* OpenSSH also goes on when it cannot record the key */
        }
        return true;
      }
      hostKeyProblem = `Host key verification failed: no host key for ${name} is known in ${[...new Set(s.knownHostsFiles)].join(', ') || 'any known_hosts file'}. The server offers ${keyTypeOfBlob(key)} key ${fp}. Add it to ${userFile} (ssh-keyscan) or set host_key_checking = False.`;
      return false;
    };

    const methods = authMethods(s);
    const config: ConnectConfig = {
      sock: sock as ConnectConfig['sock'],
      username: s.user,
      readyTimeout: s.connectTimeoutMs,
      keepaliveInterval: s.keepaliveIntervalMs,
      keepaliveCountMax: s.keepaliveCountMax,
      algorithms: { kex: s.algorithms.kex, cipher: s.algorithms.cipher, serverHostKey: serverHostKey, hmac: s.algorithms.hmac } as ConnectConfig['algorithms'],
      hostVerifier,
      authHandler: (left, _partial, next) => {
        while (methods.length > 0) {
          const m = methods.shift()!;
          if (!left || left.includes(m.type as never)) return next(m as unknown as AuthenticationType);
        }
        return next(false as unknown as AuthenticationType);
      },
    };
    return new Promise((resolve, reject) => {
      const client = new Client();
      let settled = false;
      client.once('ready', () => {
        settled = true;
        client.removeAllListeners('error');
        resolve(client);
      });
      client.on('error', (e: Error & { level?: string }) => {
        if (settled) return;
        settled = true;
        let msg = e.message;
        if (hostKeyProblem) msg = hostKeyProblem;
        else if (e.level === 'client-authentication') msg = authFailure(s);
        else if (/handshake|no matching/i.test(msg)) msg = `no common algorithm with the server (${msg}). For old servers set rackplay_legacy_algorithms: true`;
        client.end();
        reject(new UnreachableError(`Failed to connect to ${label} (${s.host}:${s.port}) via ssh: ${msg}`));
      });
      client.once('close', () => {
        if (settled) return;
        settled = true;
        reject(new UnreachableError(`Failed to connect to ${label} (${s.host}:${s.port}) via ssh: ${hostKeyProblem ?? 'connection closed during the handshake'}`));
      });
      client.connect(config);
    });
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
      const r = await this.channels.run(() => this.runChannel(client, `rm -f -- ${orphans.map(quote).join(' ')}`, {}));
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
    return this.channels.run(() => this.runChannel(client, command, opts));
  }

  private runChannel(client: Client, command: string, opts: ExecOptions): Promise<ExecResult> {
    const wrapped = wrapBecome(envPrefix(opts.env) + command, opts.become);
    // The login shell may be anything; the contract is /bin/sh.
    // The shell first reports its PID, which is the process group sshd made for the
    // session: what a timeout or an interrupted run kills.
    const remote = `echo ${PGID_MARK}$$ >&2; exec /bin/sh -c ${quote(wrapped)}`;
    const stdin = becomeStdin(opts.become, opts.stdin);
    return new Promise<ExecResult>((resolve, reject) => {
      let done = false;
      let timer: NodeJS.Timeout | undefined;
      const job: { pgid?: number; become?: BecomeSpec } = { become: opts.become };
      const finish = (err: Error | undefined, result?: ExecResult) => {
        if (done) return;
        done = true;
        if (timer) clearTimeout(timer);
        this.running.delete(job);
        this.inflight.delete(fail);
        if (err) reject(err);
        else resolve(result!);
      };
      const fail = (e: Error) => finish(e);
      this.inflight.add(fail);
      const onChannel = (err: Error | undefined, ch: ClientChannel) => {
        if (err) return finish(this.dead ?? new UnreachableError(`${this.host}: could not open a channel: ${err.message}`));
        if (done) return ch.close();
        this.running.set(job, job);
        const out: Buffer[] = [];
        const errChunks: Buffer[] = [];
        let pgid: number | undefined;
        let pending: string | undefined = ''; // stderr held until the PID line is seen
        let exit: { code: number | null; signal?: string } | undefined;
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
            setImmediate(() => finish(this.dead ?? new UnreachableError(`${this.host}: the command's channel closed without an exit status`)));
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
        ch.end(stdin ?? Buffer.alloc(0));
        if (opts.timeoutMs) {
          timer = setTimeout(() => {
            finish(new TaskTimeoutError(opts.timeoutMs!));
            this.killGroup(client, pgid, opts.become);
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
        finish(this.dead ?? new UnreachableError(`${this.host}: ${(e as Error).message}`));
      }
    });
  }

  /** Kills a timed-out command's whole process group on the host, as the user that runs it. */
  private killGroup(client: Client, pgid: number | undefined, become: BecomeSpec | undefined): void {
    if (!pgid || !Number.isInteger(pgid) || pgid <= 1) return;
    const cmd = `/bin/sh -c ${quote(wrapBecome(`kill -9 -${pgid} 2>/dev/null || kill -9 ${pgid} 2>/dev/null; exit 0`, become))}`;
    try {
      client.exec(cmd, (err, ch) => {
        if (err) return;
        ch.on('data', () => undefined);
        ch.stderr.on('data', () => undefined);
        ch.on('error', () => undefined);
        ch.end(becomeStdin(become) ?? Buffer.alloc(0));
      });
    } catch {
      /* connection gone */
    }
  }

  /**
   * Closing with commands still running (an interrupted run): their process groups get
   * TERM, then KILL a second later, and temp files of unfinished uploads are removed,
   * before the connection goes. An SFTP upload still writing then fails at its rename.
   */
  private async abandonWork(client: Client): Promise<void> {
    const byUser = new Map<string, { become?: BecomeSpec; pgids: number[] }>();
    for (const job of this.running.values()) {
      const key = job.become ? `${job.become.method}:${job.become.user}` : '';
      const entry = byUser.get(key) ?? { become: job.become, pgids: [] };
      if (job.pgid && Number.isInteger(job.pgid) && job.pgid > 1) entry.pgids.push(job.pgid);
      byUser.set(key, entry);
    }
    const temps = [...this.liveTemps];
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
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        try {
          client.exec(`/bin/sh -c ${quote(wrapBecome(body, become))}`, (err, ch) => {
            if (err) return done();
            ch.on('data', () => undefined);
            ch.stderr.on('data', () => undefined);
            ch.on('error', () => undefined);
            ch.on('close', done);
            ch.end(becomeStdin(become) ?? Buffer.alloc(0));
          });
        } catch {
          done();
        }
      });
    };
    await Promise.all(kills.map((e) => send(e.become, e.pgids, !e.become)));
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

interface Auth {
  type: string;
  [k: string]: unknown;
}

function authMethods(s: SshSettings): Auth[] {
  const list: Auth[] = [];
  for (const f of s.identityFiles) {
    const key = readKey(f);
    // Encrypted keys need a passphrase we do not have: those are left to the agent.
    if (key && !(sshUtils.parseKey(key) instanceof Error)) list.push({ type: 'publickey', username: s.user, key } as unknown as Auth);
  }
  if (s.agent) list.push({ type: 'agent', username: s.user, agent: s.agent } as unknown as Auth);
  if (s.password !== undefined) {
    const password = s.password;
    list.push({ type: 'password', username: s.user, password } as unknown as Auth);
    list.push({
      type: 'keyboard-interactive',
      username: s.user,
      prompt: (_n: string, _i: string, _l: string, prompts: unknown[], finish: (answers: string[]) => void) => finish(prompts.map(() => password)),
    } as unknown as Auth);
  }
  return list;
}

function authFailure(s: SshSettings): string {
  const tried = authMethods(s).map((m) => m.type);
  const unreadable = s.identityFiles.filter((f) => !readKey(f));
  let msg = `Permission denied for ${s.user}@${s.host} (tried: ${[...new Set(tried)].join(', ') || 'nothing'})`;
  if (unreadable.length > 0 && unreadable.length === s.identityFiles.length && !s.agent && s.password === undefined) {
    msg += `; no key file could be read (${unreadable.join(', ')}), no SSH agent and no password`;
  }
  return msg;
}

function forwardOut(via: Client, host: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    via.forwardOut('127.0.0.1', 0, host, port, (err, ch) => (err ? reject(new Error(`the jump host could not open ${host}:${port}: ${err.message}`)) : resolve(ch)));
  });
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

/**
 * Temp files left on hosts by uploads whose connection died, kept on the controller so
 * the next connection to the same host removes them. Small: it only holds what a cut
 * connection left, and entries go as soon as a connection succeeds.
 */
function orphanJournal(): string {
  const dir = process.env.RACKPLAY_STATE_DIR ?? nodePath.join(process.env.XDG_STATE_HOME || nodePath.join(os.homedir(), '.local/state'), 'rackplay');
  return nodePath.join(dir, 'orphan-temps.json');
}

function loadJournal(): Record<string, string[]> {
  try {
    const data = JSON.parse(readFileSync(orphanJournal(), 'utf8')) as unknown;
    return data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, string[]>) : {};
  } catch {
    return {};
  }
}

function saveJournal(data: Record<string, string[]>): void {
  const file = orphanJournal();
  try {
    mkdirSync(nodePath.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(data) + '\n');
    renameSync(tmp, file);
  } catch {
    /* a controller that cannot write its state dir just cannot clean up later */
  }
}

function readOrphans(key: string): string[] {
  const list = loadJournal()[key];
  return Array.isArray(list) ? list.filter((p) => typeof p === 'string' && p.includes('.rackplay-')) : [];
}

function recordOrphans(key: string, temps: string[]): void {
  if (!temps.length) return;
  const data = loadJournal();
  data[key] = [...new Set([...(data[key] ?? []), ...temps])];
  saveJournal(data);
}

function forgetOrphans(key: string, temps: string[]): void {
  const data = loadJournal();
  const left = (data[key] ?? []).filter((t) => !temps.includes(t));
  if (left.length) data[key] = left;
  else delete data[key];
  saveJournal(data);
}
