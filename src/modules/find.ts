// ansible.builtin.find: files matching name patterns, type, age, size and content, with
// the stat fields Ansible returns for each. Read-only (changed=false), so it runs in check
// mode too. One round trip lists the tree (find -printf, NUL-separated); a second one reads
// checksums and contents, only of the files that still match.
//
//   - ansible.builtin.find:
//       paths: /var/log
//       patterns: '*.log'
//       age: 2d
//       recurse: true
//     register: old_logs
import type { FromSchema } from 'json-schema-to-ts';
import { quote } from '../transport/quote.js';
import {
  contentMatches,
  findScript,
  normpath,
  parseAge,
  parseFindOutput,
  parseSize,
  patternFilter,
  statInfo,
  walkOrder,
  type FindEntry,
} from './find-walk.js';
import { ModuleFailure, defineModule, type ModuleResult, type RunContext } from './types.js';

const list = { type: 'array', items: { type: 'string' } } as const;

const schema = {
  type: 'object',
  properties: {
    paths: list,
    patterns: { ...list, default: [] },
    excludes: list,
    contains: { type: 'string' },
    read_whole_file: { type: 'boolean', default: false },
    file_type: { type: 'string', enum: ['any', 'directory', 'file', 'link'], default: 'file' },
    age: { type: 'string' },
    age_stamp: { type: 'string', enum: ['atime', 'ctime', 'mtime'], default: 'mtime' },
    size: { type: 'string' },
    recurse: { type: 'boolean', default: false },
    hidden: { type: 'boolean', default: false },
    follow: { type: 'boolean', default: false },
    get_checksum: { type: 'boolean', default: false },
    use_regex: { type: 'boolean', default: false },
    depth: { type: 'integer' },
  },
  required: ['paths'],
  additionalProperties: false,
} as const;

export type FindArgs = FromSchema<typeof schema>;

/** A file Ansible keeps so far, with what the second round trip must still read. */
export interface Candidate {
  entry: FindEntry;
  result: Record<string, unknown>;
  needContent: boolean;
  needChecksum: boolean;
}

/** Ansible's per-path outcome before checksums and contents. */
export interface Selection {
  candidates: Candidate[];
  examined: number;
  skipped: Record<string, string>;
  warnings: string[];
}

/**
 * Ansible's main loop over the listing, except for what needs the files' bytes. A pattern
 * Python cannot compile skips the path, as the exception does there.
 */
export function selectEntries(args: FindArgs, out: string): Selection {
  const patterns = args.patterns?.length ? args.patterns : [args.use_regex ? '.*' : '*'];
  let age: number | undefined;
  let size: number | undefined;
  if (args.age !== undefined && (age = parseAge(args.age)) === undefined) throw new ModuleFailure('failed to process age', { age: args.age });
  if (args.size !== undefined && (size = parseSize(args.size)) === undefined) throw new ModuleFailure('failed to process size', { size: args.size });
  const { now, roots } = parseFindOutput(out);
  const sel: Selection = { candidates: [], examined: 0, skipped: {}, warnings: [] };
  const stamp = args.age_stamp ?? 'mtime';
  const ageOk = (e: FindEntry): boolean => age === undefined || (age >= 0 ? now - e[stamp] >= age : now - e[stamp] <= -age);
  const sizeOk = (e: FindEntry): boolean => size === undefined || (size >= 0 ? e.size >= size : e.size <= -size);
  for (const root of roots) {
    if (!root.isDir) {
      skip(sel, root.path, `'${root.path}' is not a directory`);
      continue;
    }
    const { ordered, looked } = walkOrder(root.entries, !!args.recurse);
    sel.examined += looked;
    // What matched before an error stays matched, as in Ansible's loop.
    const kept = sel.candidates;
    try {
      for (const e of ordered) {
        if (args.depth && e.rel.split('/').length > args.depth) continue;
        const name = e.rel.slice(e.rel.lastIndexOf('/') + 1);
        if (name.startsWith('.') && !args.hidden) continue;
        const result = { path: normpath(`${root.path}/${e.rel}`) };
        const matched = (): boolean => patternFilter(name, patterns, args.excludes, !!args.use_regex) && ageOk(e);
        const c = { entry: e, result, needContent: false, needChecksum: false };
        if (args.file_type === 'any') {
          if (matched() && (e.type !== 'f' || sizeOk(e))) kept.push({ ...c, needChecksum: e.type === 'f' && !!args.get_checksum });
        } else if ((e.type === 'd' && args.file_type === 'directory') || (e.type === 'l' && args.file_type === 'link')) {
          if (matched()) kept.push(c);
        } else if (e.type === 'f' && args.file_type === 'file') {
          if (matched() && sizeOk(e)) kept.push({ ...c, needContent: args.contains !== undefined, needChecksum: !!args.get_checksum });
        }
      }
    } catch (err) {
      if (!(err instanceof ModuleFailure)) throw err;
      skip(sel, root.path, err.message);
    }
  }
  return sel;
}

