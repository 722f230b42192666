// Date, environment, user, SELinux, package and service managers, DNS, kernel command
// line and virtualization: the `min` and `virtual` fact groups.
import { parseKeyValueFile } from './platform.js';

/** Ansible's ansible_date_time from one `date '+%Y|%m|%d|%H|%M|%S|%A|%w|%W|%s|%Z|%z|%N|%j'` line. */
export function dateTimeFacts(section: string): Record<string, string> | undefined {
  const [now = '', jan = '', jul = ''] = section.split('\n');
  const f = now.split('|');
  if (f.length < 13) return undefined;
  const [year, month, day, hour, minute, second, weekday, weekdayNumber, weeknumber, epoch, tz, tzOffset, nanos] = f;
  const micro = /^\d{9}$/.test(nanos) ? nanos.slice(0, 6) : '000000';
  const utc = new Date(Number(epoch) * 1000).toISOString().slice(0, 19);
  // The zone name in effect at midsummer or midwinter, whichever is daylight time.
  const [janZone, janOff] = jan.split('|');
  const [julZone, julOff] = jul.split('|');
  let tzDst = tz;
  if (janZone && julZone) tzDst = janZone === julZone ? janZone : Number(julOff) > Number(janOff) ? julZone : janZone;
  return {
    year,
    month,
    weekday,
    weekday_number: weekdayNumber,
    weeknumber,
    day,
    hour,
    minute,
    second,
    epoch,
    epoch_int: epoch,
    date: `${year}-${month}-${day}`,
    time: `${hour}:${minute}:${second}`,
    iso8601_micro: `${utc}.${micro}Z`,
    iso8601: `${utc}Z`,
    iso8601_basic: `${year}${month}${day}T${hour}${minute}${second}${micro}`,
    iso8601_basic_short: `${year}${month}${day}T${hour}${minute}${second}`,
    tz,
    tz_dst: tzDst,
    tz_offset: tzOffset,
  };
}

/**
 * ansible_python and ansible_python_version from the python section's five lines; nothing
 * when the target has no Python.
 */
export function pythonFacts(section: string): Record<string, unknown> {
  const [executable, info, version, ssl, type] = section.split('\n').map((l) => l.trim());
  const parts = (info ?? '').split(' ');
  if (!executable || parts.length !== 5 || !version) return {};
  const [major, minor, micro, releaselevel, serial] = parts;
  const versionInfo = [Number(major), Number(minor), Number(micro), releaselevel, Number(serial)];
  return {
    ansible_python: {
      version: { major: versionInfo[0], minor: versionInfo[1], micro: versionInfo[2], releaselevel, serial: versionInfo[4] },
      version_info: versionInfo,
      executable,
      has_sslcontext: ssl === 'True',
      type: type && type !== 'None' ? type : null,
    },
    ansible_python_version: version,
  };
}

