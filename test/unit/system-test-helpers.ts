// Probe output for the system modules' table tests, built the way the probe scripts
// print it (sections from facts/system-probe.ts), so each row goes through the real parser.
import type { ExecResult } from '../../src/transport/types.js';

export function sec(name: string, body: string, rc = 0): string {
  return `@@${name}\n${body}${body === '' || body.endsWith('\n') ? '' : '\n'}@@rc ${rc}\n`;
}

export function have(tools: Record<string, boolean>): string {
  return Object.entries(tools)
    .map(([t, y]) => `@@have ${t} ${y ? 'yes' : 'no'}\n`)
    .join('');
}

export function out(...parts: string[]): ExecResult {
  const stdout = parts.join('');
  return { rc: 0, stdout, stderr: '', stdoutBytes: Buffer.from(stdout) };
}

export const ctx = { check: true, diff: false, host: 'sl44', vars: {} };

/** The commands of a plan's exec steps. */
export function cmds(plan: { steps: { kind: string; cmd?: string }[] }): string[] {
  return plan.steps.filter((s) => s.kind === 'exec').map((s) => s.cmd!);
}

export { planned } from './file-module-helpers.js';
