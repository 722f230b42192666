import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryFacts, parseCpuinfo, parseLvm, parseMeminfo, parseXmList, xenFacts } from '../../src/facts/parsers/hardware.js';
import {
  ipv4Info,
  networkFacts,
  parseIfconfig,
  parseIpAddr,
  parseIpRoute,
  parseRouteN,
  prefixToNetmask,
  netmaskToPrefix,
} from '../../src/facts/parsers/network.js';
import { distributionFacts, parseUname, platformFacts } from '../../src/facts/parsers/platform.js';
import {
  cmdlineFacts,
  dateTimeFacts,
  dnsFacts,
  localFacts,
  parseEnviron,
  parseIni,
  pkgMgrFact,
  selinuxFacts,
  serviceMgrFact,
  userFacts,
} from '../../src/facts/parsers/system.js';

const FIX = join(import.meta.dirname, '../fixtures/facts');
/** A fixture without its "#rackplay-fixture:" provenance lines. */
function fx(host: 'debian12' | 'sl44', name: string): string {
  return readFileSync(join(FIX, host, `${name}.txt`), 'utf8')
    .split('\n')
    .filter((l) => !l.startsWith('#rackplay-fixture:'))
    .join('\n');
}

describe('platform and distribution', () => {
  it('reads SL4.4 uname and /etc/redhat-release as Ansible names them', () => {
    const uname = parseUname(fx('sl44', 'uname'));
    expect(platformFacts(uname, 'host.example.org\n', '64\n')).toMatchObject({
      ansible_system: 'Linux',
      ansible_kernel: '2.6.9-42.ELsmp',
      ansible_kernel_version: '#1 SMP Sat Aug 12 09:39:11 CDT 2006',
      ansible_architecture: 'x86_64',
      ansible_hostname: 'host',
      ansible_fqdn: 'host.example.org',
      ansible_domain: 'example.org',
      ansible_userspace_bits: '64',
    });
    const dist = distributionFacts({ osRelease: '', redhatRelease: fx('sl44', 'redhat_release'), debianVersion: '', lsbRelease: '', system: 'Linux' });
    expect(dist).toMatchObject({
      ansible_distribution: 'Scientific',
      ansible_distribution_version: '4.4',
      ansible_distribution_major_version: '4',
      ansible_distribution_release: 'Beryllium',
      ansible_os_family: 'RedHat',
    });
  });

  it('reads Debian 12 from os-release with the point release of /etc/debian_version', () => {
    const dv = fx('debian12', 'debian_version').trim();
    const dist = distributionFacts({ osRelease: fx('debian12', 'os_release'), redhatRelease: '', debianVersion: dv, lsbRelease: '', system: 'Linux' });
    expect(dist.ansible_distribution).toBe('Debian');
    expect(dist.ansible_os_family).toBe('Debian');
    expect(dist.ansible_distribution_release).toBe('bookworm');
    expect(dist.ansible_distribution_major_version).toBe('12');
    expect(dist.ansible_distribution_version).toBe(dv);
  });

  it.each([
    ['CentOS release 5.11 (Final)', 'CentOS', '5.11', 'Final'],
    ['Red Hat Enterprise Linux ES release 4 (Nahant Update 4)', 'RedHat', '4', 'Nahant Update 4'],
    ['Rocky Linux release 9.3 (Blue Onyx)', 'Rocky', '9.3', 'Blue Onyx'],
  ])('redhat-release %j', (line, name, version, release) => {
    const d = distributionFacts({ osRelease: '', redhatRelease: line, debianVersion: '', lsbRelease: '', system: 'Linux' });
    expect([d.ansible_distribution, d.ansible_distribution_version, d.ansible_distribution_release, d.ansible_os_family]).toEqual([name, version, release, 'RedHat']);
  });

  it('maps 32-bit x86 machines to i386 architecture', () => {
    expect(platformFacts(parseUname('Linux\nh\n2.6.9\n#1\ni686\n'), '', '32').ansible_architecture).toBe('i386');
  });
});

