// The one remote script behind `setup`: a POSIX sh program that dumps raw system
// information in sections, for pure parsers on the controller to read. It must run in
// SL4's bash 3.0 (as sh) with coreutils 5.2 and in Debian's dash, with no Python: only
// cat, uname, date, id, getconf, grep and whatever optional tools exist (each guarded).
//
// Each section starts with a line `@@@<nonce>:<name>` preceded by a newline, so a marker
// is always at the start of a line even after output without a final newline; the
// parser removes exactly that newline. The nonce comes from the controller per run, so
// no file content can forge a marker.
import { quote } from '../transport/quote.js';

/** Fact groups as Ansible names them in gather_subset. */
export const SUBSET_SECTIONS = {
  min: ['uname', 'fqdn', 'long_bit', 'os_release', 'redhat_release', 'debian_version', 'lsb_release', 'date', 'env', 'user', 'selinux', 'selinux_config', 'pkg', 'service_mgr', 'dns', 'cmdline', 'python', 'local'],
  hardware: ['cpuinfo', 'nproc', 'meminfo', 'lvm_vgs', 'lvm_lvs', 'lvm_pvs'],
  network: ['ip_addr', 'ip_route_get', 'ip_route', 'ifconfig', 'route_n'],
  virtual: ['virt', 'xen', 'xm_list'],
} as const;

export type SubsetName = keyof typeof SUBSET_SECTIONS;
export type SectionName = (typeof SUBSET_SECTIONS)[SubsetName][number];

export const DEFAULT_FACT_PATH = '/etc/ansible/facts.d';

/**
 * Prints executable, version_info, the version string, SSLContext, implementation, a line
 * each. Run with -S and without importing ssl: loading site and OpenSSL was two thirds of
 * the whole facts script's host time. Ansible's has_sslcontext is "ssl has SSLContext and
 * create_default_context", which every Python from 2.7.9 (2.x) or 3.4 has when its _ssl
 * extension is there; finding that extension does not load it.
 */
const PYTHON_FACTS = [
  'import sys',
  't = None',
  'try:',
  ' t = sys.subversion[0]',
  'except AttributeError:',
  ' try:',
  '  t = sys.implementation.name',
  ' except AttributeError:',
  '  pass',
  'v = tuple(sys.version_info)[:5]',
  's = False',
  'if v >= (3, 4):',
  ' import importlib.util',
  ' s = importlib.util.find_spec("_ssl") is not None',
  'elif v[0] == 2 and v >= (2, 7, 9):',
  ' import imp',
  ' try:',
  '  imp.find_module("_ssl")',
  '  s = True',
  ' except ImportError:',
  '  pass',
  'print(sys.executable)',
  'print(" ".join(map(str, v)))',
  'print(sys.version.split()[0])',
  'print(s)',
  'print(t)',
].join('\n');

