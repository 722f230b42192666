// A module from a library/ directory (next to the playbook, in a role, or on
// ANSIBLE_LIBRARY): a script of the user's own, run on the target the way Ansible runs an
// old-style module. The script and its arguments file go to the host (mode 0700 and
// 0600: the arguments may hold secrets, so they never appear on a command line), one exec
// runs `interpreter script argsfile` and removes both, and the JSON it prints is the
// result. Python and PowerShell modules are refused: rackplay needs nothing on a target
// but a POSIX shell.
//   library/hello:  #!/bin/sh  . "$1"; echo "{\"msg\": \"hello $name\"}"
//   - hello: name=world
import { readFileSync } from 'node:fs';
import { shlexSplit } from '../shlex.js';
import { quote, quoteArgv } from '../transport/quote.js';
import { newNonce } from './command-runner.js';
import { parseModuleOutput } from './library-module-output.js';
import { REPLACER_JSONARGS, classifyModuleSource, oldStyleArgsFile, type LibraryStyle } from './library-module-source.js';
import { ModuleFailure, defineModule, type AnyModuleDef, type ModuleResult, type RunContext } from './types.js';

const schema = { type: 'object', additionalProperties: true } as const;

type LibraryArgs = Record<string, unknown>;

/** The internal arguments Ansible's _update_module_args adds, which a module may read. */
function internalArgs(name: string, ctx: RunContext): Record<string, unknown> {
  return {
    _ansible_check_mode: ctx.check,
    _ansible_no_log: false,
    _ansible_debug: false,
    _ansible_diff: ctx.diff,
    _ansible_verbosity: 0,
    // the version ansible_version reports (engine/vars.ts)
    _ansible_version: '2.14.18',
    _ansible_module_name: name,
    _ansible_syslog_facility: 'LOG_USER',
    _ansible_selinux_special_fs: ['fuse', 'nfs', 'vboxsf', 'ramfs', '9p', 'vfat'],
    _ansible_string_conversion_action: 'warn',
    _ansible_socket: null,
    _ansible_shell_executable: '/bin/sh',
    _ansible_keep_remote_files: false,
    _ansible_tmpdir: null,
    _ansible_remote_tmp: '~/.ansible/tmp',
  };
}

/** `ansible_<name>_interpreter` overrides the shebang's interpreter, as in Ansible. */
function interpreterFor(shebang: readonly string[], vars: Readonly<Record<string, unknown>>): string[] {
  if (!shebang.length) return [];
  const name = shebang[0].slice(shebang[0].lastIndexOf('/') + 1);
  const override = vars[`ansible_${name}_interpreter`];
  if (typeof override === 'string' && override.trim()) return [...shlexSplit(override.trim()), ...shebang.slice(1)];
  return [...shebang];
}

function argsFileFor(style: LibraryStyle, args: Record<string, unknown>): string | undefined {
  if (style === 'old') return oldStyleArgsFile(args);
  if (style === 'want_json' || style === 'binary') return JSON.stringify(args);
  return undefined;
}

async function runLibraryModule(name: string, file: string, args: LibraryArgs, ctx: RunContext): Promise<ModuleResult> {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (e) {
    throw new ModuleFailure(`Could not read module file ${file}: ${(e as Error).message}`);
  }
  const source = classifyModuleSource(name, data);
  if (source.kind === 'refused') throw new ModuleFailure(source.reason);
  const all = { ...args, ...internalArgs(name, ctx) };
  const content = source.style === 'jsonargs' ? Buffer.from(data.toString('utf8').split(REPLACER_JSONARGS).join(JSON.stringify(all))) : data;
  const nonce = newNonce();
  const base = name.replace(/[^A-Za-z0-9_.-]/g, '_');
  const modulePath = `/tmp/.rackplay-${nonce}-${base}`;
  const argsPath = `${modulePath}-args`;
  const argsText = argsFileFor(source.style, all);
  await ctx.transport.put(modulePath, content, { mode: '0700', become: ctx.become });
  const files = [modulePath];
  try {
    if (argsText !== undefined) {
      await ctx.transport.put(argsPath, Buffer.from(argsText), { mode: '0600', become: ctx.become });
      files.push(argsPath);
    }
  } catch (e) {
    await ctx.exec(`rm -f ${quoteArgv(files)}`);
    throw e;
  }
  const interpreter = interpreterFor(source.interpreter, ctx.vars);
  const script = [
    `trap ${quote(`rm -f ${quoteArgv(files)}`)} 0`,
    // a signal ends the shell through `exit`, so the EXIT trap still removes both files
    `trap 'exit 129' HUP; trap 'exit 143' TERM`,
    quoteArgv([...interpreter, ...files]),
  ].join('\n');
  const { result, warnings } = parseModuleOutput(await ctx.exec(script), interpreter);
  // shown as Ansible shows them; kept in the result only where nothing can show them
  if (ctx.warn) for (const w of warnings) ctx.warn(w);
  else if (warnings.length) result.warnings = [...(result.warnings ?? []), ...warnings];
  return result;
}

/** The module named `name` whose file is `file`, checked and read again each time it runs. */
export function libraryModule(name: string, file: string): AnyModuleDef {
  return defineModule<LibraryArgs>({
    name,
    summary: `Library module ${file}`,
    // the module itself sees _ansible_check_mode and decides, as Ansible lets it
    checkMode: 'run',
    schema,
    libraryFile: file,
    run: (args, ctx) => runLibraryModule(name, file, args, ctx),
  }) as AnyModuleDef;
}
