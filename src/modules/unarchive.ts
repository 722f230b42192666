// ansible.builtin.unarchive for tar archives (plain, gzip, bzip2), which SL4's GNU tar
// 1.14 unpacks with -z and -j. Idempotency without a marker file: for a controller src
// the archive is read on the controller (a small tar reader; gzip by zlib, bzip2 by the
// controller's bzip2) and one probe stats every member under dest; the archive is sent
// and unpacked only when a member is missing or differs in type, size or mtime (tar
// restores mtimes), or owner/group/mode differ from the ones asked for. With
// remote_src the probe lists the archive on the host with `tar -t` and checks that each
// member exists. `creates` short-circuits all of it, as in Ansible. Zip is not handled.
//
//   - ansible.builtin.unarchive:
//       src: jdk-1.5.0_22.tar.gz
//       dest: /opt
//       creates: /opt/jdk1.5.0_22
import type { FromSchema } from 'json-schema-to-ts';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { formatMode } from '../facts/file-probe.js';
import { SBIN_PATH, parseSections, section } from '../facts/system-probe.js';
import { quote, quoteArgv } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { resolveMode } from './file-common.js';
import { defineModule, ModuleFailure, type Plan, type PlanContext, type RunContext, type Step } from './types.js';

export type ArchiveFormat = 'tar' | 'gzip' | 'bzip2';

export interface TarMember {
  path: string;
  type: 'file' | 'dir' | 'link' | 'hard' | 'other';
  size: number;
  mtime: number;
}

export type UnarchiveArgs = FromSchema<typeof schema>;

/** What prepare() reads: the arguments and, for a controller src, the archive itself. */
export interface UnarchivePrepared {
  args: UnarchiveArgs;
  archive?: { content: Buffer; format: ArchiveFormat; members: TarMember[] };
}

export interface MemberState {
  exists: boolean;
  size?: number;
  mtime?: number;
  type?: string;
  owner?: string;
  group?: string;
  mode?: number;
}

export interface UnarchiveFacts {
  destIsDir: boolean;
  createsExists: boolean;
  /** Per member path (controller src) or per listed path (remote_src). */
  members: Record<string, MemberState>;
  listRc?: number;
  listError?: string;
}

/** Members probed at most; a bigger archive is judged by its first ones. */
export const MAX_PROBED_MEMBERS = 2000;

export function detectFormat(buf: Buffer): ArchiveFormat | undefined {
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) return 'gzip';
  if (buf.length >= 3 && buf.subarray(0, 3).toString('latin1') === 'BZh') return 'bzip2';
  if (buf.length >= 263 && buf.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
  return undefined;
}

function formatFromName(name: string): ArchiveFormat | undefined {
  if (/\.(tar\.gz|tgz)$/i.test(name)) return 'gzip';
  if (/\.(tar\.bz2|tbz2?)$/i.test(name)) return 'bzip2';
  if (/\.tar$/i.test(name)) return 'tar';
  return undefined;
}

function cstr(b: Buffer, off: number, len: number): string {
  const s = b.subarray(off, off + len);
  const end = s.indexOf(0);
  return s.subarray(0, end < 0 ? len : end).toString('utf8');
}

function octal(b: Buffer, off: number, len: number): number {
  const s = cstr(b, off, len).trim();
  return s === '' ? 0 : parseInt(s, 8);
}

/** Members of an uncompressed tar stream (ustar, GNU long names, pax paths). */
export function readTar(tar: Buffer): TarMember[] {
  const out: TarMember[] = [];
  let off = 0;
  let longName: string | undefined;
  while (off + 512 <= tar.length) {
    const h = tar.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const size = octal(h, 124, 12);
    const type = String.fromCharCode(h[156] || 0x30);
    const data = tar.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = cstr(data, 0, data.length);
      continue;
    }
    if (type === 'x') {
      const m = /\d+ path=([^\n]*)\n/.exec(data.toString('utf8'));
      if (m) longName = m[1];
      continue;
    }
    if (type === 'g') continue;
    const prefix = h.subarray(257, 262).toString('latin1') === 'ustar' ? cstr(h, 345, 155) : '';
    const name = longName ?? (prefix ? `${prefix}/${cstr(h, 0, 100)}` : cstr(h, 0, 100));
    longName = undefined;
    const path = name.replace(/^\.\//, '').replace(/\/+$/, '');
    if (path === '' || path === '.') continue;
    out.push({
      path,
      type: type === '5' ? 'dir' : type === '2' ? 'link' : type === '1' ? 'hard' : type === '0' || type === '\0' || type === '7' ? 'file' : 'other',
      size: type === '5' ? 0 : size,
      mtime: octal(h, 136, 12),
    });
  }
  return out;
}

