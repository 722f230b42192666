// The six roles against the sl44 lab: hosts that answer like the howto's Scientific Linux
// 4.4 server (simulated rpm/yum, chkconfig/service, SELinux, LVM, iptables, xm, mkinitrd
// and reboot; see test/lab/flavors/sl44.ts). Converge, then a second run and a --check run
// change nothing; requirement failures stay on their host; --tags iptables touches only
// the firewall; the GRUB entry is added once; the reboot into Xen goes through.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRecap, repoRoot, runRackplay } from '../helpers/cli.js';
import { hostShell, labHostVars, startLab, type Lab } from '../lab/lab.js';

const simDir = path.join(repoRoot, 'test/lab/sim');
const tarballScript = path.join(simDir, 'make-xen-tarball.sh');
// The sl44 flavor lands in pieces; these roles need its Xen part (xm and the simulated
// source tarball) as well as being root for the lab's namespaces.
const sl44Ready = process.getuid?.() === 0 && existsSync(tarballScript) && existsSync(path.join(simDir, 'xen'));
const notReady = 'the sl44 lab flavor with its Xen simulation (test/lab/sim/make-xen-tarball.sh, xm) is not available';

const work = mkdtempSync(path.join(tmpdir(), 'rackplay-roles-lab-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const guests = [
  { name: 'ccs01', lv: 'w2k3', memory: 512, phase: 'installed', display: 'vnc', autostart: true },
  { name: 'ccs02', memory: 512, phase: 'install', display: 'vnc', state: 'shutdown' },
];

function varsFile(extra: Record<string, unknown> = {}): string {
  const tarball = path.join(work, 'xen-3.0.4_1-src.tgz');
  if (!existsSync(tarball)) execFileSync('sh', [tarballScript, work]);
  const sha256 = createHash('sha256').update(readFileSync(tarball)).digest('hex');
  const file = path.join(work, `vars-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      xen_source_tarball: tarball,
      xen_source_sha256: sha256,
      xen_vg: 'vg0',
      xen_vg_pvs: ['/dev/sda3'],
      xen_default_boot: true,
      xen_allow_reboot: true,
      lvm_guests_backup_lv: 'backup',
      lvm_guests_iso_source: '/dev/cdrom',
      xen_guests: guests,
      ...extra,
    }),
  );
  return file;
}

/** The lab's hosts as the group xen_hosts, which the playbooks target. */
function rackInventory(lab: Lab): string {
  const file = path.join(lab.dir, 'xen-hosts.json');
  const hosts = Object.fromEntries(lab.hosts.map((h) => [h.name, labHostVars(lab, h)]));
  writeFileSync(file, JSON.stringify({ all: { children: { xen_hosts: { hosts } } } }));
  return file;
}

async function site(lab: Lab, args: string[] = []) {
  return runRackplay(['playbooks/site.yml', '-i', rackInventory(lab), '-e', `@${varsFile()}`, ...args], { cwd: repoRoot, timeoutMs: 600_000 });
}

describe.skipIf(!sl44Ready)(`the roles on a 2-host sl44 lab (skipped when ${notReady})`, () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab({ count: 2, flavor: 'sl44', dir: path.join(work, 'lab2') });
  });
  afterAll(async () => lab?.stop());

  it('--tags iptables writes only the firewall', async () => {
    const grubBefore = (await hostShell(lab.hosts[0], 'cat /boot/grub/grub.conf')).stdout;
    const r = await site(lab, ['--tags', 'iptables']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const rules = (await hostShell(lab.hosts[0], 'cat /etc/sysconfig/iptables')).stdout;
    const input = rules.split('\n').filter((l) => l.startsWith('-A INPUT'));
    expect(input[0]).toContain('--dport 22 -j ACCEPT');
    expect(rules).toContain('--dport 3389 -j ACCEPT');
    expect(rules).toContain(':FORWARD ACCEPT');
    expect((await hostShell(lab.hosts[0], 'cat /boot/grub/grub.conf')).stdout).toBe(grubBefore);
    expect((await hostShell(lab.hosts[0], 'test -e /usr/src/xen-3.0.4_1-src.tgz')).rc).not.toBe(0);
    expect(r.stdout).not.toMatch(/TASK \[(sl44-base|xen-3\.0\.4-source|xen-kernel|lvm-guests|ccs-hvm) : (?!Require|Reject)/);
  });

  it('converges, reboots into Xen, starts the autostart guest; a re-run and --check change nothing', async () => {
    const first = await site(lab);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    for (const h of lab.hosts) expect(parseRecap(first.stdout)[h.name].failed).toBe(0);
    expect(first.stdout).toMatch(/TASK \[xen-kernel : Reboot into the Xen kernel\][^\n]*\nchanged:/);
    for (const h of lab.hosts) {
      const grub = (await hostShell(h, 'cat /boot/grub/grub.conf')).stdout;
      expect(grub.match(/^title XEN$/gm)).toHaveLength(1);
      expect(grub).toContain('\troot (hd0,0)\n');
      const titles = grub.split('\n').filter((l) => /^\s*title\s/.test(l));
      const def = Number(/^default=(\d+)/m.exec(grub)?.[1]);
      expect(titles[def]).toBe('title XEN');
      expect((await hostShell(h, 'readlink /boot/grub/menu.lst; readlink /etc/grub.conf')).stdout).toBe('./grub.conf\n../boot/grub/grub.conf\n');
      expect((await hostShell(h, 'readlink /etc/xen/auto/ccs01')).stdout.trim()).toBe('/etc/xen/ccs01.hvm');
      expect((await hostShell(h, 'xm list')).stdout).toMatch(/^ccs01\s/m);
      expect((await hostShell(h, 'chkconfig --list xendomains')).stdout).toMatch(/3:on\s+4:on\s+5:on/);
    }
    const second = await site(lab);
    expect(second.code, second.stdout).toBe(0);
    for (const h of lab.hosts) expect(parseRecap(second.stdout)[h.name]).toMatchObject({ changed: 0, failed: 0 });
    const check = await site(lab, ['--check']);
    expect(check.code, check.stdout).toBe(0);
    for (const h of lab.hosts) expect(parseRecap(check.stdout)[h.name]).toMatchObject({ changed: 0, failed: 0 });
    const grub = (await hostShell(lab.hosts[0], 'cat /boot/grub/grub.conf')).stdout;
    expect(grub.match(/^title XEN$/gm)).toHaveLength(1);
  });
});

describe.skipIf(!sl44Ready)(`requirement failures stay on their host (skipped when ${notReady})`, () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab({
      count: 4,
      flavor: 'sl44',
      dir: path.join(work, 'lab4'),
      hostOverrides: { node02: { withoutCpuFlags: ['vmx'] }, node03: { arch: 'i686' }, node04: { memMb: 512 } },
    });
  });
  afterAll(async () => lab?.stop());

  it('no vmx, 32-bit and too little RAM each fail their host with the reason', async () => {
    const r = await site(lab, ['--tags', 'sl44-base']);
    expect(r.code).toBe(2);
    const recap = parseRecap(r.stdout);
    expect(recap.node01).toMatchObject({ failed: 0, unreachable: 0 });
    for (const h of ['node02', 'node03', 'node04']) expect(recap[h].failed).toBe(1);
    expect(r.stdout).toContain("node02's CPU shows neither the vmx (Intel VT) nor the svm (AMD-V)");
    expect(r.stdout).toContain('enable VT in the BIOS');
    // Ansible (and rackplay) report i686 as ansible_architecture i386.
    expect(r.stdout).toContain('node03 is i386, not x86_64');
    expect(r.stdout).toContain('Attempting to load an x64 operating system');
    expect(r.stdout).toMatch(/node04 has \d+ MB of RAM; it needs 768 MB: 256 MB for dom0 \+\s+2 guest\(s\) x 256 MB/);
  });
});
