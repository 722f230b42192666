import { readFileSync } from 'node:fs';
import { createHmac, pbkdf2Sync, createDecipheriv } from 'node:crypto';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { encryptVault, isVaultData, parseEnvelope } from '../../src/vault/crypto.js';
import { Vault, type VaultSecret } from '../../src/vault/vault.js';

const fixtures = path.resolve(import.meta.dirname, '../fixtures/vault');
const fixture = (name: string) => readFileSync(path.join(fixtures, name), 'utf8');
const ansiblePassword = Buffer.from('correct horse battery staple');
const secret = (id: string, pw: string | Buffer): VaultSecret => ({ id, bytes: Buffer.from(pw), source: `test-${id}` });

function errorOf(fn: () => unknown): UserError {
  try {
    fn();
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error('expected a UserError');
}

describe('vault format', () => {
  it('decrypts files written by ansible-vault (1.1 and 1.2 with a vault id)', () => {
    const vault = new Vault([secret('default', ansiblePassword)]);
    const one = vault.decrypt(fixture('made-by-ansible-1.1.yml'), { file: 'a.yml' });
    expect(one.plaintext.toString()).toBe('db_password: "s3cr3t-from-ansible"\nplain_list:\n  - one\n  - 2\n');
    const two = vault.decrypt(fixture('made-by-ansible-1.2-prod.yml'));
    expect(two.envelopeVaultId).toBe('prod');
    expect(two.plaintext.equals(one.plaintext)).toBe(true);
  });

  it('removes PKCS7 padding for a one-byte and a full-block plaintext like Ansible wrote them', () => {
    const vault = new Vault([secret('default', ansiblePassword)]);
    expect(vault.decrypt(fixture('one-byte.vault')).plaintext.toString()).toBe('x');
    expect(vault.decrypt(fixture('full-block.vault')).plaintext.toString()).toBe('0123456789abcdef');
  });

  it('lays out the envelope as Ansible does: header, 80-column hex lines, newline at the end', () => {
    const salt = Buffer.alloc(32, 7);
    const text = encryptVault(Buffer.from('a'.repeat(100)), Buffer.from('pw'), { salt });
    const lines = text.split('\n');
    expect(lines[0]).toBe('$ANSIBLE_VAULT;1.1;AES256');
    expect(text.endsWith('\n')).toBe(true);
    const body = lines.slice(1, -1);
    for (const l of body.slice(0, -1)) expect(l).toHaveLength(80);
    expect(body.at(-1)!.length).toBeLessThanOrEqual(80);
    const inner = Buffer.from(body.join(''), 'hex').toString('latin1').split('\n');
    expect(inner).toHaveLength(3);
    expect(inner[0]).toBe(salt.toString('hex'));
    // The ciphertext is padded to whole AES blocks: 100 bytes -> 112.
    expect(inner[2].length / 2).toBe(112);
    // Recompute independently: PBKDF2-SHA256 x10000 -> key1 | key2 | iv, HMAC over the ciphertext.
    const derived = pbkdf2Sync('pw', salt, 10000, 80, 'sha256');
    const ct = Buffer.from(inner[2], 'hex');
    expect(createHmac('sha256', derived.subarray(32, 64)).update(ct).digest('hex')).toBe(inner[1]);
    const d = createDecipheriv('aes-256-ctr', derived.subarray(0, 32), derived.subarray(64, 80));
    const padded = Buffer.concat([d.update(ct), d.final()]);
    expect(padded.subarray(100).equals(Buffer.alloc(12, 12))).toBe(true);
  });

  it('writes the 1.2 header only for a vault id other than default', () => {
    expect(encryptVault(Buffer.from('x'), Buffer.from('pw'), { vaultId: 'dev' }).split('\n')[0]).toBe('$ANSIBLE_VAULT;1.2;AES256;dev');
    expect(encryptVault(Buffer.from('x'), Buffer.from('pw'), { vaultId: 'default' }).split('\n')[0]).toBe('$ANSIBLE_VAULT;1.1;AES256');
    expect(parseEnvelope('$ANSIBLE_VAULT;1.2;AES256;dev\n00\n').vaultId).toBe('dev');
  });

  it('round-trips arbitrary bytes through encrypt and decrypt', () => {
    const vault = new Vault([secret('default', 'pw-for-property')]);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70 }), (bytes) => {
        const text = encryptVault(Buffer.from(bytes), Buffer.from('pw-for-property'));
        expect(isVaultData(text)).toBe(true);
        expect(Buffer.from(vault.decrypt(text).plaintext).equals(Buffer.from(bytes))).toBe(true);
      }),
      { seed: 4242, numRuns: 25 },
    );
  });

  it('recognises vault data only when it is ASCII and starts with the header', () => {
    expect(isVaultData('$ANSIBLE_VAULT;1.1;AES256\n00\n')).toBe(true);
    expect(isVaultData(' $ANSIBLE_VAULT;1.1;AES256')).toBe(false);
    expect(isVaultData('$ANSIBLE_VAULT;1.1;AES256\né')).toBe(false);
    expect(isVaultData(Buffer.from([0x24, 0x41]))).toBe(false);
  });
});

