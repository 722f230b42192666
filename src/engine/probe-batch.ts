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
//   - And only if nothing touched the host since the batch: the cache remembers the
//     transport and its count of execs + puts right after the batch. Any exec or put on
//     that transport since (a task's steps, a command, a handler, a probe that missed, a
//     task of another host delegated here) invalidates every entry; a reconnect gives a new
//     transport, which does too. Probes are read-only, so reading is not a change; check
//     mode applies nothing, so predictions of later tasks are made against the unchanged
//     host, as Ansible makes them.
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
// Framing: each probe runs in its own subshell; after it the batch prints, on stdout and on
// stderr, a newline then a marker with a random per-batch nonce, the probe's index and (on
// stdout) its rc. The newline before a marker is ours, so the bytes before it are exactly
// the probe's output, binary or not; the nonce is unguessable, so no file a probe reads can
// forge a marker.
import { randomBytes } from 'node:crypto';
import { FILE_PROBE_FUNCTION, preStatBatch } from '../facts/file-probe.js';
import type { BecomeSpec, ExecResult, Transport } from '../transport/types.js';

/** The most tasks one batch probes. */
export const MAX_BATCH = 64;

export interface ProbeRequest {
  uid: string;
  script: string;
  become?: BecomeSpec;
  env?: Record<string, string>;
}

/** What must be identical for a cached probe result to stand for a fresh one. */
export function probeKey(script: string, become: BecomeSpec | undefined, env: Record<string, string> | undefined): string {
  // The script (often kilobytes) is compared as it is; only the small parts are encoded.
  return `${JSON.stringify([become ?? null, env ?? null])}\n${script}`;
}

export function newNonce(): string {
  return `RPB${randomBytes(16).toString('hex')}`;
}

/**
 * One script running every probe in its own subshell, each followed by its markers. A
 * leading `prelude` (shell function definitions) that several probes start with is
 * defined once at the top: subshells inherit functions, and the host parses it once.
 */
export function batchScript(scripts: string[], nonce: string, prelude?: string, afterPrelude: string[] = []): string {
  const head = prelude ? prelude + '\n' : undefined;
  const hoisted = sharesPrelude(scripts, prelude);
  const parts = scripts.map((s, i) =>
    [
      // </dev/null: a probe that reads stdin must not eat a become password or the next probe's input.
      `(\n${hoisted && s.startsWith(head!) ? s.slice(head!.length) : s}\n) </dev/null`,
      `__rp_rc=$?`,
      `printf '\\n%s %d %d\\n' '${nonce}' ${i} "$__rp_rc"`,
      `printf '\\n%s %d\\n' '${nonce}' ${i} >&2`,
    ].join('\n'),
  );
  return (hoisted ? head + afterPrelude.map((l) => l + '\n').join('') : '') + parts.join('\n') + '\n';
}

function sharesPrelude(scripts: string[], prelude: string | undefined): boolean {
  return !!prelude && scripts.filter((s) => s.startsWith(prelude + '\n')).length > 1;
}

/**
 * The per-probe results of a batch, in order; undefined for a probe whose markers are
 * missing (the batch died part way): that task probes on its own.
 */
export function splitBatchOutput(out: ExecResult, count: number, nonce: string): (ExecResult | undefined)[] {
  const results: (ExecResult | undefined)[] = [];
  const stdout = out.stdoutBytes;
  let outPos = 0;
  let errPos = 0;
  for (let i = 0; i < count; i++) {
    const outMarker = Buffer.from(`\n${nonce} ${i} `);
    const at = stdout.indexOf(outMarker, outPos);
    if (at < 0) break;
    const eol = stdout.indexOf(0x0a, at + outMarker.length);
    if (eol < 0) break;
    const rc = Number(stdout.subarray(at + outMarker.length, eol).toString('latin1'));
    if (!Number.isInteger(rc)) break;
    const bytes = Buffer.from(stdout.subarray(outPos, at));
    outPos = eol + 1;
    const errMarker = `\n${nonce} ${i}\n`;
    const errAt = out.stderr.indexOf(errMarker, errPos);
    const stderr = errAt < 0 ? '' : out.stderr.slice(errPos, errAt);
    if (errAt >= 0) errPos = errAt + errMarker.length;
    results.push({ rc, stdout: bytes.toString('utf8'), stdoutBytes: bytes, stderr });
  }
  while (results.length < count) results.push(undefined);
  return results;
}

/**
 * Runs probes in one exec: each distinct script once (tasks that edit the same file send
 * the same probe), and every request gets its script's result, a copy of its own.
 */
export async function runProbeBatch(t: Transport, scripts: string[], opts: { become?: BecomeSpec; env?: Record<string, string> }): Promise<(ExecResult | undefined)[]> {
  const unique = [...new Set(scripts)];
  const nonce = newNonce();
  // The file probes' stat runs, all in one (file-probe.ts).
  const pre = sharesPrelude(unique, FILE_PROBE_FUNCTION) ? preStatBatch(unique) : undefined;
  const res = await t.exec(batchScript(pre?.scripts ?? unique, nonce, FILE_PROBE_FUNCTION, pre?.lines), opts);
  const results = splitBatchOutput(res, unique.length, nonce);
  return scripts.map((s) => {
    const one = results[unique.indexOf(s)];
    return one && { ...one };
  });
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

  private untouched(t: Transport | undefined): boolean {
    return !!t && t === this.transport && t.stats.execs + t.stats.puts === this.mark;
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

  store(t: Transport, results: { uid: string; key: string; result: ExecResult }[]): void {
    this.entries.clear();
    this.transport = t;
    this.mark = t.stats.execs + t.stats.puts;
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
