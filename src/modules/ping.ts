// ansible.builtin.ping: proves that rackplay can log in and run a shell command (with
// become, if the task asks for it). Nothing changes on the host.
//
//   - name: Check that every host answers
//     ansible.builtin.ping:
import type { ModuleDef, ModuleResult, RunContext } from './types.js';

export interface PingArgs {
  data: string;
}

async function runPing(args: PingArgs, ctx: RunContext): Promise<ModuleResult> {
  // Ansible's documented way to test failure handling: `data: crash` raises.
  if (args.data === 'crash') throw new Error('boom');
  const res = await ctx.exec('echo pong');
  if (res.rc !== 0 || res.stdout.trim() !== 'pong') {
    return { failed: true, changed: false, msg: `ping failed (rc=${res.rc}): ${res.stderr.trim()}` };
  }
  return { changed: false, ping: args.data };
}

export const pingModule: ModuleDef<PingArgs> = {
  name: 'ping',
  summary: 'Check that the host can be reached and runs commands',
  checkMode: 'run',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: { data: { type: 'string', default: 'pong' } },
  },
  run: runPing,
};
