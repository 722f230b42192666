// ansible.builtin.async_status: the state of a job started with `async:` (a task run in
// the background on the target), read from its job file `<async_dir>/<jid>`, or with
// `mode: cleanup` that file removed. The engine polls a `poll: N` task with the same
// reading (engine/async-run.ts). A job file holds JSON: `{"started": 1, "finished": 0}`
// while the job runs, then its result. rackplay's background runner writes the command's
// raw outcome (rc, stdout, stderr, start, end, with `rackplay_exec`); the module that
// started it finishes its result on the controller when this run still holds it
// (ctx.finishAsyncJob), else the outcome reads as a command's.
//
//   - ansible.builtin.command: /usr/local/bin/rebuild-index
//     async: 600
//     poll: 0
//     register: job
//   - ansible.builtin.async_status:
//       jid: "{{ job.ansible_job_id }}"
//     register: status
//     until: status is finished
//     retries: 60
//     delay: 10
import type { FromSchema } from 'json-schema-to-ts';
import { quote } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { pythonDelta, splitLines } from './command-runner.js';
import { defineModule, type ModuleResult, type RunContext } from './types.js';

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    jid: { type: 'string' },
    mode: { type: 'string', enum: ['status', 'cleanup'], default: 'status' },
  },
  required: ['jid'],
} as const;

export type AsyncStatusArgs = FromSchema<typeof schema>;

/** The key rackplay's runner marks a raw outcome with (a job file no module has finished yet). */
export const RAW_MARK = 'rackplay_exec';

/**
 * The async directory as Ansible's shell plugin option `async_dir` resolves it: the
 * `ansible_async_dir` variable, else ANSIBLE_ASYNC_DIR in the controller's environment.
 */
export function asyncDirOf(vars: Readonly<Record<string, unknown>>): string {
  const v = vars.ansible_async_dir;
  if (typeof v === 'string' && v !== '') return v;
  return process.env.ANSIBLE_ASYNC_DIR || '~/.ansible_async';
}

/** A shell word for the directory, `~` and `~/...` meaning the (become) user's $HOME. */
export function asyncDirWord(dir: string): string {
  if (dir === '~') return '"$HOME"';
  if (dir.startsWith('~/')) return `"$HOME"/${quote(dir.slice(2))}`;
  return quote(dir);
}

/** Prints the job file's path, then `missing`, or `found` and the file. */
export function jobReadScript(dir: string, jid: string): string {
  return `f=${asyncDirWord(dir)}/${quote(jid)}; printf '%s\\n' "$f"; if [ -f "$f" ]; then echo found; cat "$f"; else echo missing; fi`;
}

/** Prints the job file's path, then `missing`, or `erased` once it is gone. */
export function jobCleanupScript(dir: string, jid: string): string {
  return `f=${asyncDirWord(dir)}/${quote(jid)}; printf '%s\\n' "$f"; if [ -f "$f" ]; then rm -f -- "$f" && echo erased; else echo missing; fi`;
}

export interface JobFile {
  path: string;
  /** The file's text; undefined when there is no such job. */
  text?: string;
}

export function parseJobRead(stdout: string): JobFile {
  const nl = stdout.indexOf('\n');
  const path = nl < 0 ? stdout : stdout.slice(0, nl);
  const rest = nl < 0 ? '' : stdout.slice(nl + 1);
  if (rest.startsWith('found\n')) return { path, text: rest.slice('found\n'.length) };
  return { path };
}

/** A job's raw outcome, as the runner recorded it on the target. */
export interface JobCapture extends ExecResult {
  start: string;
  end: string;
}

export function isRawCapture(data: Record<string, unknown>): boolean {
  return data[RAW_MARK] === 1 || data[RAW_MARK] === true;
}

export function captureOf(data: Record<string, unknown>): JobCapture {
  const stdout = typeof data.stdout === 'string' ? data.stdout : '';
  return {
    rc: Number(data.rc ?? 0),
    stdout,
    stderr: typeof data.stderr === 'string' ? data.stderr : '',
    stdoutBytes: Buffer.from(stdout),
    start: String(data.start ?? ''),
    end: String(data.end ?? ''),
  };
}

/** str(end - start) for two of Python's datetime strings (`2024-05-01 13:04:05.123456`). */
export function deltaBetween(start: string, end: string): string | undefined {
  const micros = (s: string) => {
    const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?$/.exec(s);
    if (!m) return undefined;
    const secs = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) / 1000;
    return secs * 1_000_000 + Number((m[7] ?? '0').padEnd(6, '0'));
  };
  const a = micros(start);
  const b = micros(end);
  return a === undefined || b === undefined ? undefined : pythonDelta(b - a);
}

