// `rackplay schema [--out DIR]`: writes the editor schemas (src/output/editor-schemas.ts)
// into a directory and says how to use them.
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { SCHEMA_FILES, writeEditorSchemas } from '../output/editor-schemas.js';
import { USAGE_EXIT } from './usage-error.js';

/** `rackplay schema [--out DIR]`; returns the exit code. */
export async function runSchemaCommand(argv: string[], io: { out: (s: string) => void; err: (s: string) => void } = { out: (s) => void process.stdout.write(s), err: (s) => void process.stderr.write(s) }): Promise<number> {
  const cmd = new Command('rackplay schema')
    .description('write JSON Schemas of playbooks, task files and inventories for editors (YAML language server)')
    .option('--out <dir>', 'directory to write the schema files into', 'schemas')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err, outputError: (str, write) => write(str.startsWith('error:') ? `ERROR! ${str.slice(7)}` : str) });
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (e) {
    // A usage error, exit 2 like the main command's (argparse's code).
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : USAGE_EXIT;
    throw e;
  }
  const dir = path.resolve(cmd.opts<{ out: string }>().out);
  let written: string[];
  try {
    written = await writeEditorSchemas(dir);
  } catch (e) {
    io.err(`ERROR! cannot write the schemas into ${dir}: ${(e as Error).message}\n  hint: give a writable directory with --out\n`);
    return 1;
  }
  for (const p of written) io.out(`wrote ${p}\n`);
  const rel = path.relative(process.cwd(), path.join(dir, SCHEMA_FILES.playbook)) || SCHEMA_FILES.playbook;
  io.out(`\nUse one in a YAML file with a first line such as:\n  # yaml-language-server: $schema=${rel}\n`);
  return 0;
}
