// ansible.builtin.reboot: reboot the host and wait until it is back. The boot id before
// the reboot is read first; the reboot command is started detached (nohup, all output
// closed) so the exec returns before the connection dies; then the controller
// reconnects until the boot id differs, and runs test_command until it succeeds. SL4's
// shutdown takes `-r +N` (minutes), which pre_reboot_delay is rounded down to.
//
//   - ansible.builtin.reboot:
//       reboot_timeout: 900
//       msg: Kernel update
import type { FromSchema } from 'json-schema-to-ts';
import { UnreachableError } from '../transport/types.js';
import { quote } from '../transport/quote.js';
import { defineModule, ModuleFailure, type ModuleResult, type RunContext } from './types.js';

export type RebootArgs = FromSchema<typeof schema>;

/** The detached command that reboots the host. */
export function rebootCommand(args: RebootArgs): string {
  const path = `PATH="$PATH:${args.search_paths.map((p) => p.replace(/[^A-Za-z0-9_./-]/g, '')).join(':')}"; export PATH; `;
  const minutes = Math.floor(args.pre_reboot_delay / 60);
  const cmd = args.reboot_command ?? `shutdown -r +${minutes} ${quote(args.msg)}`;
  // a second's grace lets this exec return before sshd goes down
  return `${path}nohup sh -c ${quote(`sleep 1; ${cmd}`)} </dev/null >/dev/null 2>&1 &`;
}

async function attempt(ctx: RunContext, command: string, timeoutMs: number): Promise<{ ok: boolean; out: string; err?: string }> {
  try {
    const r = await ctx.exec(command, { timeoutMs });
    return { ok: r.rc === 0, out: r.stdout.trim(), err: r.stderr.trim() };
  } catch (e) {
    return { ok: false, out: '', err: (e as Error).message };
  }
}

async function runReboot(args: RebootArgs, ctx: RunContext): Promise<ModuleResult> {
  const start = Date.now();
  const elapsed = () => Math.round((Date.now() - start) / 1000);
  if (ctx.check) return { changed: true, elapsed: 0, rebooted: true };
  const connectMs = (args.connect_timeout ?? 10) * 1000;
  const before = await attempt(ctx, args.boot_time_command, connectMs);
  if (!before.ok) throw new ModuleFailure(`Failed to get the boot time with '${args.boot_time_command}': ${before.err ?? ''}`, { rebooted: false, elapsed: elapsed() });
  const issued = await attempt(ctx, rebootCommand(args), connectMs);
  if (!issued.ok && !/unreachable|closed|reset/i.test(issued.err ?? '')) {
    throw new ModuleFailure(`Reboot command failed: ${issued.err ?? ''}`, { rebooted: false, elapsed: elapsed() });
  }
  const deadline = start + args.pre_reboot_delay * 1000 + args.reboot_timeout * 1000;
  let lastError = '';
  // stage 1: a new boot id
  for (;;) {
    if (Date.now() > deadline) throw new ModuleFailure(`Timed out waiting for last boot time check (timeout=${args.reboot_timeout}): ${lastError}`, { changed: true, rebooted: true, elapsed: elapsed() });
    await ctx.sleep(1000);
    try {
      await ctx.reconnect({ timeoutMs: connectMs });
    } catch (e) {
      lastError = (e as Error).message;
      if (!(e instanceof UnreachableError) && !/connect|timed out|refused|closed/i.test(lastError)) throw e;
      continue;
    }
    const now = await attempt(ctx, args.boot_time_command, connectMs);
    if (now.ok && now.out !== before.out) break;
    lastError = now.ok ? 'boot time has not changed yet' : (now.err ?? '');
  }
  if (args.post_reboot_delay > 0) await ctx.sleep(args.post_reboot_delay * 1000);
  // stage 2: the host does real work again
  for (;;) {
    const t = await attempt(ctx, args.test_command, connectMs);
    if (t.ok) break;
    if (Date.now() > deadline) throw new ModuleFailure(`Timed out waiting for post-reboot test command (timeout=${args.reboot_timeout}): ${t.err ?? ''}`, { changed: true, rebooted: true, elapsed: elapsed() });
    await ctx.sleep(1000);
  }
  return { changed: true, elapsed: elapsed(), rebooted: true };
}

const schema = {
  type: 'object',
  properties: {
    reboot_timeout: { type: 'integer', minimum: 1, default: 600 },
    connect_timeout: { type: 'integer', minimum: 1 },
    pre_reboot_delay: { type: 'integer', minimum: 0, default: 0 },
    post_reboot_delay: { type: 'integer', minimum: 0, default: 0 },
    test_command: { type: 'string', default: 'whoami' },
    msg: { type: 'string', default: 'Reboot initiated by Ansible' },
    boot_time_command: { type: 'string', default: 'cat /proc/sys/kernel/random/boot_id' },
    reboot_command: { type: 'string' },
    search_paths: { type: 'array', items: { type: 'string' }, default: ['/sbin', '/bin', '/usr/sbin', '/usr/bin', '/usr/local/sbin'] },
  },
  additionalProperties: false,
} as const;

export const rebootModule = defineModule<RebootArgs>({
  name: 'reboot',
  summary: 'Reboot the host and wait for it to come back',
  schema,
  checkMode: 'run',
  traits: { validArgs: true },
  run: runReboot,
});
