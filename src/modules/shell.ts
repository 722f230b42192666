// ansible.builtin.shell: the command string goes to `/bin/sh -c` (or `executable -c`)
// exactly as written, so pipes, redirections and variables work; that is its purpose.
// Template values put into it are the playbook author's to quote (`| quote`).
//
//   - name: Count open connections
//     ansible.builtin.shell: netstat -tn | grep -c ESTABLISHED
//     args:
//       chdir: /tmp
import { quote } from '../transport/quote.js';
import { guardProbe, runCommandSpec } from './command-runner.js';
import { commandSchemaProperties, normaliseCommandArgs, type CommandArgs } from './command.js';
import type { ModuleDef, ModuleResult, RunContext } from './types.js';

async function runShell(input: CommandArgs, ctx: RunContext): Promise<ModuleResult> {
  const args = normaliseCommandArgs(input);
  const script = args._raw_params ?? args.cmd;
  if (script === undefined || script.trim() === '') {
    return { failed: true, changed: false, rc: 256, msg: 'no command given', stdout: '', stderr: '', stdout_lines: [], stderr_lines: [] };
  }
  return runCommandSpec(
    {
      cmd: script,
      commandLine: `exec ${quote(args.executable ?? '/bin/sh')} -c ${quote(script)}`,
      chdir: args.chdir,
      creates: args.creates,
      removes: args.removes,
      stdin: args.stdin === undefined ? undefined : String(args.stdin),
      stdinAddNewline: args.stdin_add_newline !== false,
      strip: args.strip_empty_ends !== false,
    },
    ctx,
  );
}

export const shellModule: ModuleDef<CommandArgs> = {
  name: 'shell',
  summary: 'Run a command line through the shell',
  freeForm: '_raw_params',
  checkMode: 'run',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: { ...commandSchemaProperties },
  },
  run: runShell,
  guard: (args) => guardProbe(normaliseCommandArgs(args)),
};