/** /proc/self/environ (NUL-separated) or `env` output (lines; continuation lines appended). */
export function parseEnviron(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  if (text.includes('\0')) {
    for (const entry of text.split('\0')) {
      const eq = entry.indexOf('=');
      if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
    return env;
  }
  let last: string | undefined;
  for (const line of text.replace(/\n$/, '').split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/.exec(line);
    if (m) {
      env[m[1]] = m[2];
      last = m[1];
    } else if (last !== undefined) {
      env[last] += '\n' + line;
    }
  }
  return env;
}

/** The `user` section: name, uid, gid, real uid, real gid, $HOME, passwd entry. */
export function userFacts(section: string): Record<string, unknown> {
  const [name = '', uid = '', gid = '', ruid = '', rgid = '', home = '', passwd = ''] = section.split('\n');
  const pw = passwd.split(':');
  const num = (s: string) => (/^\d+$/.test(s) ? Number(s) : -1);
  return {
    ansible_user_id: name,
    ansible_user_uid: num(uid),
    ansible_user_gid: num(gid),
    ansible_user_gecos: pw.length >= 7 ? pw[4] : '',
    ansible_user_dir: pw.length >= 7 ? pw[5] : home,
    ansible_user_shell: pw.length >= 7 ? pw[6] : '',
    ansible_real_user_id: num(ruid),
    ansible_effective_user_id: num(uid),
    ansible_real_group_id: num(rgid),
    ansible_effective_group_id: num(gid),
  };
}

/**
 * SELinux as Ansible reports it with its Python bindings, read instead from
 * selinuxenabled/getenforce and /etc/selinux/config: {status: 'disabled'} when absent.
 */
export function selinuxFacts(section: string, config: string): Record<string, unknown> {
  const kv = parseKeyValueFile(section);
  const cfg = parseKeyValueFile(config);
  const mode = (kv.mode ?? '').toLowerCase();
  const enabled = kv.enabled !== undefined ? kv.enabled === '0' : mode === 'enforcing' || mode === 'permissive';
  if (!enabled) return { status: 'disabled' };
  const facts: Record<string, unknown> = { status: 'enabled' };
  if (kv.policyvers && /^\d+$/.test(kv.policyvers)) facts.policyvers = Number(kv.policyvers);
  facts.config_mode = (cfg.SELINUX ?? 'unknown').toLowerCase();
  facts.mode = mode || 'unknown';
  facts.type = cfg.SELINUXTYPE ?? 'unknown';
  return facts;
}

/** Ansible's ansible_pkg_mgr from the package tools present; yum wins on EL < 8. */
export function pkgMgrFact(section: string, osFamily: string, majorVersion: string): string {
  const has = (p: string) => section.split('\n').some((l) => l.trim() === p);
  const rpm = has('/bin/rpm') || has('/usr/bin/rpm');
  // As Ansible: yum, dnf or rpm installed inside Debian do not make them its package
  // manager; apt is, unless rpm's database says it owns apt-get (APT-RPM).
  if (osFamily === 'Debian') return has('apt_rpm_owned') ? 'apt_rpm' : 'apt';
  if (osFamily === 'RedHat' || rpm) {
    const major = Number(majorVersion);
    if (has('/usr/bin/dnf') && (!has('/usr/bin/yum') || (Number.isFinite(major) && major >= 8))) return 'dnf';
    if (has('/usr/bin/yum')) return 'yum';
    if (has('/usr/bin/dnf')) return 'dnf';
    if (has('/usr/bin/microdnf')) return 'dnf';
    if (has('/usr/bin/apt-get') && rpm) return 'apt_rpm';
  }
  if (has('/usr/bin/apt-get')) return 'apt';
  if (has('/usr/bin/zypper')) return 'zypper';
  if (has('/sbin/apk')) return 'apk';
  if (has('/usr/bin/pacman')) return 'pacman';
  if (has('/usr/bin/emerge')) return 'portage';
  return 'unknown';
}

/** Ansible's ansible_service_mgr: PID 1's name unless it is a generic init or a shell. */
export function serviceMgrFact(section: string): string {
  const lines = section.split('\n').map((l) => l.trim());
  const comm = (lines.find((l) => l.startsWith('comm=')) ?? 'comm=').slice(5).trim();
  const generic = comm === '' || comm === 'init' || comm.endsWith('sh');
  if (!generic) return comm === 'runit-init' ? 'runit' : comm.split('/').pop()!;
  if (lines.includes('systemd_run')) return 'systemd';
  if (lines.includes('upstart')) return 'upstart';
  if (lines.includes('openrc')) return 'openrc';
  if (lines.includes('initd')) return 'sysvinit';
  return 'service';
}

/** /etc/resolv.conf as ansible_dns. */
export function dnsFacts(text: string): Record<string, unknown> {
  const dns: Record<string, unknown> = {};
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (!f[0] || f[0].startsWith('#') || f[0].startsWith(';')) continue;
    if (f[0] === 'nameserver' && f[1]) ((dns.nameservers ??= []) as string[]).push(f[1]);
    else if (f[0] === 'domain' && f[1]) dns.domain = f[1];
    else if (f[0] === 'search') dns.search = f.slice(1);
    else if (f[0] === 'sortlist') dns.sortlist = f.slice(1);
    else if (f[0] === 'options') {
      const opts: Record<string, string | boolean> = {};
      for (const o of f.slice(1)) {
        const [k, v] = o.split(':');
        opts[k] = v === undefined ? true : v;
      }
      dns.options = opts;
    }
  }
  return dns;
}

