// Host key checking against real sshd host keys: fingerprints come from ssh-keygen, not
// from our own code, so a wrong hash or format fails here.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { labHostVars, startLab, type Lab, type LabHost } from '../lab/lab.js';
import { openTransport } from '../../src/transport/open.js';
import { UnreachableError, type Transport } from '../../src/transport/types.js';

vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });
const run = promisify(execFile);

let lab: Lab;
const opened: Transport[] = [];
const cfg = { hostKeyChecking: true, timeoutS: 10 };

function hostPub(h: LabHost): string {
  return path.join(h.root, 'etc/ssh/ssh_host_ed25519_key.pub');
}
async function fingerprint(h: LabHost): Promise<string> {
  const { stdout } = await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', hostPub(h)], { encoding: 'utf8' });
  return stdout.split(/\s+/)[1];
}
async function keyLine(h: LabHost): Promise<string> {
  return (await readFile(hostPub(h), 'utf8')).trim().split(/\s+/).slice(0, 2).join(' ');
}
function varsWith(h: LabHost, knownHosts: string, extra = ''): Record<string, unknown> {
  return { ...labHostVars(lab, h), ansible_ssh_common_args: `-o UserKnownHostsFile=${knownHosts} -o GlobalKnownHostsFile=/dev/null ${extra}` };
}
async function tryOpen(h: LabHost, vars: Record<string, unknown>, hostKeyChecking = true): Promise<Transport> {
  const t = await openTransport(h.name, vars, { ...cfg, hostKeyChecking });
  opened.push(t);
  return t;
}

beforeAll(async () => {
  lab = await startLab({ count: 2, dir: path.join(os.tmpdir(), `rackplay-lab-hostkeys-${process.pid}`) });
});
afterAll(async () => {
  await Promise.all(opened.map((t) => t.close()));
  await lab?.stop();
});

describe('host key checking', () => {
  it('accepts the key listed in known_hosts', async () => {
    const t = await tryOpen(lab.hosts[0], labHostVars(lab, lab.hosts[0]));
    expect((await t.exec('hostname')).stdout.trim()).toBe(lab.hosts[0].name);
  });

  it('refuses a changed key, naming the file and the server key fingerprint', async () => {
    const [a, b] = lab.hosts;
    const file = path.join(lab.dir, 'known_hosts.wrong');
    await writeFile(file, `${a.address} ${await keyLine(b)}\n`);
    const err = await tryOpen(a, varsWith(a, file)).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(UnreachableError);
    expect(err!.message).toContain(file);
    expect(err!.message).toContain(await fingerprint(a));
    expect(err!.message).toMatch(/changed/);
  });

  it('refuses an unknown host, naming the file and the fingerprint', async () => {
    const a = lab.hosts[0];
    const file = path.join(lab.dir, 'known_hosts.empty');
    await writeFile(file, '');
    const err = await tryOpen(a, varsWith(a, file)).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(UnreachableError);
    expect(err!.message).toContain(file);
    expect(err!.message).toContain(await fingerprint(a));
  });

  it('accepts any key with host_key_checking off', async () => {
    const [a, b] = lab.hosts;
    const file = path.join(lab.dir, 'known_hosts.wrong2');
    await writeFile(file, `${a.address} ${await keyLine(b)}\n`);
    const t = await tryOpen(a, varsWith(a, file), false);
    expect((await t.exec('hostname')).stdout.trim()).toBe(a.name);
    const u = await tryOpen(a, { ...varsWith(a, file), ansible_host_key_checking: false });
    expect((await u.exec('echo ok')).stdout).toBe('ok\n');
  });

  it('matches an entry hashed by ssh-keygen -H', async () => {
    const a = lab.hosts[0];
    const file = path.join(lab.dir, 'known_hosts.hashed');
    await writeFile(file, `${a.address} ${await keyLine(a)}\n`);
    await run('ssh-keygen', ['-H', '-f', file]);
    const text = await readFile(file, 'utf8');
    expect(text.startsWith('|1|')).toBe(true);
    expect(text).not.toContain(a.address);
    const t = await tryOpen(a, varsWith(a, file));
    expect((await t.exec('echo ok')).stdout).toBe('ok\n');
  });

  it('refuses a key marked @revoked even with a matching entry', async () => {
    const a = lab.hosts[0];
    const file = path.join(lab.dir, 'known_hosts.revoked');
    await writeFile(file, `${a.address} ${await keyLine(a)}\n@revoked * ${await keyLine(a)}\n`);
    await expect(tryOpen(a, varsWith(a, file))).rejects.toThrow(/revoked/);
  });

  it('records a new key with StrictHostKeyChecking=accept-new and then checks it', async () => {
    const [a, b] = lab.hosts;
    const file = path.join(lab.dir, 'known_hosts.new');
    await writeFile(file, '');
    const t = await tryOpen(a, varsWith(a, file, '-o StrictHostKeyChecking=accept-new'));
    expect((await t.exec('echo ok')).stdout).toBe('ok\n');
    expect(await readFile(file, 'utf8')).toBe(`${a.address} ${await keyLine(a)}\n`);
    // A changed key is still refused under accept-new.
    await writeFile(file, `${a.address} ${await keyLine(b)}\n`);
    await expect(tryOpen(a, varsWith(a, file, '-o StrictHostKeyChecking=accept-new'))).rejects.toBeInstanceOf(UnreachableError);
  });
});
