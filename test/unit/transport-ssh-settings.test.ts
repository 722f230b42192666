import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { quoteArgv } from '../../src/transport/quote.js';
import { applyAlgorithmSpec, LEGACY_ALGORITHMS, parseJumpSpec, splitArgs, sshSettingsFromVars } from '../../src/transport/ssh-settings.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'rackplay-ssh-settings-'));
const emptyConfig = path.join(dir, 'empty_config');
writeFileSync(emptyConfig, '');
const cfg = { hostKeyChecking: true, timeoutS: 10, sshConfigFile: emptyConfig };

describe('sshSettingsFromVars', () => {
  it('takes host, port, user and key from ansible vars', () => {
    const s = sshSettingsFromVars('web1', { ansible_host: '10.0.0.5', ansible_port: 2222, ansible_user: 'deploy', ansible_ssh_private_key_file: '/keys/id' }, cfg);
    expect(s).toMatchObject({ inventoryHostname: 'web1', host: '10.0.0.5', port: 2222, user: 'deploy', identityFiles: ['/keys/id'], strictHostKeyChecking: 'yes', connectTimeoutMs: 10_000 });
  });

  it('falls back to the inventory name, remote_user from config, and port 22', () => {
    const s = sshSettingsFromVars('web1.example', {}, { ...cfg, remoteUser: 'ops' });
    expect(s).toMatchObject({ host: 'web1.example', port: 22, user: 'ops' });
    expect(s.identityFiles.map((f) => path.basename(f))).toEqual(['id_ed25519', 'id_ecdsa', 'id_rsa']);
  });

  it('parses -o Key=Value, -o "Key Value", -oKey=Value and list edits', () => {
    const s = sshSettingsFromVars(
      'h',
      {
        ansible_ssh_common_args: `-o StrictHostKeyChecking=no -o "UserKnownHostsFile /tmp/kh /tmp/kh2" -oKexAlgorithms=+diffie-hellman-group1-sha1 -o Ciphers=aes128-ctr,aes256-ctr`,
        ansible_ssh_extra_args: '-o HostKeyAlgorithms=-ssh-ed25519,ecdsa* -o ConnectTimeout=3',
      },
      cfg,
    );
    expect(s.strictHostKeyChecking).toBe('no');
    expect(s.knownHostsFiles.slice(0, 2)).toEqual(['/tmp/kh', '/tmp/kh2']);
    expect(s.algorithms.kex.at(-1)).toBe('diffie-hellman-group1-sha1');
    expect(s.algorithms.kex[0]).toBe('curve25519-sha256');
    expect(s.algorithms.cipher).toEqual(['aes128-ctr', 'aes256-ctr']);
    expect(s.algorithms.serverHostKey).toEqual(['rsa-sha2-512', 'rsa-sha2-256']);
    expect(s.connectTimeoutMs).toBe(3000);
  });

  it('lets ansible vars win over -p and -i in common args; -i adds a key', () => {
    const s = sshSettingsFromVars('h', { ansible_port: 2200, ansible_ssh_private_key_file: '/a', ansible_ssh_common_args: '-p 2300 -i /b -l other' }, cfg);
    expect(s.port).toBe(2200);
    expect(s.identityFiles).toEqual(['/a', '/b']);
    expect(s.user).toBe('other');
    expect(sshSettingsFromVars('h', { ansible_ssh_extra_args: '-p 2300' }, cfg).port).toBe(2300);
  });

  it('reads ssh_config via -F: Host patterns, HostName with %h, User, Port, IdentityFile, IdentitiesOnly', () => {
    const file = path.join(dir, 'config1');
    writeFileSync(file, ['Host web*', '  HostName %h.internal', '  User alice', '  Port 2022', '  IdentityFile ~/.ssh/web_key', '  IdentitiesOnly yes', '  UserKnownHostsFile /etc/kh', '', 'Host *', '  User fallback', '  ConnectTimeout 7', ''].join('\n'));
    const s = sshSettingsFromVars('web3', { ansible_ssh_common_args: `-F ${file}` }, { ...cfg, sshConfigFile: undefined });
    expect(s).toMatchObject({ host: 'web3.internal', user: 'alice', port: 2022, identitiesOnly: true, connectTimeoutMs: 7000 });
    expect(s.identityFiles).toEqual([path.join(os.homedir(), '.ssh/web_key')]);
    expect(s.knownHostsFiles[0]).toBe('/etc/kh');
    // Vars come before the config file.
    const t = sshSettingsFromVars('web3', { ansible_user: 'bob', ansible_port: 22 }, { ...cfg, sshConfigFile: file });
    expect(t).toMatchObject({ user: 'bob', port: 22, host: 'web3.internal' });
    // Host patterns match the address Ansible connects to (ansible_host), like ssh does.
    const u = sshSettingsFromVars('web3', { ansible_host: '10.9.9.9' }, { ...cfg, sshConfigFile: file });
    expect(u).toMatchObject({ host: '10.9.9.9', user: 'fallback', port: 22 });
  });

  it('resolves ProxyJump hops through the config and the spec', () => {
    const file = path.join(dir, 'config2');
    writeFileSync(file, ['Host bastion', '  HostName 192.0.2.10', '  User jumper', '  Port 2201', ''].join('\n'));
    const s = sshSettingsFromVars('db', { ansible_host: '10.0.0.9', ansible_user: 'app', ansible_ssh_common_args: '-o ProxyJump=bastion,root@[10.0.0.1]:2202' }, { ...cfg, sshConfigFile: file });
    expect(s.proxyJump.map((h) => [h.host, h.port, h.user])).toEqual([
      ['192.0.2.10', 2201, 'jumper'],
      ['10.0.0.1', 2202, 'root'],
    ]);
    expect(s.host).toBe('10.0.0.9');
    expect(sshSettingsFromVars('db', { ansible_ssh_common_args: '-o ProxyJump=none' }, cfg).proxyJump).toEqual([]);
  });

  it('adds legacy algorithms only when asked, after the modern ones', () => {
    const modern = sshSettingsFromVars('h', {}, cfg);
    const legacy = sshSettingsFromVars('h', { rackplay_legacy_algorithms: true }, cfg);
    for (const [kind, extra] of Object.entries(LEGACY_ALGORITHMS) as [keyof typeof LEGACY_ALGORITHMS, string[]][]) {
      for (const a of extra) {
        expect(modern.algorithms[kind]).not.toContain(a);
        expect(legacy.algorithms[kind]).toContain(a);
      }
      expect(legacy.algorithms[kind].slice(0, modern.algorithms[kind].length)).toEqual(modern.algorithms[kind]);
    }
    expect(legacy.algorithms.kex).toEqual(expect.arrayContaining(['diffie-hellman-group14-sha1', 'diffie-hellman-group1-sha1']));
    expect(legacy.algorithms.serverHostKey).toEqual(expect.arrayContaining(['ssh-rsa', 'ssh-dss']));
    expect(legacy.algorithms.cipher).toEqual(expect.arrayContaining(['aes128-cbc', '3des-cbc']));
    expect(modern.algorithms.kex[0]).toBe('curve25519-sha256');
    expect(sshSettingsFromVars('h', { rackplay_legacy_algorithms: 'no' }, cfg).algorithms).toEqual(modern.algorithms);
  });

  it('turns host key checking off from config or host var, and takes passwords and timeouts', () => {
    expect(sshSettingsFromVars('h', {}, { ...cfg, hostKeyChecking: false }).strictHostKeyChecking).toBe('no');
    expect(sshSettingsFromVars('h', { ansible_host_key_checking: 'False' }, cfg).strictHostKeyChecking).toBe('no');
    expect(sshSettingsFromVars('h', { ansible_ssh_host_key_checking: true }, { ...cfg, hostKeyChecking: false }).strictHostKeyChecking).toBe('yes');
    const s = sshSettingsFromVars('h', { ansible_ssh_pass: 's3cret', ansible_timeout: 4 }, cfg);
    expect(s.password).toBe('s3cret');
    expect(s.connectTimeoutMs).toBe(4000);
    expect(sshSettingsFromVars('h', { ansible_password: 'p' }, cfg).password).toBe('p');
  });

  it('reports bad args and ports as UserError with a hint', () => {
    const bad = [
      () => sshSettingsFromVars('h', { ansible_ssh_common_args: '-o "StrictHostKeyChecking=no' }, cfg),
      () => sshSettingsFromVars('h', { ansible_port: 'twenty' }, cfg),
      () => sshSettingsFromVars('h', { ansible_ssh_extra_args: '-F /nonexistent/rackplay/config' }, cfg),
      () => sshSettingsFromVars('h', { ansible_ssh_common_args: '-o ProxyCommand="ssh -W %h:%p bastion"' }, cfg),
    ];
    for (const f of bad) {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).hint).toBeTruthy();
    }
  });
});