/** /proc/cmdline as ansible_cmdline: key=value words, bare words true. */
export function cmdlineFacts(text: string): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (const w of text.trim().split(/\s+/).filter(Boolean)) {
    const eq = w.indexOf('=');
    if (eq < 0) out[w] = true;
    else out[w.slice(0, eq)] = w.slice(eq + 1);
  }
  return out;
}

/** ansible_virtualization_type/role, best effort from the `virt` section and Xen state. */
export function virtualizationFacts(section: string, xenRunning: boolean, xenDom0: boolean, cpuFlags: string[]): Record<string, string> {
  const lines = section.split('\n').map((l) => l.trim());
  const val = (k: string) => (lines.find((l) => l.startsWith(k + '=')) ?? '').slice(k.length + 1);
  let type = 'NA';
  let role = 'NA';
  if (xenRunning) {
    type = 'xen';
    role = xenDom0 ? 'host' : 'guest';
  } else if (lines.includes('docker')) [type, role] = ['docker', 'guest'];
  else if (lines.includes('podman')) [type, role] = ['podman', 'guest'];
  else if (lines.includes('cgroup_container')) [type, role] = ['container', 'guest'];
  else if (val('detect') && val('detect') !== 'none') [type, role] = [val('detect'), 'guest'];
  else {
    const product = `${val('vendor')} ${val('product')}`;
    if (/KVM|QEMU/i.test(product)) [type, role] = ['kvm', 'guest'];
    else if (/VMware/i.test(product)) [type, role] = ['VMware', 'guest'];
    else if (/VirtualBox/i.test(product)) [type, role] = ['virtualbox', 'guest'];
    else if (/Microsoft/i.test(product)) [type, role] = ['VirtualPC', 'guest'];
    else if (cpuFlags.includes('hypervisor')) [type, role] = ['NA', 'guest'];
  }
  return { ansible_virtualization_type: type, ansible_virtualization_role: role };
}

/**
 * An INI text read as Python's configparser does for Ansible's local facts: sections of
 * lower-cased keys with string values. Undefined when the text is not INI (e.g. a key
 * before any [section]).
 */
export function parseIni(text: string): Record<string, Record<string, string>> | undefined {
  const out: Record<string, Record<string, string>> = {};
  let section: Record<string, string> | undefined;
  let lastKey: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*([#;]|$)/.test(line)) {
      lastKey = undefined;
      continue;
    }
    const head = /^\[([^\]]+)\]\s*$/.exec(line);
    if (head) {
      section = out[head[1]] ??= {};
      lastKey = undefined;
      continue;
    }
    if (/^\s/.test(line) && section && lastKey !== undefined) {
      section[lastKey] += '\n' + line.trim();
      continue;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
    if (!section || !kv) return undefined;
    lastKey = kv[1].trim().toLowerCase();
    section[lastKey] = kv[2].trim();
  }
  return out;
}

/** ansible_local from *.fact outputs keyed by file name: JSON, else INI, else Ansible's error text. */
export function localFacts(files: Map<string, string>, factPath: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [file, text] of files) {
    const name = file.replace(/\.fact$/, '');
    let fact: unknown;
    try {
      fact = JSON.parse(text);
    } catch {
      fact = parseIni(text) ?? `error loading facts as JSON or ini - please check content: ${factPath.replace(/\/$/, '')}/${file}`;
    }
    out[name] = fact;
  }
  return out;
}