/** The target's timing of a job, over what a module measured on the controller. */
export function withJobTiming(result: ModuleResult, c: JobCapture): ModuleResult {
  if (!('start' in result) || !c.start) return result;
  return { ...result, start: c.start, end: c.end, delta: deltaBetween(c.start, c.end) ?? result.delta };
}

/** A raw outcome no module of this run is waiting for: a command's result. */
export function commandLikeResult(c: JobCapture): ModuleResult {
  const r: ModuleResult = { changed: true, rc: c.rc, stdout: c.stdout.replace(/[\r\n]+$/, ''), stderr: c.stderr.replace(/[\r\n]+$/, ''), msg: '' };
  const timed = withJobTiming({ ...r, start: null, end: null, delta: null }, c);
  return c.rc === 0 ? timed : { ...timed, failed: true, msg: 'non-zero return code' };
}

/** What Ansible's async_status module makes of a job file's text (before the module result is merged). */
export function jobFileResult(jid: string, file: JobFile): { data: Record<string, unknown>; failed?: string } {
  if (file.text === undefined) return { data: { ansible_job_id: jid, started: 1, finished: 1 }, failed: 'could not find job' };
  let data: unknown;
  try {
    data = JSON.parse(file.text);
  } catch {
    // an empty file: not written yet, so the job is still starting
    if (file.text.trim() === '') return { data: { results_file: file.path, ansible_job_id: jid, started: 1, finished: 0 } };
    return { data: { ansible_job_id: jid, results_file: file.path, started: 1, finished: 1 }, failed: `Could not parse job output: ${file.text}` };
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    return { data: { ansible_job_id: jid, results_file: file.path, started: 1, finished: 1 }, failed: `Could not parse job output: ${file.text}` };
  }
  const d = { ...(data as Record<string, unknown>) };
  if (!('started' in d)) {
    d.finished = 1;
    d.ansible_job_id = jid;
  } else if (!('finished' in d)) d.finished = 0;
  return { data: d };
}

/** The fields Ansible's async_status action starts its result with. */
function actionBase(jid: string, mode: string, path: string): ModuleResult {
  const r: ModuleResult = { started: 0, finished: 0, stdout: '', stderr: '', stdout_lines: [], stderr_lines: [], ansible_job_id: jid };
  if (mode === 'cleanup') r.erased = path;
  else Object.assign(r, { results_file: path, started: 1 });
  return r;
}

/** The job's status as async_status reports it; also what the engine polls with. */
export async function asyncStatus(jid: string, mode: string, ctx: Pick<RunContext, 'exec' | 'vars' | 'finishAsyncJob'>): Promise<ModuleResult> {
  const dir = asyncDirOf(ctx.vars);
  if (mode === 'cleanup') {
    const out = (await ctx.exec(jobCleanupScript(dir, jid))).stdout.split('\n');
    const base = actionBase(jid, mode, out[0] ?? '');
    if (out[1] === 'erased') return { ...base, ansible_job_id: jid, erased: out[0] };
    return { ...base, failed: true, msg: 'could not find job', started: 1, finished: 1 };
  }
  const file = parseJobRead((await ctx.exec(jobReadScript(dir, jid))).stdout);
  const base = actionBase(jid, mode, file.path);
  const { data, failed } = jobFileResult(jid, file);
  if (failed) return { ...base, ...data, failed: true, msg: failed };
  let result: ModuleResult = data;
  if (isRawCapture(data)) {
    const capture = captureOf(data);
    const finished = ctx.finishAsyncJob ? await ctx.finishAsyncJob(jid, capture) : undefined;
    result = { ...(finished ?? commandLikeResult(capture)), ansible_job_id: jid, finished: 1 };
  }
  const out: ModuleResult = { ...base, ...result };
  if (typeof result.stdout === 'string' && !('stdout_lines' in result)) out.stdout_lines = splitLines(result.stdout);
  if (typeof result.stderr === 'string' && !('stderr_lines' in result)) out.stderr_lines = splitLines(result.stderr);
  return out;
}

export const asyncStatusModule = defineModule<AsyncStatusArgs>({
  name: 'async_status',
  summary: 'Read the status of an async task, or remove its job file',
  checkMode: 'run',
  schema,
  run: async (args, ctx) => {
    const mode = args.mode ?? 'status';
    if (!ctx.check) return asyncStatus(args.jid, mode, ctx);
    // the module does not support check mode: the action's fields, and the module skipped
    const path = (await ctx.exec(`printf '%s' ${asyncDirWord(asyncDirOf(ctx.vars))}/${quote(args.jid)}`)).stdout;
    return { ...actionBase(args.jid, mode, path), changed: false, skipped: true, msg: 'remote module (ansible.legacy.async_status) does not support check mode' };
  },
});
