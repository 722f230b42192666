// known_hosts files as OpenSSH reads them: plain names, comma lists with `!negation`
// and `*`/`?` wildcards, `[host]:port` for non-22 ports, hashed `|1|salt|hash` names,
// and `@revoked` keys. `@cert-authority` lines are kept but never match a plain key.
// Pure functions: the SSH transport reads the files and hands the text in.
import { createHash, createHmac, randomBytes } from 'node:crypto';

export interface KnownHostEntry {
  file: string;
  /** 1-based line number. */
  line: number;
  marker?: 'revoked' | 'cert-authority';
  /** Host patterns of a plain entry. */
  patterns?: string[];
  /** A hashed entry: HMAC-SHA1(salt, name) must equal hash. */
  hashed?: { salt: Buffer; hash: Buffer };
  keyType: string;
  /** The public key blob in SSH wire format (what the server sends). */
  key: Buffer;
}

export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (!raw || raw.startsWith('#')) continue;
    const fields = raw.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0].startsWith('@')) {
      const m = fields.shift()!;
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else continue; // an unknown marker: OpenSSH skips the line
    }
    if (fields.length < 3) continue;
    const [hosts, keyType, b64] = fields;
    const key = Buffer.from(b64, 'base64');
    if (key.length === 0) continue;
    const entry: KnownHostEntry = { file, line: i + 1, marker, keyType, key };
    if (hosts.startsWith('|1|')) {
      const [, , salt, hash] = hosts.split('|');
      if (!salt || !hash) continue;
      entry.hashed = { salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
    } else {
      entry.patterns = hosts.split(',').filter(Boolean);
    }
    entries.push(entry);
  }
  return entries;
}

/** The name OpenSSH looks up: `host` on port 22, `[host]:port` otherwise. */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** A hashed host name field for `name`, as `ssh-keygen -H` writes it. */
export function hashHostName(name: string, salt: Buffer = randomBytes(20)): string {
  const hash = createHmac('sha1', salt).update(name).digest();
  return `|1|${salt.toString('base64')}|${hash.toString('base64')}`;
}

function wildcardMatch(pattern: string, name: string): boolean {
  // OpenSSH compares host names case-insensitively.
  const p = pattern.toLowerCase();
  const n = name.toLowerCase();
  const re = new RegExp('^' + p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', 's');
  return re.test(n);
}

/** Does an entry's host field match the looked-up name? */
export function entryMatchesHost(entry: KnownHostEntry, name: string): boolean {
  if (entry.hashed) {
    const h = createHmac('sha1', entry.hashed.salt).update(name).digest();
    return h.length === entry.hashed.hash.length && h.equals(entry.hashed.hash);
  }
  let positive = false;
  for (const pat of entry.patterns ?? []) {
    if (pat.startsWith('!')) {
      if (wildcardMatch(pat.slice(1), name)) return false;
    } else if (wildcardMatch(pat, name)) positive = true;
  }
  return positive;
}

/** The key type named inside an SSH public key blob (its first string). */
export function keyTypeOfBlob(blob: Buffer): string {
  if (blob.length < 4) return '';
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('latin1');
}

/** OpenSSH's fingerprint: `SHA256:` and the unpadded base64 of the blob's SHA-256. */
export function fingerprintSha256(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

export type HostKeyVerdict =
  | { status: 'match'; entry: KnownHostEntry }
  | { status: 'mismatch'; entry: KnownHostEntry }
  | { status: 'revoked'; entry: KnownHostEntry }
  | { status: 'unknown' };

/**
 * Checks a server's key against the entries for `host`:`port`. A different key of the
 * same type for the host is a mismatch (OpenSSH's "REMOTE HOST IDENTIFICATION HAS
 * CHANGED"); a host known only with other key types is unknown for this key.
 */
export function checkHostKey(entries: readonly KnownHostEntry[], host: string, port: number, key: Buffer): HostKeyVerdict {
  const revoked = entries.find((e) => e.marker === 'revoked' && e.key.equals(key));
  if (revoked) return { status: 'revoked', entry: revoked };
  const name = knownHostName(host, port);
  const forHost = entries.filter((e) => !e.marker && entryMatchesHost(e, name));
  const same = forHost.find((e) => e.key.equals(key));
  if (same) return { status: 'match', entry: same };
  const type = keyTypeOfBlob(key);
  const changed = forHost.find((e) => e.keyType === type);
  if (changed) return { status: 'mismatch', entry: changed };
  return { status: 'unknown' };
}

/** Key types known for a host, in file order, so the client can ask for those first. */
export function knownKeyTypes(entries: readonly KnownHostEntry[], host: string, port: number): string[] {
  const name = knownHostName(host, port);
  const types: string[] = [];
  for (const e of entries) if (!e.marker && !types.includes(e.keyType) && entryMatchesHost(e, name)) types.push(e.keyType);
  return types;
}

/** Host key algorithms that verify a key of each type (RSA keys sign with several). */
export function algorithmsForKeyType(type: string): string[] {
  if (type === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  return [type];
}
