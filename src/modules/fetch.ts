// ansible.builtin.fetch: copy a file from the host to the controller, into
// dest/<inventory_hostname>/<src> (or exactly dest with flat: true). Skipped when the
// controller copy already has the same sha1, so a repeat costs one probe.
//
//   - ansible.builtin.fetch:
//       src: /var/log/app/error.log
//       dest: collected/
import type { FromSchema } from 'json-schema-to-ts';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { dirname as localDirname, join as localJoin, resolve as localResolve } from 'node:path';
import { factsFor, parseFileProbe, probeFile, probeScript } from '../facts/file-probe.js';
import { basename } from './file-common.js';
import { openErrorProbe, openFailure } from './slurp.js';
import { defineModule, ModuleFailure, type ModuleResult } from './types.js';

export type FetchArgs = FromSchema<typeof schema>;

/** Where the fetched file goes on the controller, as Ansible lays it out. */
export function fetchDestination(args: FetchArgs, host: string, cwd = process.cwd()): string {
  const dest = localResolve(cwd, args.dest);
  if (args.flat) return args.dest.endsWith('/') ? localJoin(dest, basename(args.src)) : dest;
  // Absolute or relative, the remote path is kept under the host's directory.
  return localJoin(dest, host, args.src.replace(/^\/+/, ''));
}

function sha1(b: Buffer): string {
  return createHash('sha1').update(b).digest('hex');
}

const schema = {
  type: 'object',
  properties: {
    src: { type: 'string', minLength: 1 },
    dest: { type: 'string', minLength: 1 },
    flat: { type: 'boolean', default: false },
    fail_on_missing: { type: 'boolean', default: true },
    validate_checksum: { type: 'boolean', default: true },
  },
  required: ['src', 'dest'],
  additionalProperties: false,
} as const;

export const fetchModule = defineModule<FetchArgs>({
  name: 'fetch',
  summary: 'Fetch files from remote nodes',
  checkMode: 'run',
  traits: { noAsync: true, runsNoModule: true },
  schema,
  async run(args, ctx): Promise<ModuleResult> {
    // Ansible's fetch action does not predict: it skips itself in check mode, in these words
    if (ctx.check) return { changed: false, skipped: true, msg: 'check mode not (yet) supported for this module' };
    const probe = await ctx.exec(probeScript([probeFile('s', args.src, { follow: true, checksum: 'sha1' }), openErrorProbe(args.src)]));
    const f = factsFor(parseFileProbe(probe), 's');
    const openError = f.extra.openerr?.[0];
    if (!ctx.become) {
      // Without become, Ansible's fetch stats the file first: a stat that fails, and a
      // directory, are worded by the action itself
      if (!f.exists && openError !== undefined && !openError.includes('No such file')) {
        const msg = `Failed to get information on remote file (${args.src}): ${openError.split(': ').at(-1)?.trim()}`;
        if (args.fail_on_missing) throw new ModuleFailure(msg, { changed: false, file: args.src });
        return { changed: false, file: args.src, msg: `${msg}, ignored` };
      }
      if (f.exists && f.type === 'directory') {
        const msg = 'remote file is a directory, fetch cannot work on directories';
        if (args.fail_on_missing) throw new ModuleFailure(msg, { changed: false });
        return { file: args.src, msg: `${msg}, not transferring, ignored` };
      }
    }
    if (openError !== undefined || !f.exists || f.type === 'directory' || !f.checksum) {
      // what could not be stat'ed or read goes through slurp, whose failure fetch rewords
      let msg = openError !== undefined ? openFailure(args.src, openError) : !f.exists ? 'file not found' : f.type === 'directory' ? 'source is a directory' : `file is not readable: ${args.src}`;
      if (msg.includes('not found')) msg = 'the remote file does not exist, not transferring, ignored';
      else if (msg.startsWith('source is a directory')) msg = 'remote file is a directory, fetch cannot work on directories';
      if (args.fail_on_missing) throw new ModuleFailure(msg, { changed: false });
      return { changed: false, file: args.src, msg };
    }
    const dest = fetchDestination(args, ctx.host);
    if (args.flat && !args.dest.endsWith('/') && existsSync(dest) && statSync(dest).isDirectory()) {
      throw new ModuleFailure('dest is an existing directory, use a trailing slash if you want to fetch src into that directory');
    }
    const local = existsSync(dest) ? sha1(readFileSync(dest)) : undefined;
    const base = { file: args.src, dest, checksum: f.checksum, remote_checksum: f.checksum, remote_md5sum: null };
    if (local === f.checksum) return { changed: false, ...base };
    const data = await ctx.transport.get(args.src, { become: ctx.become });
    const got = sha1(data);
    if (args.validate_checksum && got !== f.checksum) {
      throw new ModuleFailure('checksum mismatch', { ...base, checksum: got });
    }
    mkdirSync(localDirname(dest), { recursive: true });
    const tmp = `${dest}.rackplay-fetch-${process.pid}`;
    writeFileSync(tmp, data);
    renameSync(tmp, dest);
    return { changed: true, ...base, checksum: got, md5sum: createHash('md5').update(data).digest('hex') };
  },
});
