// ansible.builtin.known_hosts: add, replace or remove one host's key in a known_hosts
// file. As in Ansible, the host's own ssh-keygen decides what matches (`ssh-keygen -F`,
// which also finds hashed entries) and removes a host without a key (`ssh-keygen -R`);
// the probe runs the lookups, the new file is computed here (the found line dropped, the
// key appended) and written atomically. A hashed key gets its salt on the controller.
//
//   - ansible.builtin.known_hosts:
//       name: git.example.org
//       key: "git.example.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA..."
//       path: /etc/ssh/ssh_known_hosts
import type { FromSchema } from 'json-schema-to-ts';
import { createHmac, randomBytes } from 'node:crypto';
import { FILE_PROBE_PRELUDE, factsFor, parseFileProbe } from '../facts/file-probe.js';
import { SBIN_PATH } from '../facts/system-probe.js';
import { quote } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { ModuleFailure, defineModule, type FileDiff, type Plan, type PlanContext, type Step } from './types.js';

const schema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    key: { type: 'string' },
    path: { type: 'string', default: '~/.ssh/known_hosts' },
    hash_host: { type: 'boolean', default: false },
    state: { type: 'string', enum: ['absent', 'present'], default: 'present' },
  },
  required: ['name'],
  additionalProperties: false,
} as const;

export type KnownHostsArgs = FromSchema<typeof schema>;

export interface KnownHostsPrepared {
  args: KnownHostsArgs;
  /** The name lowercased, as Ansible looks it up. */
  host: string;
  /** The key line to write (hashed when asked, ending in a newline), if any. */
  key?: string;
}

/** The owner, group and mode a file has, or will have once written. */
export interface FileOwnership {
  uid: number;
  gid: number;
  owner: string;
  group: string;
  mode: number;
  nlink?: number;
}

/**
 * AnsibleModule.add_path_info: a result with a `path` that exists also gets the file's
 * owner, group, mode, size and kind (its `state` becomes 'file').
 */
export function pathInfo(f: FileOwnership | undefined, size: number): Record<string, unknown> {
  if (!f) return {};
  const state = (f.nlink ?? 1) > 1 ? 'hard' : 'file';
  return { uid: f.uid, gid: f.gid, owner: f.owner, group: f.group, mode: `0${(f.mode & 0o7777).toString(8).padStart(3, '0')}`, state, size };
}

/** Ownership from the probe's stat of a file, if it exists. */
export function ownershipOf(f: { exists: boolean; uid?: number; gid?: number; owner?: string; group?: string; mode?: number; nlink?: number }): FileOwnership | undefined {
  if (!f.exists || f.uid === undefined) return undefined;
  return { uid: f.uid, gid: f.gid!, owner: f.owner!, group: f.group!, mode: f.mode!, nlink: f.nlink };
}

/** A probe line printing `me UID GID USER GROUP`: who a newly written file will belong to. */
export const WHOAMI_LINE = "printf 'me %s %s %s %s\\n' \"$(id -u)\" \"$(id -g)\" \"$(id -un)\" \"$(id -gn)\"";

export function parseMe(extra: Record<string, string[]>, mode: number): FileOwnership | undefined {
  const m = extra.me?.[0]?.split(' ');
  if (!m || m.length < 4) return undefined;
  return { uid: Number(m[0]), gid: Number(m[1]), owner: m[2], group: m.slice(3).join(' '), mode };
}

export interface KnownHostsFacts {
  path: string;
  /** The path with `~` expanded on the host. */
  file: string;
  haveKeygen: boolean;
  exists: boolean;
  content?: string;
  /** The file's ownership now, and a new file's (the remote user's, 0644). */
  own?: FileOwnership;
  newOwn?: FileOwnership;
  /** `ssh-keygen -F host -f file`: stdout, stderr, rc. */
  search?: { stdout: string; stderr: string; rc: number };
  /** Whether ssh-keygen finds the host in the supplied key itself. */
  keyMatchesHost?: boolean;
}

/** Ansible's hash_host_key: `|1|salt|HMAC-SHA1(salt, host)` in place of the host field. */
export function hashHostKey(host: string, key: string, salt: Buffer): string {
  const hashed = createHmac('sha1', salt).update(host).digest('base64');
  const parts = key.trim().split(/\s+/);
  const i = parts[0].startsWith('@') ? 1 : 0;
  parts[i] = `|1|${salt.toString('base64')}|${hashed}`;
  return parts.join(' ');
}

