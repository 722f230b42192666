// `rackplay report merge A.json B.json ... [--report FORMAT=PATH]...`: the slices' JSON
// reports (--slice K/N) as one run's. Prints the merged PLAY RECAP (and, for check runs,
// the drift summary), writes the reports asked for, and exits with the code the unsliced
// run would have had.
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { errReportRead, UserError } from '../errors.js';
import { shouldUseColor } from '../output/colors.js';
import { formatDriftSummary } from '../output/drift.js';
import { formatRecapLine } from '../output/recap.js';
import type { RunReport } from '../output/report-json.js';
import { mergeReports } from '../output/report-merge.js';
import { parseReportSpec } from '../output/report-spec.js';
import { renderReport } from '../output/run-output.js';
import { USAGE_EXIT } from './usage-error.js';

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

const STDIO: Io = { out: (s) => void process.stdout.write(s), err: (s) => void process.stderr.write(s) };

/** `rackplay report SUBCOMMAND ...`; returns the exit code. */
export async function runReportCommand(argv: string[], io: Io = STDIO): Promise<number> {
  let result = 0;
  const program = new Command('rackplay report').description('work with the JSON reports runs write (--report json=PATH)').exitOverride();
  program.configureOutput({ writeOut: io.out, writeErr: io.err, outputError: (str, write) => write(str.startsWith('error:') ? `ERROR! ${str.slice(7)}` : str) });
  program
    .command('merge')
    .description('merge the JSON reports of the slices of one run (--slice K/N) into the report of the whole run')
    .argument('<reports...>', 'the JSON reports, one per slice')
    .option('--report <format=path>', 'write the merged report: json=PATH, junit=PATH or html=PATH (repeatable)', (v: string, prev: string[]) => [...prev, v], [])
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err, outputError: (str, write) => write(str.startsWith('error:') ? `ERROR! ${str.slice(7)}` : str) })
    .action(async (files: string[], opts: { report: string[] }) => {
      result = await merge(files, opts.report, io);
    });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : USAGE_EXIT;
    if (e instanceof UserError) {
      io.err(`ERROR! ${e.message}\n${e.hint ? `  hint: ${e.hint}\n` : ''}`);
      return e.exitCode;
    }
    throw e;
  }
  return result;
}

async function merge(files: string[], reportArgs: string[], io: Io): Promise<number> {
  const specs = reportArgs.map((v) => parseReportSpec(v, { baseDir: process.cwd(), where: '--report' }));
  const inputs: { file: string; report: RunReport }[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw errReportRead(file, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message, { hint: 'give the files that the slices wrote with --report json=PATH' });
    }
    try {
      inputs.push({ file, report: JSON.parse(text) as RunReport });
    } catch (e) {
      throw errReportRead(file, `not JSON (${(e as Error).message})`, { hint: 'give the files that the slices wrote with --report json=PATH' });
    }
  }
  const merged = mergeReports(inputs);
  const color = shouldUseColor(process.stdout, process.env);
  let text = `\nPLAY RECAP ${'*'.repeat(69)}\n`;
  for (const host of Object.keys(merged.recap).sort()) text += `${formatRecapLine(host, merged.recap[host]!, color)}\n`;
  io.out(text);
  if (merged.run.check) io.out(formatDriftSummary(merged.drift, { color, diff: merged.run.diff, columns: process.stdout.columns }));
  for (const spec of specs) {
    try {
      await mkdir(path.dirname(spec.path), { recursive: true });
      await writeFile(spec.path, renderReport(spec, merged));
    } catch (e) {
      throw new UserError(`cannot write the ${spec.format} report to ${spec.path}: ${(e as Error).message}`, { kind: 'error', hint: 'check that the directory is writable, or give another path with --report' });
    }
  }
  return merged.run.exit_code;
}
