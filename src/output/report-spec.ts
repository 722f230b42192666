// Which report files to write: `--report FORMAT=PATH` (repeatable), else the environment's
// RACKPLAY_REPORT, else ansible.cfg's `[rackplay] report =`. The last two take a
// comma-separated list. Relative paths are relative to the working directory, or for
// ansible.cfg to the file's directory, as Ansible resolves path settings.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { editDistance, UserError } from '../errors.js';

export const REPORT_FORMATS = ['json', 'junit', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ReportSpec {
  format: ReportFormat;
  /** Absolute. */
  path: string;
}

const HINT = 'write FORMAT=PATH with FORMAT one of json, junit, html, e.g. --report junit=out/rackplay.xml';

export function parseReportSpec(value: string, opts: { baseDir: string; where: string; pos?: { file: string; line: number; col: number } }): ReportSpec {
  const m = /^\s*([A-Za-z]+)\s*=\s*(.*?)\s*$/.exec(value);
  if (!m) throw new UserError(`${opts.where}: expected FORMAT=PATH, got '${value}'`, { kind: opts.pos ? 'parse' : 'options', pos: opts.pos, hint: HINT });
  const format = m[1]!.toLowerCase();
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) {
    // Format names are short: a swapped pair of letters is distance 2.
    const near = REPORT_FORMATS.find((f) => editDistance(format, f) <= 2);
    throw new UserError(`${opts.where}: unknown report format '${m[1]}'`, {
      kind: opts.pos ? 'parse' : 'options',
      pos: opts.pos,
      hint: near ? `did you mean '${near}'? ${HINT}` : HINT,
    });
  }
  if (!m[2]) throw new UserError(`${opts.where}: the ${format} report needs a path after '='`, { kind: opts.pos ? 'parse' : 'options', pos: opts.pos, hint: HINT });
  return { format: format as ReportFormat, path: path.resolve(opts.baseDir, m[2]) };
}

/** Where `report =` is written in an ansible.cfg's [rackplay] section, for error positions. */
function findConfigKey(text: string, section: string, key: string): { line: number; col: number; value: string } | undefined {
  let inSection = false;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const sec = /^\s*\[([^\]]+)\]\s*$/.exec(raw);
    if (sec) {
      inSection = sec[1]!.trim() === section;
      continue;
    }
    if (!inSection) continue;
    const kv = /^(\s*)([^=:#;\s]+)\s*[=:]\s*(.*)$/.exec(raw);
    if (kv && kv[2]!.toLowerCase() === key) {
      return { line: i + 1, col: kv[1]!.length + 1, value: kv[3]!.replace(/\s+[;#].*$/, '').trim() };
    }
  }
  return undefined;
}

export interface ReportSources {
  /** --report values, in order. */
  cli: string[];
  env: NodeJS.ProcessEnv;
  /** The ansible.cfg in use, if any. */
  configFile?: string;
  cwd: string;
}

export function resolveReportSpecs(src: ReportSources): ReportSpec[] {
  let specs: ReportSpec[];
  if (src.cli.length) {
    specs = src.cli.map((v) => parseReportSpec(v, { baseDir: src.cwd, where: '--report' }));
  } else if (src.env.RACKPLAY_REPORT !== undefined && src.env.RACKPLAY_REPORT.trim() !== '') {
    specs = splitList(src.env.RACKPLAY_REPORT).map((v) => parseReportSpec(v, { baseDir: src.cwd, where: 'RACKPLAY_REPORT' }));
  } else if (src.configFile) {
    const found = findConfigKey(readFileSync(src.configFile, 'utf8'), 'rackplay', 'report');
    specs = found
      ? splitList(found.value).map((v) =>
          parseReportSpec(v, { baseDir: path.dirname(src.configFile!), where: '[rackplay] report', pos: { file: src.configFile!, line: found.line, col: found.col } }),
        )
      : [];
  } else specs = [];
  const seen = new Map<string, ReportSpec>();
  for (const s of specs) {
    const other = seen.get(s.path);
    if (other) throw new UserError(`two reports would write the same file ${s.path}`, { kind: 'options', hint: `give the ${other.format} and ${s.format} reports different paths` });
    seen.set(s.path, s);
  }
  return specs;
}

function splitList(v: string): string[] {
  return v
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}