export function archiveMembers(content: Buffer, format: ArchiveFormat): TarMember[] {
  if (format === 'gzip') return readTar(gunzipSync(content));
  if (format === 'bzip2') return readTar(execFileSync('bzip2', ['-dc'], { input: content, maxBuffer: 1 << 30 }));
  return readTar(content);
}

const TAR_FLAG: Record<ArchiveFormat, string> = { tar: '', gzip: 'z', bzip2: 'j' };
const HANDLER: Record<ArchiveFormat, string> = { tar: 'TarArchive', gzip: 'TgzArchive', bzip2: 'TarBzipArchive' };
const STAT_FMT = "'%s %Y %U %G %a %F'";

export function unarchiveProbe({ args, archive }: UnarchivePrepared): string {
  const dest = quote(args.dest);
  const lines = [SBIN_PATH, `if [ -d ${dest} ]; then echo '@@have dest yes'; fi`];
  if (args.creates) lines.push(`if [ -e ${quote(args.creates)} ]; then echo '@@have creates yes'; fi`);
  const statEach = `if s=$(stat -c ${STAT_FMT} -- "$p" 2>/dev/null); then echo "+ $s"; else echo -; fi`;
  if (archive) {
    const paths = archive.members.slice(0, MAX_PROBED_MEMBERS).map((m) => quote(m.path));
    if (paths.length) lines.push(section('members', `cd ${dest} && for p in ${paths.join(' ')}; do ${statEach}; done`));
  } else {
    const flag = TAR_FLAG[formatFromName(args.src) ?? 'tar'];
    lines.push(
      section(
        'members',
        `tar -t${flag}f ${quote(args.src)} > /dev/null || exit 2; cd ${dest} && tar -t${flag}f ${quote(args.src)} | head -n ${MAX_PROBED_MEMBERS} | while IFS= read -r p; do printf '%s\\n' "$p"; ${statEach}; done`,
      ),
    );
  }
  return lines.join('\n');
}

function parseStat(line: string): MemberState {
  if (!line.startsWith('+ ')) return { exists: false };
  const [size, mtime, owner, group, mode, ...type] = line.slice(2).split(' ');
  return { exists: true, size: Number(size), mtime: Number(mtime), owner, group, mode: parseInt(mode, 8), type: type.join(' ') };
}

export function parseUnarchiveProbe(out: ExecResult, { archive }: UnarchivePrepared): UnarchiveFacts {
  const s = parseSections(out.stdout);
  const facts: UnarchiveFacts = { destIsDir: !!s.have.dest, createsExists: !!s.have.creates, members: {} };
  const lines = (s.text.members ?? '').split('\n').filter((l) => l !== '');
  if (archive) {
    archive.members.slice(0, MAX_PROBED_MEMBERS).forEach((m, i) => {
      facts.members[m.path] = parseStat(lines[i] ?? '-');
    });
  } else {
    facts.listRc = s.rc.members;
    if (s.rc.members !== 0 && s.rc.members !== undefined) facts.listError = s.text.members;
    for (let i = 0; i + 1 < lines.length; i += 2) facts.members[lines[i].replace(/\/+$/, '')] = parseStat(lines[i + 1]);
  }
  return facts;
}

const TYPE_WORD: Record<TarMember['type'], RegExp> = { file: /regular/, dir: /directory/, link: /symbolic link/, hard: /regular/, other: /./ };

function memberDiffers(m: TarMember, st: MemberState, args: UnarchiveArgs): boolean {
  if (!st.exists) return true;
  if (!TYPE_WORD[m.type].test(st.type ?? '')) return true;
  if (m.type === 'file' && (st.size !== m.size || (!args.keep_newer && st.mtime !== m.mtime))) return true;
  if (m.type === 'link') return false;
  if (args.owner && st.owner !== args.owner) return true;
  if (args.group && st.group !== args.group) return true;
  if (args.mode !== undefined && resolveMode(args.mode, st.mode, m.type === 'dir') !== st.mode) return true;
  return false;
}

function topLevel(paths: string[]): string[] {
  return [...new Set(paths.map((p) => p.split('/')[0]))].filter((p) => p !== '' && p !== '.' && p !== '..');
}

