// Probe batching: a no-op re-run costs one remote exec per task and host (the probe), and
// the round trip dominates. In the linear strategy, when a simple planned task is about to
// send its probe, the engine looks ahead at the next simple planned tasks of the same task
// list, predicts their probe scripts with the host's current vars (render, when, prepare:
// controller-side only), and sends them along with this probe in ONE exec. Their results
// are kept as speculative facts, keyed by task uid and the exact probe (script, become,
// environment). The running task's own probe is never speculative: it is the real one.
//
// Why a cached result stays correct:
//   - A later task uses a cached result only if, at its real run, it renders the very same
//     probe: a register, set_fact or any other var change that alters its arguments gives
//     another script, hence a miss and a normal probe.
//   - And only if nothing was written anywhere since the batch: two inventory hosts may be
//     one machine (aliases, localhost and 127.0.0.1), share a filesystem (NFS homes) or be
//     written through delegate_to, so validity is run-wide. The run counts every exec and
//     put on every connection that is not a probe (watchWrites); a saved result stands only
//     while that count is what it was right after its batch, and only on the same
//     connection (a reconnect gives a new one). Probes (batches, and a task's probe run on
//     its own) only read: a no-op run writes nothing, so its batches all stand; check
//     mode applies nothing, so predictions of later tasks are made against the unchanged
//     hosts, as Ansible makes them.
//   - Identical probes in one batch (tasks editing the same file) run once and share the
//     result: they would have read the same bytes at the same moment. Likewise the file
//     probes' stat calls run as one program at the top of the batch (preStatBatch).
//   - The lookahead stops at anything that is not a simple planned task (loops, until,
//     delegation, run_once, includes, blocks, meta, action modules such as set_fact), and
//     at a task whose templates name a var registered earlier in the batch.
// After a task applies steps (or a change invalidates entries) the lookahead window drops
// to one task, and doubles with each later look-ahead that follows no change, so a run that
// changes many things wastes few predicted probes.
//
// Framing: the host's output never delimits itself. Each probe runs in its own subshell
// with stdout and stderr going to files in a private directory (mktemp -d, mode 0700),
// so nothing a probe prints, and nothing another user of the host writes anywhere, reaches
// the batch's own output. When all have run, the batch prints one line of exit codes, the
// byte count of every file (one `wc -c`), then the files themselves (one `cat`); the
// controller cuts the bytes by those counts. The script itself travels on stdin
// (transport/stdin-script.ts), so no part of it shows in any argv on the host.
import { createHash } from 'node:crypto';
import { FILE_PROBE_FUNCTION, preStatBatch } from '../facts/file-probe.js';
import { PRE_READ_FILE, preReadBatch, preReadComplete, readPreRead } from '../facts/pre-read.js';
import { observeTransport } from '../transport/observe.js';
import type { BecomeSpec, ExecResult, Transport } from '../transport/types.js';

/**
 * The most probes one batch carries (a loop item counts as one). 256: the 33-task bench
 * playbook with 20 loops needs 77 on a no-op run, and two batches cost a second round trip
 * and a second turn of every host's prediction; a batch's script stays under 100 KB.
 */
export const MAX_BATCH = 256;

export interface ProbeRequest {
  uid: string;
  script: string;
  become?: BecomeSpec;
  env?: Record<string, string>;
}

/** What must be identical for a cached probe result to stand for a fresh one. */
export function probeKey(script: string, become: BecomeSpec | undefined, env: Record<string, string> | undefined): string {
  // The script stands as its SHA-256: equal digests mean byte-identical scripts, and a
  // saved probe keeps 64 characters instead of its script (kilobytes, most of it the
  // shared file-probe function), for every probe of every host until it is used.
  return `${JSON.stringify([become ?? null, env ?? null])}\n${script && createHash('sha256').update(script).digest('hex')}`;
}

const HEADER = 'rackplay-batch';

/** The output files of probe i, named by us: safe to list on one line and to parse back. */
const files = (count: number) => Array.from({ length: count }, (_, i) => [`o${i}`, `e${i}`]).flat();

/**
 * One script running every probe in its own subshell, its output into files, then the
 * exit codes, the files' sizes and the files. A leading `prelude` (shell function
 * definitions) that several probes start with is defined once at the top: subshells
 * inherit functions, and the host parses it once.
 */
