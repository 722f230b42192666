// The JSON report (--report json=PATH): one document per run, described by the published
// schema docs/report-schema.json. Field names are snake_case like Ansible's own JSON.
// Bump REPORT_SCHEMA_VERSION on any change that could break a reader (a removed or
// retyped field); adding an optional field keeps the version.
import type { FileDiff } from '../modules/types.js';
import { computeDrift, type DriftSummary } from './drift.js';
import type { HostStats, HostStatus } from './events.js';
import type { RunRecord } from './run-record.js';
import type { SecretMasker } from './secret-masker.js';

export const REPORT_FORMAT = 'rackplay-report';
export const REPORT_SCHEMA_VERSION = 1;

export interface ReportMeta {
  version: string;
  /** argv after the program name; secrets are redacted by redactCommandLine. */
  commandLine: string[];
  exitCode: number;
  detailedExitcode: boolean;
}

export interface ReportResult {
  host: string;
  status: HostStatus;
  changed: boolean;
  ignored: boolean;
  unknown: boolean;
  delegated_to?: string;
  duration_ms?: number;
  finished_at: string;
  msg?: string;
  rc?: number;
  stderr?: string;
  warnings?: string[];
  diff?: FileDiff[];
  items?: Array<{ label: string; status: HostStatus; changed: boolean; msg?: string }>;
}

export interface ReportTask {
  id: string;
  name: string;
  action: string;
  role: string | null;
  tags: string[];
  path?: string;
  handler: boolean;
  play: number;
  started_at: string;
  results: ReportResult[];
}

export interface RunReport {
  format: typeof REPORT_FORMAT;
  schema_version: number;
  run: {
    tool: 'rackplay';
    version: string;
    playbook: string | null;
    command_line: string[];
    started_at: string;
    ended_at: string;
    duration_ms: number;
    check: boolean;
    diff: boolean;
    exit_code: number;
    detailed_exitcode: boolean;
    /** --slice K/N: this run had part K of N of the hosts. */
    slice?: { index: number; count: number };
    /** report merge: the reports this one merges, in the order given. */
    merged_from?: string[];
  };
  hosts: string[];
  /** sliced_from (--slice): the play's hosts in all slices, in its order. */
  plays: Array<{ name: string; pattern: string; hosts: string[]; sliced_from?: string[]; started_at: string }>;
  tasks: ReportTask[];
  recap: Record<string, HostStats>;
  drift: DriftSummary;
  warnings: string[];
  errors: string[];
}

export function buildRunReport(record: RunRecord, meta: ReportMeta): RunReport {
  const endedAt = record.endedAt ?? record.startedAt;
  const tasks: ReportTask[] = record.tasks.map((t) => ({
    id: t.id,
    name: t.name,
    action: t.action,
    role: t.role ?? null,
    tags: t.tags,
    ...(t.path ? { path: t.path } : {}),
    handler: t.handler,
    play: t.play,
    started_at: t.startedAt,
    results: [],
  }));
  const byId = new Map(tasks.map((t) => [t.id, t]));
  for (const r of record.results) {
    const t = byId.get(r.task);
    if (!t) continue;
    t.results.push({
      host: r.host,
      status: r.status,
      changed: r.changed,
      ignored: r.ignored,
      unknown: r.unknown,
      ...(r.delegatedTo ? { delegated_to: r.delegatedTo } : {}),
      ...(r.durationMs !== undefined ? { duration_ms: r.durationMs } : {}),
      finished_at: r.finishedAt,
      ...(r.msg !== undefined ? { msg: r.msg } : {}),
      ...(r.rc !== undefined ? { rc: r.rc } : {}),
      ...(r.stderr !== undefined ? { stderr: r.stderr } : {}),
      ...(r.warnings ? { warnings: r.warnings } : {}),
      ...(r.diff ? { diff: r.diff.map(normalizeDiff) } : {}),
      ...(r.items ? { items: r.items } : {}),
    });
  }
  const drift = computeDrift(record);
  for (const h of drift.hosts) for (const g of h.roles) for (const t of g.tasks) if (t.diff) t.diff = t.diff.map(normalizeDiff);
  return {
    format: REPORT_FORMAT,
    schema_version: REPORT_SCHEMA_VERSION,
    run: {
      tool: 'rackplay',
      version: meta.version,
      playbook: record.playbook ?? null,
      command_line: meta.commandLine,
      started_at: record.startedAt,
      ended_at: endedAt,
      duration_ms: record.durationMs ?? Math.max(0, Date.parse(endedAt) - Date.parse(record.startedAt)),
      check: record.check,
      diff: record.diff,
      exit_code: meta.exitCode,
      detailed_exitcode: meta.detailedExitcode,
      ...(record.slice ? { slice: { ...record.slice } } : {}),
    },
    hosts: [...record.hosts],
    plays: record.plays.map((p) => ({ name: p.name, pattern: p.pattern, hosts: p.hosts, ...(p.slicedFrom ? { sliced_from: p.slicedFrom } : {}), started_at: p.startedAt })),
    tasks,
    recap: record.recap,
    drift,
    warnings: record.warnings,
    errors: record.errors,
  };
}

/** Diff texts as strings only: modules may hand over a Buffer-ish or a missing side. */
function normalizeDiff(d: FileDiff): FileDiff {
  const out: FileDiff = { before: String(d.before ?? ''), after: String(d.after ?? '') };
  if (d.before_header !== undefined) out.before_header = String(d.before_header);
  if (d.after_header !== undefined) out.after_header = String(d.after_header);
  return out;
}

export function renderJsonReport(report: RunReport, masker?: SecretMasker): string {
  const masked = masker ? masker.maskValue(report) : report;
  const text = JSON.stringify(masked, null, 2) + '\n';
  return masker ? masker.mask(text) : text;
}

const SECRET_KEY = /pass(word|wd)?|secret|token|api_?key|private_?key|credential/i;
const REDACTED = '********';

/**
 * The command line as typed, minus secrets: `-e` values whose variable names look like
 * secrets are replaced (in key=value and JSON/YAML forms); everything else stays readable.
 */
export function redactCommandLine(argv: string[]): string[] {
  const out: string[] = [];
  let nextIsVars = false;
  for (const arg of argv) {
    if (nextIsVars) {
      out.push(redactVars(arg));
      nextIsVars = false;
      continue;
    }
    const inline = /^(--extra-vars=|-e)(.+)$/.exec(arg);
    if (inline && (inline[1] === '--extra-vars=' || !arg.startsWith('--'))) {
      out.push(inline[1] + redactVars(inline[2]!));
      continue;
    }
    if (arg === '-e' || arg === '--extra-vars') nextIsVars = true;
    out.push(arg);
  }
  return out;
}

function redactVars(value: string): string {
  if (value.startsWith('@')) return value;
  const trimmed = value.trim();
  if (trimmed.startsWith('{')) {
    // "key": "value" or key: value pairs inside a JSON/YAML mapping.
    return value.replace(/(["']?)([A-Za-z_][\w-]*)\1(\s*:\s*)("(?:[^"\\]|\\.)*"|'[^']*'|[^,}\s]+)/g, (m, q: string, k: string, sep: string) =>
      SECRET_KEY.test(k) ? `${q}${k}${q}${sep}"${REDACTED}"` : m,
    );
  }
  return value.replace(/([A-Za-z_][\w]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S+)/g, (m, k: string) => (SECRET_KEY.test(k) ? `${k}=${REDACTED}` : m));
}
