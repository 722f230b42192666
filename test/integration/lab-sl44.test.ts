// The sl44 lab flavor over real SSH: hosts answer like the howto's Scientific Linux 4.4 server
// (files, uname, no Python, rpm/yum, chkconfig/service, SELinux, LVM, iptables 1.2.11, the
// Xen tarball's build and install, mkinitrd, reboots into Xen, xm), all SIMULATED on this
// kernel. Per-host hardware overrides make the howto's requirement checks fail.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hostShell, labHostVars, startLab, type Lab } from '../lab/lab.js';
import { openTransport } from '../../src/transport/open.js';
import type { ExecResult, Transport } from '../../src/transport/types.js';

vi.setConfig({ testTimeout: 40_000, hookTimeout: 60_000 });
const run = promisify(execFile);
const cfg = { hostKeyChecking: true, timeoutS: 10 };
const HERE = path.dirname(new URL(import.meta.url).pathname);
let lab: Lab;
let tarball: Buffer;
const conns = new Map<number, Transport>();

beforeAll(async () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'rackplay-xen-tgz-'));
  await run('sh', [path.join(HERE, '../lab/sim/make-xen-tarball.sh'), tmp]);
  tarball = readFileSync(path.join(tmp, 'xen-3.0.4_1-src.tgz'));
  rmSync(tmp, { recursive: true, force: true });
  lab = await startLab({
    count: 3,
    flavor: 'sl44',
    dir: path.join(os.tmpdir(), `rackplay-lab-sl44-${process.pid}`),
    namePrefix: 'sl',
    hostOverrides: { sl02: { withoutCpuFlags: ['vmx'], memMb: 384 }, sl03: { arch: 'i686' } },
  });
});
afterAll(async () => {
  await Promise.all([...conns.values()].map((t) => t.close().catch(() => undefined)));
  await lab?.stop();
});

async function conn(i: number): Promise<Transport> {
  let t = conns.get(i);
  if (!t) {
    t = await openTransport(lab.hosts[i].name, labHostVars(lab, lab.hosts[i]), cfg);
    conns.set(i, t);
  }
  return t;
}
async function sh(i: number, cmd: string): Promise<ExecResult> {
  return (await conn(i)).exec(cmd);
}

/** Reboots host i with `shutdown -r +0` and waits until it answers over SSH with a new boot_id. */
async function rebootAndWait(i: number): Promise<{ downMs: number; sawDown: boolean }> {
  const before = (await sh(i, 'cat /proc/sys/kernel/random/boot_id')).stdout.trim();
  await sh(i, 'nohup shutdown -r +0 "rackplay test" >/dev/null 2>&1 &');
  const t0 = Date.now();
  await conns.get(i)!.close().catch(() => undefined);
  conns.delete(i);
  let sawDown = false;
  for (;;) {
    if (Date.now() - t0 > 20_000) throw new Error(`host ${lab.hosts[i].name} did not come back within 20 s`);
    await new Promise((r) => setTimeout(r, 300));
    try {
      const t = await openTransport(lab.hosts[i].name, labHostVars(lab, lab.hosts[i]), { ...cfg, timeoutS: 2 });
      const id = (await t.exec('cat /proc/sys/kernel/random/boot_id')).stdout.trim();
      if (id && id !== before) {
        conns.set(i, t);
        return { downMs: Date.now() - t0, sawDown };
      }
      await t.close();
    } catch {
      sawDown = true;
    }
  }
}

const XEN_DEPS = 'bridge-utils gcc openssl-devel xorg-x11-devel ncurses-devel python-devel SDL-devel';

async function installXen(i: number): Promise<void> {
  await (await conn(i)).put('/root/xen-3.0.4_1-src.tgz', tarball);
  const r = await sh(i, `yum -d 0 -e 0 -y install ${XEN_DEPS} && cd /root && tar xzf xen-3.0.4_1-src.tgz && cd xen-3.0.4_1-src && make world >/dev/null && make install >/dev/null && /sbin/mkinitrd /boot/initrd-2.6.16.33-xen.img 2.6.16.33-xen`);
  expect(r.stderr).toBe('');
  expect(r.rc).toBe(0);
}

