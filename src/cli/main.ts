// rackplay PLAYBOOK... -i INVENTORY [options]: ansible-playbook's flags and exit codes.
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { USAGE_EXIT } from './usage-error.js';
import { addSharedOptions } from './shared-options.js';
import { addVaultOptions, runVaultCommand } from './vault-command.js';

/** Our package.json, found upwards from this file: it runs from dist/src/cli or dist/bundle. */
function ownPackage(): { version: string } {
  for (let dir = new URL('./', import.meta.url); ; dir = new URL('../', dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string; version: string };
      if (pkg.name === 'rackplay') return pkg;
    } catch {
      /* not here: look one level up */
    }
    if (dir.pathname === '/') throw new Error('rackplay: package.json not found');
  }
}

const pkg = ownPackage();

const collect = (v: string, prev: string[]) => [...prev, v];

export function buildProgram(): Command {
  const program = new Command('rackplay')
    .description('Run Ansible playbooks over SSH, agentless and fast')
    .argument('[playbooks...]', 'playbook file(s)')
    .option('-t, --tags <tags>', 'only run plays and tasks tagged with these values (repeatable)', collect, [])
    .option('--skip-tags <tags>', 'only run plays and tasks whose tags do not match (repeatable)', collect, [])
    .option('--list-tasks', 'list all tasks that would be executed')
    .option('--list-tags', 'list all available tags')
    .option('--syntax-check', 'perform a syntax check on the playbook, but do not execute it')
    .option('--start-at-task <name>', 'start the playbook at the task matching this name')
    .option('--force-handlers', 'run handlers even if a task fails')
    .option('--flush-cache', 'clear the fact cache for every host in inventory (the jsonfile cache; the memory cache lasts one run)')
    .option('--detailed-exitcode', 'exit 10 when something changed (or would change with --check); failures keep their codes')
    .option('--report <format=path>', 'also write a report: json=PATH, junit=PATH or html=PATH (repeatable)', collect, [])
    .option('--slice <K/N>', 'run on slice K of N of the selected hosts (a stable split by host name), for N runs side by side; merge their JSON reports with `rackplay report merge`')
    .option('--strict', 'refuse, before any host is contacted, what Ansible finds only when a task runs (module arguments, dynamically included files)')
    .option('--plain', 'plain Ansible-style lines even on a terminal (no live view)')
    .version(pkg.version, '--version', 'show the version number and exit')
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str.startsWith('error:') ? `ERROR! ${str.slice(7)}` : str) });
  addSharedOptions(program);
  addVaultOptions(program);
  return program;
}

async function main(): Promise<void> {
  // Subcommands (`rackplay schema`) come first; everything else is ansible-playbook's command line.
  if (process.argv[2] === 'schema') {
    const { runSchemaCommand } = await import('./schema-command.js');
    process.exitCode = await runSchemaCommand(process.argv.slice(3));
    return;
  }
  if (process.argv[2] === 'adhoc') {
    const { runAdhocCommand } = await import('./adhoc-command.js');
    process.exitCode = await runAdhocCommand(process.argv.slice(3), { version: pkg.version, argv: process.argv.slice(2) });
    return;
  }
  if (process.argv[2] === 'report') {
    const { runReportCommand } = await import('./report-command.js');
    process.exitCode = await runReportCommand(process.argv.slice(3));
    return;
  }
  if (process.argv[2] === 'vault') {
    process.exitCode = await runVaultCommand(process.argv.slice(3));
    return;
  }
  const program = buildProgram();
  try {
    program.parse(process.argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander has printed its one-line message; argparse would exit 2 here.
      process.exitCode = e.exitCode === 0 ? 0 : USAGE_EXIT;
      return;
    }
    throw e;
  }
  // Loaded only now: --version and --help answer without loading the whole runner.
  const { run } = await import('./run-command.js');
  process.exitCode = await run(program.args, program.opts(), { version: pkg.version, argv: process.argv.slice(2) });
}

main().catch((e: unknown) => {
  process.stderr.write(`ERROR! Unexpected error: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exitCode = 250;
});
