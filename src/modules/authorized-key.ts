// ansible.posix.authorized_key: add or remove SSH public keys (one or several lines) in a
// user's authorized_keys file, with Ansible's rules for what matches (the key blob, then
// type, options and comment), where new keys go (after the existing ones), what
// `exclusive` removes (every other line, comments too) and how lines are written back
// (`[options ]type blob comment`). The probe reads the user's passwd entry and the file;
// a write first makes ~/.ssh (0700) and the file (0600) the user's, as Ansible does. A
// key given as an http(s) URL is fetched on the host with curl or wget.
//
//   - ansible.posix.authorized_key:
//       user: deploy
//       key: "{{ lookup('file', 'deploy.pub') }}"
//       key_options: 'from="10.0.0.0/8",no-agent-forwarding'
import type { FromSchema } from 'json-schema-to-ts';
import { FILE_PROBE_PRELUDE, factsFor, parseFileProbe } from '../facts/file-probe.js';
import { quote } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { expandedPathWord, ownershipOf, pathInfo, type FileOwnership } from './known-hosts.js';
import { ModuleFailure, defineModule, type Plan, type PlanContext, type RunContext, type Step } from './types.js';

const schema = {
  type: 'object',
  properties: {
    user: { type: 'string' },
    key: { type: 'string' },
    path: { type: 'string' },
    manage_dir: { type: 'boolean', default: true },
    state: { type: 'string', enum: ['absent', 'present'], default: 'present' },
    key_options: { type: 'string' },
    exclusive: { type: 'boolean', default: false },
    comment: { type: 'string' },
    validate_certs: { type: 'boolean', default: true },
    follow: { type: 'boolean', default: false },
  },
  required: ['user', 'key'],
  additionalProperties: false,
} as const;

export type AuthorizedKeyArgs = FromSchema<typeof schema>;

export interface AuthorizedKeyPrepared {
  args: AuthorizedKeyArgs;
  /** The key text (fetched when the argument was a URL). */
  keyText: string;
}

export interface AuthorizedKeyFacts {
  /** The user's passwd entry (and primary group's name), when there is one. */
  account?: { uid: number; gid: number; home: string; group: string };
  /** The file's ownership, when it exists. */
  own?: FileOwnership;
  /** The path argument with ~ expanded on the host. */
  path?: string;
  /** The authorized_keys file: its text when it is a regular file. */
  content?: string;
  exists: boolean;
  /** Its real path, for `follow`. */
  realpath?: string;
}

const KEY_TYPES = new Set([
  'sk-ecdsa-sha2-nistp256@openssh.com',
  'sk-ecdsa-sha2-nistp256-cert-v01@openssh.com',
  'webauthn-sk-ecdsa-sha2-nistp256@openssh.com',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp256-cert-v01@openssh.com',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp384-cert-v01@openssh.com',
  'ecdsa-sha2-nistp521',
  'ecdsa-sha2-nistp521-cert-v01@openssh.com',
  'sk-ssh-ed25519@openssh.com',
  'sk-ssh-ed25519-cert-v01@openssh.com',
  'ssh-ed25519',
  'ssh-ed25519-cert-v01@openssh.com',
  'ssh-dss',
  'ssh-rsa',
  'ssh-xmss@openssh.com',
  'ssh-xmss-cert-v01@openssh.com',
  'rsa-sha2-256',
  'rsa-sha2-512',
  'ssh-rsa-cert-v01@openssh.com',
  'rsa-sha2-256-cert-v01@openssh.com',
  'rsa-sha2-512-cert-v01@openssh.com',
  'ssh-dss-cert-v01@openssh.com',
]);

/** Key options in order; a name may repeat (Ansible's keydict). */
export type KeyOptions = [string, string | null][];

/** One line of the file: a key, or a line kept as it is ('skipped': comments, blanks, junk). */
export interface KeyLine {
  id: string;
  type: string;
  options: KeyOptions;
  comment: string;
  rank: number;
}