export function batchScript(scripts: string[], prelude?: string, afterPrelude: string[] = [], inDir: { lines: string[]; files: string[] } = NOTHING_IN_DIR): string {
  const head = prelude ? prelude + '\n' : undefined;
  const hoisted = sharesPrelude(scripts, prelude);
  const lines: string[] = [];
  if (hoisted) lines.push(head! + (afterPrelude.length ? `{\n${afterPrelude.join('\n')}\n} >/dev/null 2>&1` : ''));
  // mktemp -d makes the directory 0700; where mktemp is missing, mkdir under umask 077
  // refuses a name that exists (a planted file or link), and the batch gives up.
  lines.push(
    `__rp_d=$(umask 077; mktemp -d "\${TMPDIR:-/tmp}/rackplay-batch.XXXXXXXXXX" 2>/dev/null) || { __rp_d="\${TMPDIR:-/tmp}/rackplay-batch.$$.$(date +%s)"; (umask 077; mkdir "$__rp_d") || exit 97; }`,
    `trap 'rm -rf "$__rp_d"' 0`,
  );
  // What runs in the batch's directory before the probes (the pre-read), in this shell.
  if (inDir.lines.length) lines.push(`{\n${inDir.lines.join('\n')}\n} </dev/null >/dev/null 2>&1`);
  scripts.forEach((s, i) => {
    // </dev/null: a probe that reads stdin must not eat a become password or the next probe's input.
    lines.push(`(\n${hoisted && s.startsWith(head!) ? s.slice(head!.length) : s}\n) </dev/null >"$__rp_d/o${i}" 2>"$__rp_d/e${i}"`, `__rp_r${i}=$?`);
  });
  const rcs = scripts.map((_, i) => `$__rp_r${i}`).join(' ');
  const names = [...files(scripts.length), ...inDir.files].join(' ');
  lines.push(`cd "$__rp_d" || exit 97`, `printf '%s %s\\n' ${HEADER} "${rcs}"`, `wc -c ${names} || exit 97`, `cat ${names}`);
  return lines.join('\n') + '\n';
}

const NOTHING_IN_DIR = { lines: [], files: [] };

function sharesPrelude(scripts: string[], prelude: string | undefined): boolean {
  return !!prelude && scripts.filter((s) => s.startsWith(prelude + '\n')).length > 1;
}

/**
 * The per-probe results of a batch, in order. All undefined when the output is not exactly
 * what the batch prints (it died part way, or the host could not make its directory):
 * each task then probes on its own.
 */
export function splitBatchOutput(out: ExecResult, count: number): (ExecResult | undefined)[] {
  return splitBatch(out, count).results;
}

/** splitBatchOutput, and the contents of the batch's extra files (`extraNames`, after the probes'). */
export function splitBatch(out: ExecResult, count: number, extraNames: string[] = []): { results: (ExecResult | undefined)[]; extras?: Buffer[] } {
  const none = { results: Array.from({ length: count }, () => undefined) };
  const bytes = out.stdoutBytes;
  const names = [...files(count), ...extraNames];
  let pos = 0;
  const line = (): string | undefined => {
    const eol = bytes.indexOf(0x0a, pos);
    if (eol < 0) return undefined;
    const l = bytes.subarray(pos, eol).toString('latin1');
    pos = eol + 1;
    return l;
  };
  const head = line()?.split(' ');
  if (!head || head[0] !== HEADER || head.length !== count + 1) return none;
  const rcs = head.slice(1).map(Number);
  if (!rcs.every((n) => Number.isInteger(n) && n >= 0)) return none;
  // wc -c: one line per file, "<count> <name>", then a total line (two or more files).
  const sizes: number[] = [];
  for (const name of [...names, 'total']) {
    const m = /^\s*(\d+) (\S+)$/.exec(line() ?? '');
    if (!m || m[2] !== name) return none;
    sizes.push(Number(m[1]));
  }
  const total = sizes.pop()!;
  if (bytes.length - pos !== total || sizes.reduce((a, b) => a + b, 0) !== total) return none;
  const take = (n: number) => Buffer.from(bytes.subarray(pos, (pos += n)));
  const results = rcs.map((rc, i) => {
    const stdout = take(sizes[2 * i]);
    const stderr = take(sizes[2 * i + 1]).toString('utf8');
    return { rc, stdout: stdout.toString('utf8'), stdoutBytes: stdout, stderr };
  });
  return { results, extras: extraNames.map((_, k) => take(sizes[2 * count + k])) };
}

/**
 * Runs probes in one exec: each distinct script once (tasks that edit the same file send
 * the same probe), and every request gets its script's result, a copy of its own.
 */
