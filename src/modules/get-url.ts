// ansible.builtin.get_url, for hosts without internet access and without Python. With
// the variable `rackplay_mirror_dir` set, the file named like the URL's last path
// component is taken from that directory on the controller, checked against `checksum`
// and uploaded; otherwise the host downloads it with curl (URL, headers and credentials
// in a config on stdin, as uri sends them) or else wget. A checksum is
// required: it is what makes the task idempotent. SL4 has sha1sum and md5sum but no
// sha256sum, so an existing dest is compared with the host's `<algo>sum` when it has
// one, else by sha1 against the mirror copy's sha1, else (no mirror) the file is read
// back and hashed on the controller. That last case needs extra round trips, which is
// why this is an action (run) and not a plan.
//
//   - ansible.builtin.get_url:
//       url: http://mirror.example.org/sl/4.4/jdk-1_5_0_22-linux-i586.rpm
//       dest: /var/tmp/
//       checksum: sha256:0d6dd2f2f5ef5b0e0f0e14fdb1b0f4e4c8d3d1b9e0f7b2f79a7f4c7c2d0f0a11
//       mode: "0644"
import type { FromSchema } from 'json-schema-to-ts';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatMode } from '../facts/file-probe.js';
import { parseSections, section } from '../facts/system-probe.js';
import { quote } from '../transport/quote.js';
import { resolveMode } from './file-common.js';
import { curlConfig } from './http-curl.js';
import { defineModule, ModuleFailure, type ModuleResult, type RunContext } from './types.js';

export type GetUrlArgs = FromSchema<typeof schema>;

export const DIGESTS = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as const;
export type Digest = (typeof DIGESTS)[number];

export function parseChecksum(spec: string): { algo: Digest; hex: string } {
  const m = /^([a-z0-9]+):([0-9a-fA-F]+)$/.exec(spec.trim());
  if (!m || !(DIGESTS as readonly string[]).includes(m[1])) {
    throw new ModuleFailure(`The checksum parameter has to be in format <algorithm>:<checksum> with algorithm one of ${DIGESTS.join(', ')}, got: ${spec}`);
  }
  return { algo: m[1] as Digest, hex: m[2].toLowerCase() };
}

