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
  // Its result has the shape of any module that died with a traceback (no JSON on stdout),
  // which a playbook testing its failure handling may inspect.
  if (args.data === 'crash') {
    const traceback = 'Traceback (most recent call last):\n  File "ansible/modules/ping.py", line 79, in main\nException: boom\n';
    throw new ModuleFailure('MODULE FAILURE\nSee stdout/stderr for the exact error', {
      module_stdout: '',
      module_stderr: traceback,
      exception: traceback,
      rc: 1,
    });
  }
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
