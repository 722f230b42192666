// ansible.builtin.wait_for_connection: wait until the host answers on its connection
// again (after a reboot we did not start, a guest being created). Each attempt
// reconnects when the connection is gone and runs `true` there; Ansible runs its ping
// module, and a POSIX shell answering is the same proof for us.
//
//   - ansible.builtin.wait_for_connection:
//       delay: 10
//       timeout: 300
import type { FromSchema } from 'json-schema-to-ts';
import { defineModule, ModuleFailure, type ModuleResult, type RunContext } from './types.js';

export type WaitForConnectionArgs = FromSchema<typeof schema>;

async function runWaitForConnection(args: WaitForConnectionArgs, ctx: RunContext): Promise<ModuleResult> {
  const start = Date.now();
  const elapsed = () => Math.round((Date.now() - start) / 1000);
  if (args.delay > 0) await ctx.sleep(args.delay * 1000);
  const deadline = start + args.timeout * 1000;
  let lastError = '';
  let reconnect = false;
  for (;;) {
    try {
      if (reconnect) await ctx.reconnect({ timeoutMs: args.connect_timeout * 1000 });
      const r = await ctx.exec('true', { timeoutMs: args.connect_timeout * 1000 });
      if (r.rc === 0) return { changed: false, elapsed: elapsed() };
      lastError = r.stderr.trim() || `rc=${r.rc}`;
    } catch (e) {
      lastError = (e as Error).message;
      reconnect = true;
    }
    if (Date.now() + args.sleep * 1000 > deadline) {
      throw new ModuleFailure(`timed out waiting for ping module test: ${lastError}`, { elapsed: elapsed() });
    }
    await ctx.sleep(args.sleep * 1000);
  }
}

const schema = {
  type: 'object',
  properties: {
    delay: { type: 'integer', minimum: 0, default: 0 },
    sleep: { type: 'integer', minimum: 1, default: 1 },
    timeout: { type: 'integer', minimum: 1, default: 600 },
    connect_timeout: { type: 'integer', minimum: 1, default: 5 },
  },
  additionalProperties: false,
} as const;

export const waitForConnectionModule = defineModule<WaitForConnectionArgs>({
  name: 'wait_for_connection',
  summary: 'Wait until the host can be reached and runs commands again',
  schema,
  checkMode: 'run',
  traits: { noAsync: true, validArgs: true },
  run: runWaitForConnection,
});