/** The file name a URL names (its last path component, without query). */
export function urlBasename(url: string): string {
  const path = url.replace(/[?#].*$/, '').replace(/^[a-z]+:\/\/[^/]*/i, '');
  const base = decodeURIComponent(path.split('/').filter(Boolean).pop() ?? '');
  return base || 'index.html';
}

export interface DestFacts {
  isDir: boolean;
  exists: boolean;
  size?: number;
  owner?: string;
  group?: string;
  mode?: number;
  /** Digests the host could compute, by algorithm. */
  sums: Partial<Record<Digest, string>>;
  tools: { wget: boolean; curl: boolean };
}

export function destProbe(path: string, algos: Digest[]): string {
  const p = quote(path);
  const lines = [
    `if [ -d ${p} ]; then echo '@@have dir yes'; fi`,
    `if command -v wget >/dev/null 2>&1; then echo '@@have wget yes'; fi`,
    `if command -v curl >/dev/null 2>&1; then echo '@@have curl yes'; fi`,
    `if [ -f ${p} ]; then ${section('stat', `stat -c '%s %U %G %a' -- ${p}`)}; fi`,
  ];
  for (const a of [...new Set(algos)]) lines.push(`if [ -f ${p} ] && command -v ${a}sum >/dev/null 2>&1; then ${section(`sum-${a}`, `${a}sum < ${p}`)}; fi`);
  return lines.join('\n');
}

export function parseDestProbe(stdout: string): DestFacts {
  const s = parseSections(stdout);
  const facts: DestFacts = { isDir: !!s.have.dir, exists: false, sums: {}, tools: { wget: !!s.have.wget, curl: !!s.have.curl } };
  if (s.rc.stat === 0) {
    const [size, owner, group, mode] = (s.text.stat ?? '').trim().split(' ');
    Object.assign(facts, { exists: true, size: Number(size), owner, group, mode: parseInt(mode, 8) });
  }
  for (const a of DIGESTS) {
    const t = s.text[`sum-${a}`];
    if (s.rc[`sum-${a}`] === 0 && t) facts.sums[a] = t.trim().split(/\s+/)[0].toLowerCase();
  }
  return facts;
}

function hash(algo: string, data: Buffer): string {
  return createHash(algo).update(data).digest('hex');
}

/** Whether the file at dest has the wanted checksum; undefined when the host cannot tell. */
export function destMatches(f: DestFacts, want: { algo: Digest; hex: string }, mirror?: Buffer): boolean | undefined {
  if (!f.exists) return false;
  const own = f.sums[want.algo];
  if (own) return own === want.hex;
  if (mirror && f.sums.sha1) return f.sums.sha1 === hash('sha1', mirror);
  return undefined;
}

/** chmod/chown commands for the attributes that differ. */
export function attrCommands(args: GetUrlArgs, path: string, f: { owner?: string; group?: string; mode?: number }): string[] {
  const cmds: string[] = [];
  const p = quote(path);
  if (args.owner && args.owner !== f.owner) cmds.push(`chown ${quote(args.owner)} -- ${p}`);
  if (args.group && args.group !== f.group) cmds.push(`chgrp ${quote(args.group)} -- ${p}`);
  if (args.mode !== undefined) {
    const want = resolveMode(args.mode, f.mode, false);
    if (want !== f.mode) cmds.push(`chmod ${formatMode(want!)} -- ${p}`);
  }
  return cmds;
}

const GET_DEFAULTS = { method: 'GET', forceBasicAuth: false, followRedirects: 'urllib2', httpAgent: 'ansible-httpget', useProxy: true, decompress: false, useNetrc: true } as const;

async function runGetUrl(args: GetUrlArgs, ctx: RunContext): Promise<ModuleResult> {
  const start = Date.now();
  const want = parseChecksum(args.checksum);
  const mirrorDir = ctx.vars.rackplay_mirror_dir;
  let content: Buffer | undefined;
  if (typeof mirrorDir === 'string' && mirrorDir !== '') {
    const file = join(mirrorDir, urlBasename(args.url));
    if (!existsSync(file)) throw new ModuleFailure(`${urlBasename(args.url)} is not in the mirror directory ${mirrorDir} (rackplay_mirror_dir); put the file there or unset the variable to download on the host`, { url: args.url });
    content = readFileSync(file);
    const got = hash(want.algo, content);
    if (got !== want.hex) throw new ModuleFailure(`The checksum for ${file} did not match ${want.hex}; it was ${got}.`, { url: args.url });
  }

  const probe = async (path: string) => parseDestProbe((await ctx.exec(destProbe(path, [want.algo, 'sha1']))).stdout);
  let dest = args.dest;
  let f = await probe(dest);
  if (f.isDir) {
    dest = `${dest.replace(/\/+$/, '')}/${urlBasename(args.url)}`;
    f = await probe(dest);
  }
  let same = destMatches(f, want, content);
  if (same === undefined) same = hash(want.algo, await ctx.transport.get(dest, { become: ctx.become })) === want.hex;
  const result: ModuleResult = { dest, url: args.url, checksum_src: content ? hash('sha1', content) : undefined, status_code: 200 };
  let changed = false;
  const attrsNow = { owner: f.owner, group: f.group, mode: f.mode };
  if (!same) {
    changed = true;
    if (!ctx.check) {
      if (content) {
        await ctx.transport.put(dest, content, { mode: args.mode !== undefined ? formatMode(resolveMode(args.mode, f.mode ?? 0o644, false)!) : f.mode !== undefined ? formatMode(f.mode) : undefined, become: ctx.become });
        attrsNow.mode = args.mode !== undefined ? resolveMode(args.mode, f.mode ?? 0o644, false) : attrsNow.mode;
      } else {
        const tmp = `${dest}.rackplay-tmp`;
        if (!f.tools.wget && !f.tools.curl) throw new ModuleFailure(`Neither wget nor curl is on the host to download ${args.url}; set rackplay_mirror_dir to upload it from the controller`, result);
        // curl takes the URL, headers and credentials as a config on stdin, out of argv
        const viaCurl = f.tools.curl ? curlConfig({ ...GET_DEFAULTS, url: args.url, headers: Object.fromEntries(Object.entries(args.headers ?? {}).map(([k, v]) => [k, String(v)])), username: args.url_username, password: args.url_password, validateCerts: args.validate_certs, timeout: args.timeout }) + 'fail\n' : undefined;
        const get = viaCurl !== undefined ? `curl --config - -o ${quote(tmp)}` : `wget -q -T ${args.timeout} ${args.validate_certs ? '' : '--no-check-certificate '}-O ${quote(tmp)} ${quote(args.url)}`;
        const r = await ctx.exec(get, viaCurl !== undefined ? { stdin: viaCurl } : undefined);
        if (r.rc !== 0) {
          await ctx.exec(`rm -f ${quote(tmp)}`);
          throw new ModuleFailure(`Request failed: ${r.stderr.trim() || `rc=${r.rc}`}`, result);
        }
        const t = await probe(tmp);
        let ok = destMatches(t, want);
        if (ok === undefined) ok = hash(want.algo, await ctx.transport.get(tmp, { become: ctx.become })) === want.hex;
        if (!ok) {
          await ctx.exec(`rm -f ${quote(tmp)}`);
          throw new ModuleFailure(`The checksum for ${dest} did not match ${want.hex}`, result);
        }
        const mv = await ctx.exec(`mv -f ${quote(tmp)} ${quote(dest)}`);
        if (mv.rc !== 0) throw new ModuleFailure(mv.stderr.trim(), result);
        Object.assign(attrsNow, { owner: t.owner, group: t.group, mode: t.mode });
      }
    }
  }
  let cmds: string[];
  try {
    cmds = attrCommands(args, dest, attrsNow);
  } catch (e) {
    throw new ModuleFailure((e as Error).message, result);
  }
  if (cmds.length) {
    changed = true;
    if (!ctx.check) {
      const r = await ctx.exec(cmds.join(' && '));
      if (r.rc !== 0) throw new ModuleFailure(r.stderr.trim(), result);
    }
  }
  return {
    ...result,
    changed,
    checksum_dest: want.algo === 'sha1' ? want.hex : undefined,
    msg: changed ? `OK (${content?.length ?? f.size ?? 0} bytes)` : 'file already exists',
    elapsed: Math.round((Date.now() - start) / 1000),
  };
}

const schema = {
  type: 'object',
  properties: {
    url: { type: 'string', minLength: 1 },
    dest: { type: 'string', minLength: 1 },
    checksum: { type: 'string', minLength: 1 },
    mode: { type: ['string', 'integer'] },
    owner: { type: 'string' },
    group: { type: 'string' },
    force: { type: 'boolean', default: false },
    timeout: { type: 'integer', minimum: 1, default: 10 },
    headers: { type: 'object' },
    validate_certs: { type: 'boolean', default: true },
    url_username: { type: 'string' },
    url_password: { type: 'string' },
    backup: { type: 'boolean', default: false },
    tmp_dest: { type: 'string' },
  },
  required: ['url', 'dest', 'checksum'],
  additionalProperties: false,
} as const;

export const getUrlModule = defineModule<GetUrlArgs>({
  name: 'get_url',
  summary: 'Fetch a file from a URL (or rackplay_mirror_dir on the controller) to the host, verified by checksum',
  schema,
  argAliases: { username: 'url_username', password: 'url_password' },
  traits: { noLogArgs: ['url_password'] },
  checkMode: 'run',
  run: runGetUrl,
});
