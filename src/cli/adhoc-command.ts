// rackplay adhoc PATTERN -m MODULE -a ARGS: the `ansible` command. As Ansible's ad-hoc CLI
// does, it builds a one-task play ("Ansible Ad-Hoc", no fact gathering) and runs it with
// the `minimal` callback (`oneline` with -o); the play works from the current directory
// (or --playbook-dir), so roles/ and files/ resolve there.
import { Command, CommanderError } from 'commander';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EXIT, formatUserError, UserError } from '../errors.js';
import { expandLimit, loadInventory, selectPlayHosts } from '../inventory/index.js';
import { ADHOC_PLAYBOOK_FILE } from '../playbook/index.js';
import { loadConfig } from './config.js';
import { run, type CliInvocation, type CliOptions } from './run-command.js';
import { USAGE_EXIT, UsageError } from './usage-error.js';
import { addSharedOptions } from './shared-options.js';
import { addVaultOptions } from './vault-command.js';


/** C.MODULE_REQUIRE_ARGS: these do nothing without arguments, so the CLI refuses first. */
const REQUIRE_ARGS = new Set(['command', 'shell', 'raw', 'script'].flatMap((m) => [m, `ansible.builtin.${m}`, `ansible.legacy.${m}`]));
const IMPORT_PLAYBOOK = new Set(['import_playbook', 'ansible.builtin.import_playbook', 'ansible.legacy.import_playbook']);
/** C._ACTION_ALL_INCLUDE_ROLE_TASKS: an include takes no async. */
const INCLUDE_ACTIONS = new Set(['include', 'include_role', 'include_tasks', 'import_role', 'import_tasks'].flatMap((m) => [m, `ansible.builtin.${m}`, `ansible.legacy.${m}`]));

function adhocProgram(version: string): Command {
  const cmd = new Command('rackplay adhoc')
    .description("Run one module on the hosts matching a pattern, as Ansible's `ansible` command does")
    .argument('<pattern>', 'host pattern')
    .option('-m, --module-name <name>', 'the module to run', 'command')
    .option('-a, --args <args>', 'the module arguments, as key=value pairs, free-form text or a JSON object')
    .option('-o, --one-line', 'condense output (the oneline callback)')
    .option('--playbook-dir <dir>', 'the directory the one-task play works from (default: the current directory)')
    .option('--task-timeout <seconds>', 'the task timeout in seconds')
    .option('-B, --background <seconds>', 'run asynchronously, failing after X seconds')
    .option('-P, --poll <seconds>', 'set the poll interval if using -B (default=15)')
    .version(`rackplay ${version} (the ansible ad-hoc command, as ansible-core 2.14)`, '--version', 'show the version number and exit')
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str.startsWith('error:') ? `ERROR! ${str.slice(7)}` : str) });
  return addVaultOptions(addSharedOptions(cmd));
}

/** The task as Ansible's AdHocCLI._play_ds writes it: JSON object args, else key=value text. */
function adhocTask(module: string, rawArgs: string | undefined, taskTimeout: number | undefined, background?: { seconds: number; poll: number }): Record<string, unknown> {
  let args: unknown;
  const text = rawArgs ?? '';
  if (text.startsWith('{') && text.endsWith('}')) {
    try {
      args = JSON.parse(text.trim());
    } catch {
      args = undefined;
    }
  }
  // `action: "mod k=v"` goes through the loader's own key=value and free-form rules.
  const task: Record<string, unknown> = args && typeof args === 'object' ? { action: { module, ...(args as object) } } : { action: text ? `${module} ${text}` : module };
  if (taskTimeout) task.timeout = taskTimeout;
  // AdHocCLI._play_ds: async_val and poll on the task (an include has neither)
  if (background && background.seconds > 0 && !INCLUDE_ACTIONS.has(module)) Object.assign(task, { async: background.seconds, poll: background.poll });
  return task;
}

/** argparse's type=int for an option, with its message. */
function cliInt(value: unknown, option: string, dflt: number): number {
  if (value === undefined) return dflt;
  const text = String(value).trim();
  if (!/^[-+]?\d+$/.test(text)) throw new UsageError(`argument ${option}: invalid int value: '${String(value)}'`);
  return Number(text);
}

export async function runAdhocCommand(argv: string[], invocation: CliInvocation): Promise<number> {
  const program = adhocProgram(invocation.version);
  try {
    program.parse(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : USAGE_EXIT;
    throw e;
  }
  const o = program.opts();
  const pattern = program.args[0]!;
  const module = String(o.moduleName);
  try {
    const background = { seconds: cliInt(o.background, '-B/--background', 0), poll: cliInt(o.poll, '-P/--poll', 15) };
    const config = loadConfig();
    const playDir = path.resolve(o.playbookDir ?? process.cwd());
    const inventory = await loadInventory(o.inventory.length ? o.inventory : config.inventory, { playbookDir: playDir });
    const hosts = selectPlayHosts(inventory, pattern, o.limit ? expandLimit(o.limit) : undefined);
    if (o.listHosts) {
      process.stdout.write(`  hosts (${hosts.length}):\n${hosts.map((h) => `    ${h}\n`).join('')}`);
      return EXIT.ok;
    }
    if (REQUIRE_ARGS.has(module) && !o.args) {
      throw new UsageError(`No argument passed to ${module} module${pattern.endsWith('.yml') ? ' (did you mean to run ansible-playbook?)' : ''}`);
    }
    if (IMPORT_PLAYBOOK.has(module)) throw new UsageError(`'${module}' is not a valid action for ad-hoc commands`);
    if (hosts.length === 0) {
      process.stderr.write('[WARNING]: No hosts matched, nothing to do\n');
      return EXIT.ok;
    }
    const play = { name: 'Ansible Ad-Hoc', hosts: pattern, gather_facts: false, tasks: [adhocTask(module, o.args, o.taskTimeout ? Number(o.taskTimeout) : undefined, background)] };
    // The one-task play is a file of ours, private to this run; it resolves against playDir.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rackplay-adhoc-'));
    try {
      const file = path.join(dir, ADHOC_PLAYBOOK_FILE);
      writeFileSync(file, JSON.stringify([play]), { mode: 0o600 });
      const opts: CliOptions = {
        ...(o as unknown as CliOptions),
        tags: [],
        skipTags: [],
        playbookDir: playDir,
        stdoutCallback: o.oneLine ? 'oneline' : 'minimal',
        plain: true,
      };
      return await run([file], opts, invocation);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } catch (e) {
    if (e instanceof UserError) {
      process.stderr.write(formatUserError(e) + '\n');
      return e.exitCode;
    }
    throw e;
  }
}