export function prepareKnownHosts(args: KnownHostsArgs, salt: Buffer = randomBytes(20)): KnownHostsPrepared {
  const host = args.name.toLowerCase();
  let key = args.key || undefined;
  if (key && args.hash_host) key = hashHostKey(host, key, salt);
  if (key && !key.endsWith('\n')) key += '\n';
  return { args, host, key };
}

/** A shell word for a `path`-type argument: a leading ~ expands on the host, as Python's expanduser. */
export function expandedPathWord(path: string): string {
  if (path === '~') return '~';
  if (path.startsWith('~/')) return `~${quote(path.slice(1))}`;
  return quote(path);
}

/** A record with a command's stdout (or, with `2>&1 >/dev/null`, its stderr) and status. */
function capture(name: string, cmd: string, redirect = '2>/dev/null'): string {
  return [
    `printf '@%s\\n' ${quote(name)}`,
    `rp_o=$(${cmd} ${redirect}; rp_r=$?; printf x; exit $rp_r); printf 'rc %s\\n' $?`,
    "rp_o=${rp_o%x}; printf 'content %d\\n' \"${#rp_o}\"; printf '%s\\n' \"$rp_o\"",
  ].join('\n');
}

export function knownHostsProbe(p: KnownHostsPrepared): string {
  const h = quote(p.host);
  const lines = [
    FILE_PROBE_PRELUDE,
    "printf '@kh\\n'",
    "printf 'path %s\\n' \"$PATH\"",
    SBIN_PATH,
    `rp_p=${expandedPathWord(p.args.path ?? '~/.ssh/known_hosts')}`,
    "printf 'file %s\\n' \"$rp_p\"",
    "if command -v ssh-keygen >/dev/null 2>&1; then printf 'keygen yes\\n'; fi",
    WHOAMI_LINE,
    // braces: a probe batch pre-stats literal rp_f paths only, not a variable
    '{ rp_f file "$rp_p" L - -1 -; }',
    'if [ -e "$rp_p" ]; then',
    capture('search', `ssh-keygen -F ${h} -f "$rp_p"`),
    capture('searcherr', `ssh-keygen -F ${h} -f "$rp_p"`, '2>&1 >/dev/null'),
    'fi',
  ];
  if (p.key) lines.push(capture('sanity', `printf '%s' ${quote(p.key)} | ssh-keygen -F ${h} -f /dev/stdin`));
  lines.push('exit 0');
  return lines.join('\n');
}

export function parseKnownHosts(out: ExecResult, p: KnownHostsPrepared): KnownHostsFacts {
  const rec = parseFileProbe(out);
  const kh = factsFor(rec, 'kh');
  const f = factsFor(rec, 'file');
  const text = (tag: string) => factsFor(rec, tag).content?.toString('utf8') ?? '';
  const facts: KnownHostsFacts = {
    path: kh.extra.path?.[0] ?? '',
    file: kh.extra.file?.[0] ?? p.args.path ?? '',
    haveKeygen: kh.extra.keygen?.[0] === 'yes',
    exists: f.exists,
    content: f.content?.toString('utf8'),
    own: ownershipOf(f),
    newOwn: parseMe(kh.extra, 0o644),
  };
  if (rec.search) facts.search = { stdout: text('search'), stderr: text('searcherr'), rc: Number(rec.search.extra.rc?.[0] ?? 0) };
  if (rec.sanity) facts.keyMatchesHost = text('sanity') !== '';
  return facts;
}

interface HostKey {
  options?: string;
  host: string;
  type: string;
  key: string;
}

function normalize(line: string): HostKey {
  const k = line.trim().split(/\s+/);
  if (k[0].startsWith('@')) return { options: k[0], host: k[1], type: k[2], key: k[3] };
  return { host: k[0], type: k[1], key: k[2] };
}

const same = (a: HostKey, b: HostKey) => a.options === b.options && a.host === b.host && a.type === b.type && a.key === b.key;

