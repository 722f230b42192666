import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildVaultIds, loadSecrets, loadVaultConfig, pickEncryptSecret, readPasswordSource, splitVaultId } from '../../src/vault/secrets.js';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'vault-secrets-'));
const noConfig = { identityList: [], idMatch: false };

describe('vault ids and password sources', () => {
  it('orders sources like ansible: identity list, --vault-id, password files, then the prompt', () => {
    const ids = buildVaultIds(
      { vaultId: ['dev@dev.txt', 'prompt'], vaultPasswordFile: ['a.txt'], askVaultPass: true },
      { identityList: ['ops@ops.txt'], passwordFile: '/cfg/pw', idMatch: false },
      false,
    );
    expect(ids).toEqual(['ops@ops.txt', 'dev@dev.txt', 'prompt', 'default@a.txt', 'default@/cfg/pw', 'default@prompt_ask_vault_pass']);
    expect(buildVaultIds({}, noConfig, false)).toEqual([]);
    expect(buildVaultIds({}, noConfig, true)).toEqual(['default@prompt_ask_vault_pass']);
    expect(splitVaultId('a@b@c')).toEqual({ label: 'a', source: 'b@c' });
    expect(splitVaultId('file')).toEqual({ source: 'file' });
  });

  it("refuses ';' in a vault id", () => {
    expect(() => buildVaultIds({ vaultId: ['a;b@f'] }, noConfig, false)).toThrow(/not a valid vault id/);
  });

  it('strips whitespace around a password file and refuses an empty one', () => {
    const d = tmp();
    writeFileSync(path.join(d, 'pw'), '  spaced pass \r\n\n');
    expect(readPasswordSource(path.join(d, 'pw'), undefined).bytes.toString()).toBe('spaced pass');
    writeFileSync(path.join(d, 'empty'), '\n\n');
    expect(() => readPasswordSource(path.join(d, 'empty'), undefined)).toThrow(/Invalid vault password was provided from file/);
    expect(() => readPasswordSource(path.join(d, 'missing'), undefined)).toThrow(/was not found/);
  });

  it('runs a -client script with --vault-id LABEL and reports its failure', () => {
    const d = tmp();
    const client = path.join(d, 'pass-client.sh');
    writeFileSync(client, '#!/bin/sh\n[ "$1" = --vault-id ] || exit 9\nif [ "$2" = known ]; then echo "pw-for-$2"; else echo "no such id $2" >&2; exit 2; fi\n');
    chmodSync(client, 0o700);
    expect(readPasswordSource(client, 'known').bytes.toString()).toBe('pw-for-known');
    expect(() => readPasswordSource(client, 'other')).toThrow(/did not find a secret for vault-id=other: no such id other/);
  });

  it('keeps going past a broken source with a warning, but fails when none works', async () => {
    const d = tmp();
    writeFileSync(path.join(d, 'good'), 'good-pw\n');
    const warnings: string[] = [];
    const secrets = await loadSecrets([`bad@${d}/missing`, `good@${d}/good`], { warn: (m) => warnings.push(m) });
    expect(secrets.map((s) => s.id)).toEqual(['good']);
    expect(warnings[0]).toMatch(/^Error getting vault password file \(bad\): The vault password file .*missing was not found/);
    await expect(loadSecrets([`bad@${d}/missing`])).rejects.toThrow(/was not found/);
  });

  it('asks twice for a new password and insists both match', async () => {
    const answers = ['one', 'one'];
    const asked: string[] = [];
    const ask = async (p: string) => (asked.push(p), answers.shift()!);
    const s = await loadSecrets(['dev@prompt'], { newPassword: true, ask });
    expect(asked).toEqual(['New vault password (dev): ', 'Confirm new vault password (dev): ']);
    expect(s[0]).toMatchObject({ id: 'dev', source: 'prompt' });
    const mismatched = ['one', 'two'];
    await expect(loadSecrets(['default@prompt_ask_vault_pass'], { newPassword: true, ask: async () => mismatched.shift()! })).rejects.toThrow('Passwords do not match');
  });

  it('picks the encryption secret like ansible-vault', () => {
    const a = { id: 'a', bytes: Buffer.from('1'), source: 's' };
    const b = { id: 'b', bytes: Buffer.from('2'), source: 's' };
    expect(pickEncryptSecret([a])).toBe(a);
    expect(pickEncryptSecret([a, b], 'b')).toBe(b);
    expect(() => pickEncryptSecret([a, b])).toThrow(/Specify the vault-id to encrypt with --encrypt-vault-id/);
    expect(() => pickEncryptSecret([a], 'c')).toThrow(/Did not find a match for --encrypt-vault-id=c/);
  });

  it('reads vault settings from ansible.cfg (paths relative to it) and the environment', () => {
    const d = tmp();
    writeFileSync(path.join(d, 'ansible.cfg'), '[defaults]\nvault_password_file = secrets/pw\nvault_identity_list = dev@a, prod@b\nvault_id_match = True\n');
    const cfg = loadVaultConfig({ ANSIBLE_CONFIG: path.join(d, 'ansible.cfg') }, '/');
    expect(cfg).toEqual({ identityList: ['dev@a', 'prod@b'], passwordFile: path.join(d, 'secrets/pw'), encryptIdentity: undefined, idMatch: true });
    const env = loadVaultConfig({ ANSIBLE_CONFIG: path.join(d, 'ansible.cfg'), ANSIBLE_VAULT_PASSWORD_FILE: 'rel/pw' }, '/srv');
    expect(env.passwordFile).toBe('/srv/rel/pw');
  });
});