export function planUnarchive({ args, archive }: UnarchivePrepared, f: UnarchiveFacts, _ctx?: PlanContext): Plan {
  if (args.creates && f.createsExists) return { steps: [], result: { skipped: true, msg: `skipped, since ${args.creates} exists`, dest: args.dest, src: args.src } };
  if (!f.destIsDir) throw new ModuleFailure(`dest '${args.dest}' must be an existing dir`);
  const format = archive?.format ?? formatFromName(args.src);
  if (!format) throw new ModuleFailure(`Failed to find handler for "${args.src}". Make sure the required command to extract the file is installed (rackplay handles .tar, .tar.gz/.tgz and .tar.bz2)`);
  let members: string[];
  let differs: boolean;
  if (archive) {
    members = archive.members.map((m) => m.path);
    differs = archive.members.slice(0, MAX_PROBED_MEMBERS).some((m) => memberDiffers(m, f.members[m.path] ?? { exists: false }, args));
  } else {
    if (f.listRc !== 0) throw new ModuleFailure(`Failed to list ${args.src}: ${(f.listError ?? '').trim() || `rc=${f.listRc}`}`);
    members = Object.keys(f.members);
    differs = Object.values(f.members).some((st) => !st.exists || (args.owner !== undefined && st.owner !== args.owner) || (args.group !== undefined && st.group !== args.group));
  }
  const result: Record<string, unknown> = { dest: args.dest, src: args.src, handler: HANDLER[format] };
  if (args.list_files) result.files = members;
  if (!differs) return { steps: [], result };
  const steps: Step[] = [];
  let archivePath = args.src;
  const opts = [...args.extra_opts, ...args.exclude.map((x) => `--exclude=${x}`), ...(args.keep_newer ? ['--keep-newer-files'] : [])];
  const flag = TAR_FLAG[format];
  if (archive) {
    const id = createHash('sha1').update(archive.content).digest('hex').slice(0, 16);
    archivePath = `/tmp/.rackplay-unarchive-${id}`;
    steps.push({ kind: 'put', path: archivePath, content: archive.content, mode: '0600' });
    steps.push({ kind: 'exec', cmd: `tar ${quoteArgv([`-x${flag}f`, archivePath, '-C', args.dest, ...opts])}; rc=$?; rm -f ${quote(archivePath)}; exit $rc` });
  } else {
    steps.push({ kind: 'exec', cmd: 'tar ' + quoteArgv([`-x${flag}f`, archivePath, '-C', args.dest, ...opts]) });
  }
  const tops = topLevel(members);
  if (tops.length && (args.owner || args.group || args.mode !== undefined)) {
    const cd = `cd ${quote(args.dest)} && `;
    if (args.owner) steps.push({ kind: 'exec', cmd: `${cd}chown -R ${quote(args.owner)} -- ${quoteArgv(tops)}` });
    if (args.group) steps.push({ kind: 'exec', cmd: `${cd}chgrp -R ${quote(args.group)} -- ${quoteArgv(tops)}` });
    if (args.mode !== undefined) {
      const m = typeof args.mode === 'number' || /^[0-7]+$/.test(String(args.mode)) ? formatMode(resolveMode(args.mode, 0, false)!) : String(args.mode);
      steps.push({ kind: 'exec', cmd: `${cd}chmod -R ${quote(m)} -- ${quoteArgv(tops)}` });
    }
  }
  return { steps, result };
}

export async function prepareUnarchive(args: UnarchiveArgs, ctx: RunContext): Promise<UnarchivePrepared> {
  if (args.remote_src) return { args };
  const local = ctx.controller.findFile('files', args.src);
  if (!local) throw new ModuleFailure(`Could not find or access '${args.src}' on the Ansible Controller.`);
  const content = readFileSync(local);
  const format = detectFormat(content);
  if (!format) throw new ModuleFailure(`Failed to find handler for "${args.src}": not a tar, tar.gz or tar.bz2 archive`);
  return { args, archive: { content, format, members: archiveMembers(content, format) } };
}

const schema = {
  type: 'object',
  properties: {
    src: { type: 'string', minLength: 1 },
    dest: { type: 'string', minLength: 1 },
    remote_src: { type: 'boolean', default: false },
    copy: { type: 'boolean' },
    creates: { type: 'string' },
    extra_opts: { type: 'array', items: { type: 'string' }, default: [] },
    list_files: { type: 'boolean', default: false },
    exclude: { type: 'array', items: { type: 'string' }, default: [] },
    keep_newer: { type: 'boolean', default: false },
    owner: { type: 'string' },
    group: { type: 'string' },
    mode: { type: ['string', 'integer'] },
  },
  required: ['src', 'dest'],
  additionalProperties: false,
} as const;

export const unarchiveModule = defineModule<UnarchiveArgs, UnarchivePrepared, UnarchiveFacts>({
  name: 'unarchive',
  summary: 'Unpack a tar, tar.gz or tar.bz2 archive into a directory on the host',
  schema,
  checkMode: 'plan',
  traits: { noAsync: true },
  prepare: async (args, ctx) => {
    // the deprecated `copy: false` is remote_src: true
    const { copy, ...rest } = args;
    return prepareUnarchive(copy === false ? { ...rest, remote_src: true } : rest, ctx);
  },
  probe: unarchiveProbe,
  parse: parseUnarchiveProbe,
  plan: planUnarchive,
});
