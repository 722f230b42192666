import { mkdtempSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { loadVarsFor } from '../../src/inventory/vars-files.js';
import { loadVarsText } from '../../src/inventory/yaml-source.js';
import { SecretMasker } from '../../src/output/secret-masker.js';
import { parseYamlText } from '../../src/playbook/yaml-file.js';
import { Templar } from '../../src/template/index.js';
import { decryptFileContent, installVault } from '../../src/vault/context.js';
import { encryptVault } from '../../src/vault/crypto.js';
import { Vault } from '../../src/vault/vault.js';

const PW = 'loading-test-pw';
const indent = (t: string, n: number) => t.trimEnd().split('\n').map((l) => ' '.repeat(n) + l).join('\n');
const inline = (plain: string, pw = PW) => `!vault |\n${indent(encryptVault(Buffer.from(plain), Buffer.from(pw)), 10)}`;

function install(pw = PW): SecretMasker {
  const masker = new SecretMasker();
  installVault({ vault: new Vault([{ id: 'default', bytes: Buffer.from(pw), source: 'test' }]), onSecret: (s) => masker.add(s) });
  return masker;
}

function caught(fn: () => unknown): UserError {
  try {
    fn();
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error('expected a UserError');
}

afterEach(() => installVault(undefined));

describe('inline !vault values', () => {
  it('are decrypted at load in playbook YAML and registered with the masker', () => {
    const masker = install();
    const y = parseYamlText(`- hosts: all\n  vars:\n    db_pass: ${inline('tr0ub4dor&3')}\n    other: plain\n`, 'play.yml');
    expect((y.data as { vars: Record<string, unknown> }[])[0].vars).toEqual({ db_pass: 'tr0ub4dor&3', other: 'plain' });
    expect(masker.mask('password is tr0ub4dor&3!')).toBe('password is ********!');
    expect(masker.mask('plain')).toBe('plain');
  });

  it('are still vault_encrypted for the test of that name once decrypted, as in Ansible', () => {
    install();
    const y = parseYamlText(`- vars:\n    db_pass: ${inline('s3cr3t-for-test')}\n`, 'play.yml');
    const vars = (y.data as { vars: Record<string, unknown> }[])[0].vars;
    const templar = new Templar();
    expect(templar.evaluate('db_pass is vault_encrypted', vars)).toBe(true);
    expect(templar.evaluate("'s3cr3t' is vault_encrypted", vars)).toBe(false);
    expect(templar.evaluate('other is vault_encrypted', { other: 'plain' })).toBe(false);
  });

  it('are decrypted in inventory / group_vars YAML', () => {
    const masker = install();
    expect(loadVarsText(`api_key: ${inline('key-12345')}\nport: 80\n`, 'group_vars/all.yml')).toEqual({ api_key: 'key-12345', port: 80 });
    expect(masker.size).toBe(1);
  });

  it('point a wrong password at the value: file, line and column', () => {
    install();
    const text = `a: 1\nb:\n  c: ${inline('x-secret', 'other-password')}\n`;
    const e = caught(() => parseYamlText(text, 'vars/main.yml'));
    expect(e.message).toBe('Decryption failed (no vault secrets were found that could decrypt) on vars/main.yml');
    // the value itself: the block indicator after the tag
    expect(e.pos).toEqual({ file: 'vars/main.yml', line: 3, col: '  c: !vault '.length + 1 });
  });

  it('without secrets are a clear error at the value', () => {
    installVault({ vault: new Vault([]) });
    const e = caught(() => loadVarsText(`x: 1\ny: ${inline('s')}\n`, 'host_vars/h1.yml'));
    expect(e.message).toBe('Attempting to decrypt but no vault secrets found');
    expect(e.pos).toMatchObject({ file: 'host_vars/h1.yml', line: 2 });
  });

  it('stay opaque when no vault is installed (parsers used as a library)', () => {
    const y = parseYamlText(`v: ${inline('s')}\n`, 'x.yml');
    expect((y.data as { v: { __vault__: string } }).v.__vault__).toMatch(/^\$ANSIBLE_VAULT;1\.1;AES256\n/);
  });
});

describe('vault-encrypted files', () => {
  it('group_vars files are decrypted and every value in them is a secret', () => {
    const masker = install();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vault-load-'));
    mkdirSync(path.join(dir, 'group_vars'));
    writeFileSync(path.join(dir, 'group_vars', 'web.yml'), encryptVault(Buffer.from('vault_db_password: pa55-word\nvault_users: [alice-x, bob-y]\n'), Buffer.from(PW)));
    expect(loadVarsFor(dir, 'group_vars', 'web')).toEqual({ vault_db_password: 'pa55-word', vault_users: ['alice-x', 'bob-y'] });
    expect(masker.mask('pa55-word alice-x bob-y vault_db_password')).toBe('******** ******** ******** vault_db_password');
  });

  it('a whole encrypted task/vars file parses like the plaintext, with positions in the plaintext', () => {
    install();
    const y = parseYamlText(encryptVault(Buffer.from('- name: t\n  debug: msg=hi\n'), Buffer.from(PW)), 'tasks.yml');
    expect(y.data).toEqual([{ name: 't', debug: 'msg=hi' }]);
    expect(y.posOf([0, 'debug'])).toEqual({ file: 'tasks.yml', line: 2, col: 10 });
  });

  it('a wrong password on a whole file names the file', () => {
    install('not-the-password');
    const e = caught(() => loadVarsText(encryptVault(Buffer.from('a: 1\n'), Buffer.from(PW)), '/inv/group_vars/all/vault.yml'));
    expect(e.message).toBe('Decryption failed (no vault secrets were found that could decrypt) on /inv/group_vars/all/vault.yml');
  });

  it('module source files (copy src, templates) come back decrypted and masked; others untouched', () => {
    const masker = install();
    const plain = Buffer.from('-----BEGIN KEY-----\nAAAAsecretkeymaterial\n-----END KEY-----\n');
    expect(decryptFileContent(Buffer.from(encryptVault(plain, Buffer.from(PW))), 'files/key.pem').equals(plain)).toBe(true);
    expect(masker.mask('line: AAAAsecretkeymaterial')).toBe('line: ********');
    const binary = Buffer.from([0x24, 0x41, 0x4e, 0xff, 0x00]);
    expect(decryptFileContent(binary, 'bin').equals(binary)).toBe(true);
  });
});

describe('password sources', () => {
  it('a file in group_vars whose password comes from a script', async () => {
    const { readPasswordSource } = await import('../../src/vault/secrets.js');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vault-pw-'));
    const script = path.join(dir, 'pw.sh');
    writeFileSync(script, `#!/bin/sh\nprintf '%s\\n' "${PW}"\n`);
    chmodSync(script, 0o755);
    const s = readPasswordSource(script, 'ops');
    expect(s).toMatchObject({ id: 'ops', source: script });
    expect(s.bytes.toString()).toBe(PW);
  });
});
