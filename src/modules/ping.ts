// ansible.builtin.ping: proves that rackplay can log in and run a shell command (with
// become, if the task asks for it). Nothing changes on the host.
//
//   - name: Check that every host answers
//     ansible.builtin.ping:
import type { FromSchema } from 'json-schema-to-ts';
import { ModuleFailure, defineModule, type ModuleResult, type RunContext } from './types.js';

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: { data: { type: 'string', default: 'pong' } },
} as const;

export type PingArgs = FromSchema<typeof schema>;

async function runPing(args: PingArgs, ctx: RunContext): Promise<ModuleResult> {
  // Ansible's documented way to test failure handling: `data: crash` raises.
  if (args.data === 'crash') throw new Error('boom');
  const res = await ctx.exec('echo pong');
  if (res.rc !== 0 || res.stdout.trim() !== 'pong') {
    throw new ModuleFailure(`ping failed (rc=${res.rc}): ${res.stderr.trim()}`);
  }
  return { changed: false, ping: args.data };
}

export const pingModule = defineModule<PingArgs>({
  name: 'ping',
  summary: 'Check that the host can be reached and runs commands',
  checkMode: 'run',
  schema,
  run: runPing,
});