/** Ansible's parseoptions: split on commas outside quotes; a stray ",," becomes an option. */
export function parseOptions(text: string | undefined): KeyOptions {
  const out: KeyOptions = [];
  if (!text) return out;
  const re = /(?:[^,"']|"[^"]*"|'[^']*')+/g;
  let last = -1;
  for (const m of text.matchAll(re)) {
    const parts = last >= 0 && m.index! > last ? [text.slice(last, m.index), m[0]] : [m[0]];
    last = m.index! + m[0].length;
    for (const part of parts) {
      const eq = part.indexOf('=');
      if (eq >= 0) out.push([part.slice(0, eq), part.slice(eq + 1)]);
      else if (part !== ',') out.push([part, null]);
    }
  }
  return out;
}

/** Ansible's parsekey: undefined when no known key type is on the line. */
export function parseKey(raw: string, rank: number): KeyLine | undefined {
  raw = raw.split('\\#').join('#');
  const parts = raw.split(/[ \t\r\n]+/).filter((p) => p !== '');
  if (parts[0] === '#') return { id: raw, type: 'skipped', options: [], comment: '', rank };
  const t = parts.findIndex((p) => KEY_TYPES.has(p));
  if (t < 0 || t + 1 >= parts.length) return undefined;
  return { id: parts[t + 1], type: parts[t], options: parseOptions(t > 0 ? parts.slice(0, t).join(' ') : undefined), comment: parts.slice(t + 2).join(' '), rank };
}

/** Python's splitlines(keepends=True). */
function linesKeepEnds(text: string): string[] {
  return (text.match(/[^\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]*(?:\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]|$)/g) ?? []).filter((l) => l !== '');
}

/** The file's lines by id (the key blob, or the whole line): a repeated id keeps the last. */
export function parseKeys(text: string): Map<string, KeyLine> {
  const keys = new Map<string, KeyLine>();
  linesKeepEnds(text).forEach((line, rank) => {
    const k = parseKey(line, rank) ?? { id: line, type: 'skipped', options: [], comment: '', rank };
    keys.set(k.id, k);
  });
  return keys;
}

export function serializeKeys(keys: Map<string, KeyLine>): string {
  return [...keys.values()]
    .sort((a, b) => a.rank - b.rank)
    .map((k) => {
      if (k.type === 'skipped') return k.id;
      const opts = k.options.length ? `${k.options.map(([n, v]) => (v === null ? n : `${n}=${v}`)).join(',')} ` : '';
      return `${opts}${k.type} ${k.id} ${k.comment}\n`;
    })
    .join('');
}

/** Python's dict equality of two keydicts: the same names with the same values in order. */
function sameOptions(a: KeyOptions, b: KeyOptions): boolean {
  const group = (o: KeyOptions) => {
    const m = new Map<string, (string | null)[]>();
    for (const [n, v] of o) m.set(n, [...(m.get(n) ?? []), v]);
    return m;
  };
  const ga = group(a);
  const gb = group(b);
  if (ga.size !== gb.size) return false;
  for (const [n, v] of ga) if (JSON.stringify(gb.get(n)) !== JSON.stringify(v)) return false;
  return true;
}

/** Ansible's enforce_state on the file's text: the new text, or undefined when nothing changes. */
export function editKeys(args: AuthorizedKeyArgs, keyText: string, existing: string): string | undefined {
  const state = args.state ?? 'present';
  const wanted = keyText.split(/\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/).filter((s) => s && !s.startsWith('#'));
  const keys = parseKeys(existing);
  const keep: string[] = [];
  const base = keys.size;
  let write = false;
  wanted.forEach((line, rank) => {
    const parsed = parseKey(line, rank);
    if (!parsed) throw new ModuleFailure(`invalid key specified: ${line}`);
    if (args.key_options !== undefined) parsed.options = parseOptions(args.key_options);
    if (args.comment !== undefined) parsed.comment = args.comment;
    const old = keys.get(parsed.id);
    let matched = false;
    let differs = false;
    if (old) {
      const same = old.type === parsed.type && sameOptions(old.options, parsed.options) && old.comment === parsed.comment;
      if (!same && state === 'present') differs = true;
      else matched = true;
    }
    if (state === 'present') {
      keep.push(parsed.id);
      if (differs) {
        keys.delete(parsed.id);
        write = true;
      }
      if (!matched) {
        keys.set(parsed.id, { ...parsed, rank: base + parsed.rank });
        write = true;
      }
    } else if (matched) {
      keys.delete(parsed.id);
      write = true;
    }
  });
  if (state === 'present' && args.exclusive) {
    for (const id of [...keys.keys()]) {
      if (!keep.includes(id)) {
        keys.delete(id);
        write = true;
      }
    }
  }
  return write ? serializeKeys(keys) : undefined;
}

async function prepareAuthorizedKey(args: AuthorizedKeyArgs, ctx: RunContext): Promise<AuthorizedKeyPrepared> {
  if (!args.key.startsWith('http')) return { args, keyText: args.key };
  // Ansible fetches the URL on the host; so does this, with the host's curl or wget
  const k = args.validate_certs === false;
  const url = quote(args.key);
  const r = await ctx.exec(
    `if command -v curl >/dev/null 2>&1; then curl -fsSL ${k ? '-k ' : ''}${url}; else wget -qO- ${k ? '--no-check-certificate ' : ''}${url}; fi`,
  );
  if (r.rc !== 0) throw new ModuleFailure(`Error getting key from: ${args.key}`);
  return { args, keyText: r.stdout };
}

export function authorizedKeyProbe(p: AuthorizedKeyPrepared): string {
  const a = p.args;
  const lines = [
    FILE_PROBE_PRELUDE,
    "printf '@ak\\n'",
    `rp_e=$(getent passwd ${quote(a.user)} 2>/dev/null | head -n 1)`,
    'if [ -n "$rp_e" ]; then printf \'account %s\\n\' "$rp_e"; printf \'gname %s\\n\' "$(id -gn ' + quote(a.user) + ' 2>/dev/null)"; fi',
  ];
  if (a.path !== undefined) lines.push(`rp_p=${expandedPathWord(a.path)}`, "printf 'path %s\\n' \"$rp_p\"");
  else lines.push('rp_p=$(printf %s "$rp_e" | cut -d: -f6)/.ssh/authorized_keys');
  // braces: a probe batch pre-stats literal rp_f paths only, not a variable
  lines.push('{ rp_f file "$rp_p" L - -1 R; }', 'exit 0');
  return lines.join('\n');
}

export function parseAuthorizedKey(out: ExecResult): AuthorizedKeyFacts {
  const rec = parseFileProbe(out);
  const ak = factsFor(rec, 'ak');
  const f = factsFor(rec, 'file');
  const facts: AuthorizedKeyFacts = { exists: f.exists, path: ak.extra.path?.[0], realpath: f.realpath, own: ownershipOf(f) };
  const entry = ak.extra.account?.[0]?.split(':');
  if (entry && entry.length >= 7) facts.account = { uid: Number(entry[2]), gid: Number(entry[3]), home: entry[5], group: ak.extra.gname?.[0] || entry[3] };
  if (f.exists && f.type === 'file') facts.content = f.content?.toString('utf8') ?? '';
  return facts;
}

const parentOf = (p: string) => p.slice(0, p.lastIndexOf('/')) || '/';

export function planAuthorizedKey(p: AuthorizedKeyPrepared, facts: AuthorizedKeyFacts, ctx: Pick<PlanContext, 'check'>): Plan {
  const a = p.args;
  const acct = facts.account;
  if (!acct && !(ctx.check && a.path !== undefined)) {
    if (ctx.check) throw new ModuleFailure('Either user must exist or you must provide full path to key file in check mode');
    throw new ModuleFailure(`Failed to lookup user ${a.user}: "getpwnam(): name not found: '${a.user}'"`);
  }
  const keyfile = facts.path ?? `${acct!.home.replace(/\/$/, '')}/.ssh/authorized_keys`;
  const existing = facts.content ?? '';
  const after = editKeys(a, p.keyText, existing);
  const result: Record<string, unknown> = {
    user: a.user,
    key: a.key,
    path: facts.path ?? null,
    manage_dir: a.manage_dir ?? true,
    state: a.state ?? 'present',
    key_options: a.key_options ?? null,
    exclusive: a.exclusive ?? false,
    comment: a.comment ?? null,
    validate_certs: a.validate_certs ?? true,
    follow: a.follow ?? false,
    keyfile,
  };
  // add_path_info, for a result whose `path` is set: the file as it is, or as the write leaves it
  const info = (own: FileOwnership | undefined, text: string) => (facts.path !== undefined ? pathInfo(own, Buffer.byteLength(text)) : {});
  if (after === undefined) return { steps: [], result: { ...result, ...info(facts.own, existing) } };
  if (ctx.check) Object.assign(result, info(facts.own, existing));
  else Object.assign(result, info({ uid: acct!.uid, gid: acct!.gid, owner: a.user, group: acct!.group, mode: 0o600 }, after));
  const filename = a.follow && facts.realpath ? facts.realpath : keyfile;
  const steps: Step[] = [];
  if (!ctx.check) {
    const own = `${acct!.uid}:${acct!.gid}`;
    const sshdir = quote(parentOf(keyfile));
    const f = quote(filename);
    const prep: string[] = [];
    if (a.manage_dir ?? true) {
      prep.push(`{ [ -e ${sshdir} ] || rp_m=$(mkdir -m 0700 -- ${sshdir} 2>&1) || { printf 'Failed to create directory %s : %s' ${sshdir} "$rp_m" >&2; exit 1; }; }`, `chown ${own} -- ${sshdir}`, `chmod 0700 -- ${sshdir}`);
    }
    prep.push(`{ [ -e ${f} ] || { mkdir -p -- ${quote(parentOf(filename))} && : > ${f}; }; }`, `{ chown ${own} -- ${f} && chmod 0600 -- ${f}; } 2>/dev/null; true`);
    steps.push({ kind: 'exec', cmd: prep.join(' && '), stderrIsMessage: true });
    steps.push({ kind: 'put', path: filename, content: Buffer.from(after) });
  }
  return { steps, changed: true, diff: { before_header: keyfile, after_header: filename, before: existing, after }, result };
}

export const authorizedKeyModule = defineModule<AuthorizedKeyArgs, AuthorizedKeyPrepared, AuthorizedKeyFacts>({
  name: 'authorized_key',
  aliases: ['ansible.posix.authorized_key'],
  summary: "Add or remove SSH public keys in a user's authorized_keys file (ansible.posix)",
  schema,
  checkMode: 'plan',
  prepare: prepareAuthorizedKey,
  probe: authorizedKeyProbe,
  parse: parseAuthorizedKey,
  plan: planAuthorizedKey,
});
