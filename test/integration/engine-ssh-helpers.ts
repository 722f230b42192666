// Shared by the engine-ssh-*.test.ts files: playbooks run through the built CLI against a
// lab of real sshd hosts, with output timestamps (for ordering checks) and sshd log counts.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Lab, LabHost } from '../lab/lab.js';
import { labHostVars } from '../lab/lab.js';
import { parseRecap, rackplayBin } from '../helpers/cli.js';
import type { HostStats } from '../../src/output/events.js';

export interface TimedLine {
  /** ms since the CLI started */
  t: number;
  text: string;
}

export interface PlayRun {
  code: number;
  stdout: string;
  stderr: string;
  lines: TimedLine[];
  recap: Record<string, HostStats>;
  wallMs: number;
}

export interface RunOpts {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  stdin?: string;
  timeoutMs?: number;
  /** Called for each stdout line as it arrives. */
  onLine?: (line: string) => void;
}

/** Runs `rackplay args...`, keeping each stdout line with the time it arrived. */
export function rackplay(args: string[], opts: RunOpts): Promise<PlayRun> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    // ANSIBLE_CONFIG unset: an ansible.cfg in the test's cwd is the one that counts.
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ANSIBLE_CONFIG: '', ...opts.env };
    // RACKPLAY_BIN: a build of one's own, while the shared dist/ is being rebuilt by others.
    const child = spawn(process.execPath, [process.env.RACKPLAY_BIN ?? rackplayBin, ...args], { cwd: opts.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let partial = '';
    const lines: TimedLine[] = [];
    child.stdout.on('data', (b: Buffer) => {
      const text = b.toString();
      stdout += text;
      partial += text;
      const parts = partial.split('\n');
      partial = parts.pop()!;
      for (const p of parts) {
        lines.push({ t: Date.now() - started, text: p });
        opts.onLine?.(p);
      }
    });
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.stdin.end(opts.stdin ?? '');
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (partial) lines.push({ t: Date.now() - started, text: partial });
      resolve({ code: code ?? -1, stdout, stderr, lines, recap: parseRecap(stdout), wallMs: Date.now() - started });
    });
  });
}

/** A fresh directory for one test's playbooks, inventory and config. */
export function workDir(root: string, name: string): string {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    const full = path.join(dir, rel);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
}

/**
 * An inventory (YAML, written as JSON) with the lab's connection vars for `hosts`, plus
 * per-host and `all` vars. Returns its path.
 */
export function writeInventory(dir: string, lab: Lab, hosts: LabHost[], opts: { hostVars?: Record<string, Record<string, unknown>>; vars?: Record<string, unknown>; file?: string } = {}): string {
  const inv = {
    all: {
      vars: opts.vars ?? {},
      hosts: Object.fromEntries(hosts.map((h) => [h.name, { ...labHostVars(lab, h), ...opts.hostVars?.[h.name] }])),
    },
  };
  const file = path.join(dir, opts.file ?? 'inventory.yml');
  writeFileSync(file, JSON.stringify(inv, null, 2));
  return file;
}

/** sshd's log of a lab host; a log that cannot be read fails the test rather than count as 0. */
function sshdLog(host: LabHost): string {
  try {
    return readFileSync(host.logPath, 'utf8');
  } catch (e) {
    throw new Error(`cannot read the sshd log of lab host ${host.name} (${host.logPath}): ${(e as Error).message}`);
  }
}

/** How many SSH logins sshd accepted so far (LogLevel VERBOSE logs one line per login). */
export function acceptedLogins(host: LabHost): number {
  return sshdLog(host).split('Accepted publickey').length - 1;
}

/**
 * How many TCP connections sshd took so far, logged in or not: "Connection from" is logged
 * at LogLevel VERBOSE (the lab's) as soon as a connection is accepted, before any key
 * exchange, so a run that only probed a host, or failed to authenticate, is counted too.
 */
export function sshConnections(host: LabHost): number {
  return sshdLog(host).split('Connection from ').length - 1;
}

/** Index of the first stdout line matching `re` (or -1). */
export function lineIndex(run: PlayRun, re: RegExp): number {
  return run.lines.findIndex((l) => re.test(l.text));
}

export function lineAt(run: PlayRun, re: RegExp): TimedLine | undefined {
  return run.lines.find((l) => re.test(l.text));
}

/** The hosts with a result line (ok/changed/failed/skipping/fatal) in each section, in order. */
export function sections(stdout: string): { title: string; hosts: string[] }[] {
  const out: { title: string; hosts: string[] }[] = [];
  for (const line of stdout.split('\n')) {
    const banner = /^(PLAY|TASK|RUNNING HANDLER) \[(.*)\] \*+$/.exec(line);
    if (banner) {
      out.push({ title: `${banner[1]} [${banner[2]}]`, hosts: [] });
      continue;
    }
    const res = /^(?:ok|changed|failed|skipping|fatal): \[([^\]\s]+)/.exec(line);
    if (res && out.length) out[out.length - 1].hosts.push(res[1]);
  }
  return out;
}

/** Escapes a string for use inside a RegExp. */
export const re = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Index of the stdout line with `host`'s result under the banner `title` (or -1). */
export function resultIndex(run: PlayRun, title: string, host: string): number {
  let current = '';
  for (let i = 0; i < run.lines.length; i++) {
    const text = run.lines[i].text;
    const banner = /^((?:PLAY|TASK|RUNNING HANDLER) \[.*\]) \*+$/.exec(text);
    if (banner) current = banner[1];
    else if (current === title && new RegExp(`^(?:ok|changed|failed|skipping|fatal): \\[${re(host)}[\\] ]`).test(text)) return i;
  }
  return -1;
}