describe('hardware', () => {
  it('counts the Xeon 3040 as one socket with two cores, VT capable', () => {
    const cpu = parseCpuinfo(fx('sl44', 'cpuinfo'));
    expect(cpu.ansible_processor).toEqual([
      '0', 'GenuineIntel', 'Intel(R) Xeon(R) CPU            3040  @ 1.86GHz',
      '1', 'GenuineIntel', 'Intel(R) Xeon(R) CPU            3040  @ 1.86GHz',
    ]);
    expect(cpu.ansible_processor_count).toBe(1);
    expect(cpu.ansible_processor_cores).toBe(2);
    expect(cpu.ansible_processor_threads_per_core).toBe(1);
    expect(cpu.ansible_processor_vcpus).toBe(2);
    expect(cpu.rackplay_cpu_flags).toContain('lm');
    expect(cpu.rackplay_vt_capable).toBe(true);
  });

  it('reads the recorded Debian cpuinfo consistently with nproc', () => {
    const text = fx('debian12', 'cpuinfo');
    const cpu = parseCpuinfo(text, fx('debian12', 'nproc'));
    const logical = text.split('\n').filter((l) => l.startsWith('processor')).length;
    expect(cpu.ansible_processor).toHaveLength(logical * 3);
    expect(cpu.ansible_processor_vcpus).toBe(logical);
    expect(cpu.ansible_processor_nproc).toBe(Number(fx('debian12', 'nproc').trim()));
    expect(cpu.rackplay_vt_capable).toBe(cpu.rackplay_cpu_flags.includes('vmx') || cpu.rackplay_cpu_flags.includes('svm'));
  });

  it('has no VT without vmx/svm and counts CPUs without physical ids', () => {
    const cpu = parseCpuinfo('processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: Opteron\nflags\t\t: fpu lm\n\nprocessor\t: 1\nvendor_id\t: AuthenticAMD\nmodel name\t: Opteron\nflags\t\t: fpu lm\n');
    expect(cpu.rackplay_vt_capable).toBe(false);
    expect(cpu.ansible_processor_count).toBe(2);
    expect(cpu.ansible_processor_vcpus).toBe(2);
  });

  it('converts 2.6.9 meminfo to MB as Ansible (floor of kB/1024)', () => {
    const m = memoryFacts(parseMeminfo(fx('sl44', 'meminfo')));
    expect(m).toMatchObject({ ansible_memtotal_mb: 2026, ansible_memfree_mb: 127, ansible_swaptotal_mb: 2047, ansible_swapfree_mb: 2047 });
    expect(m.ansible_memory_mb).toMatchObject({ real: { total: 2026, used: 1899, free: 127 }, nocache: { free: 127 + 173 + 1321 } });
  });

  it('reads LVM2 2.02 vgs/lvs/pvs with Ansible column positions', () => {
    const lvm = parseLvm(fx('sl44', 'lvm_vgs'), fx('sl44', 'lvm_lvs'), fx('sl44', 'lvm_pvs'));
    expect(lvm.vgs.vg_xen).toEqual({ size_g: '465.75', free_g: '213.75', num_lvs: '3', num_pvs: '1' });
    expect(lvm.lvs['sl4-build']).toEqual({ size_g: '200.00', vg: 'vg_xen' });
    expect(Object.keys(lvm.lvs)).toHaveLength(5);
    expect(lvm.pvs['/dev/sdb1']).toEqual({ size_g: '465.75', free_g: '213.75', vg: 'vg_xen' });
  });

  it('reads Xen 3.0.4 xm list, including a halted domain without an ID', () => {
    const doms = parseXmList(fx('sl44', 'xm_list'));
    expect(doms.map((d) => d.name)).toEqual(['Domain-0', 'centos-web', 'sl4-build', 'winxp']);
    expect(doms[2]).toEqual({ name: 'sl4-build', id: 7, mem: 1024, vcpus: 2, state: '-b----', time: 1220.1 });
    expect(doms[3].id).toBeNull();
    const xen = xenFacts(fx('sl44', 'xen'), '2.6.16.33-xen', fx('sl44', 'xm_list'));
    expect(xen.rackplay_xen_running).toBe(true);
    expect(xen.rackplay_xen_dom0).toBe(true);
    expect(xenFacts('', '6.1.0-18-amd64', '').rackplay_xen_running).toBe(false);
  });
});

