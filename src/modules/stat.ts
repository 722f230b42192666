// ansible.builtin.stat: facts about a path, from one probe; never changes anything.
//
//   - ansible.builtin.stat:
//       path: /etc/ssh/sshd_config
//       checksum_algorithm: sha1
//     register: sshd_conf
import type { FromSchema } from 'json-schema-to-ts';
import { factsFor, parseFileProbe, probeFile, probeScript, type FileFacts } from '../facts/file-probe.js';
import { quote } from '../transport/quote.js';
import { defineModule } from './types.js';
import { permissionFlags, typeFlags } from './file-common.js';

export type StatArgs = FromSchema<typeof schema>;

/** Ansible's `stat` dictionary for what the probe saw. */
export function statDict(path: string, f: FileFacts): Record<string, unknown> {
  if (!f.exists) return { exists: false };
  const m = f.mode ?? 0;
  const d: Record<string, unknown> = {
    exists: true,
    path,
    mode: (m & 0o7777).toString(8).padStart(4, '0'),
    ...typeFlags(f.type),
    uid: f.uid,
    gid: f.gid,
    size: f.size,
    inode: f.inode,
    dev: f.dev,
    nlink: f.nlink,
    atime: f.atime,
    mtime: f.mtime,
    ctime: f.ctime,
    ...permissionFlags(m),
    pw_name: f.owner,
    gr_name: f.group,
    readable: f.readable,
    writeable: f.writeable,
    executable: f.executable,
  };
  if (f.type === 'link') {
    d.lnk_source = f.realpath;
    d.lnk_target = f.linkTarget;
  }
  if (f.checksum !== undefined) d.checksum = f.checksum;
  Object.assign(d, platformFields(f));
  return d;
}

/**
 * What Python's os.stat adds on Linux (st_blocks, st_blksize, st_rdev), from the probe's
 * `xstat <blocks> <blksize> <major hex> <minor hex> <%x> <%y> <%z>` line.
 */
function platformFields(f: FileFacts): Record<string, unknown> {
  const line = f.extra.xstat?.[0];
  if (!line) return {};
  const [blocks, blksize, major, minor, ...times] = line.split(' ');
  // %x %y %z carry the nanoseconds that Python's float st_atime/st_mtime/st_ctime include.
  const nanos = times.join(' ').match(/\.\d{1,9}\b/g) ?? [];
  const fractional: Record<string, number> = {};
  (['atime', 'mtime', 'ctime'] as const).forEach((k, i) => {
    const sec = f[k];
    const frac = nanos[i];
    if (sec !== undefined && frac) fractional[k] = sec + Number(frac.slice(1).padEnd(9, '0')) * 1e-9;
  });
  const maj = BigInt(parseInt(major, 16));
  const min = BigInt(parseInt(minor, 16));
  // glibc's makedev, which is what st_rdev holds
  const rdev = (min & 0xffn) | ((maj & 0xfffn) << 8n) | ((min & ~0xffn) << 12n) | ((maj & ~0xfffn) << 32n);
  return { ...fractional, blocks: Number(blocks), block_size: Number(blksize), device_type: Number(rdev) };
}

/** Ansible's format_attributes: lsattr's letters by name. */
const FILE_ATTRIBUTES: Readonly<Record<string, string>> = {
  A: 'noatime', a: 'append', c: 'compressed', C: 'nocow', d: 'nodump', D: 'dirsync', e: 'extents', E: 'encrypted',
  h: 'blocksize', i: 'immutable', I: 'indexed', j: 'journalled', N: 'inline', s: 'zero', S: 'synchronous',
  t: 'notail', T: 'blockroot', u: 'undelete', X: 'compressedraw', Z: 'compresseddirty',
};

