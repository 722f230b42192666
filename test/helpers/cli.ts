// Runs the built CLI as a user would, and reads its PLAY RECAP.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { HostStats } from '../../src/output/events.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const rackplayBin = path.join(repoRoot, 'bin/rackplay.js');

/** Debian's ansible-playbook, for the tests that compare with it (skipped, and saying so, without it). */
export const haveAnsiblePlaybook = spawnSync('ansible-playbook', ['--version'], { stdio: 'ignore' }).status === 0;

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCommand(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, NO_COLOR: '1', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

export function runRackplay(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliRun> {
  return runCommand(process.execPath, [rackplayBin, ...args], opts);
}

/** host → stats from the PLAY RECAP lines of ansible-playbook or rackplay. */
export function parseRecap(stdout: string): Record<string, HostStats> {
  const out: Record<string, HostStats> = {};
  const start = stdout.lastIndexOf('PLAY RECAP');
  if (start < 0) return out;
  for (const line of stdout.slice(start).split('\n').slice(1)) {
    const m = /^(\S+)\s+:\s+(.*)$/.exec(line.trim());
    if (!m) continue;
    const stats: Record<string, number> = {};
    for (const kv of m[2].trim().split(/\s+/)) {
      const [k, v] = kv.split('=');
      stats[k] = Number(v);
    }
    out[m[1]] = stats as unknown as HostStats;
  }
  return out;
}

/** One TASK, RUNNING HANDLER or PLAY banner and what each host got under it. */
export interface TaskLines {
  banner: string;
  /** host → its statuses under this banner (one per loop item), sorted: hosts run in any order. */
  hosts: Record<string, string[]>;
}

const BANNER = /^((?:PLAY|TASK|RUNNING HANDLER) \[.*\]) \*+$/;
const STATUS = /^(ok|changed|skipping|fatal|failed|included): \[([^\]]+)\](?:: (FAILED|UNREACHABLE)!)?(?: => \(item=(.*?)\)(?= => |$))?/;

/**
 * The per-task status lines of ansible-playbook's default output (which rackplay prints
 * too): every banner in order, and under each, host → ok/changed/skipped/failed/unreachable
 * (`ignored` when followed by `...ignoring`), with the loop item when there is one.
 * `replace` swaps run-specific text (the output directory) for a placeholder.
 */
export function parseTaskLines(stdout: string, replace: [string, string][] = []): TaskLines[] {
  const out: TaskLines[] = [];
  let cur: TaskLines | undefined;
  let last: { host: string; index: number } | undefined;
  for (let line of stdout.split('\n')) {
    for (const [from, to] of replace) line = line.split(from).join(to);
    if (line.startsWith('PLAY RECAP')) break;
    const b = BANNER.exec(line);
    if (b) {
      cur = { banner: b[1], hosts: {} };
      out.push(cur);
      last = undefined;
      continue;
    }
    if (line === '...ignoring' && cur && last) {
      cur.hosts[last.host][last.index] = cur.hosts[last.host][last.index].replace(/^failed/, 'ignored');
      continue;
    }
    const m = STATUS.exec(line);
    if (!m || !cur) continue;
    // "fatal: [web1 -> localhost]" is still web1's result.
    const host = m[2].split(' -> ')[0];
    const status = m[3] === 'UNREACHABLE' ? 'unreachable' : m[1] === 'fatal' ? 'failed' : m[1] === 'skipping' ? 'skipped' : m[1];
    (cur.hosts[host] ??= []).push(m[4] !== undefined ? `${status}(item=${m[4]})` : status);
    last = { host, index: cur.hosts[host].length - 1 };
  }
  for (const t of out) for (const h of Object.keys(t.hosts)) t.hosts[h].sort();
  return out;
}

/**
 * The `msg` of every debug result printed, sorted: hosts report in any order. Only the
 * indented line of a multi-line result: a one-line failure also has a "msg", followed by
 * timestamps that differ from run to run.
 */
export function debugMsgs(stdout: string): string[] {
  return [...stdout.matchAll(/^\s+"msg": "(.*)",?$/gm)].map((m) => m[1]).sort();
}

/** `-i inv.ini PLAYBOOK EXTRA...` in `dir`, through rackplay and through ansible-playbook. */
export async function runBoth(dir: string, playbook = 'pb.yml', extra: string[] = []): Promise<{ ours: CliRun; theirs: CliRun }> {
  const args = ['-i', 'inv.ini', playbook, ...extra];
  const ours = await runRackplay(args, { cwd: dir });
  const theirs = await runCommand('ansible-playbook', args, { cwd: dir, env: { ANSIBLE_NOCOLOR: '1' } });
  return { ours, theirs };
}

/** The same run as ansible-playbook's: exit code, per-task host lines, recap and debug messages. */
export function expectSameRun({ ours, theirs }: { ours: CliRun; theirs: CliRun }): void {
  expect(ours.code, ours.stdout + ours.stderr).toBe(theirs.code);
  expect(parseTaskLines(ours.stdout)).toEqual(parseTaskLines(theirs.stdout));
  expect(parseRecap(ours.stdout)).toEqual(parseRecap(theirs.stdout));
  expect(debugMsgs(ours.stdout)).toEqual(debugMsgs(theirs.stdout));
}
