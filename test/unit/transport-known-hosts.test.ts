import { createHash, createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkHostKey, entryMatchesHost, fingerprintSha256, hashHostName, knownHostName, knownKeyTypes, parseKnownHosts } from '../../src/transport/known-hosts.js';

// Minimal SSH key blobs: string(type) + string(key material).
function blob(type: string, material: Buffer = randomBytes(32)): Buffer {
  const t = Buffer.from(type);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(t.length);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(material.length);
  return Buffer.concat([head, t, len, material]);
}
const line = (hosts: string, key: Buffer, type = 'ssh-ed25519') => `${hosts} ${type} ${key.toString('base64')}`;

describe('parseKnownHosts', () => {
  it('reads plain, comma-list, bracketed, hashed and marker lines, skipping comments', () => {
    const k1 = blob('ssh-ed25519');
    const k2 = blob('ssh-rsa');
    const text = [
      '# comment',
      '',
      line('web1,10.0.0.1', k1),
      line('[db.example]:2222', k2, 'ssh-rsa'),
      `${hashHostName('hidden')} ssh-ed25519 ${k1.toString('base64')} comment here`,
      `@revoked * ssh-rsa ${k2.toString('base64')}`,
      `@cert-authority *.example ssh-ed25519 ${k1.toString('base64')}`,
      'garbage-line-without-key',
    ].join('\n');
    const entries = parseKnownHosts(text, '/f');
    expect(entries.map((e) => [e.line, e.marker ?? '', e.keyType])).toEqual([
      [3, '', 'ssh-ed25519'],
      [4, '', 'ssh-rsa'],
      [5, '', 'ssh-ed25519'],
      [6, 'revoked', 'ssh-rsa'],
      [7, 'cert-authority', 'ssh-ed25519'],
    ]);
    expect(entries[0].patterns).toEqual(['web1', '10.0.0.1']);
    expect(entries[0].key.equals(k1)).toBe(true);
    expect(entries[2].hashed).toBeDefined();
    expect(entries.every((e) => e.file === '/f')).toBe(true);
  });
});

describe('host matching', () => {
  it('uses [host]:port for non-22 ports only', () => {
    expect(knownHostName('a', 22)).toBe('a');
    expect(knownHostName('a', 2222)).toBe('[a]:2222');
    const [e] = parseKnownHosts(line('[a]:2222', blob('ssh-ed25519')), 'f');
    expect(entryMatchesHost(e, knownHostName('a', 2222))).toBe(true);
    expect(entryMatchesHost(e, knownHostName('a', 22))).toBe(false);
  });

  it('handles wildcards, negation and case', () => {
    const [e] = parseKnownHosts(line('*.example.com,!bad.example.com,host?', blob('ssh-ed25519')), 'f');
    expect(entryMatchesHost(e, 'WWW.example.com')).toBe(true);
    expect(entryMatchesHost(e, 'bad.example.com')).toBe(false);
    expect(entryMatchesHost(e, 'host1')).toBe(true);
    expect(entryMatchesHost(e, 'host12')).toBe(false);
    expect(entryMatchesHost(e, 'exampleXcom')).toBe(false);
  });

  it('matches hashed names by HMAC-SHA1 with the stored salt', () => {
    const salt = randomBytes(20);
    const hash = createHmac('sha1', salt).update('[10.1.2.3]:2200').digest('base64');
    const [e] = parseKnownHosts(`|1|${salt.toString('base64')}|${hash} ssh-ed25519 ${blob('ssh-ed25519').toString('base64')}`, 'f');
    expect(entryMatchesHost(e, '[10.1.2.3]:2200')).toBe(true);
    expect(entryMatchesHost(e, '10.1.2.3')).toBe(false);
  });

  it('hashHostName round-trips for any name', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), (name) => {
        const [e] = parseKnownHosts(`${hashHostName(name)} ssh-ed25519 ${blob('ssh-ed25519').toString('base64')}`, 'f');
        return entryMatchesHost(e, name) && !entryMatchesHost(e, name + 'x');
      }),
    );
  });
});

describe('checkHostKey', () => {
  const good = blob('ssh-ed25519');
  const other = blob('ssh-ed25519');
  const rsa = blob('ssh-rsa');

  it('distinguishes match, mismatch, unknown and revoked', () => {
    const entries = parseKnownHosts([line('h1', good), line('h2', rsa, 'ssh-rsa'), `@revoked * ssh-ed25519 ${other.toString('base64')}`].join('\n'), '/kh');
    expect(checkHostKey(entries, 'h1', 22, good).status).toBe('match');
    const changed = checkHostKey(entries, 'h1', 22, blob('ssh-ed25519'));
    expect(changed.status).toBe('mismatch');
    expect(changed.status === 'mismatch' && changed.entry.line).toBe(1);
    // Known only with an RSA key: an ed25519 key is unknown, not changed.
    expect(checkHostKey(entries, 'h2', 22, good).status).toBe('unknown');
    expect(checkHostKey(entries, 'h3', 22, good).status).toBe('unknown');
    expect(checkHostKey(entries, 'h1', 2222, good).status).toBe('unknown');
    expect(checkHostKey(entries, 'h1', 22, other).status).toBe('revoked');
  });

  it('lists the key types known for a host, in file order', () => {
    const entries = parseKnownHosts([line('h', rsa, 'ssh-rsa'), line('h', good), line('x', good)].join('\n'), 'f');
    expect(knownKeyTypes(entries, 'h', 22)).toEqual(['ssh-rsa', 'ssh-ed25519']);
    expect(knownKeyTypes(entries, 'nope', 22)).toEqual([]);
  });
});

describe('fingerprintSha256', () => {
  it('is SHA256: plus unpadded base64 of the blob digest', () => {
    const b = blob('ssh-ed25519');
    const expected = createHash('sha256').update(b).digest('base64');
    const fp = fingerprintSha256(b);
    expect(fp.startsWith('SHA256:')).toBe(true);
    expect(fp.endsWith('=')).toBe(false);
    expect(fp.slice(7) + '='.repeat(expected.length - fp.length + 7)).toBe(expected);
  });
});
