// community.general.archive: files and trees on the host packed into a tar (gz, bz2, xz
// or plain) or zip archive, or one file compressed, with the host's tar, gzip, bzip2, xz,
// zip and unzip. One probe expands the paths (globs as Python's glob does: sorted, no
// dotfiles), walks the sources and lists the archive already there; the plan says
// whether that archive differs from the one the sources make (archive-plan.ts) and writes
// it only then. Return values as Ansible's: archived, missing, arcroot, dest_state,
// expanded_paths, expanded_exclude_paths; in check mode, as there, an archive of several
// sources always reports a change and dest_state `absent`.
//
//   - community.general.archive:
//       path: /var/log/app/*.log
//       dest: /srv/backup/app-logs.tar.xz
//       format: xz
import type { FromSchema } from 'json-schema-to-ts';
import { SBIN_PATH, haveTools, parseSections, section } from '../facts/system-probe.js';
import { formatMode } from '../facts/file-probe.js';
import { quote } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { COMMON_FILE_ARGS, planAttrs } from './file-common.js';
import { commonPath, isArchiveName, kept, members, normalizeTarListing, normalizeZipListing, sameSet, tarLines, zipLine, type WalkEntry } from './archive-plan.js';
import { ModuleFailure, defineModule, type ModuleResult, type Plan, type PlanContext, type RunContext, type Step } from './types.js';

const list = { type: 'array', items: { type: 'string' } } as const;

const schema = {
  type: 'object',
  properties: {
    path: list,
    format: { type: 'string', enum: ['bz2', 'gz', 'tar', 'xz', 'zip'], default: 'gz' },
    dest: { type: 'string' },
    exclude_path: { ...list, default: [] },
    exclusion_patterns: list,
    force_archive: { type: 'boolean', default: false },
    remove: { type: 'boolean', default: false },
    ...COMMON_FILE_ARGS,
  },
  required: ['path'],
  additionalProperties: false,
} as const;

export type ArchiveArgs = FromSchema<typeof schema>;

export interface ArchiveFacts {
  have: Record<string, boolean>;
  expanded: string[];
  excluded: string[];
  /** find's records of each expanded path (the path first), by path; absent paths have none. */
  walk: Map<string, WalkEntry[]>;
  /** The destination as the probe saw it. */
  dest: string;
  destStat?: { mode: number; uid: number; gid: number; owner: string; group: string; size: number };
  /** The archive's member listing (tar -tv or unzip -v), undefined when it could not be read. */
  listing?: string;
  /** Single-file compression: cksum of the source and of the destination's content. */
  srcSum?: string;
  destSum?: string;
}

const COMPRESSOR: Record<string, string> = { gz: 'gzip', bz2: 'bzip2', xz: 'xz' };
const TAR_FLAG: Record<string, string> = { gz: 'z', bz2: 'j', xz: 'J', tar: '' };
const globby = (p: string) => p.includes('*') || p.includes('?');

/** A glob for sh: the literal parts quoted, the wildcards left to the shell. */
function shellGlob(p: string): string {
  return p
    .split(/([*?[\]])/)
    .map((part) => (part === '' ? '' : /^[*?[\]]$/.test(part) ? part : quote(part)))
    .join('');
}

/** Prints `TAG path` for each path an argument expands to (a literal path as it is). */
function expand(tag: string, paths: string[]): string {
  return paths
    .map((p) => (globby(p) ? `for rp_p in ${shellGlob(p)}; do { [ -e "$rp_p" ] || [ -L "$rp_p" ]; } && printf '${tag} %s\\0' "$rp_p"; done` : `printf '${tag} %s\\0' ${quote(p)}`))
    .join('\n');
}

/** The destination the module writes: `dest`, or the single source with the format's suffix. */
export function destFor(a: ArchiveArgs, firstPath: string | undefined): string | undefined {
  return a.dest ?? (firstPath === undefined ? undefined : `${firstPath}.${a.format}`);
}

