// uname, hostname, distribution files: platform and distribution facts.

export interface UnameInfo {
  system: string;
  nodename: string;
  kernel: string;
  kernelVersion: string;
  machine: string;
}

/** The five lines of `uname -s; -n; -r; -v; -m`. */
export function parseUname(text: string): UnameInfo {
  const [system = '', nodename = '', kernel = '', kernelVersion = '', machine = ''] = text.split('\n');
  return { system, nodename, kernel, kernelVersion, machine };
}

/** Ansible reports every 32-bit x86 as i386 in ansible_architecture. */
export function architectureOf(machine: string): string {
  return /^i[3-6]86$/.test(machine) ? 'i386' : machine;
}

export function platformFacts(uname: UnameInfo, fqdnText: string, longBit: string): Record<string, unknown> {
  const fqdn = fqdnText.trim().split('\n')[0] || uname.nodename;
  const dot = fqdn.indexOf('.');
  const bits = longBit.trim();
  return {
    ansible_system: uname.system,
    ansible_kernel: uname.kernel,
    ansible_kernel_version: uname.kernelVersion,
    ansible_machine: uname.machine,
    ansible_architecture: architectureOf(uname.machine),
    ansible_nodename: uname.nodename,
    ansible_hostname: uname.nodename.split('.')[0],
    ansible_fqdn: fqdn,
    ansible_domain: dot >= 0 ? fqdn.slice(dot + 1) : '',
    ansible_userspace_bits: /^\d+$/.test(bits) ? bits : uname.machine.includes('64') ? '64' : '32',
  };
}

/** KEY=value lines of os-release / lsb-release, quotes removed. */
export function parseKeyValueFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m) continue;
    let v = m[2];
    if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v[v.length - 1] === v[0]) v = v.slice(1, -1);
    out[m[1]] = v;
  }
  return out;
}

const OS_FAMILY: Record<string, string> = {
  RedHat: 'RedHat', CentOS: 'RedHat', Scientific: 'RedHat', Fedora: 'RedHat', OracleLinux: 'RedHat',
  Rocky: 'RedHat', AlmaLinux: 'RedHat', Amazon: 'RedHat', CloudLinux: 'RedHat', XenServer: 'RedHat',
  Debian: 'Debian', Ubuntu: 'Debian', Raspbian: 'Debian', Linuxmint: 'Debian', Kali: 'Debian', Devuan: 'Debian',
  SLES: 'Suse', openSUSE: 'Suse', 'openSUSE Leap': 'Suse', 'openSUSE Tumbleweed': 'Suse',
  Alpine: 'Alpine', Archlinux: 'Archlinux', Gentoo: 'Gentoo',
};

/** The name Ansible gives a distribution from the start of a *-release line. */
function redhatName(text: string): string {
  const pairs: Array<[RegExp, string]> = [
    [/Scientific/i, 'Scientific'],
    [/CentOS/i, 'CentOS'],
    [/Red Hat Enterprise/i, 'RedHat'],
    [/Fedora/i, 'Fedora'],
    [/Rocky/i, 'Rocky'],
    [/AlmaLinux/i, 'AlmaLinux'],
    [/Oracle/i, 'OracleLinux'],
    [/CloudLinux/i, 'CloudLinux'],
    [/XenServer/i, 'XenServer'],
    [/Amazon/i, 'Amazon'],
  ];
  for (const [re, name] of pairs) if (re.test(text)) return name;
  return text.split(' release ')[0].trim().split(/\s+/)[0] || 'RedHat';
}

const ID_NAMES: Record<string, string> = {
  debian: 'Debian', ubuntu: 'Ubuntu', raspbian: 'Debian', linuxmint: 'Linuxmint', kali: 'Kali', devuan: 'Devuan',
  rhel: 'RedHat', centos: 'CentOS', fedora: 'Fedora', rocky: 'Rocky', almalinux: 'AlmaLinux', ol: 'OracleLinux',
  scientific: 'Scientific', amzn: 'Amazon', sles: 'SLES', 'opensuse-leap': 'openSUSE Leap',
  'opensuse-tumbleweed': 'openSUSE Tumbleweed', alpine: 'Alpine', arch: 'Archlinux', gentoo: 'Gentoo',
};

export interface DistributionInput {
  osRelease: string;
  redhatRelease: string;
  debianVersion: string;
  lsbRelease: string;
  system: string;
}

export function distributionFacts(d: DistributionInput): Record<string, unknown> {
  let name = 'NA';
  let version = 'NA';
  let release = 'NA';
  const osr = parseKeyValueFile(d.osRelease);
  const rh = d.redhatRelease.trim().split('\n')[0];
  // Ansible reads /etc/redhat-release before /etc/os-release.
  const rhMatch = rh ? /^(.*?)\s+release\s+([0-9][0-9.]*)[^(]*(?:\((.*)\))?/.exec(rh) : null;
  if (rhMatch) {
    name = redhatName(rhMatch[1]);
    version = rhMatch[2];
    release = (rhMatch[3] ?? 'NA').trim() || 'NA';
  } else if (osr.ID || osr.NAME) {
    name = ID_NAMES[osr.ID ?? ''] ?? (osr.NAME ?? '').split(/\s+/)[0] ?? 'NA';
    version = osr.VERSION_ID ?? 'NA';
    release = osr.VERSION_CODENAME || osr.UBUNTU_CODENAME || /\(([^)]+)\)/.exec(osr.VERSION ?? '')?.[1] || 'NA';
    if (name === 'Debian') {
      // /etc/debian_version has the point release ("12.5") where os-release says "12".
      const dv = d.debianVersion.trim();
      if (/^\d+\.\d+/.test(dv)) version = dv;
      else if (version === 'NA' && dv) version = dv;
    }
  } else if (d.lsbRelease.trim()) {
    const lsb = parseKeyValueFile(d.lsbRelease);
    name = lsb.DISTRIB_ID ?? 'NA';
    version = lsb.DISTRIB_RELEASE ?? 'NA';
    release = lsb.DISTRIB_CODENAME ?? 'NA';
  } else if (d.debianVersion.trim()) {
    name = 'Debian';
    version = d.debianVersion.trim();
  } else {
    name = d.system || 'NA';
  }
  const major = version === 'NA' ? 'NA' : version.split('.')[0];
  const facts: Record<string, unknown> = {
    ansible_distribution: name,
    ansible_distribution_version: version,
    ansible_distribution_major_version: major,
    ansible_distribution_release: release,
    ansible_os_family: OS_FAMILY[name] ?? name,
  };
  const minor = version.split('.')[1];
  if (minor !== undefined) facts.ansible_distribution_minor_version = minor;
  if (rhMatch) facts.ansible_distribution_file_path = '/etc/redhat-release';
  else if (osr.ID) facts.ansible_distribution_file_path = '/etc/os-release';
  return facts;
}