const SECTION_BODIES: Record<Exclude<SectionName, 'local'>, string> = {
  uname: 'uname -s; uname -n; uname -r; uname -v; uname -m',
  fqdn: 'hostname -f 2>/dev/null || hostname 2>/dev/null || uname -n',
  long_bit: 'getconf LONG_BIT 2>/dev/null',
  os_release: 'cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release 2>/dev/null',
  redhat_release: 'cat /etc/redhat-release 2>/dev/null',
  debian_version: 'cat /etc/debian_version 2>/dev/null',
  lsb_release: 'cat /etc/lsb-release 2>/dev/null',
  // One date call so the fields agree; the Jan/Jul lines tell the DST zone name.
  date: [
    "date '+%Y|%m|%d|%H|%M|%S|%A|%w|%W|%s|%Z|%z|%N|%j'",
    "date -d 'Jan 1' '+%Z|%z' 2>/dev/null",
    "date -d 'Jul 1' '+%Z|%z' 2>/dev/null",
  ].join('; '),
  // cat inherits the shell's exported environment; NUL-separated, so values may hold newlines.
  env: 'if [ -r /proc/self/environ ]; then cat /proc/self/environ; else env; fi',
  user: [
    'u=`id -un 2>/dev/null || whoami`',
    'echo "$u"; id -u; id -g; id -ru; id -rg; echo "$HOME"',
    'getent passwd "$u" 2>/dev/null || grep "^$u:" /etc/passwd 2>/dev/null',
  ].join('; '),
  selinux: [
    'if has selinuxenabled; then selinuxenabled; echo "enabled=$?"; fi',
    'if has getenforce; then echo "mode=`getenforce 2>/dev/null`"; fi',
    'for f in /sys/fs/selinux/policyvers /selinux/policyvers; do [ -r $f ] && echo "policyvers=`cat $f`" && break; done',
  ].join('; '),
  selinux_config: 'cat /etc/selinux/config 2>/dev/null',
  pkg: 'for p in /usr/bin/yum /usr/bin/dnf /usr/bin/microdnf /usr/bin/apt-get /bin/rpm /usr/bin/rpm /usr/bin/zypper /sbin/apk /usr/bin/pacman /usr/bin/emerge; do [ -x $p ] && echo $p; done; [ -x /usr/bin/rpm ] && /usr/bin/rpm -q --whatprovides /usr/bin/apt-get >/dev/null 2>&1 && echo apt_rpm_owned',
  service_mgr: [
    '[ -d /run/systemd/system ] && echo systemd_run',
    'if [ -r /proc/1/comm ]; then echo "comm=`cat /proc/1/comm`"; else echo "comm=`ps -p 1 -o comm= 2>/dev/null`"; fi',
    'has initctl && [ -d /etc/init ] && echo upstart',
    '[ -x /sbin/openrc ] && echo openrc',
    '[ -d /etc/init.d ] && echo initd',
    'true',
  ].join('; '),
  dns: 'cat /etc/resolv.conf 2>/dev/null',
  cmdline: 'cat /proc/cmdline 2>/dev/null',
  // Facts about the target's Python when it has one (rackplay never runs it otherwise). The
  // interpreters Ansible would pick first; the code runs on Python 2.3 (SL4) through 3.x.
  python: [
    'for p in /usr/bin/python3 /usr/libexec/platform-python python3 python2.7 python2 /usr/bin/python python; do',
    `if has $p; then $p -S -c '${PYTHON_FACTS}' 2>/dev/null && break; fi; done`,
  ].join(' '),
  cpuinfo: 'cat /proc/cpuinfo 2>/dev/null',
  nproc: 'getconf _NPROCESSORS_ONLN 2>/dev/null',
  meminfo: 'cat /proc/meminfo 2>/dev/null',
  // Ansible reads LVM only as root, with these flags.
  lvm_vgs: 'if [ "`id -u`" = 0 ] && has vgs; then vgs --noheadings --nosuffix --units g --separator , 2>/dev/null; else echo NA; fi',
  lvm_lvs: 'if [ "`id -u`" = 0 ] && has lvs; then lvs --noheadings --nosuffix --units g --separator , 2>/dev/null; fi',
  lvm_pvs: 'if [ "`id -u`" = 0 ] && has pvs; then pvs --noheadings --nosuffix --units g --separator , 2>/dev/null; fi',
  ip_addr: 'has ip && ip addr show 2>/dev/null',
  ip_route_get: 'has ip && ip -4 route get 8.8.8.8 2>/dev/null',
  ip_route: 'has ip && ip -4 route show 2>/dev/null',
  ifconfig: 'has ip || { has ifconfig && ifconfig -a 2>/dev/null; }',
  route_n: 'has ip || { has route && route -n 2>/dev/null; }',
  virt: [
    '[ -f /.dockerenv ] && echo docker',
    '[ -f /run/.containerenv ] && echo podman',
    'grep -q -E "docker|lxc|kubepods" /proc/1/cgroup 2>/dev/null && echo cgroup_container',
    'has systemd-detect-virt && echo "detect=`systemd-detect-virt 2>/dev/null`"',
    '[ -r /sys/class/dmi/id/product_name ] && echo "product=`cat /sys/class/dmi/id/product_name`"',
    '[ -r /sys/class/dmi/id/sys_vendor ] && echo "vendor=`cat /sys/class/dmi/id/sys_vendor`"',
    'true',
  ].join('; '),
  xen: 'if [ -d /proc/xen ]; then echo proc_xen; cat /proc/xen/capabilities 2>/dev/null; fi',
  xm_list: 'if [ "`id -u`" = 0 ] && has xm; then xm list 2>/dev/null; fi',
};