export function archiveProbe(a: ArchiveArgs): string {
  const paths = a.path ?? [];
  // the single-source destination is only known once the paths are expanded
  const walkFmt = `'W %y %m %U %G %s %T@ %D:%i %n %p\\0%l\\0'`;
  const crc = a.format === 'zip' ? ` -exec sh -c 'for f; do [ -f "$f" ] && { printf "C %s\\0" "$f"; gzip -1 -c < "$f" | tail -c 8 | od -An -tx1 -N4 | tr -d " \\n"; printf "\\0"; }; done; exit 0' rp {} +` : '';
  const dest = a.dest !== undefined ? quote(a.dest) : '"$rp_first.' + a.format + '"';
  const comp = COMPRESSOR[a.format ?? 'gz'];
  return [
    'LC_ALL=C; export LC_ALL',
    SBIN_PATH,
    haveTools(['tar', 'gzip', 'bzip2', 'xz', 'zip', 'unzip']),
    `echo '@@@expand'`,
    expand('E', paths),
    expand('X', a.exclude_path ?? []),
    `printf '\\n@@@walk\\n'`,
    // every expanded path is walked (links to directories followed at the top, as os.walk)
    'rp_first=',
    `for rp_src in ${paths.map((p) => (globby(p) ? shellGlob(p) : quote(p))).join(' ')}; do [ -n "$rp_first" ] || rp_first=$rp_src; { [ -e "$rp_src" ] || [ -L "$rp_src" ]; } || continue; printf 'T %s\\0' "$rp_src"; find -H "$rp_src" -printf ${walkFmt}${crc} 2>/dev/null; done`,
    `printf '\\n@@@dest\\n'`,
    `rp_d=${dest}; printf '%s\\n' "$rp_d"`,
    section('stat', `stat -c '%a %u %g %U %G %s' -- "$rp_d"`),
    a.format === 'zip' ? section('list', `unzip -v "$rp_d"`) : section('list', `TZ=UTC tar --numeric-owner --full-time -tvf "$rp_d"`),
    comp ? section('src', `[ -f "$rp_first" ] && cksum < "$rp_first"`) : '',
    comp ? section('dsum', `${comp} -t < "$rp_d" && ${comp} -dc < "$rp_d" | cksum`) : '',
  ].join('\n');
}

export function parseArchive(out: ExecResult): ArchiveFacts {
  const raw = Buffer.isBuffer(out.stdout) ? out.stdout.toString('utf8') : out.stdout;
  const e0 = raw.indexOf('@@@expand\n');
  const w0 = raw.indexOf('\n@@@walk\n');
  const d0 = raw.indexOf('\n@@@dest\n');
  const head = parseSections(raw.slice(0, e0));
  const expandPart = raw.slice(e0 + '@@@expand\n'.length, w0).split('\0');
  const facts: ArchiveFacts = {
    have: head.have,
    expanded: expandPart.filter((s) => s.startsWith('E ')).map((s) => s.slice(2)),
    excluded: expandPart.filter((s) => s.startsWith('X ')).map((s) => s.slice(2)),
    walk: new Map(),
    dest: '',
  };
  const walkPart = raw.slice(w0 + '\n@@@walk\n'.length, d0).split('\0');
  let top: string | undefined;
  const crcs = new Map<string, string>();
  for (let i = 0; i < walkPart.length; i++) {
    const rec = walkPart[i];
    if (rec.startsWith('T ')) {
      top = rec.slice(2);
      if (!facts.walk.has(top)) facts.walk.set(top, []);
    } else if (rec.startsWith('C ')) {
      // the gzip trailer holds the CRC-32 little-endian
      crcs.set(rec.slice(2), (walkPart[++i].match(/../g) ?? []).reverse().join(''));
    } else if (rec.startsWith('W ') && top !== undefined) {
      const m = /^W (\S) (\d+) (\d+) (\d+) (\d+) ([\d.]+) (\d+:\d+) (\d+) ([\s\S]*)$/.exec(rec);
      const link = walkPart[++i] ?? '';
      if (m) facts.walk.get(top)!.push({ type: m[1], mode: parseInt(m[2], 8), uid: +m[3], gid: +m[4], size: +m[5], mtime: Number(m[6]), inode: m[7], nlink: +m[8], path: m[9], link });
    }
  }
  for (const entries of facts.walk.values()) for (const e of entries) e.crc = crcs.get(e.path);
  const destPart = raw.slice(d0 + '\n@@@dest\n'.length);
  facts.dest = destPart.slice(0, destPart.indexOf('\n'));
  const s = parseSections(destPart.slice(destPart.indexOf('\n') + 1));
  if (s.rc.stat === 0) {
    const [mode, uid, gid, owner, group, size] = s.text.stat.trim().split(' ');
    facts.destStat = { mode: parseInt(mode, 8), uid: +uid, gid: +gid, owner, group, size: +size };
  }
  if (s.rc.list === 0) facts.listing = s.text.list;
  if (s.rc.src === 0) facts.srcSum = s.text.src.trim();
  if (s.rc.dsum === 0) facts.destSum = s.text.dsum.trim();
  return facts;
}

