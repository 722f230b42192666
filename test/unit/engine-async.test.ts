// async: and async_status, the pure parts as tables, and the target's scripts run for real
// with this machine's /bin/sh in a scratch async directory: launch, the job file while the
// job runs and after, byte-exact output through the runner's JSON escaping, the kill after
// the time limit.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AsyncJob, asyncSettings, finishPendingJob, type AsyncJobDeps } from '../../src/engine/async-run.js';
import { asyncStatus } from '../../src/modules/async-status.js';
import type { RunContext } from '../../src/modules/types.js';
import { LocalTransport } from '../../src/transport/local.js';
import { killAfterSeconds, launchScript, newJobStem, parseLaunch } from '../../src/engine/async-scripts.js';
import { asyncDirWord, captureOf, commandLikeResult, deltaBetween, isRawCapture, jobFileResult, parseJobRead } from '../../src/modules/async-status.js';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'rackplay-async-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const identity = (v: unknown) => v;

describe('async settings', () => {
  it.each([
    [undefined, undefined, undefined],
    [0, 5, undefined],
    ['0', undefined, undefined],
    [10, undefined, { seconds: 10, poll: 15 }],
    ['45', '0', { seconds: 45, poll: 0 }],
    [30, 2, { seconds: 30, poll: 2 }],
  ])('async %j poll %j → %j', (a, p, expected) => {
    expect(asyncSettings(a, p, identity)).toEqual(expected);
  });

  it('renders templated values with the given renderer', () => {
    expect(asyncSettings('{{ t }}', '{{ p }}', (v) => (v === '{{ t }}' ? '20' : '1'))).toEqual({ seconds: 20, poll: 1 });
  });

  it("fails on a value that is not a number, in Ansible's words", () => {
    expect(() => asyncSettings('soon', 1, identity)).toThrow("the field 'async' has an invalid value (soon), and could not be converted to int.");
  });
});

describe('job ids and the kill time', () => {
  it("makes Ansible's j<digits> stems, not the same twice", () => {
    const stems = new Set(Array.from({ length: 50 }, () => newJobStem()));
    expect(stems.size).toBe(50);
    for (const s of stems) expect(s).toMatch(/^j\d{1,12}$/);
  });

  it.each([
    [1, 10],
    [5, 10],
    [6, 15],
    [30, 35],
  ])("kills a job limited to %is after %is, as async_wrapper's 5-second watch does", (limit, kill) => {
    expect(killAfterSeconds(limit)).toBe(kill);
  });
});

describe('async_status reading a job file', () => {
  it.each([
    ['/h/.ansible_async/j1.2\nmissing\n', { path: '/h/.ansible_async/j1.2' }],
    ['/h/.ansible_async/j1.2\nfound\n{"started": 1}', { path: '/h/.ansible_async/j1.2', text: '{"started": 1}' }],
  ])('parses %j', (out, expected) => {
    expect(parseJobRead(out)).toEqual(expected);
  });

  it.each([
    [{ path: 'p' }, { data: { ansible_job_id: 'j1', started: 1, finished: 1 }, failed: 'could not find job' }],
    [{ path: 'p', text: '' }, { data: { results_file: 'p', ansible_job_id: 'j1', started: 1, finished: 0 } }],
    [{ path: 'p', text: '{"oops' }, { data: { ansible_job_id: 'j1', results_file: 'p', started: 1, finished: 1 }, failed: 'Could not parse job output: {"oops' }],
    [{ path: 'p', text: '{"started": 1, "finished": 0, "ansible_job_id": "j1"}' }, { data: { started: 1, finished: 0, ansible_job_id: 'j1' } }],
    [{ path: 'p', text: '{"started": 1}' }, { data: { started: 1, finished: 0 } }],
    [{ path: 'p', text: '{"rc": 0, "changed": true}' }, { data: { rc: 0, changed: true, finished: 1, ansible_job_id: 'j1' } }],
  ])('job file %j', (file, expected) => {
    expect(jobFileResult('j1', file)).toEqual(expected);
  });

  it.each([
    ['2024-05-01 13:04:05.000000', '2024-05-01 13:04:07.500000', '0:00:02.500000'],
    ['2024-05-01 23:59:59.999999', '2024-05-02 00:00:00.000001', '0:00:00.000002'],
    ['2024-05-01 13:04:05.000000', '2024-05-01 13:04:05.000000', '0:00:00'],
    ['garbage', '2024-05-01 13:04:05.000000', undefined],
  ])('delta from %s to %s is %s', (a, b, d) => {
    expect(deltaBetween(a, b)).toBe(d);
  });

  it('reads a raw outcome no module waits for as a command result', () => {
    const data = { rc: 2, stdout: 'out\n', stderr: 'err\n', start: '2024-05-01 13:04:05.000000', end: '2024-05-01 13:04:06.000000', changed: true, rackplay_exec: 1 };
    expect(isRawCapture(data)).toBe(true);
    expect(isRawCapture({ rc: 0 })).toBe(false);
    expect(commandLikeResult(captureOf(data))).toEqual({
      changed: true, failed: true, msg: 'non-zero return code', rc: 2, stdout: 'out', stderr: 'err',
      start: '2024-05-01 13:04:05.000000', end: '2024-05-01 13:04:06.000000', delta: '0:00:01',
    });
  });

  it.each([
    ['~', '"$HOME"'],
    ['~/.ansible_async', `"$HOME"/.ansible_async`],
    ['/var/tmp/jobs dir', "'/var/tmp/jobs dir'"],
  ])('async dir %s as a shell word', (dir, word) => {
    expect(asyncDirWord(dir)).toBe(word);
  });
});

