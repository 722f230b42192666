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
import type { ModuleDef, ModuleResult, RunContext } from './types.js';

export interface CommandArgs {
  _raw_params?: string;
  cmd?: string;
  argv?: string[];
  chdir?: string;
  creates?: string;
  removes?: string;
  stdin?: string;
  stdin_add_newline?: boolean;
  strip_empty_ends?: boolean;
  executable?: string;
  expand_argument_vars?: boolean;
}

const stringish = { type: ['string', 'number', 'boolean'] };

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
};

/**
 * Merge inline `creates=...` options of the free form into the arguments. Only the free
 * form: Ansible leaves a `cmd:` argument as written.
 */
export function normaliseCommandArgs<T extends CommandArgs>(args: T): T {
  const raw = args._raw_params;
  if (raw === undefined) return args;
  const { rest, options } = extractInlineOptions(raw, INLINE_COMMAND_OPTIONS);
  const merged: Record<string, unknown> = { ...(args as Record<string, unknown>), _raw_params: rest };
  for (const [k, v] of Object.entries(options)) {
    if (merged[k] !== undefined && !(k === 'stdin_add_newline' || k === 'strip_empty_ends')) continue;
    merged[k] = k === 'stdin_add_newline' || k === 'strip_empty_ends' ? toBool(v, true) : v;
  }
  return merged as T;
}

function failed(msg: string, extra: Record<string, unknown> = {}): ModuleResult {
  return { failed: true, changed: false, rc: 256, msg, stdout: '', stderr: '', stdout_lines: [], stderr_lines: [], ...extra };
}

async function runCommand(input: CommandArgs, ctx: RunContext): Promise<ModuleResult> {
  const args = normaliseCommandArgs(input);
  const free = args._raw_params ?? args.cmd;
  const hasFree = free !== undefined && free.trim() !== '';
  if (!hasFree && !(args.argv && args.argv.length)) return failed('no command given');
  if (hasFree && args.argv && args.argv.length) return failed('only command or argv can be given, not both');
  let argv: string[];
  if (hasFree) {
    try {
      argv = shlexSplit(free!);
    } catch (e) {
      if (e instanceof ShlexError) return failed(e.message);
      throw e;
    }
  } else {
    argv = args.argv!.map(String);
  }
  const expand = args.expand_argument_vars !== false;
  const result = await runCommandSpec(
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
    },
    ctx,
  );
  if (args.executable) {
    const warning = `As of Ansible 2.4, the parameter 'executable' is no longer supported with the 'command' module. Not using '${args.executable}'.`;
    result.warnings = [warning];
  }
  return result;
}

export const commandModule: ModuleDef<CommandArgs> = {
  name: 'command',
  summary: 'Run a program with arguments, without a shell',
  freeForm: '_raw_params',
  checkMode: 'run',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      ...commandSchemaProperties,
      argv: { type: 'array', items: stringish },
      expand_argument_vars: { type: 'boolean', default: true },
    },
  },
  run: runCommand,
  guard: (args) => guardProbe(normaliseCommandArgs(args)),
};