export const ALL_SECTIONS: SectionName[] = Object.values(SUBSET_SECTIONS).flat() as SectionName[];

/**
 * Ansible's local facts: each *.fact file in fact_path, run when executable, else read;
 * each preceded by its own marker line `@@@<nonce>-f:<file name>`.
 */
function localFactsBody(nonce: string, factPath: string): string {
  return (
    `for f in ${quote(factPath)}/*.fact; do [ -f "$f" ] || continue; ` +
    `printf '@@@%s-f:%s\\n' ${nonce} "\`basename "$f"\`"; ` +
    `if [ -x "$f" ]; then "$f"; else cat "$f"; fi; echo; done`
  );
}

/** Split the `local` section into file name → raw output. */
export function splitLocalFacts(section: string, nonce: string): Map<string, string> {
  const out = new Map<string, string>();
  const marker = `@@@${nonce}-f:`;
  for (const part of ('\n' + section).split(`\n${marker}`).slice(1)) {
    const nl = part.indexOf('\n');
    out.set(nl < 0 ? part : part.slice(0, nl), nl < 0 ? '' : part.slice(nl + 1));
  }
  return out;
}

/** The gather script for the chosen sections; `nonce` must be [A-Za-z0-9]+. */
export function buildGatherScript(
  nonce: string,
  sections: readonly SectionName[] = ALL_SECTIONS,
  opts: { factPath?: string } = {},
): string {
  if (!/^[A-Za-z0-9]+$/.test(nonce)) throw new Error('gather nonce must be alphanumeric');
  const body = (name: SectionName) => (name === 'local' ? localFactsBody(nonce, opts.factPath ?? DEFAULT_FACT_PATH) : SECTION_BODIES[name]);
  const section = (name: SectionName) => `s ${name}; { ${body(name)}; } 2>/dev/null`;
  const lines = [`s() { printf '\\n@@@%s:%s\\n' ${nonce} "$1"; }`];
  // The environment is read before the script changes PATH and LC_ALL below.
  if (sections.includes('env')) lines.push(section('env'));
  lines.push(
    // SL4 keeps ip, ifconfig, route and vgs in /sbin, often missing from a user's PATH.
    'PATH="$PATH:/sbin:/usr/sbin:/bin:/usr/bin"; export PATH',
    'LC_ALL=C; export LC_ALL',
    'has() { command -v "$1" >/dev/null 2>&1; }',
  );
  for (const name of sections) if (name !== 'env') lines.push(section(name));
  lines.push(`s end`, 'exit 0');
  return lines.join('\n') + '\n';
}

/** Cut the script's output into sections by name. */
export function splitSections(stdout: string, nonce: string): Map<string, string> {
  const marker = `\n@@@${nonce}:`;
  const out = new Map<string, string>();
  const parts = ('\n' + stdout).split(marker);
  for (const part of parts.slice(1)) {
    const nl = part.indexOf('\n');
    const name = nl < 0 ? part : part.slice(0, nl);
    // split() consumed the next marker's leading newline, so the body ends exactly
    // where the section's own output ended.
    out.set(name, nl < 0 ? '' : part.slice(nl + 1));
  }
  out.delete('end');
  return out;
}