/** Runs a launch script as the target does: on the stdin of /bin/sh -s. */
function launch(command: string, opts: { stdin?: string; killAfter?: number; dir?: string } = {}) {
  const dir = opts.dir ?? scratch;
  const script = launchScript({ stem: newJobStem(), dir, command, stdin: opts.stdin, killAfter: opts.killAfter ?? 60 });
  const r = spawnSync('/bin/sh', ['-s'], { input: script, encoding: 'utf8', timeout: 20_000 });
  return parseLaunch(r.stdout, r.stderr);
}

/** The job file once it no longer says it is running (the runner renames it into place). */
async function finished(file: string): Promise<Record<string, unknown>> {
  for (;;) {
    const data = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    if (!('started' in data)) return data;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the launch script and the runner under /bin/sh', () => {
  it('starts the job, answers at once with its id and file, and the job file ends with the raw outcome', async () => {
    const gate = path.join(scratch, 'gate');
    const l = launch(`while [ ! -f ${gate} ]; do sleep 0.05; done; printf 'a\\tb "q" \\\\ \\001 é\\n'; printf 'e' >&2; exit 3`);
    if (l.kind !== 'started') throw new Error(`not started: ${JSON.stringify(l)}`);
    expect(l.jid).toMatch(/^j\d+\.\d+$/);
    expect(l.path).toBe(path.join(scratch, l.jid));
    // the job waits for the gate: its file says it is running
    expect(JSON.parse(readFileSync(l.path, 'utf8'))).toEqual({ started: 1, finished: 0, ansible_job_id: l.jid });
    writeFileSync(gate, '');
    const data = await finished(l.path);
    expect(data).toMatchObject({ rc: 3, stdout: 'a\tb "q" \\ \u0001 é\n', stderr: 'e', changed: true, rackplay_exec: 1 });
    expect(String(data.start)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
    expect(deltaBetween(String(data.start), String(data.end))).toBeDefined();
    // the runner leaves nothing but the job file
    const leftovers = readdirSync(scratch).filter((f) => f.includes(l.jid) && f !== l.jid);
    expect(leftovers).toEqual([]);
  });

  it("gives the command the module's stdin, byte for byte", async () => {
    const l = launch('cat', { stdin: "line one\nit's $HOME `x`" });
    if (l.kind !== 'started') throw new Error('not started');
    expect((await finished(l.path)).stdout).toBe("line one\nit's $HOME `x`");
  });

  it('kills a job past its time and says so in the job file, as async_wrapper does', async () => {
    const marker = path.join(scratch, 'should-not-exist');
    const l = launch(`sleep 30; touch ${marker}`, { killAfter: 1 });
    if (l.kind !== 'started') throw new Error('not started');
    const data = await finished(l.path);
    expect(data).toMatchObject({ msg: 'Timeout exceeded', failed: true });
    expect(typeof data.child_pid).toBe('number');
    expect(existsSync(marker)).toBe(false);
  });

  it('says when the async directory cannot be made', () => {
    const file = path.join(scratch, 'plain-file');
    writeFileSync(file, '');
    expect(launch('true', { dir: path.join(file, 'sub') })).toEqual({ kind: 'nodir', path: path.join(file, 'sub') });
  });
});


describe('an async job on this machine (the local transport), from launch to result', () => {
  const transport = new LocalTransport('here');
  afterAll(() => transport.close());
  const exec: RunContext['exec'] = (command, o = {}) => transport.exec(command, { stdin: o.stdin });
  const events: string[] = [];
  const deps = (): AsyncJobDeps => ({
    vars: { ansible_async_dir: path.join(scratch, 'jobs') },
    sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 200))),
    event: (stage, jid, status) => events.push(`${stage} ${jid} ${status ? `${String(status.started)}/${String(status.finished)}` : ''}`.trim()),
  });
  const jobOf = (settings: { seconds: number; poll: number }) => {
    const job = new AsyncJob(settings, deps());
    job.runsWith(exec);
    return job;
  };
  /** A module as the engine runs one: its command through the job, its result from the outcome. */
  const moduleBody = async (job: AsyncJob, command: string) => {
    const r = await job.exec(command);
    return { changed: true, rc: r.rc, stdout: r.stdout.trim(), start: 'controller', end: 'controller', delta: 'controller' };
  };

  it('with poll > 0, hands the module the outcome and adds the job fields, then removes the job file', async () => {
    events.length = 0;
    const job = jobOf({ seconds: 20, poll: 1 });
    const result = await job.settle(moduleBody(job, 'sleep 0.5; echo hi'));
    expect(result).toMatchObject({ changed: true, rc: 0, stdout: 'hi', started: 1, finished: 1, stderr: '', stderr_lines: [] });
    // the times are the target's, not the module's
    expect(String(result.start)).toMatch(/^\d{4}-/);
    expect(existsSync(String(result.results_file))).toBe(false);
    expect(events.at(-1)).toBe(`ok ${String(result.ansible_job_id)}`);
  });

  it("with poll > 0, fails with Ansible's words when the job outlives its time", async () => {
    events.length = 0;
    const job = jobOf({ seconds: 1, poll: 1 });
    const result = await job.settle(moduleBody(job, 'sleep 5'));
    expect(result).toMatchObject({ failed: true, msg: 'async task did not complete within the requested time - 1s', async_result: { started: 1, finished: 0 } });
    expect(events.at(-1)).toMatch(/^failed j\d+\.\d+$/);
  });

  it('with poll 0, answers at once; async_status of the same run finishes the waiting module', async () => {
    const job = jobOf({ seconds: 20, poll: 0 });
    const started = await job.settle(moduleBody(job, 'echo later'));
    expect(started).toMatchObject({ started: 1, finished: 0, changed: true, failed: 0 });
    const jid = String(started.ansible_job_id);
    const ctx = { exec, vars: deps().vars, finishAsyncJob: (j: string, o: Parameters<typeof finishPendingJob>[1]) => finishPendingJob(j, o, exec) };
    let status = await asyncStatus(jid, 'status', ctx);
    while (status.finished !== 1) status = await asyncStatus(jid, 'status', ctx);
    expect(status).toMatchObject({ finished: 1, rc: 0, stdout: 'later', changed: true, ansible_job_id: jid });
    // the job file now holds the module's result, as Ansible's does
    expect(JSON.parse(readFileSync(String(started.results_file), 'utf8'))).toMatchObject({ rc: 0, stdout: 'later', changed: true });
    expect(await asyncStatus(jid, 'cleanup', ctx)).toMatchObject({ erased: started.results_file });
    expect(existsSync(String(started.results_file))).toBe(false);
  });

  it('with poll 0, a module that decides without a command leaves a finished job', async () => {
    const job = jobOf({ seconds: 20, poll: 0 });
    const started = await job.settle(Promise.resolve({ changed: false, msg: 'nothing to do' }));
    expect(started).toMatchObject({ started: 1, finished: 0 });
    const status = await asyncStatus(String(started.ansible_job_id), 'status', { exec, vars: deps().vars });
    expect(status).toMatchObject({ finished: 1, changed: false, msg: 'nothing to do' });
  });

  it('a module that fails before any command fails as it is', async () => {
    const job = jobOf({ seconds: 20, poll: 0 });
    expect(await job.settle(Promise.resolve({ failed: true, msg: 'bad args' }))).toEqual({ failed: true, msg: 'bad args' });
  });
});