export async function runProbeBatch(t: Transport, scripts: string[], opts: { become?: BecomeSpec; env?: Record<string, string> }): Promise<(ExecResult | undefined)[]> {
  const unique = [...new Set(scripts)];
  // The file probes' stat runs, all in one, and the contents they send, in one tar (file-probe.ts, pre-read.ts).
  const pre = sharesPrelude(unique, FILE_PROBE_FUNCTION) ? preStatBatch(unique) : undefined;
  const read = pre && preReadBatch(pre.scripts);
  const inDir = read ? { lines: read.lines, files: [PRE_READ_FILE] } : NOTHING_IN_DIR;
  const res = await t.exec(batchScript(read?.scripts ?? pre?.scripts ?? unique, FILE_PROBE_FUNCTION, pre?.lines, inDir), { ...opts, readOnly: true });
  const { results, extras } = splitBatch(res, unique.length, inDir.files);
  // An empty archive: tar did not run, so no probe printed a `preread` line.
  const archive = read && extras?.[0].length ? extras[0] : undefined;
  const members = archive && readPreRead(archive, read!.paths);
  return scripts.map((s) => {
    const one = results[unique.indexOf(s)];
    if (!one || !archive) return one && { ...one };
    // An archive the controller could not read, or a member missing: that probe runs again alone.
    if (!members || !preReadComplete(one.stdoutBytes, members)) return /(?:^|\n)preread \d+\n/.test(one.stdoutBytes.toString('latin1')) ? undefined : { ...one };
    return { ...one, preread: members };
  });
}

/** The run's count of writes: execs and puts that are not probes, on any connection. */
export class WriteCount {
  n = 0;
}

/** `t`, counting into `count` each exec that is not a probe, each put and each get. */
export function watchWrites(t: Transport, count: WriteCount): Transport {
  return observeTransport(t, {
    exec: (_command, opts) => {
      if (!opts?.readOnly) count.n++;
    },
    put: () => count.n++,
    // A download writes on the controller, which may be one of the hosts (localhost).
    get: () => count.n++,
  });
}

/**
 * The probes of delegated tasks (a `stat` on localhost for every host, say), shared: while
 * nothing is written anywhere in the run (ProbeCache's rule), the same probe on the same
 * connection gives the same answer, so the hosts after the first wait for its exec instead
 * of sending their own. A result is used only if the run's write count is still the one
 * its exec started under when the waiting host gets it.
 */
export class SharedProbes {
  private mark = -1;
  private byTransport = new WeakMap<Transport, Map<string, Promise<ExecResult>>>();

  constructor(private readonly writes: WriteCount) {}

  async run(t: Transport, key: string, alone: () => Promise<ExecResult>): Promise<ExecResult> {
    if (this.mark !== this.writes.n) {
      this.byTransport = new WeakMap();
      this.mark = this.writes.n;
    }
    let probes = this.byTransport.get(t);
    if (!probes) this.byTransport.set(t, (probes = new Map()));
    const first = probes.get(key);
    if (!first) {
      const result = alone();
      probes.set(key, result);
      return result;
    }
    const mark = this.mark;
    const r = await first.catch(() => undefined);
    return r && this.writes.n === mark ? { ...r } : alone();
  }
}

/** One host's speculative probe results. */
export class ProbeCache {
  private entries = new Map<string, { key: string; result: ExecResult }>();
  private transport?: Transport;
  private mark = -1;
  private invalidated = false;
  private applied = false;
  /** How many tasks the next batch may cover. */
  window = MAX_BATCH;

  constructor(private readonly writes: WriteCount) {}

  private untouched(t: Transport | undefined): boolean {
    return !!t && t === this.transport && this.writes.n === this.mark;
  }
  /** A task applied steps on the host. */
  noteApplied(): void {
    this.applied = true;
  }

  /**
   * Called when a task found nothing cached and is about to look ahead. Drops what is left
   * and adapts the window: a task that applied steps, or entries a change invalidated, mean
   * changes are happening (a first converge), where predicted probes are wasted: probe one
   * task at a time until a task changes nothing, then widen again.
   */
  settle(t: Transport | undefined): void {
    if (this.applied || this.invalidated || (this.entries.size && !this.untouched(t))) this.window = 1;
    else this.window = Math.min(MAX_BATCH, this.window * 2);
    this.applied = false;
    this.invalidated = false;
    this.entries.clear();
  }

  /** Saves a batch's results; `mark` is the run's write count when the batch was sent. */
  store(t: Transport, results: { uid: string; key: string; result: ExecResult }[], mark: number): void {
    this.entries.clear();
    // Something was written while the batch ran: its effect may or may not show in the results.
    if (mark !== this.writes.n) return;
    this.transport = t;
    this.mark = mark;
    for (const r of results) this.entries.set(r.uid, { key: r.key, result: r.result });
  }

  /** The cached result for this exact probe, used once; undefined means probe for real. */
  take(uid: string, key: string, t: Transport): ExecResult | undefined {
    if (!this.untouched(t)) {
      if (this.entries.size) this.invalidated = true;
      this.entries.clear();
      return undefined;
    }
    const e = this.entries.get(uid);
    if (!e) return undefined;
    this.entries.delete(uid);
    return e.key === key ? e.result : undefined;
  }
}
