// Runs commands on the controller itself, for `ansible_connection: local` and
// `localhost`, through the same contract as SSH.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { atomicWriteScript, stripSudoPrompt } from './become.js';
import { quote } from './quote.js';
import { launchScript } from './stdin-script.js';
import { TaskTimeoutError, type ExecOptions, type ExecResult, type PutOptions, type Transport, type TransportStats } from './types.js';

export function envPrefix(env: Record<string, string> | undefined): string {
  if (!env) return '';
  return Object.entries(env)
    .map(([k, v]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`invalid environment variable name: ${k}`);
      return `export ${k}=${quote(v)}; `;
    })
    .join('');
}

export class LocalTransport implements Transport {
  readonly stats: TransportStats = { execs: 0, puts: 0, gets: 0, connects: 0 };
  /** Process groups of commands still running, killed if the transport is closed under them. */
  private readonly running = new Set<number>();
  constructor(readonly host: string) {}

  exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    this.stats.execs++;
    // The script goes on stdin, the command line is a constant (stdin-script.ts).
    const { command: full, stdin } = launchScript(envPrefix(opts.env) + command, opts.become, opts.stdin);
    return new Promise((resolve, reject) => {
      // detached: a timeout kills the whole process group, not only sh.
      const child = spawn('/bin/sh', ['-c', full], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
      const pgid = child.pid;
      if (pgid) this.running.add(pgid);
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let timer: NodeJS.Timeout | undefined;
      if (opts.timeoutMs) {
        timer = setTimeout(() => {
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            /* already gone */
          }
          reject(new TaskTimeoutError(opts.timeoutMs!));
        }, opts.timeoutMs);
      }
      child.stdout.on('data', (b: Buffer) => {
        out.push(b);
        opts.onOutput?.(b.toString('utf8'), 'stdout');
      });
      child.stderr.on('data', (b: Buffer) => {
        err.push(b);
        opts.onOutput?.(b.toString('utf8'), 'stderr');
      });
      child.on('error', (e) => {
        if (pgid) this.running.delete(pgid);
        if (timer) clearTimeout(timer);
        reject(e);
      });
      child.on('close', (code, signal) => {
        if (pgid) this.running.delete(pgid);
        if (timer) clearTimeout(timer);
        const bytes = Buffer.concat(out);
        resolve({
          rc: code ?? (signal ? 128 + 9 : 1),
          stdout: bytes.toString('utf8'),
          stdoutBytes: bytes,
          stderr: stripSudoPrompt(Buffer.concat(err).toString('utf8')),
        });
      });
      child.stdin.on('error', () => {
        /* the command may exit without reading its stdin */
      });
      child.stdin.end(stdin);
    });
  }

  async put(path: string, content: Buffer, opts: PutOptions = {}): Promise<void> {
    this.stats.puts++;
    this.stats.execs--; // counted as a put, not an exec
    const r = await this.exec(atomicWriteScript(path, opts.mode), { stdin: content, become: opts.become });
    if (r.rc !== 0) throw new Error(`could not write ${path}: ${r.stderr.trim() || `rc=${r.rc}`}`);
  }

  async get(path: string, opts: { become?: PutOptions['become'] } = {}): Promise<Buffer> {
    this.stats.gets++;
    if (!opts.become) return readFile(path);
    this.stats.execs--;
    const r = await this.exec(`cat -- ${quote(path)}`, { become: opts.become });
    if (r.rc !== 0) throw new Error(`could not read ${path}: ${r.stderr.trim()}`);
    return r.stdoutBytes;
  }

  /** With commands still running (an interrupted run): TERM to their groups, KILL a second later. */
  async close(): Promise<void> {
    if (!this.running.size) return;
    const groups = [...this.running];
    const signal = (sig: NodeJS.Signals) => {
      for (const g of groups) {
        try {
          process.kill(-g, sig);
        } catch {
          /* already gone */
        }
      }
    };
    signal('SIGTERM');
    for (let waited = 0; waited < 1000 && groups.some((g) => this.running.has(g)); waited += 50) await new Promise((r) => setTimeout(r, 50));
    signal('SIGKILL');
  }
}