/** get_mime: `file --mime-type --mime-encoding`, 'unknown' when the host has no `file` or it fails. */
function mimeFields(f: FileFacts): Record<string, unknown> {
  const out = { mimetype: 'unknown', charset: 'unknown' };
  const parts = f.extra.mime?.[0]?.split(';');
  if (parts && parts.length === 2 && parts[1].includes('=')) {
    out.mimetype = parts[0].trim();
    out.charset = parts[1].split('=')[1].trim();
  }
  return out;
}

/** get_attributes: `lsattr -vd`'s version and flags; null/empty when lsattr is missing or fails. */
function attributeFields(f: FileFacts): Record<string, unknown> {
  const [version, flags] = f.extra.lsattr?.[0]?.split(' ') ?? [];
  if (flags === undefined) return { version: null, attributes: [], attr_flags: '' };
  const attrFlags = flags.replace(/-/g, '');
  return { version, attributes: [...attrFlags].filter((c) => c in FILE_ATTRIBUTES).map((c) => FILE_ATTRIBUTES[c]), attr_flags: attrFlags };
}

/**
 * The probe lines after rp_f's record for the path: os.stat's platform fields, the MIME type
 * and the file attributes, each only when the path is there and the tool answers.
 */
export function statExtrasProbe(args: StatArgs): string {
  const p = quote(args.path);
  const there = args.follow ? `[ -e ${p} ]` : `{ [ -e ${p} ] || [ -L ${p} ]; }`;
  const lines = [`if ${there}; then`];
  lines.push(`  rp_x=$(stat ${args.follow ? '-L ' : ''}-c '%b %o %t %T %x %y %z' -- ${p} 2>/dev/null) && printf 'xstat %s\\n' "$rp_x"`);
  if (args.get_mime) {
    // -b: without the name, whose bytes could be anything
    lines.push(`  if command -v file >/dev/null 2>&1; then rp_x=$(file -b --mime-type --mime-encoding -- ${p} 2>/dev/null) && printf 'mime %s\\n' "$rp_x"; fi`);
  }
  if (args.get_attributes) {
    // Only the first two words (version, flags): the name that follows could hold a newline.
    lines.push(`  if command -v lsattr >/dev/null 2>&1; then rp_x=$(lsattr -vd -- ${p} 2>/dev/null) && (set -f; set -- $rp_x; printf 'lsattr %s %s\\n' "$1" "$2"); fi`);
  }
  lines.push('fi');
  return lines.join('\n');
}

const schema = {
  type: 'object',
  properties: {
    path: { type: 'string', minLength: 1 },
    follow: { type: 'boolean', default: false },
    get_checksum: { type: 'boolean', default: true },
    checksum_algorithm: { type: 'string', enum: ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'], default: 'sha1' },
    get_mime: { type: 'boolean', default: true },
    get_attributes: { type: 'boolean', default: true },
  },
  required: ['path'],
  additionalProperties: false,
} as const;

export const statModule = defineModule<StatArgs, StatArgs, Record<string, FileFacts>>({
  name: 'stat',
  summary: 'Retrieve file or file system status',
  checkMode: 'plan',
  argAliases: {
    dest: 'path',
    name: 'path',
    checksum: 'checksum_algorithm',
    checksum_algo: 'checksum_algorithm',
    mime: 'get_mime',
    mime_type: 'get_mime',
    'mime-type': 'get_mime',
    attr: 'get_attributes',
    attributes: 'get_attributes',
  },
  schema,
  probe(args) {
    return probeScript([
      probeFile('p', args.path, {
        follow: args.follow,
        checksum: args.get_checksum ? args.checksum_algorithm : undefined,
        realpath: !args.follow,
      }),
      statExtrasProbe(args),
    ]);
  },
  parse(out) {
    return parseFileProbe(out);
  },
  plan(args, facts) {
    const f = factsFor(facts, 'p');
    const stat = statDict(args.path, f);
    if (f.exists && args.get_mime) Object.assign(stat, mimeFields(f));
    if (f.exists && args.get_attributes) Object.assign(stat, attributeFields(f));
    return { steps: [], result: { stat } };
  },
});
