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
import { normaliseCommandArgs, shellSchema, type ShellArgs } from './command.js';
import { ModuleFailure, defineModule, type ModuleResult, type RunContext } from './types.js';

async function runShell(input: ShellArgs, ctx: RunContext): Promise<ModuleResult> {
  const args = normaliseCommandArgs(input);
  const script = args._raw_params ?? args.cmd;
  if (script === undefined || script.trim() === '') {
    throw new ModuleFailure('no command given', { rc: 256, stdout: '', stderr: '', stdout_lines: [], stderr_lines: [] });
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

export const shellModule = defineModule<ShellArgs>({
  name: 'shell',
  summary: 'Run a command line through the shell',
  freeForm: '_raw_params',
  checkMode: 'run',
  schema: shellSchema,
  run: runShell,
  guard: (args) => guardProbe(normaliseCommandArgs(args)),
});