function need(f: ArchiveFacts, tools: string[], host: string): void {
  for (const t of tools) if (!f.have[t]) throw new ModuleFailure(`Failed to find required executable "${t}" on ${host}`);
}

export function planArchive(a: ArchiveArgs, f: ArchiveFacts, ctx: PlanContext): Plan {
  const format = a.format ?? 'gz';
  const excluded = new Set(f.excluded);
  const paths = [...new Set(f.expanded.filter((p) => !excluded.has(p)))].sort();
  const given = a.path ?? [];
  if (paths.length === 0) {
    throw new ModuleFailure('Error, no source paths were found', { path: given.join(', '), expanded_paths: f.expanded.join(', '), expanded_exclude_paths: f.excluded.join(', ') });
  }
  const root = commonPath(paths);
  const firstIsDir = f.walk.get(paths[0])?.[0]?.type === 'd';
  const mustArchive = !!a.force_archive || given.some(globby) || firstIsDir || paths.length > 1;
  const dest = a.dest ?? (mustArchive ? undefined : `${paths[0]}.${format}`);
  if (dest === undefined) throw new ModuleFailure('Error, must specify "dest" when archiving multiple files or trees', { dest: null, path: given.join(', ') });
  if (a.remove) {
    for (const p of paths) {
      if (f.walk.get(p)?.[0]?.type === 'd' && dest.startsWith(p.replace(/\/*$/, '/'))) {
        throw new ModuleFailure('Error, created archive can not be contained in source paths when remove=true', { path: paths.join(', ') });
      }
    }
  }
  const targets = paths.filter((p) => f.walk.has(p));
  const missing = paths.filter((p) => !f.walk.has(p));
  const exists = f.destStat !== undefined;
  const steps: Step[] = [];
  let changed = false;
  let destState = 'absent';
  let archived: string[] = [];
  let willExist = exists;
  const compress = !mustArchive && format in COMPRESSOR;
  if (targets.length === 0) {
    if (exists) destState = isArchiveName(dest) ? 'archive' : 'compress';
  } else if (ctx.check) {
    changed = mustArchive || !exists;
  } else if (compress) {
    need(f, [COMPRESSOR[format]], ctx.host);
    archived = [targets[0]];
    destState = 'compress';
    changed = !exists || f.destSum === undefined || f.destSum !== f.srcSum;
    if (changed) steps.push({ kind: 'exec', cmd: `${COMPRESSOR[format]} -c < ${quote(targets[0])} > ${quote(dest)}` });
    if (a.remove) steps.push({ kind: 'exec', cmd: `rm -f -- ${quote(targets[0])}` });
    willExist = true;
  } else {
    const all = members(targets, f.walk, root);
    const list = kept(all, a.exclusion_patterns ?? [], format);
    need(f, format === 'zip' ? ['zip', 'unzip'] : format === 'tar' ? ['tar'] : ['tar', COMPRESSOR[format]], ctx.host);
    // Ansible's zip looks a directory up without its final slash: never counted as archived
    archived = list.filter((m) => format !== 'zip' || m.entry.type !== 'd').map((m) => m.path);
    destState = missing.length ? 'incomplete' : 'archive';
    const wanted = format === 'zip' ? list.map(zipLine) : tarLines(list);
    const have = f.listing === undefined ? undefined : format === 'zip' ? normalizeZipListing(f.listing) : normalizeTarListing(f.listing);
    changed = have === undefined ? true : !sameSet(wanted, have);
    if (changed) {
      const names = list.map((m) => m.name);
      const d = dest.startsWith('/') ? quote(dest) : `"$PWD"/${quote(dest)}`;
      // a directory member is its own entry: its contents are members of their own (or excluded)
      const write =
        format === 'zip'
          ? `rp_z=${d}; rm -f -- "$rp_z" && cd ${quote(root || '.')} && zip -q "$rp_z" -@ >/dev/null`
          : `rp_z=${d}; cd ${quote(root || '.')} && tar --no-recursion --null -T - -c${TAR_FLAG[format]}f "$rp_z"`;
      steps.push({ kind: 'exec', cmd: write, stdin: format === 'zip' ? names.map((n) => n + '\n').join('') : names.map((n) => n + '\0').join('') });
    }
    if (a.remove) {
      const gone = [...archived, ...targets.filter((t) => f.walk.get(t)?.[0]?.type === 'd')];
      if (gone.length) steps.push({ kind: 'exec', cmd: `rm -rf -- ${gone.map(quote).join(' ')}` });
    }
    willExist = true;
  }
  if (willExist) {
    const st = f.destStat;
    const attrs = planAttrs(dest, changed || !st ? undefined : { exists: true, type: 'file', mode: st.mode, uid: st.uid, gid: st.gid, owner: st.owner, group: st.group, extra: {} }, a);
    if (changed && a.mode === undefined && a.owner === undefined && a.group === undefined) attrs.steps.length = 0;
    if (attrs.steps.length) changed = true;
    steps.push(...attrs.steps);
  }
  const result: Record<string, unknown> = {
    changed,
    archived,
    dest,
    dest_state: destState,
    arcroot: root,
    missing,
    expanded_paths: f.expanded,
    expanded_exclude_paths: f.excluded,
  };
  // AnsibleModule's add_path_info: the destination's state and attributes, only when it exists
  if (willExist) result.state = 'file';
  const st = f.destStat;
  if (st && (!changed || ctx.check)) Object.assign(result, { mode: formatMode(st.mode), uid: st.uid, gid: st.gid, owner: st.owner, group: st.group, size: st.size });
  return { steps, changed, result };
}

/**
 * Probe, plan, then (unless in check mode) write and stat the archive: Ansible returns the
 * written archive's size, mode and owner, which only a look after writing can tell, so
 * this module applies its plan itself. Its probe is its guard: it still goes out in a
 * batch with the probes of the tasks around it.
 */
async function runArchive(a: ArchiveArgs, ctx: RunContext): Promise<ModuleResult> {
  const script = archiveProbe(a);
  const plan = planArchive(a, parseArchive((await ctx.batchedGuard?.(script)) ?? (await ctx.exec(script))), ctx);
  const result: ModuleResult = { ...plan.result };
  if (ctx.check || plan.steps.length === 0) return result;
  const dest = String(result.dest);
  const cmds = plan.steps.map((s) => (s.kind === 'exec' ? s.cmd : ''));
  const stdin = plan.steps.find((s) => s.kind === 'exec' && s.stdin !== undefined);
  const apply = `${SBIN_PATH}\n${cmds.map((c) => `( ${c} ) || exit $?`).join('\n')}\nLC_ALL=C stat -c '%a %u %g %U %G %s' -- ${quote(dest)}`;
  const r = await ctx.exec(apply, { stdin: stdin?.kind === 'exec' ? stdin.stdin : undefined });
  if (r.rc !== 0) {
    const format = a.format === 'zip' || a.format === 'tar' ? a.format : `tar.${a.format ?? 'gz'}`;
    throw new ModuleFailure(`Error when writing ${format} archive at ${dest}: ${r.stderr.trim()}`, { rc: r.rc, stderr: r.stderr });
  }
  const [mode, uid, gid, owner, group, size] = r.stdout.trim().split('\n').pop()!.split(' ');
  if (result.state === 'file') Object.assign(result, { mode: formatMode(parseInt(mode, 8)), uid: +uid, gid: +gid, owner, group, size: +size });
  return result;
}

export const archiveModule = defineModule<ArchiveArgs>({
  name: 'archive',
  aliases: ['community.general.archive'],
  summary: 'Creates a compressed archive of one or more files or trees',
  checkMode: 'run',
  schema,
  guard: archiveProbe,
  run: runArchive,
});
