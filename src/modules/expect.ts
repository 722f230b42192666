// ansible.builtin.expect on shell alone: where Ansible needs pexpect on the host, rackplay
// runs the command on a pty made by util-linux's `script`, under a POSIX sh driver that
// answers prompts (expect-driver.ts). Patterns are Python regexps that grep -E can say
// (literal prompts, classes, groups, alternation, (?i)); one that needs more is refused
// by name. A prompt is matched within one line of output.
//
//   - ansible.builtin.expect:
//       command: passwd alice
//       responses:
//         (?i)new password: "{{ pw }}"
//         (?i)retype: "{{ pw }}"
//       timeout: 30
import type { FromSchema } from 'json-schema-to-ts';
import { shlexSplit } from '../shlex.js';
import { newNonce, pythonDelta, pythonTimestamp, splitLines } from './command-runner.js';
import { expectScript, pythonToEre, readDriver } from './expect-driver.js';
import { ModuleFailure, defineModule, type ModuleResult } from './types.js';

const schema = {
  type: 'object',
  properties: {
    command: { type: 'string' },
    chdir: { type: 'string' },
    creates: { type: 'string' },
    removes: { type: 'string' },
    responses: { type: 'object' },
    timeout: { type: ['integer', 'null'], default: 30 },
    echo: { type: 'boolean', default: false },
  },
  required: ['command', 'responses'],
  additionalProperties: false,
} as const;

export type ExpectArgs = FromSchema<typeof schema>;

/** A response as pexpect sends it: one line, its own newline replaced. */
const asLine = (v: unknown) => `${String(v).replace(/\n+$/, '')}`;

export const expectModule = defineModule<ExpectArgs>({
  name: 'expect',
  summary: 'Executes a command and responds to prompts',
  // the module does not support check mode: Ansible skips it with these words
  checkMode: 'run',
  schema,
  async run(args, ctx): Promise<ModuleResult> {
    if (ctx.check) return { changed: false, skipped: true, msg: 'remote module (expect) does not support check mode' };
    if (args.command.trim() === '') throw new ModuleFailure('no command given', { rc: 256 });
    const events = Object.entries(args.responses as Record<string, unknown>).map(([pattern, value]) => ({
      pattern,
      ere: pythonToEre(pattern),
      responses: Array.isArray(value) ? value.map(asLine) : [asLine(value)],
      cycle: !Array.isArray(value),
    }));
    const nonce = newNonce();
    const start = new Date();
    const timeout = args.timeout ?? 0;
    const r = await ctx.exec(expectScript({ argv: shlexSplit(args.command), chdir: args.chdir, creates: args.creates, removes: args.removes, events, timeout, echo: args.echo, nonce }), {
      timeoutMs: ctx.timeoutMs,
    });
    const end = new Date();
    const outcome = readDriver(r.stdoutBytes, nonce);
    if (!outcome) throw new ModuleFailure((r.stderr || r.stdout).trim() || `expect driver failed (rc=${r.rc})`, { rc: r.rc });
    if (outcome.kind === 'skip') {
      const stdout = outcome.which === 'creates' ? `skipped, since ${args.creates} exists` : `skipped, since ${args.removes} does not exist`;
      return { cmd: args.command, stdout, stdout_lines: [stdout], changed: false, rc: 0 };
    }
    if (outcome.kind === 'noresp') {
      const said = Buffer.from(outcome.out, 'utf8').subarray(outcome.span[0], outcome.span[1]).toString('utf8');
      throw new ModuleFailure(`No remaining responses for '${events[outcome.event].pattern}', output was '${said}'`);
    }
    const micros = (end.getTime() - start.getTime()) * 1000;
    const stdout = outcome.out.replace(/[\r\n]+$/, '');
    // Ansible's action adds stdout_lines to every module result that has stdout
    const result = { cmd: args.command, stdout, stdout_lines: splitLines(stdout), start: pythonTimestamp(start), end: pythonTimestamp(end), delta: pythonDelta(micros), changed: true };
    // ended by the timeout, the command has no exit status: rc None
    if (outcome.kind === 'timeout') throw new ModuleFailure('command exceeded timeout', { ...result, rc: null });
    if (outcome.rc !== 0) throw new ModuleFailure('non-zero return code', { ...result, rc: outcome.rc });
    return { ...result, rc: 0 };
  },
});