describe('network', () => {
  it('netmask arithmetic', () => {
    expect(prefixToNetmask(24)).toBe('255.255.255.0');
    expect(prefixToNetmask(0)).toBe('0.0.0.0');
    expect(netmaskToPrefix('255.255.240.0')).toBe(20);
    expect(ipv4Info('10.1.2.15', 20)).toEqual({ address: '10.1.2.15', netmask: '255.255.240.0', network: '10.1.0.0', broadcast: '10.1.15.255', prefix: '20' });
  });

  it('SL4 ip addr/route: default ipv4 with secondaries', () => {
    const ifaces = parseIpAddr(fx('sl44', 'ip_addr'));
    const facts = networkFacts(ifaces, parseIpRoute(fx('sl44', 'ip_route_get'), fx('sl44', 'ip_route')));
    expect(facts.ansible_interfaces).toEqual(['lo', 'eth0', 'sit0']);
    expect(facts.ansible_all_ipv4_addresses).toEqual(['10.1.2.15', '10.1.2.16']);
    expect(facts.ansible_default_ipv4).toMatchObject({
      interface: 'eth0', address: '10.1.2.15', gateway: '10.1.2.1', netmask: '255.255.255.0',
      network: '10.1.2.0', broadcast: '10.1.2.255', macaddress: '00:16:3e:12:34:56', mtu: 1500, type: 'ether',
    });
  });

  it('SL4 ifconfig + route -n give the same default ipv4 as ip', () => {
    const viaIp = networkFacts(parseIpAddr(fx('sl44', 'ip_addr')), parseIpRoute(fx('sl44', 'ip_route_get'), fx('sl44', 'ip_route')));
    const viaNetTools = networkFacts(parseIfconfig(fx('sl44', 'ifconfig')), parseRouteN(fx('sl44', 'route_n')));
    expect(viaNetTools.ansible_default_ipv4).toEqual(viaIp.ansible_default_ipv4);
    expect(viaNetTools.ansible_lo).toMatchObject({ type: 'loopback', mtu: 16436, active: true });
  });

  it('Debian 12 recorded ip and new-style ifconfig agree', () => {
    const route = parseIpRoute(fx('debian12', 'ip_route_get'), fx('debian12', 'ip_route'));
    const viaIp = networkFacts(parseIpAddr(fx('debian12', 'ip_addr')), route);
    const viaNetTools = networkFacts(parseIfconfig(fx('debian12', 'ifconfig-a')), parseRouteN(fx('debian12', 'route-n')));
    const def = viaIp.ansible_default_ipv4 as Record<string, unknown>;
    expect(def.interface).toBe(route.interface);
    expect(def.gateway).toBe(route.gateway);
    expect(viaIp.ansible_all_ipv4_addresses).toContain(def.address);
    for (const k of ['address', 'netmask', 'network', 'broadcast', 'gateway', 'interface', 'macaddress', 'mtu']) {
      expect(viaNetTools.ansible_default_ipv4, k).toHaveProperty(k, def[k]);
    }
  });
});

