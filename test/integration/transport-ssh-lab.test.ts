// The lab itself: hosts are isolated from each other and from this machine, and
// stopping a lab leaves nothing behind.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hostShell, labHostVars, startLab, stopLab, type Lab } from '../lab/lab.js';
import { openTransport } from '../../src/transport/open.js';
import type { Transport } from '../../src/transport/types.js';

vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });
const cfg = { hostKeyChecking: true, timeoutS: 10 };
let lab: Lab;
const opened: Transport[] = [];

beforeAll(async () => {
  lab = await startLab({ count: 3, dir: path.join(os.tmpdir(), `rackplay-lab-lab-${process.pid}`), namePrefix: 'rack' });
});
afterAll(async () => {
  await Promise.all(opened.map((t) => t.close()));
  await lab?.stop();
});

async function open(i: number): Promise<Transport> {
  const t = await openTransport(lab.hosts[i].name, labHostVars(lab, lab.hosts[i]), cfg);
  opened.push(t);
  return t;
}

describe('lab', () => {
  it('writes an inventory, ssh_config and known_hosts for every host', async () => {
    const inv = await readFile(lab.inventoryPath, 'utf8');
    const kh = await readFile(lab.knownHostsPath, 'utf8');
    const conf = await readFile(lab.sshConfigPath, 'utf8');
    expect(lab.hosts.map((h) => h.name)).toEqual(['rack01', 'rack02', 'rack03']);
    for (const h of lab.hosts) {
      expect(inv).toContain(`    ${h.name}:\n      ansible_host: ${h.address}\n      ansible_port: ${h.port}`);
      expect(kh).toMatch(new RegExp(`^${h.address.replace(/\./g, '\\.')} ssh-ed25519 `, 'm'));
      expect(conf).toContain(`Host ${h.name}\n  HostName ${h.address}`);
    }
    expect(new Set(lab.hosts.map((h) => h.address)).size).toBe(3);
  });

  it('shows no part of a running script, nor its environment, in any argv on the host', async () => {
    const [a, watcher] = [await open(2), await open(2)];
    const token = `tok-${process.pid}-${Date.now()}`;
    const running = a.exec(`# ${token}\n: > /tmp/argv-running; sleep 1; echo "$SECRET_VALUE"`, { env: { SECRET_VALUE: `env-${token}` } });
    // what any user of the host reads, taken while the script runs
    const seen = await watcher.exec('while [ ! -e /tmp/argv-running ]; do sleep 0.05; done; for f in /proc/[0-9]*/cmdline; do tr "\\000" " " < "$f"; echo; done');
    expect((await running).stdout).toBe(`env-${token}\n`);
    expect(seen.stdout).toMatch(/^sshd/m); // the listing did read the host's processes
    expect(seen.stdout).toContain('__rp_s=$(cat');
    expect(seen.stdout.split('\n').filter((l) => l.includes('tok-') && !l.includes('/proc/[0-9]'))).toEqual([]);
  });

  it('gives each host its own hostname, files and PID space; /usr is read-only', async () => {
    const [a, b] = [await open(0), await open(1)];
    const marker = `only-on-rack01-${process.pid}`;
    await a.exec(`echo ${marker} > /root/marker; echo x > /etc/rackplay-marker`);
    expect((await a.exec('hostname; cat /root/marker')).stdout).toBe(`rack01\n${marker}\n`);
    const other = await b.exec('hostname; cat /root/marker /etc/rackplay-marker 2>&1; echo rc=$?');
    expect(other.stdout).toMatch(/^rack02\n/);
    expect(other.stdout).not.toContain(marker);
    expect(other.stdout).toMatch(/rc=1/);
    expect(existsSync('/etc/rackplay-marker')).toBe(false);
    const ro = await a.exec('touch /usr/rackplay-x 2>&1; echo rc=$?');
    expect(ro.stdout).toMatch(/Read-only file system[\s\S]*rc=1/);
    // sshd is PID 1 of the host's PID namespace: the machine's processes are not visible.
    const ps = await a.exec('ps -eo pid,args');
    expect(ps.stdout).toMatch(/^\s*1 sshd/m);
    expect(ps.stdout).not.toContain('vitest');
    const inside = await hostShell(lab.hosts[0], 'cat /root/marker');
    expect(inside.stdout.trim()).toBe(marker);
  });

  it('stops exactly its own processes and leaves no mounts or files', async () => {
    const other = await startLab({ count: 2, dir: path.join(os.tmpdir(), `rackplay-lab-lab2-${process.pid}`) });
    const pids = other.hosts.flatMap((h) => [h.pid, h.unsharePid]);
    expect(pids.every((p) => existsSync(`/proc/${p}`))).toBe(true);
    await stopLab(other.dir);
    for (let i = 0; i < 50 && pids.some((p) => existsSync(`/proc/${p}`)); i++) await new Promise((r) => setTimeout(r, 20));
    expect(pids.filter((p) => existsSync(`/proc/${p}`))).toEqual([]);
    expect(existsSync(other.dir)).toBe(false);
    expect(await readFile('/proc/self/mountinfo', 'utf8')).not.toContain(other.dir);
    // The first lab is untouched.
    expect(lab.hosts.every((h) => existsSync(`/proc/${h.pid}`))).toBe(true);
    expect((await (await open(2)).exec('hostname')).stdout).toBe('rack03\n');
  });
});
