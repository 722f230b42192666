// --slice K/N: one of N disjoint parts of the hosts a run selects, so that N runs (on N
// machines, started by a scheduler: a Slurm job array, a Kubernetes Indexed Job) cover
// them all. A host's slice comes from a hash of its inventory name alone, so it stays the
// same whatever the inventory's order, and a host added later does not move the others.
// The parts are even only on average (a hash, not a count): a few percent apart with
// hundreds of hosts per slice.
import { createHash } from 'node:crypto';
import { errBadSlice } from '../errors.js';

export interface Slice {
  /** 1-based: slice 1 of 4 is `1/4`. */
  index: number;
  count: number;
}

/** Parses `K/N` (1 ≤ K ≤ N); a clear error otherwise. */
export function parseSlice(text: string): Slice {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count || !Number.isSafeInteger(count)) {
    throw errBadSlice(text, {
      hint: 'slice 1 of 4 is --slice 1/4; from a Slurm array use --slice "$SLURM_ARRAY_TASK_ID/N" (--array=1-N), from a Kubernetes Indexed Job --slice "$((JOB_COMPLETION_INDEX + 1))/N"',
    });
  }
  return { index, count };
}

/** The slice (1..count) a host belongs to. */
export function sliceOf(host: string, count: number): number {
  const digest = createHash('sha256').update(host, 'utf8').digest();
  // 48 bits: exact in a double, and the modulo bias is nil for any sane count.
  return (digest.readUIntBE(0, 6) % count) + 1;
}

/** The hosts of `hosts` in `slice`, in their order. */
export function inSlice(hosts: readonly string[], slice: Slice | undefined): string[] {
  return slice ? hosts.filter((h) => sliceOf(h, slice.count) === slice.index) : [...hosts];
}