describe('system', () => {
  it('builds ansible_date_time with Ansible keys from the SL4 sample', () => {
    const dt = dateTimeFacts(fx('sl44', 'date'))!;
    expect(dt).toMatchObject({
      date: '2007-03-15', time: '14:05:09', epoch: '1173963909', iso8601: '2007-03-15T13:05:09Z',
      iso8601_micro: '2007-03-15T13:05:09.123456Z', iso8601_basic_short: '20070315T140509',
      weekday: 'Thursday', tz: 'CET', tz_dst: 'CEST', tz_offset: '+0100',
    });
  });

  it('reads the recorded Debian date line', () => {
    const dt = dateTimeFacts(fx('debian12', 'date'))!;
    expect(new Date(Number(dt.epoch) * 1000).toISOString().slice(0, 19) + 'Z').toBe(dt.iso8601);
    expect(dt.iso8601_basic).toMatch(/^\d{8}T\d{12}$/);
  });

  it('parses NUL-separated and line environments, keeping newlines in values', () => {
    expect(parseEnviron('A=1\0B=x\ny\0')).toEqual({ A: '1', B: 'x\ny' });
    expect(parseEnviron('A=1\nB=two\nlines\n')).toEqual({ A: '1', B: 'two\nlines' });
  });

  it('user facts from id and passwd', () => {
    expect(userFacts('deploy\n1001\n100\n1001\n100\n/home/deploy\ndeploy:x:1001:100:Deploy User:/srv/deploy:/bin/bash\n')).toMatchObject({
      ansible_user_id: 'deploy', ansible_user_uid: 1001, ansible_user_gid: 100, ansible_user_dir: '/srv/deploy', ansible_user_shell: '/bin/bash', ansible_user_gecos: 'Deploy User',
    });
  });

  it('SELinux enabled on SL4, disabled when the tools are absent', () => {
    expect(selinuxFacts(fx('sl44', 'selinux'), fx('sl44', 'selinux_config'))).toEqual({ status: 'enabled', policyvers: 18, config_mode: 'enforcing', mode: 'enforcing', type: 'targeted' });
    expect(selinuxFacts('', '')).toEqual({ status: 'disabled' });
    expect(selinuxFacts('enabled=1\nmode=Disabled\n', 'SELINUX=disabled\n')).toEqual({ status: 'disabled' });
  });

  it.each([
    ['sl44 yum beside apt-rpm', fx('sl44', 'pkg'), 'RedHat', '4', 'yum'],
    ['debian12', fx('debian12', 'pkg'), 'Debian', '12', 'apt'],
    ['EL8 dnf with yum link', '/usr/bin/yum\n/usr/bin/dnf\n/usr/bin/rpm\n', 'RedHat', '8', 'dnf'],
    ['apt-rpm only', '/usr/bin/apt-get\n/bin/rpm\n', 'RedHat', '4', 'apt_rpm'],
    ['Debian with dnf and rpm installed', '/usr/bin/dnf\n/usr/bin/apt-get\n/usr/bin/rpm\n', 'Debian', '12', 'apt'],
    ['Debian whose apt-get rpm owns', '/usr/bin/apt-get\n/usr/bin/rpm\napt_rpm_owned\n', 'Debian', '12', 'apt_rpm'],
  ])('pkg_mgr %s', (_n, section, family, major, expected) => {
    expect(pkgMgrFact(section, family, major)).toBe(expected);
  });

  it.each([
    ['comm=init\ninitd\n', 'sysvinit'],
    ['systemd_run\ncomm=systemd\ninitd\n', 'systemd'],
    ['systemd_run\ncomm=init\n', 'systemd'],
    ['comm=bash\nupstart\ninitd\n', 'upstart'],
    ['comm=runit-init\n', 'runit'],
  ])('service_mgr from %j', (section, expected) => {
    expect(serviceMgrFact(section)).toBe(expected);
  });

  it('dns and cmdline', () => {
    expect(dnsFacts('# c\nnameserver 10.0.0.1\nnameserver 10.0.0.2\nsearch a.org b.org\noptions ndots:2 rotate\n')).toEqual({
      nameservers: ['10.0.0.1', '10.0.0.2'], search: ['a.org', 'b.org'], options: { ndots: '2', rotate: true },
    });
    expect(cmdlineFacts('ro root=/dev/VolGroup00/LogVol00 rhgb quiet\n')).toEqual({ ro: true, root: '/dev/VolGroup00/LogVol00', rhgb: true, quiet: true });
  });
});

describe('local facts', () => {
  it('reads INI like configparser: lower-cased keys, continuation lines, comments', () => {
    expect(parseIni('; c\n[General]\nName = web\nLIST: a\n  b\n\n[empty]\n')).toEqual({ General: { name: 'web', list: 'a\nb' }, empty: {} });
    expect(parseIni('key=value before any section\n')).toBeUndefined();
  });

  it('JSON first, INI next, else Ansible error text', () => {
    const files = new Map([['a.fact', '{"x": [1, 2]}\n'], ['b.fact', '[s]\nk=v\n'], ['c.fact', 'not ini\n']]);
    expect(localFacts(files, '/etc/ansible/facts.d')).toEqual({
      a: { x: [1, 2] },
      b: { s: { k: 'v' } },
      c: 'error loading facts as JSON or ini - please check content: /etc/ansible/facts.d/c.fact',
    });
  });
});
