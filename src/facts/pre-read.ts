// Pre-read: in a probe batch, the contents the file probes send (copy, template, lineinfile,
// blockinfile, replace, ... compare a file's bytes) come from one `tar` run at the top of the
// batch instead of one `cat` per file. A `cat` is a fork and an exec, about as much host time
// as the rest of a file probe; a no-op run of a loop-heavy playbook reads dozens of files.
//
// How it stays safe:
//   - Framing: tar's own headers give each member's name and size, and the archive is one
//     more file of the batch's private directory, cut by its byte count like the others
//     (probe-batch.ts). A file's bytes cannot end or forge a member.
//   - Each member is matched to its path by position and checked by name; anything unexpected
//     (a member missing, renamed, a link, a directory) and the controller drops the whole
//     batch's pre-read, and the probes that used it run again on their own.
//   - Only a path whose batch stat (preStatBatch) says regular file, readable, within the
//     probe's content limit goes to tar; tar runs with --no-recursion and
//     --hard-dereference, so one path is one regular member. The probes that follow links
//     (copy's and template's dest) get `tar -h`, which reads a link's target as `cat` does;
//     one archive has one follow mode, the one more probes use. Where tar is missing, too old
//     for those options, or fails (a file changed while read), no path is marked and every
//     probe reads its file with `cat`, as without pre-read.
import { mapProbeCalls } from './file-probe.js';
import { quote } from '../transport/quote.js';

/** The batch-directory file the archive goes to (next to o0, e0, ...). */
export const PRE_READ_FILE = 'p';

/**
 * Shell for the top of the batch, after its private directory exists: `rp_pq VAR MAX PATH`
 * says whether a path qualifies, from its batch stat line. Defined in the batch, not in the
 * probe function, so a probe run alone carries none of it.
 */
const QUALIFIES = [
  'rp_pq() {',
  '  eval "rp_s=\\${$1-}"',
  // A regular file: the stat line's hex mode starts with 8 (S_IFREG).
  '  case $rp_s in 8*) ;; *) return 1 ;; esac',
  '  rp_n=${rp_s#* * * }; rp_n=${rp_n%% *}',
  '  { [ "$2" -lt 0 ] || [ "$rp_n" -le "$2" ]; } && [ -r "$3" ]',
  '}',
].join('\n');

export interface PreRead {
  /** Lines to run once the batch directory exists (in it: $__rp_d). */
  lines: string[];
  /** The scripts, each content-reading rp_f call given the variable holding its path's index (set when archived). */
  scripts: string[];
  /** Paths in the order they may appear in the archive (only those that qualified do). */
  paths: string[];
}

/**
 * Rewrites the rp_f calls of a batch (already rewritten by preStatBatch: their 7th word
 * names their stat line's variable) that ask for content. Undefined when fewer than two
 * paths would be read: one `cat` costs no more than one `tar`.
 */
export function preReadBatch(scripts: string[]): PreRead | undefined {
  // rp_f tag path L|P sum max R|- statvar: a candidate, and its follow mode.
  const candidate = (words: string[]) => {
    if (words.length !== 8) return undefined;
    const [, , p, mode, , max, , statVar] = words;
    // A path tar would rename (leading ./, .., repeated slashes) or read as an option is left to cat.
    if (max === '0' || !/^-?\d+$/.test(max) || !/^rp_S[LP]\d+$/.test(statVar) || !plainPath(p)) return undefined;
    return mode === 'L' || mode === 'P' ? { p, mode, max, statVar } : undefined;
  };
  // One archive, one follow mode: tar -h (what rp_f's L mode reads, a link's target) or not
  // (P mode: the stat showed a regular file, not a link). The mode with more paths wins.
  const count = { L: 0, P: 0 };
  mapProbeCalls(scripts, (words, line) => {
    const c = candidate(words);
    if (c) count[c.mode as 'L' | 'P']++;
    return line;
  });
  const follow = count.L >= count.P;
  const index = new Map<string, string>();
  const paths: string[] = [];
  const checks: string[] = [];
  const rewritten = mapProbeCalls(scripts, (words, line) => {
    const c = candidate(words);
    if (!c || (c.mode === 'L') !== follow) return line;
    const key = `${c.max}\n${c.p}`;
    let name = index.get(key);
    if (!name) {
      name = `rp_Q${paths.length}`;
      index.set(key, name);
      paths.push(c.p);
      checks.push(`if rp_pq ${c.statVar} ${c.max} ${quote(c.p)}; then set -- "$@" ${quote(c.p)}; ${name}=${paths.length - 1}; fi`);
    }
    return `${line} ${name}`;
  });
  if (paths.length < 2) return undefined;
  const lines = [
    QUALIFIES,
    `: >"$__rp_d/${PRE_READ_FILE}"`,
    'set --',
    ...checks,
    // Any failure (no tar, an option it lacks, a file that changed) leaves rp_PRE unset: cat reads.
    `if [ $# -gt 0 ] && tar -c ${follow ? '-h ' : ''}-b 1 -f "$__rp_d/${PRE_READ_FILE}" --no-recursion --hard-dereference -- "$@" </dev/null >/dev/null 2>&1; then rp_PRE=1; else : >"$__rp_d/${PRE_READ_FILE}"; fi`,
  ];
  return { lines, scripts: rewritten, paths };
}

