// ansible.builtin.stat: facts about a path, from one probe; never changes anything.
//
//   - ansible.builtin.stat:
//       path: /etc/ssh/sshd_config
//       checksum_algorithm: sha1
//     register: sshd_conf
import type { FromSchema } from 'json-schema-to-ts';
import { factsFor, parseFileProbe, probeFile, probeScript, type ChecksumAlgorithm, type FileFacts } from '../facts/file-probe.js';
import { defineModule } from './types.js';

export type StatArgs = FromSchema<typeof schema>;

/** Ansible's `stat` dictionary for what the probe saw. */
export function statDict(path: string, f: FileFacts): Record<string, unknown> {
  if (!f.exists) return { exists: false };
  const m = f.mode ?? 0;
  const d: Record<string, unknown> = {
    exists: true,
    path,
    mode: (m & 0o7777).toString(8).padStart(4, '0'),
    isdir: f.type === 'directory',
    ischr: f.type === 'char',
    isblk: f.type === 'block',
    isreg: f.type === 'file',
    isfifo: f.type === 'fifo',
    islnk: f.type === 'link',
    issock: f.type === 'socket',
    uid: f.uid,
    gid: f.gid,
    size: f.size,
    inode: f.inode,
    dev: f.dev,
    nlink: f.nlink,
    atime: f.atime,
    mtime: f.mtime,
    ctime: f.ctime,
    wusr: !!(m & 0o200),
    rusr: !!(m & 0o400),
    xusr: !!(m & 0o100),
    wgrp: !!(m & 0o020),
    rgrp: !!(m & 0o040),
    xgrp: !!(m & 0o010),
    woth: !!(m & 0o002),
    roth: !!(m & 0o004),
    xoth: !!(m & 0o001),
    isuid: !!(m & 0o4000),
    isgid: !!(m & 0o2000),
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
  return d;
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
  argAliases: { dest: 'path', name: 'path', checksum: 'checksum_algorithm', checksum_algo: 'checksum_algorithm' },
  schema,
  probe(args) {
    return probeScript([
      probeFile('p', args.path, {
        follow: args.follow,
        checksum: args.get_checksum ? args.checksum_algorithm : undefined,
        realpath: !args.follow,
      }),
    ]);
  },
  parse(out) {
    return parseFileProbe(out);
  },
  plan(args, facts) {
    return { steps: [], result: { stat: statDict(args.path, factsFor(facts, 'p')) } };
  },
});
