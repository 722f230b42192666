// The effectful half of a planned module: run the plan's steps. Consecutive exec steps
// without stdin are joined into one remote command, so a change costs as few round
// trips as possible.
import type { Plan, Step } from '../modules/types.js';
import { UnreachableError, type BecomeSpec, type Transport } from '../transport/types.js';

export interface ApplyOptions {
  become?: BecomeSpec;
  env?: Record<string, string>;
  timeoutMs?: number;
}

export interface ApplyFailure {
  msg: string;
  rc?: number;
  stdout?: string;
  stderr?: string;
}

export function groupSteps(steps: readonly Step[]): Step[] {
  const out: Step[] = [];
  for (const step of steps) {
    const last = out.at(-1);
    if (step.kind === 'exec' && step.stdin === undefined && !step.stderrIsMessage && last?.kind === 'exec' && last.stdin === undefined && !last.stderrIsMessage) {
      out[out.length - 1] = { kind: 'exec', cmd: `${last.cmd} && ${subshell(step.cmd)}` };
    } else {
      out.push(step.kind === 'exec' ? { ...step, cmd: subshell(step.cmd) } : step);
    }
  }
  return out;
}

// Each step in its own subshell so an `exit` or `cd` in one does not leak into the next.
function subshell(cmd: string): string {
  return cmd.startsWith('(') && cmd.endsWith(')') ? cmd : `(${cmd}\n)`;
}

/** Runs the steps; returns undefined on success or what failed. */
export async function applyPlan(plan: Plan, transport: Transport, opts: ApplyOptions): Promise<ApplyFailure | undefined> {
  for (const step of groupSteps(plan.steps)) {
    if (step.kind === 'put') {
      try {
        await transport.put(step.path, step.content, { mode: step.mode, become: opts.become });
      } catch (e) {
        if (e instanceof UnreachableError) throw e;
        return { msg: (e as Error).message };
      }
      continue;
    }
    const r = await transport.exec(step.cmd, { stdin: step.stdin, become: opts.become, env: opts.env, timeoutMs: opts.timeoutMs });
    if (r.rc !== 0) {
      if (step.stderrIsMessage) return { msg: r.stderr };
      return { msg: r.stderr.trim() || r.stdout.trim() || `command failed with rc=${r.rc}`, rc: r.rc, stdout: r.stdout, stderr: r.stderr };
    }
  }
  return undefined;
}