describe('helpers', () => {
  it('splitArgs undoes quoteArgv for any words', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 12 }).filter((s) => !s.includes('\0')), { maxLength: 6 }), (words) => {
        expect(splitArgs(quoteArgv(words))).toEqual(words);
      }),
    );
    expect(splitArgs(`a "b c" 'd e' f\\ g "h\\"i"`)).toEqual(['a', 'b c', 'd e', 'f g', 'h"i']);
  });

  it('applyAlgorithmSpec appends, prepends, removes and replaces', () => {
    const base = ['a', 'b', 'c'];
    expect(applyAlgorithmSpec(base, '+d,a')).toEqual(['a', 'b', 'c', 'd']);
    expect(applyAlgorithmSpec(base, '^c,x')).toEqual(['c', 'x', 'a', 'b']);
    expect(applyAlgorithmSpec(base, '-b')).toEqual(['a', 'c']);
    expect(applyAlgorithmSpec(base, 'x,y')).toEqual(['x', 'y']);
  });

  it('parseJumpSpec reads user, host, bracketed host and port', () => {
    expect(parseJumpSpec('u@h:2')).toEqual({ user: 'u', host: 'h', port: 2 });
    expect(parseJumpSpec('ssh://h')).toEqual({ user: undefined, host: 'h', port: undefined });
    expect(parseJumpSpec('[::1]:22')).toEqual({ user: undefined, host: '::1', port: 22 });
  });
});
