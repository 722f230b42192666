// `--diff` output as Ansible's CallbackBase._get_diff prints it: Python difflib's
// unified_diff (headers "--- before: <path>" / "+++ after: <path>" with no dates, hunk
// ranges written the difflib way: "@@ -3 +3,2 @@"), a blank line after each file, and the
// "\ No newline at end of file" marker glued onto the last line as Ansible does.
import { diffArrays } from 'diff';
import { COLOR, paint } from './colors.js';
import { pyJsonDumps } from './py-format.js';

/** Ansible's DIFF_CONTEXT default. */
export const DIFF_CONTEXT = 3;

type Tag = 'equal' | 'change';
interface Opcode {
  tag: Tag;
  i1: number;
  i2: number;
  j1: number;
  j2: number;
}

/** Python's str.splitlines(keepends=True) for the line breaks files actually use. */
function splitLinesKeepEnds(text: string): string[] {
  const out: string[] = [];
  const re = /\r\n|\r|\n/g;
  let start = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    out.push(text.slice(start, m.index + m[0].length));
    start = m.index + m[0].length;
  }
  if (start < text.length) out.push(text.slice(start));
  return out;
}

function opcodes(a: string[], b: string[]): Opcode[] {
  const ops: Opcode[] = [];
  let i = 0;
  let j = 0;
  for (const change of diffArrays(a, b)) {
    const n = change.count ?? change.value.length;
    if (!change.added && !change.removed) {
      ops.push({ tag: 'equal', i1: i, i2: i + n, j1: j, j2: j + n });
      i += n;
      j += n;
      continue;
    }
    // Adjacent deletions and insertions form one difflib "replace": all '-' lines, then all '+'.
    let last = ops[ops.length - 1];
    if (!last || last.tag !== 'change') {
      last = { tag: 'change', i1: i, i2: i, j1: j, j2: j };
      ops.push(last);
    }
    if (change.removed) {
      i += n;
      last.i2 = i;
    } else {
      j += n;
      last.j2 = j;
    }
  }
  return ops;
}

/** difflib's get_grouped_opcodes: hunks with `n` lines of context, merged when close. */
function groupOpcodes(ops: Opcode[], n: number): Opcode[][] {
  if (ops.length === 0) return [];
  const codes = ops.map((o) => ({ ...o }));
  const first = codes[0]!;
  if (first.tag === 'equal') {
    first.i1 = Math.max(first.i1, first.i2 - n);
    first.j1 = Math.max(first.j1, first.j2 - n);
  }
  const lastCode = codes[codes.length - 1]!;
  if (lastCode.tag === 'equal') {
    lastCode.i2 = Math.min(lastCode.i2, lastCode.i1 + n);
    lastCode.j2 = Math.min(lastCode.j2, lastCode.j1 + n);
  }
  const groups: Opcode[][] = [];
  let group: Opcode[] = [];
  for (const c of codes) {
    let { i1, j1 } = c;
    if (c.tag === 'equal' && c.i2 - c.i1 > 2 * n) {
      group.push({ tag: 'equal', i1, i2: Math.min(c.i2, i1 + n), j1, j2: Math.min(c.j2, j1 + n) });
      groups.push(group);
      group = [];
      i1 = Math.max(i1, c.i2 - n);
      j1 = Math.max(j1, c.j2 - n);
    }
    group.push({ tag: c.tag, i1, i2: c.i2, j1, j2: c.j2 });
  }
  if (group.length > 0 && !(group.length === 1 && group[0]!.tag === 'equal')) groups.push(group);
  return groups;
}

/** difflib's _format_range_unified. */
function range(start: number, stop: number): string {
  let beginning = start + 1;
  const length = stop - start;
  if (length === 1) return String(beginning);
  if (length === 0) beginning -= 1;
  return `${beginning},${length}`;
}

/** Lines of a unified diff, each ending in "\n" (uncolored). Empty when equal. */
export function unifiedDiffLines(
  before: string,
  after: string,
  fromFile: string,
  toFile: string,
  context = DIFF_CONTEXT,
): string[] {
  const a = splitLinesKeepEnds(before);
  const b = splitLinesKeepEnds(after);
  for (const lines of [a, b]) {
    const last = lines.length - 1;
    if (last >= 0 && !lines[last]!.endsWith('\n')) lines[last] += '\n\\ No newline at end of file\n';
  }
  const groups = groupOpcodes(opcodes(a, b), context);
  if (groups.length === 0) return [];
  const out = [`--- ${fromFile}\n`, `+++ ${toFile}\n`];
  for (const group of groups) {
    const first = group[0]!;
    const last = group[group.length - 1]!;
    out.push(`@@ -${range(first.i1, last.i2)} +${range(first.j1, last.j2)} @@\n`);
    for (const op of group) {
      if (op.tag === 'equal') {
        for (const line of a.slice(op.i1, op.i2)) out.push(' ' + line);
      } else {
        for (const line of a.slice(op.i1, op.i2)) out.push('-' + line);
        for (const line of b.slice(op.j1, op.j2)) out.push('+' + line);
      }
    }
  }
  return out;
}

function colorDiffLine(line: string, color: boolean): string {
  const body = line.endsWith('\n') ? line.slice(0, -1) : line;
  let code;
  if (line.startsWith('+')) code = COLOR.diffAdd;
  else if (line.startsWith('-')) code = COLOR.diffRemove;
  else if (line.startsWith('@@')) code = COLOR.diffLines;
  // The glued "\ No newline" marker stays uncolored, as in Ansible's stringc.
  const [head, ...rest] = body.split('\n');
  return [paint(head!, code, color), ...rest].join('\n') + '\n';
}

/** Ansible's _serialize_diff for before/after given as mappings. */
function diffSide(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && !Array.isArray(value)) return pyJsonDumps(value, { indent: 4 }) + '\n';
  return String(value);
}

/**
 * The full text Ansible prints for a result's `diff` (one entry or a list), or '' when there
 * is nothing to show. Lines end in "\n"; each non-empty file diff is followed by a blank line.
 */
export function formatDiff(diffs: unknown, color: boolean, mask: (s: string) => string = (s) => s): string {
  const list = Array.isArray(diffs) ? diffs : [diffs];
  let out = '';
  for (const entry of list) {
    if (typeof entry !== 'object' || entry === null) continue;
    const d = entry as Record<string, unknown>;
    if ('dst_binary' in d) out += 'diff skipped: destination file appears to be binary\n';
    if ('src_binary' in d) out += 'diff skipped: source file appears to be binary\n';
    if ('dst_larger' in d) out += `diff skipped: destination file size is greater than ${String(d.dst_larger)}\n`;
    if ('src_larger' in d) out += `diff skipped: source file size is greater than ${String(d.src_larger)}\n`;
    if ('before' in d && 'after' in d) {
      const fromFile = 'before_header' in d ? `before: ${String(d.before_header)}` : 'before';
      const toFile = 'after_header' in d ? `after: ${String(d.after_header)}` : 'after';
      // Mask the contents before diffing: a multi-line secret would otherwise be split by
      // the +/- prefixes and escape a text-level mask.
      const lines = unifiedDiffLines(mask(diffSide(d.before)), mask(diffSide(d.after)), mask(fromFile), mask(toFile));
      if (lines.length > 0) {
        out += lines.map((l) => colorDiffLine(mask(l), color)).join('') + '\n';
      }
    }
    if (typeof d.prepared === 'string') out += mask(d.prepared);
  }
  return out;
}