function skip(sel: Selection, path: string, why: string): void {
  sel.skipped[path] = why;
  sel.warnings.push(`Skipped '${path}' path due to this access issue: ${why}\n`);
}

/**
 * The second round trip: per candidate, a line `Y<sha1>` or `N`, then a line `Y<base64>` or
 * `N`, for what it needs (base64 and hex hold no newline).
 */
export function readScript(cands: Candidate[]): string {
  const lines: string[] = [];
  for (const c of cands) {
    const p = quote(c.result.path as string);
    if (c.needChecksum) lines.push(`if rp_x=$(sha1sum < ${p} 2>/dev/null); then printf 'Y%s\\n' "\${rp_x%% *}"; else printf 'N\\n'; fi`);
    if (c.needContent) lines.push(`if [ -r ${p} ]; then printf Y; base64 -w0 < ${p} 2>/dev/null; printf '\\n'; else printf 'N\\n'; fi`);
  }
  lines.push('true');
  return lines.join('\n');
}

/** The files Ansible returns once the second round trip's answers are in. */
export function finishSelection(args: FindArgs, cands: Candidate[], readOut: string): Record<string, unknown>[] {
  const answers = readOut.split('\n');
  let i = 0;
  const files: Record<string, unknown>[] = [];
  for (const c of cands) {
    const sum = c.needChecksum ? answers[i++] : undefined;
    const content = c.needContent ? answers[i++] : undefined;
    if (content !== undefined && !(content.startsWith('Y') && contentMatches(Buffer.from(content.slice(1), 'base64'), args.contains ?? '', !!args.read_whole_file))) continue;
    const r: Record<string, unknown> = { ...c.result, ...statInfo(c.entry) };
    if (sum !== undefined) r.checksum = sum.startsWith('Y') ? sum.slice(1) : null;
    files.push(r);
  }
  return files;
}

async function runFind(args: FindArgs, ctx: RunContext): Promise<ModuleResult> {
  // Fails on a bad age or size before touching the host, as Ansible does.
  selectEntries(args, '');
  const listed = await ctx.exec(findScript(args.paths ?? [], { follow: !!args.follow, recurse: !!args.recurse, depth: args.depth }));
  const sel = selectEntries(args, listed.stdout);
  const cands = sel.candidates;
  let readOut = '';
  if (cands.some((c) => c.needChecksum || c.needContent)) {
    readOut = (await ctx.exec(readScript(cands))).stdout;
  }
  const files = finishSelection(args, cands, readOut);
  const result: ModuleResult = {
    files,
    changed: false,
    msg: sel.warnings.length ? 'Not all paths examined, check warnings for details' : 'All paths examined',
    matched: files.length,
    examined: sel.examined,
    skipped_paths: sel.skipped,
  };
  if (sel.warnings.length) result.warnings = sel.warnings;
  return result;
}

export const findModule = defineModule<FindArgs>({
  name: 'find',
  summary: 'Return a list of files based on specific criteria',
  schema,
  checkMode: 'run',
  argAliases: { name: 'paths', path: 'paths', pattern: 'patterns', exclude: 'excludes' },
  run: runFind,
});