const XEN_GRUB_ENTRY = ['title XEN', '\troot (hd0,0)', '\tkernel /xen-3.0.gz', '\tmodule /vmlinuz-2.6.16.33-xen ro root=/dev/VolGroup00/LogVol00 rhgb quiet', '\tmodule /initrd-2.6.16.33-xen.img', ''].join('\n');

describe('sl44 lab host identity', () => {
  it('has SL4.4 release files, grub.conf with anaconda symlinks, SysV dirs and SELinux config', async () => {
    const r = await sh(0, 'cat /etc/redhat-release; readlink /boot/grub/menu.lst /etc/grub.conf /etc/init.d /etc/sysconfig/selinux; grep -c "^title" /boot/grub/grub.conf; grep "^SELINUX=" /etc/selinux/config; test -e /etc/debian_version; echo debian=$?; test -e /boot/xen-3.0.gz; echo xen=$?');
    expect(r.stdout).toBe(['Scientific Linux SL release 4.4 (Beryllium)', './grub.conf', '../boot/grub/grub.conf', 'rc.d/init.d', '../selinux/config', '2', 'SELINUX=enforcing', 'debian=1', 'xen=1', ''].join('\n'));
    const grub = await sh(0, 'cat /etc/grub.conf');
    expect(grub.stdout).toContain('title Scientific Linux SL (2.6.9-42.ELsmp)\n\troot (hd0,0)\n\tkernel /vmlinuz-2.6.9-42.ELsmp ro root=/dev/VolGroup00/LogVol00 rhgb quiet\n\tinitrd /initrd-2.6.9-42.ELsmp.img\n');
  });

  it('runs no Python script but answers python -V like SL4', async () => {
    const py3 = await sh(0, 'python3 -c 1; echo rc=$?; /usr/bin/python3 -c "print(1)"; echo rc=$?');
    expect(py3.stdout).toBe('rc=127\nrc=127\n');
    expect(py3.stderr).toContain('python: SIMULATION — SL4.4 has Python 2.3, rackplay uses none');
    const py = await sh(0, 'python -V; echo rc=$?; python -c "print 1"; echo rc=$?');
    expect(py.stdout).toBe('rc=0\nrc=127\n');
    expect(py.stderr.split('\n')[0]).toBe('Python 2.3.4');
  });

  it('hides what SL4.4 lacks (newer coreutils, systemd, apt) without touching the machine', async () => {
    const r = await sh(0, 'for t in sha256sum base64 timeout systemctl apt-get; do command -v $t >/dev/null 2>&1 && echo "has $t"; done; sha1sum /etc/redhat-release | cut -c1-40; md5sum /etc/redhat-release | cut -c1-32');
    expect(r.stdout).toMatch(/^[0-9a-f]{40}\n[0-9a-f]{32}\n$/);
    expect(existsSync('/usr/bin/sha256sum')).toBe(true);
  });

  it('refuses hardware overrides for hosts the lab does not have', async () => {
    await expect(startLab({ count: 1, flavor: 'sl44', dir: path.join(os.tmpdir(), `rackplay-lab-sl44-bad-${process.pid}`), hostOverrides: { node09: { arch: 'i686' } } })).rejects.toThrow(/node09/);
  });

  it('answers uname like the SL4 kernel on x86_64, and i686 for a 32-bit host', async () => {
    const a = await sh(0, 'uname -r; uname -m; uname -s; uname -n; /bin/uname -sr; uname -a; getconf LONG_BIT');
    const lines = a.stdout.split('\n');
    expect(lines.slice(0, 5)).toEqual(['2.6.9-42.ELsmp', 'x86_64', 'Linux', 'sl01', 'Linux 2.6.9-42.ELsmp']);
    expect(lines[5]).toMatch(/^Linux sl01 2\.6\.9-42\.ELsmp #1 SMP .+ x86_64 x86_64 x86_64 GNU\/Linux$/);
    expect(lines[6]).toBe('64');
    const b = await sh(2, 'uname -m; uname -i; getconf LONG_BIT; grep -cw lm /proc/cpuinfo; rpm -q --qf "%{ARCH}\\n" bash');
    expect(b.stdout).toBe('i686\ni386\n32\n0\ni386\n');
  });

  it('shows a Xeon 3040 in /proc/cpuinfo and the overridden CPU flags and RAM per host', async () => {
    const a = await sh(0, 'grep -c ^processor /proc/cpuinfo; grep -m1 "model name" /proc/cpuinfo; grep -m1 ^flags /proc/cpuinfo; grep MemTotal /proc/meminfo');
    const [n, model, flags, mem] = a.stdout.trim().split('\n');
    expect(n).toBe('2');
    expect(model).toContain('Xeon(R) CPU            3040  @ 1.86GHz');
    expect(flags.split(/\s+/)).toEqual(expect.arrayContaining(['vmx', 'lm']));
    const kb = Number(/(\d+) kB/.exec(mem)![1]);
    expect(kb).toBeGreaterThan(1900 * 1024);
    expect(kb).toBeLessThanOrEqual(2048 * 1024);
    const b = await sh(1, 'grep -m1 ^flags /proc/cpuinfo; grep MemTotal /proc/meminfo');
    expect(b.stdout.split('\n')[0].split(/\s+/)).not.toContain('vmx');
    expect(b.stdout.split('\n')[0].split(/\s+/)).toContain('lm');
    expect(Number(/MemTotal:\s+(\d+) kB/.exec(b.stdout)![1])).toBeLessThan(384 * 1024);
    // The machine's own /proc is untouched.
    expect(readFileSync('/proc/cpuinfo', 'utf8')).not.toContain('Xeon(R) CPU            3040');
  });
});

describe('sl44 packages and services', () => {
  it('installs with yum into the rpm database once; rpm -q counts what is missing', async () => {
    const missing = await sh(1, 'rpm -q bridge-utils gcc bash');
    expect(missing.stdout).toMatch(/^package bridge-utils is not installed\npackage gcc is not installed\nbash-3\.0-19\.3\n$/);
    expect(missing.rc).toBe(2);
    const first = await sh(1, 'yum -y install bridge-utils');
    expect(first.rc).toBe(0);
    expect(first.stdout).toMatch(/Installed: bridge-utils\.x86_64 0:1\.0\.4-4\nComplete!/);
    const q = await sh(1, "rpm -q --qf '%{NAME} %{VERSION}-%{RELEASE}\\n' bridge-utils");
    expect(q).toMatchObject({ rc: 0, stdout: 'bridge-utils 1.0.4-4\n' });
    const before = (await sh(1, 'rpm -qa | sort')).stdout;
    const again = await sh(1, 'yum -y install bridge-utils');
    expect(again.stdout).toContain('already installed and latest version');
    expect(again.stdout).toContain('Nothing to do');
    expect((await sh(1, 'rpm -qa | sort')).stdout).toBe(before);
    const upd = await sh(1, 'yum check-update');
    expect(upd.rc).toBe(100);
    expect(upd.stdout).toMatch(/^openssh-server\.x86_64\s+3\.9p1-8\.RHEL4\.17\s+sl-errata$/m);
    const rm = await sh(1, 'yum -y remove bridge-utils >/dev/null; rpm -q bridge-utils');
    expect(rm.rc).toBe(1);
  });

  it('keeps chkconfig levels as rc.d links and answers service status with SL4 codes', async () => {
    const list = await sh(1, 'chkconfig --list sshd');
    expect(list.stdout).toBe('sshd           \t0:off\t1:off\t2:on\t3:on\t4:on\t5:on\t6:off\n');
    const off = await sh(1, 'chkconfig --level 345 iptables off; chkconfig --list iptables; ls /etc/rc.d/rc3.d | grep iptables; chkconfig iptables; echo rc=$?');
    expect(off.stdout).toBe('iptables       \t0:off\t1:off\t2:on\t3:off\t4:off\t5:off\t6:off\nK92iptables\nrc=1\n');
    expect((await sh(1, 'chkconfig iptables on; chkconfig iptables; echo rc=$?')).stdout).toBe('rc=0\n');
    expect((await sh(1, 'chkconfig --list nosuch')).rc).toBe(1);
    const running = await sh(1, 'service iptables status');
    expect(running.rc).toBe(0);
    expect(running.stdout).toMatch(/^Table: filter\nChain INPUT \(policy ACCEPT\)/);
    const stopped = await sh(1, 'service iptables stop >/dev/null; service iptables status');
    expect(stopped).toMatchObject({ rc: 3, stdout: 'Firewall is stopped.\n' });
    expect((await sh(1, 'service iptables start')).stdout).toMatch(/Applying iptables firewall rules: \[  OK  \]/);
    const sshd = await sh(1, 'service sshd status');
    expect(sshd.stdout).toMatch(/^sshd \(pid \d+\) is running\.\.\.$/m);
    const bogus = await sh(1, 'service nosuch status');
    expect(bogus.rc).toBe(1);
    expect(bogus.stdout).toBe('nosuch: unrecognized service\n');
  });

  it('has SELinux enforcing at boot, setenforce switches until reboot', async () => {
    expect((await sh(2, 'getenforce; selinuxenabled; echo rc=$?')).stdout).toBe('Enforcing\nrc=0\n');
    expect((await sh(2, 'setenforce 0; getenforce')).stdout).toBe('Permissive\n');
    expect((await sh(2, 'setenforce bogus')).rc).toBe(1);
  });

  it('creates, lists and removes logical volumes in vg0 as sparse files', async () => {
    const mk = await sh(1, 'lvcreate -n guest1 -L 10G vg0');
    expect(mk).toMatchObject({ rc: 0, stdout: '  Logical volume "guest1" created\n' });
    const lvs = await sh(1, "lvs --noheadings --nosuffix --units m --separator ';' -o lv_name,vg_name,lv_size,origin,lv_attr vg0");
    expect(lvs.stdout).toBe('  guest1;vg0;10240.00;;-wi-a-\n');
    const vgs = await sh(1, "vgs --noheadings --nosuffix --units g --separator , -o vg_name,vg_size,vg_free,vg_extent_size vg0");
    expect(vgs.stdout).toBe('  vg0,40.00,30.00,0.00\n');
    const dev = await sh(1, 'stat -c "%s %b" /dev/vg0/guest1; dd if=/dev/zero of=/dev/vg0/guest1 bs=1M count=1 conv=notrunc 2>/dev/null; echo dd=$?');
    const [size, blocks] = dev.stdout.split('\n')[0].split(' ').map(Number);
    expect(size).toBe(10 * 1024 ** 3);
    expect(blocks).toBeLessThan(64);
    expect(dev.stdout).toContain('dd=0');
    const dup = await sh(1, 'lvcreate -n guest1 -L 1G vg0');
    expect(dup.rc).toBe(5);
    expect(dup.stderr).toContain('"guest1" already exists in volume group "vg0"');
    expect((await sh(1, 'lvcreate -n huge -L 100G vg0')).stderr).toMatch(/Insufficient free extents \(7680\) in volume group vg0: 25600 required/);
    const rest = await sh(1, 'lvcreate -n rest -l 100%FREE vg0 >/dev/null; vgs --noheadings --nosuffix --units m --separator , -o vg_free_count vg0; lvremove -f vg0/rest /dev/vg0/guest1; test -e /dev/vg0/guest1; echo gone=$?');
    expect(rest.stdout).toBe('  0\n  Logical volume "rest" successfully removed\n  Logical volume "guest1" successfully removed\ngone=1\n');
  });

  it('keeps iptables rules the way iptables-save 1.2.11 prints them, without -C', async () => {
    const add = await sh(2, 'iptables -A INPUT -p tcp --dport 3389 -j ACCEPT && iptables -P FORWARD ACCEPT && iptables-save');
    expect(add.rc).toBe(0);
    const lines = add.stdout.split('\n');
    expect(lines[0]).toMatch(/^# Generated by iptables-save v1\.2\.11 on \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$/);
    expect(lines.slice(1, 5)).toEqual(['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]']);
    expect(add.stdout).toContain('-A INPUT -j RH-Firewall-1-INPUT\n-A INPUT -p tcp -m tcp --dport 3389 -j ACCEPT\n');
    expect(add.stdout).toContain('-A RH-Firewall-1-INPUT -p tcp -m state --state NEW -m tcp --dport 22 -j ACCEPT\n');
    expect(add.stdout).toMatch(/\nCOMMIT\n# Completed on .+\n$/);
    const check = await sh(2, 'iptables -C INPUT -p tcp --dport 3389 -j ACCEPT');
    expect(check.rc).toBe(2);
    expect(check.stderr).toMatch(/^iptables v1\.2\.11: /);
    const addr = await sh(2, 'iptables -A INPUT -s 10.1.2.3/8 -d 10.9.9.9 -p udp --sport 53 -j DROP && iptables-save | grep -- "--sport 53"');
    expect(addr.stdout).toBe('-A INPUT -s 10.0.0.0/8 -d 10.9.9.9/32 -p udp -m udp --sport 53 -j DROP\n');
    const del = await sh(2, 'iptables -D INPUT -p tcp -m tcp --dport 3389 -j ACCEPT && iptables-save -t filter | grep -c 3389');
    expect(del.stdout).toBe('0\n');
    expect((await sh(2, 'iptables -D INPUT -p tcp --dport 3389 -j ACCEPT')).rc).toBe(1);
  });
});

describe('sl44 Xen install and reboot', () => {
  it('refuses to build Xen without the build dependencies', async () => {
    await (await conn(0)).put('/root/xen-3.0.4_1-src.tgz', tarball);
    const r = await sh(0, 'cd /root && tar xzf xen-3.0.4_1-src.tgz && cd xen-3.0.4_1-src && make world');
    expect(r.rc).not.toBe(0);
    expect(r.stdout).toContain('gcc: Command not found');
    expect((await sh(0, 'rm -rf /root/xen-3.0.4_1-src; test -e /boot/xen-3.0.gz; echo $?')).stdout).toBe('1\n');
  });

  it('builds and installs the tarball, mkinitrd makes the image, xm needs the Xen kernel', async () => {
    await Promise.all([installXen(0), installXen(1)]);
    const files = await sh(0, 'ls /boot/xen-3.0.gz /boot/vmlinuz-2.6.16.33-xen /boot/initrd-2.6.16.33-xen.img /usr/lib/xen/boot/hvmloader /usr/sbin/xm /etc/init.d/xend /etc/init.d/xendomains; test -d /etc/xen/auto && echo auto');
    expect(files.rc).toBe(0);
    expect(files.stdout).toContain('auto');
    // /usr is an overlay private to the host: the machine's /usr never sees the install.
    expect(existsSync('/usr/lib/xen/boot/hvmloader')).toBe(false);
    const tools = await sh(0, 'rm /usr/lib/xen/boot/hvmloader && cd /root/xen-3.0.4_1-src/tools && make >/dev/null && make install >/dev/null && test -f /usr/lib/xen/boot/hvmloader && echo back');
    expect(tools.stdout).toBe('back\n');
    const mk = await sh(0, 'mkinitrd /boot/initrd-2.6.16.33-xen.img 2.6.16.33-xen; echo rc=$?; mkinitrd /boot/x.img 2.6.99; echo rc=$?');
    expect(mk.stdout).toBe('rc=1\nrc=1\n');
    expect(mk.stderr).toBe('/boot/initrd-2.6.16.33-xen.img already exists.\nNo modules available for kernel "2.6.99".\n');
    const xm = await sh(0, 'xm list');
    expect(xm.rc).toBe(1);
    expect(xm.stderr).toContain('Is xend running?');
  });

  it('reboots into Xen from grub default=, starts xend and the auto domains, and xm manages guests', async () => {
    const setup = [
      `printf '%s' '${XEN_GRUB_ENTRY}' >> /boot/grub/grub.conf`,
      "sed -i 's/^default=0/default=2/' /boot/grub/grub.conf",
      '/sbin/chkconfig --level 345 xend on',
      '/sbin/chkconfig --level 345 xendomains on',
      'lvcreate -n w2k3 -L 10G vg0 >/dev/null',
      'mkdir -p /images && dd if=/dev/zero of=/images/winccs2003.iso bs=1k count=4 2>/dev/null',
      `printf '%s\\n' 'kernel = "/usr/lib/xen/boot/hvmloader"' "builder = 'hvm'" 'memory = 512' 'name = "w2k3"' 'vcpus = 1' "disk = [ 'phy:/dev/vg0/w2k3,ioemu:hda,w', 'file:/images/winccs2003.iso,hdc:cdrom,r' ]" 'sdl = 0' 'vnc = 1' > /etc/xen/w2k3.hvm`,
      `printf '%s\\n' 'kernel = "/boot/vmlinuz-2.6.16.33-xen"' 'memory = 256' 'name = "pv1"' > /etc/xen/pv1`,
      'ln -s /etc/xen/w2k3.hvm /etc/xen/auto/w2k3',
    ].join(' && ');
    const s = await sh(0, setup);
    expect(s.stderr).toBe('');
    expect(s.rc).toBe(0);
    // Same on the host without vmx and with 384 MiB, minus the auto domain.
    expect((await sh(1, setup.replace(' && ln -s /etc/xen/w2k3.hvm /etc/xen/auto/w2k3', '').replace('lvcreate -n w2k3 -L 10G vg0 >/dev/null', 'lvcreate -n w2k3 -L 1G vg0 >/dev/null'))).rc).toBe(0);
    const [r0] = await Promise.all([rebootAndWait(0), rebootAndWait(1)]);
    // It went away for a while (a connect failed) before coming back with a new boot id.
    expect(r0.sawDown).toBe(true);
    const up = await sh(0, 'uname -r; cat /proc/cmdline; service xend status; echo rc=$?; chkconfig --list xendomains');
    expect(up.stdout).toMatch(/^2\.6\.16\.33-xen\nro root=\/dev\/VolGroup00\/LogVol00 rhgb quiet\nxend \(pid \d+\) is running\.\.\.\nrc=0\nxendomains     \t0:off\t1:off\t2:off\t3:on\t4:on\t5:on\t6:off\n$/);
    const list = await sh(0, 'xm list');
    expect(list.rc).toBe(0);
    const rows = list.stdout.split('\n');
    expect(rows[0]).toBe('Name                                      ID Mem(MiB) VCPUs State   Time(s)');
    expect(rows[1]).toMatch(/^Domain-0 {35}0 +\d+ +2 r----- +\d+\.\d$/);
    expect(rows[2]).toMatch(/^w2k3 {39}1 +512 +1 -b---- +\d+\.\d$/);
    const pv = await sh(0, 'xm create pv1; echo rc=$?; xm list pv1 | tail -1; xm create /etc/xen/w2k3.hvm; echo rc=$?');
    expect(pv.stdout).toMatch(/^Using config file "\/etc\/xen\/pv1"\.\nStarted domain pv1\nrc=0\npv1 {40}2 +256 +1 -b---- /);
    expect(pv.stderr).toContain("Error: Domain 'w2k3' already exists with ID '1'");
    const down = await sh(0, 'xm shutdown -w pv1; xm list pv1; echo rc=$?');
    expect(down.stdout).toContain('rc=1');
    expect(down.stderr).toContain("Error: Domain 'pv1' does not exist.");
    // The host without VT cannot start an HVM guest, and 384 MiB leave no room for 256 MiB.
    const novmx = await sh(1, 'uname -r; xm create /etc/xen/w2k3.hvm; echo rc=$?; xm create /etc/xen/pv1; echo rc=$?');
    expect(novmx.stdout).toMatch(/^2\.6\.16\.33-xen\n[\s\S]*rc=1\n[\s\S]*rc=1\n$/);
    expect(novmx.stderr).toContain('Error: HVM guest support is unavailable: is VT/AMD-V supported by your CPU and enabled in your BIOS?');
    expect(novmx.stderr).toMatch(/Error: I need 262144 KiB, but dom0_min_mem is 262144/);
    // The lab can still reach the host's namespace after its reboots.
    expect((await hostShell(lab.hosts[0], 'uname -r')).stdout).toBe('2.6.16.33-xen\n');
  });

  it('boots back into the SL kernel when grub default= says so, and SELinux follows its config', async () => {
    await sh(2, "sed -i 's/^SELINUX=.*/SELINUX=disabled/' /etc/selinux/config");
    await rebootAndWait(2);
    const r = await sh(2, 'uname -r; getenforce; setenforce 1; echo rc=$?; iptables-save | grep -c 3389');
    expect(r.stdout).toBe('2.6.9-42.ELsmp\nDisabled\nrc=1\n0\n');
    expect(r.stderr).toBe('setenforce: SELinux is disabled\n');
  });
});
