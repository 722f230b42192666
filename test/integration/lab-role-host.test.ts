// The role-host lab flavor (test/lab/flavors/role-host.ts): what it promises the public
// roles' converge, checked on a real host: systemd runs, apt installs from the local
// repository only, the host lives in a network namespace of its own reached over a veth
// pair (removed on stop), it cannot set the clock, /proc/sys is read-only but for the
// SIMULATED entries, and swapon/swapoff are the SIMULATED stand-ins.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildRepo, haveRepoTools } from '../helpers/apt-repo.js';
import { hostShell, startLab, type Lab } from '../lab/lab.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const isRoot = process.getuid?.() === 0;
const canBuild = await haveRepoTools();
const haveIp = spawnSync('ip', ['-V']).status === 0;
const work = mkdtempSync(path.join(os.tmpdir(), 'rp-role-host-'));
let lab: Lab | undefined;

/** A command on the host over SSH (its network namespace, as the roles see it). */
function ssh(command: string): { code: number; out: string } {
  const r = spawnSync('ssh', ['-F', lab!.sshConfigPath, lab!.hosts[0].name, command], { encoding: 'utf8' });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

describe.skipIf(!isRoot || !canBuild || !haveIp)('lab flavor role-host (needs root, dpkg-dev, iproute2)', () => {
  beforeAll(async () => {
    const repo = path.join(work, 'repo');
    await buildRepo(path.join(work, 'build'), repo);
    lab = await startLab({ count: 1, flavor: 'role-host', dir: path.join(work, 'lab'), aptRepo: repo });
  });
  afterAll(async () => {
    await lab?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('is reached over its own veth address, with no route out', () => {
    const h = lab!.hosts[0];
    expect(h.address).toMatch(/^10\.213\.\d+\.2$/);
    const r = ssh('ip -4 route; ip -o -4 addr show eth0');
    expect(r.code, r.out).toBe(0);
    expect(r.out).not.toMatch(/^default/m);
    expect(r.out).toContain(`inet ${h.address}/30`);
    // its sshd (the unit Debian names ssh) listens in the host's namespace, not the machine's
    expect(ssh('systemctl is-active ssh').out.trim()).toBe('active');
    expect(spawnSync('ss', ['-ltnH'], { encoding: 'utf8' }).stdout).not.toContain(h.address);
  });

  it('installs from the local repository with its own apt', () => {
    expect(readFileSync(path.join(lab!.hosts[0].root, 'etc/apt/sources.list'), 'utf8')).toBe('deb [trusted=yes] file:/srv/rackplay-debs ./\n');
    const r = ssh('apt-get update -q >/dev/null 2>&1; apt-get install -y -q rp-app >/dev/null 2>&1; dpkg-query -W -f "\\${Status} \\${Version}" rp-app');
    expect(r.out).toBe('install ok installed 1.0-1');
    expect(spawnSync('dpkg-query', ['-W', 'rp-app']).status).not.toBe(0);
  });

  it('has no CAP_SYS_TIME and a read-only /proc/sys but for the simulated vm.swappiness', () => {
    const bnd = /CapBnd:\s+([0-9a-f]+)/.exec(ssh('grep CapBnd /proc/self/status').out)![1];
    expect((BigInt('0x' + bnd) >> 25n) & 1n).toBe(0n);
    expect(ssh('sysctl -w kernel.domainname=x').code).not.toBe(0);
    const machine = readFileSync('/proc/sys/vm/swappiness', 'utf8').trim();
    const other = machine === '17' ? '18' : '17';
    expect(ssh(`sysctl -w vm.swappiness=${other} && sysctl -n vm.swappiness`).out).toContain(`\n${other}`);
    expect(readFileSync('/proc/sys/vm/swappiness', 'utf8').trim()).toBe(machine);
  });

  it('swapon/swapoff are SIMULATION stand-ins that check mkswap\'s signature', async () => {
    const before = readFileSync('/proc/swaps', 'utf8');
    expect((await hostShell(lab!.hosts[0], 'head -3 /usr/sbin/swapon')).stdout).toContain('SIMULATION for the rackplay lab');
    expect(ssh('dd if=/dev/zero of=/swapfile bs=1M count=1 2>/dev/null; swapon /swapfile').code).not.toBe(0);
    expect(ssh('mkswap /swapfile >/dev/null && swapon /swapfile && swapon --show').out).toContain('/swapfile');
    expect(ssh('swapoff /swapfile && swapon --show').out).not.toContain('/swapfile');
    expect(readFileSync('/proc/swaps', 'utf8')).toBe(before);
  });

  it('removes its network namespace and veth pair when it stops', async () => {
    const [, , s, k] = lab!.hosts[0].address.split('.');
    await lab!.stop();
    lab = undefined;
    expect(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout).not.toContain(`rplab-${s}-${k}`);
    expect(spawnSync('ip', ['link', 'show', `rpv${s}-${k}`]).status).not.toBe(0);
  });
});