/** Ansible's search_for_host_key: [found, replace_or_add, found_line]. */
function search(p: KnownHostsPrepared, facts: KnownHostsFacts): [boolean, boolean, number | undefined] {
  const s = facts.search;
  if (!facts.exists || !s) return [false, false, undefined];
  if (s.stdout === '' && s.stderr === '' && (s.rc === 0 || s.rc === 1)) return [false, false, undefined];
  if (s.rc !== 0) throw new ModuleFailure(`ssh-keygen failed (rc=${s.rc}, stdout='${s.stdout}',stderr='${s.stderr}')`);
  if (!p.key) return [true, false, undefined];
  const wanted = normalize(p.key);
  let foundLine: number | undefined;
  for (const l of s.stdout.split('\n')) {
    if (l === '') continue;
    if (l.startsWith('#')) {
      const m = /found: line (\d+)/.exec(l);
      if (m) foundLine = Number(m[1]);
      continue;
    }
    const found = normalize(l);
    // an entry already hashed keeps its own hash
    if (wanted.host.startsWith('|1|') && found.host.startsWith('|1|')) wanted.host = found.host;
    if (same(wanted, found)) return [true, false, foundLine];
    if (wanted.type === found.type) return [true, true, foundLine];
  }
  return [true, true, undefined];
}

/** Python's splitlines(keepends=True). */
function linesKeepEnds(text: string): string[] {
  return text.match(/[^\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]*(?:\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]|$)/g)!.filter((l) => l !== '');
}

export function planKnownHosts(p: KnownHostsPrepared, facts: KnownHostsFacts, ctx: Pick<PlanContext, 'check'>): Plan {
  const a = p.args;
  const state = a.state ?? 'present';
  if (!facts.haveKeygen) {
    const dirs = facts.path.split(':');
    for (const d of ['/sbin', '/usr/sbin', '/usr/local/sbin']) if (!dirs.includes(d)) dirs.push(d);
    throw new ModuleFailure(`Failed to find required executable "ssh-keygen" in paths: ${dirs.join(':')}`);
  }
  if (!p.key && state !== 'absent') throw new ModuleFailure('No key specified when adding a host');
  if (p.key) {
    if (/\S+(\s+)?,(\s+)?/.test(p.host)) {
      throw new ModuleFailure('Comma separated list of names is not supported. Please pass a single name to lookup in the known_hosts file.');
    }
    if (!facts.keyMatchesHost) throw new ModuleFailure('Host parameter does not match hashed host field in supplied key');
  }
  const [found, replaceOrAdd, foundLine] = search(p, facts);
  const before = facts.content ?? '';
  const lines = linesKeepEnds(before);
  if ((replaceOrAdd || state === 'absent') && foundLine !== undefined && foundLine >= 1 && foundLine <= lines.length) lines.splice(foundLine - 1, 1);
  if (state === 'present' && (replaceOrAdd || foundLine === undefined)) lines.push(p.key!);
  const after = lines.join('');
  const diff: FileDiff = { before_header: facts.exists ? facts.file : '/dev/null', after_header: facts.file, before, after };
  const params = { name: a.name, key: a.key ?? null, path: facts.file, hash_host: a.hash_host ?? false, state };
  if (state === 'absent' && foundLine === undefined && p.key) return { steps: [], diff, result: { ...params, ...pathInfo(facts.own, Buffer.byteLength(before)), diff } };
  const changed = replaceOrAdd || (state === 'present') !== found;
  const steps: Step[] = [];
  if (found && !p.key && state === 'absent') {
    steps.push({ kind: 'exec', cmd: `${SBIN_PATH}; ssh-keygen -R ${quote(p.host)} -f ${quote(facts.file)}` });
  } else if (changed) {
    steps.push({ kind: 'put', path: facts.file, content: Buffer.from(after) });
  }
  // in check mode Ansible returns only these two
  if (ctx.check) return { steps, changed, diff, result: { diff } };
  const info = changed ? pathInfo(facts.own ?? facts.newOwn, Buffer.byteLength(after)) : pathInfo(facts.own, Buffer.byteLength(before));
  return { steps, changed, diff, result: { ...params, ...info, diff } };
}

export const knownHostsModule = defineModule<KnownHostsArgs, KnownHostsPrepared, KnownHostsFacts>({
  name: 'known_hosts',
  summary: "Add, replace or remove a host's key in a known_hosts file (ssh-keygen -F / -R)",
  schema,
  argAliases: { host: 'name' },
  checkMode: 'plan',
  prepare: (args) => prepareKnownHosts(args),
  probe: knownHostsProbe,
  parse: parseKnownHosts,
  plan: planKnownHosts,
});