/** Absolute, normalized, no byte tar would treat specially in a name. */
function plainPath(p: string): boolean {
  return p.startsWith('/') && !p.startsWith('//') && !/\/\.{1,2}(\/|$)|\/\/|\/$/.test(p) && !/[\0\n]/.test(p);
}

/**
 * The archive's regular members in order, each checked against the paths that may be in
 * it: member k must be the k-th qualifying path. Undefined when the archive is not exactly
 * that (then the probes that used it run again without it).
 */
export function readPreRead(archive: Buffer, paths: string[]): Buffer[] | undefined {
  const members: Buffer[] = [];
  let pos = 0;
  let longName: string | undefined;
  let next = 0;
  while (pos + 512 <= archive.length) {
    const h = archive.subarray(pos, pos + 512);
    if (h.every((b) => b === 0)) break;
    if (!checksumOk(h)) return undefined;
    const size = octal(h.subarray(124, 136));
    if (size === undefined) return undefined;
    const type = String.fromCharCode(h[156] || 0x30);
    const dataStart = pos + 512;
    const dataEnd = dataStart + size;
    if (dataEnd > archive.length) return undefined;
    pos = dataStart + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      // GNU long name: the next header's name, NUL-terminated.
      const raw = archive.subarray(dataStart, dataEnd);
      const nul = raw.indexOf(0);
      longName = raw.subarray(0, nul < 0 ? raw.length : nul).toString('latin1');
      continue;
    }
    if (type !== '0') return undefined;
    const name = longName ?? headerName(h);
    longName = undefined;
    // Only qualifying paths are archived, in order: skip the ones that did not qualify
    // (a `preread` line never names those).
    while (next < paths.length && tarName(paths[next]) !== name) next++;
    if (next >= paths.length) return undefined;
    members[next++] = Buffer.from(archive.subarray(dataStart, dataEnd));
  }
  return members;
}

/** What tar calls a path: without its leading slashes. Names are compared as bytes (latin1). */
const tarName = (p: string) => Buffer.from(p.replace(/^\/+/, ''), 'utf8').toString('latin1');

function headerName(h: Buffer): string {
  const field = (a: number, b: number) => {
    const f = h.subarray(a, b);
    const nul = f.indexOf(0);
    return f.subarray(0, nul < 0 ? f.length : nul).toString('latin1');
  };
  const name = field(0, 100);
  // ustar: a prefix for names longer than 100 bytes.
  const prefix = h.subarray(257, 262).toString('latin1').startsWith('ustar') ? field(345, 500) : '';
  return prefix ? `${prefix}/${name}` : name;
}

function octal(f: Buffer): number | undefined {
  // GNU base-256 for sizes beyond 8 GiB: not expected from a content limit; refuse.
  if (f[0] & 0x80) return undefined;
  const s = f.toString('latin1').replace(/[\0 ]+$/, '').trim();
  return /^[0-7]+$/.test(s) ? parseInt(s, 8) : s === '' ? 0 : undefined;
}

function checksumOk(h: Buffer): boolean {
  const want = octal(h.subarray(148, 156));
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i];
  return want === sum;
}

/**
 * Whether every `preread K` line a probe's output seems to hold names a member read.
 * A coarse scan (a file's content could hold such a line too, and only costs a needless
 * probe of its own); the parser resolves the real lines.
 */
export function preReadComplete(stdout: Buffer, members: Buffer[]): boolean {
  for (const m of stdout.toString('latin1').matchAll(/(?:^|\n)preread (\d+)\n/g)) if (!members[Number(m[1])]) return false;
  return true;
}