describe('vault errors', () => {
  const text = encryptVault(Buffer.from('the secret'), Buffer.from('right'));

  it('a wrong password fails with the file named and the secrets tried', () => {
    const e = errorOf(() => new Vault([secret('default', 'wrong')]).decrypt(text, { file: 'group_vars/all.yml' }));
    expect(e.message).toBe('Decryption failed (no vault secrets were found that could decrypt) on group_vars/all.yml');
    expect(e.pos).toEqual({ file: 'group_vars/all.yml', line: 1, col: 1 });
    expect(e.hint).toContain('default@test-default');
  });

  it('a tampered HMAC or ciphertext fails the same way, and the line of an inline value is kept', () => {
    const lines = text.split('\n');
    const inner = Buffer.from(lines.slice(1).join(''), 'hex').toString('latin1').split('\n');
    const flip = (hex: string) => (hex[0] === 'a' ? 'b' : 'a') + hex.slice(1);
    for (const tampered of [[inner[0], flip(inner[1]), inner[2]], [inner[0], inner[1], flip(inner[2])]]) {
      const body = Buffer.from(tampered.join('\n'), 'latin1').toString('hex');
      const e = errorOf(() => new Vault([secret('default', 'right')]).decrypt(`${lines[0]}\n${body}\n`, { pos: { file: 'vars.yml', line: 4, col: 12 } }));
      expect(e.message).toMatch(/^Decryption failed .* on vars\.yml$/);
      expect(e.pos).toEqual({ file: 'vars.yml', line: 4, col: 12 });
    }
  });

  it('no secrets at all is its own error', () => {
    const e = errorOf(() => new Vault([]).decrypt(text, { file: 'x.yml' }));
    expect(e.message).toBe('Attempting to decrypt but no vault secrets found');
    expect(e.hint).toMatch(/--vault-password-file/);
  });

  it('damaged hex is a format error, whatever the password', () => {
    const e = errorOf(() => new Vault([secret('default', 'right')]).decrypt('$ANSIBLE_VAULT;1.1;AES256\n6a6zz\n', { file: 'x.yml' }));
    expect(e.message).toMatch(/vault format error in x\.yml: Vault format unhexlify error/);
  });

  it('an unknown cipher is refused', () => {
    const e = errorOf(() => new Vault([secret('default', 'right')]).decrypt(text.replace('AES256', 'AES'), { file: 'x.yml' }));
    expect(e.message).toContain('AES cipher could not be found');
  });
});

describe('choosing a secret', () => {
  const forDev = encryptVault(Buffer.from('dev data'), Buffer.from('dev-pw'), { vaultId: 'dev' });

  it('tries the secret whose id matches the envelope first, then the others', () => {
    const vault = new Vault([secret('prod', 'prod-pw'), secret('dev', 'dev-pw')]);
    const r = vault.decrypt(forDev);
    expect(r.vaultId).toBe('dev');
    expect(r.plaintext.toString()).toBe('dev data');
    // A secret under another label still opens it: the id in the header is only a hint.
    expect(new Vault([secret('other', 'dev-pw')]).decrypt(forDev).vaultId).toBe('other');
  });

  it('with vault_id_match only a secret of the same id is tried', () => {
    const e = errorOf(() => new Vault([secret('other', 'dev-pw')], { idMatch: true }).decrypt(forDev, { file: 'f' }));
    expect(e.message).toMatch(/^Decryption failed/);
    expect(e.hint).toContain("vault id 'dev'");
  });

  it('encrypts with the secret id as the vault id and refuses data that is already encrypted', () => {
    const s = secret('ops', 'pw');
    expect(Vault.encrypt('hello', s).split('\n')[0]).toBe('$ANSIBLE_VAULT;1.2;AES256;ops');
    expect(() => Vault.encrypt(forDev, s)).toThrow(/already encrypted/);
  });
});
