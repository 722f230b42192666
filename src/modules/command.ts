// ansible.builtin.command: runs a program with an argv, never through a shell. Every
// word is quoted, so `;`, `|`, `>` and backquotes reach the program as plain text.
// creates/removes/chdir are tested in the same round trip as the command.
//
//   - name: Initialise the database once
//     ansible.builtin.command:
//       cmd: /usr/local/bin/initdb --data /srv/db
//       creates: /srv/db/PG_VERSION
import {
  argvWord,
  extractInlineOptions,
  guardProbe,
  runCommandSpec,
  toBool,
  INLINE_COMMAND_OPTIONS,
} from './command-runner.js';
import { ShlexError, shlexSplit } from '../shlex.js';
import type { FromSchema } from 'json-schema-to-ts';
import { ModuleFailure, defineModule, type ModuleResult, type RunContext } from './types.js';

const stringish = { type: ['string', 'number', 'boolean'] } as const;

/** Argument properties shared by command and shell. */
export const commandSchemaProperties = {
  _raw_params: { type: 'string' },
  cmd: { type: 'string' },
  chdir: { type: 'string' },
  creates: { type: 'string' },
  removes: { type: 'string' },
  stdin: stringish,
  stdin_add_newline: { type: 'boolean', default: true },
  strip_empty_ends: { type: 'boolean', default: true },
  executable: { type: 'string' },
} as const;

const shellSchema = { type: 'object', additionalProperties: false, properties: commandSchemaProperties } as const;

const commandSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...commandSchemaProperties,
    argv: { type: 'array', items: stringish },
    expand_argument_vars: { type: 'boolean', default: true },
  },
} as const;

/** The arguments shell takes; command takes these and argv, expand_argument_vars. */
export type ShellArgs = FromSchema<typeof shellSchema>;
export type CommandArgs = FromSchema<typeof commandSchema>;
export { shellSchema };

/**
 * Merge inline `creates=...` options of the free form into the arguments. Only the free
 * form: Ansible leaves a `cmd:` argument as written.
 */
export function normaliseCommandArgs<T extends ShellArgs>(args: T): T {
  const raw = args._raw_params;
  if (raw === undefined) return args;
  const { rest, options } = extractInlineOptions(raw, INLINE_COMMAND_OPTIONS);
  const merged: Record<string, unknown> = { ...args, _raw_params: rest };
  for (const [k, v] of Object.entries(options)) {
    if (merged[k] !== undefined && !(k === 'stdin_add_newline' || k === 'strip_empty_ends')) continue;
    merged[k] = k === 'stdin_add_newline' || k === 'strip_empty_ends' ? toBool(v, true) : v;
  }
  // the inline options are these same arguments, converted as ajv would (booleans)
  return merged as T;
}

function failed(msg: string): never {
  throw new ModuleFailure(msg, { rc: 256, stdout: '', stderr: '', stdout_lines: [], stderr_lines: [] });
}

async function runCommand(input: CommandArgs, ctx: RunContext): Promise<ModuleResult> {
  const args = normaliseCommandArgs(input);
  const free = args._raw_params ?? args.cmd;
  const hasFree = free !== undefined && free.trim() !== '';
  if (!hasFree && !(args.argv && args.argv.length)) failed('no command given');
  if (hasFree && args.argv && args.argv.length) failed('only command or argv can be given, not both');
  let argv: string[];
  if (hasFree) {
    try {
      argv = shlexSplit(free!);
    } catch (e) {
      if (e instanceof ShlexError) failed(e.message);
      throw e;
    }
  } else {
    argv = args.argv!.map(String);
  }
  const expand = args.expand_argument_vars !== false;
  return runCommandSpec(
    {
      cmd: argv,
      commandLine: 'exec ' + argv.map((w) => argvWord(w, expand)).join(' '),
      program: argv[0],
      chdir: args.chdir,
      creates: args.creates,
      removes: args.removes,
      stdin: args.stdin === undefined ? undefined : String(args.stdin),
      stdinAddNewline: args.stdin_add_newline !== false,
      strip: args.strip_empty_ends !== false,
      warnings: args.executable
        ? [`As of Ansible 2.4, the parameter 'executable' is no longer supported with the 'command' module. Not using '${args.executable}'.`]
        : undefined,
    },
    ctx,
  );
}

export const commandModule = defineModule<CommandArgs>({
  name: 'command',
  summary: 'Run a program with arguments, without a shell',
  freeForm: '_raw_params',
  checkMode: 'run',
  schema: commandSchema,
  run: runCommand,
  guard: (args) => guardProbe(normaliseCommandArgs(args)),
});
