// The controller's end of a remote shell relay: a program on this machine (rsync, for
// synchronize) is given bin/rackplay-rsh.js as its `--rsh`; that relay connects back to
// this process over a unix socket and hands over the command it was asked to run, which
// then runs on an exec channel of the host's existing connection (with the task's become),
// its stdin and stdout piped through. So the target needs its own rsync and nothing else,
// and no second SSH login, key or host-key check happens.
//
// The socket lives in a fresh 0700 directory with a random name: only this user can
// connect. Frames both ways are [type: 1 byte][length: 4 bytes BE][payload]:
//   relay → here: A (JSON argv the relay got), I (stdin bytes), E (stdin ended)
//   here → relay: O (stdout bytes), R (stderr bytes), X (exit status, 4 bytes BE)
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import type { BecomeSpec, Transport } from './types.js';

/** The environment variable that tells the relay where to connect. */
export const RELAY_SOCKET_ENV = 'RACKPLAY_RSH_SOCKET';

/** One frame: type, payload length, payload. */
export function frame(type: string, payload: Buffer | string): Buffer {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

/** Splits a byte stream into frames, whatever the chunking. */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);
  constructor(private readonly onFrame: (type: string, payload: Buffer) => void) {}
  push(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    while (this.buf.length >= 5) {
      const len = this.buf.readUInt32BE(1);
      if (this.buf.length < 5 + len) return;
      const type = this.buf.toString('latin1', 0, 1);
      const payload = this.buf.subarray(5, 5 + len);
      this.buf = this.buf.subarray(5 + len);
      this.onFrame(type, payload);
    }
  }
}

/**
 * The remote command in a remote shell's argv, as ssh builds it: options before the host
 * (`-l user`, which rsync adds for `user@host:`) are skipped, the words after the host are
 * joined with spaces (rsync has already quoted them for a shell).
 */
export function remoteCommand(argv: readonly string[]): string {
  let i = 0;
  while (i < argv.length && argv[i].startsWith('-')) i += argv[i].length === 2 && 'lpi'.includes(argv[i][1]) ? 2 : 1;
  return argv.slice(i + 1).join(' ');
}

export interface RelayOptions {
  transport: Transport;
  become?: BecomeSpec;
  env?: Record<string, string>;
  /** Rewrites the remote command before it runs (a check that the tool is there). */
  wrap?: (command: string) => string;
  /** Sees each finished command's stderr and status. */
  onDone?: (command: string, rc: number, stderr: string) => void;
}

export interface Relay {
  /** The environment the relayed program needs (its relay finds the socket there). */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startRelay(opts: RelayOptions): Promise<Relay> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rackplay-rsh-'));
  const socket = path.join(dir, `${randomBytes(8).toString('hex')}.sock`);
  const conns = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    conns.add(sock);
    sock.on('close', () => conns.delete(sock));
    sock.on('error', () => undefined);
    serve(sock, opts);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, () => resolve());
  });
  return {
    env: { [RELAY_SOCKET_ENV]: socket },
    async close() {
      for (const c of conns) c.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function serve(sock: net.Socket, opts: RelayOptions): void {
  const stdin = new PassThrough();
  let started = false;
  const reader = new FrameReader((type, payload) => {
    if (type === 'I') stdin.write(payload);
    else if (type === 'E') stdin.end();
    else if (type === 'A' && !started) {
      started = true;
      void run(JSON.parse(payload.toString('utf8')) as string[]);
    }
  });
  sock.on('data', (b: Buffer) => reader.push(b));
  sock.on('close', () => stdin.end());
  const stdout = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (sock.destroyed) return cb();
      if (sock.write(frame('O', chunk))) cb();
      else sock.once('drain', () => cb());
    },
  });
  async function run(argv: string[]): Promise<void> {
    const command = remoteCommand(argv);
    let stderr = '';
    let rc = 255;
    try {
      const r = await opts.transport.exec(opts.wrap ? opts.wrap(command) : command, {
        become: opts.become,
        env: opts.env,
        pipe: { stdin, stdout },
        onOutput: (chunk, stream) => {
          if (stream !== 'stderr') return;
          stderr += chunk;
          if (!sock.destroyed) sock.write(frame('R', chunk));
        },
      });
      rc = r.rc;
    } catch (e) {
      stderr += `${(e as Error).message}\n`;
      if (!sock.destroyed) sock.write(frame('R', `rackplay: ${(e as Error).message}\n`));
    }
    opts.onDone?.(command, rc, stderr);
    // the last stdout bytes go before the status
    stdout.end(() => {
      const status = Buffer.alloc(4);
      status.writeUInt32BE(rc >>> 0);
      if (!sock.destroyed) sock.end(frame('X', status));
    });
  }
}
