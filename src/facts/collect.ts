// From gather_subset to script sections, and from the script's sections to the facts
// dictionary with Ansible's names. Pure: the setup module does the exec.
import { ALL_SECTIONS, DEFAULT_FACT_PATH, splitLocalFacts, SUBSET_SECTIONS, type SectionName, type SubsetName } from './gather.js';
import { parseCpuinfo, memoryFacts, parseLvm, parseMeminfo, xenFacts } from './parsers/hardware.js';
import { networkFacts, parseIfconfig, parseIpAddr, parseIpRoute, parseRouteN } from './parsers/network.js';
import { distributionFacts, parseUname, platformFacts } from './parsers/platform.js';
import { fnmatchRegExp } from '../fnmatch.js';
import {
  cmdlineFacts,
  dateTimeFacts,
  dnsFacts,
  localFacts,
  parseEnviron,
  pkgMgrFact,
  pythonFacts,
  selinuxFacts,
  serviceMgrFact,
  userFacts,
  virtualizationFacts,
} from './parsers/system.js';

const GROUPS = Object.keys(SUBSET_SECTIONS) as SubsetName[];

/** Ansible's finer subset names, mapped to the groups that carry them. */
const ALIASES: Record<string, SubsetName> = {
  platform: 'min', distribution: 'min', date_time: 'min', env: 'min', user: 'min', selinux: 'min',
  pkg_mgr: 'min', service_mgr: 'min', dns: 'min', cmdline: 'min', lsb: 'min', local: 'min',
  devices: 'hardware', cpu: 'hardware', memory: 'hardware', lvm: 'hardware', interfaces: 'network',
  default_ipv4: 'network',
};

export class GatherSubsetError extends Error {}

/**
 * Ansible's gather_subset rules: `all` adds every group, `x` adds x, `!x` removes it,
 * `!all` removes all but min; a list of only exclusions starts from all. min is always
 * kept (the facts other modules rely on), as Ansible keeps it unless `!min`.
 */
export function resolveSubsets(subset: readonly string[] | undefined): SubsetName[] {
  const items = (subset && subset.length ? subset : ['all']).map((s) => s.trim()).filter(Boolean);
  const chosen = new Set<SubsetName>();
  const excluded = new Set<SubsetName>();
  const onlyExclusions = items.every((s) => s.startsWith('!'));
  if (onlyExclusions) GROUPS.forEach((g) => chosen.add(g));
  for (const raw of items) {
    const neg = raw.startsWith('!');
    const name = neg ? raw.slice(1) : raw;
    let groups: SubsetName[];
    if (name === 'all') groups = GROUPS.filter((g) => g !== 'min');
    else if ((GROUPS as string[]).includes(name)) groups = [name as SubsetName];
    else if (ALIASES[name]) groups = [ALIASES[name]];
    else if (['ohai', 'facter', 'python', 'apparmor', 'caps', 'fips', 'ssh_pub_keys', 'mounts', 'dmi', 'fibre_channel_wwn', 'iscsi', 'nvme', 'hardware_ssh', 'system', 'loadavg', 'selinux_python'].includes(name)) groups = [];
    else throw new GatherSubsetError(`Bad subset '${name}' given to Ansible. gather_subset options allowed: all, ${[...GROUPS, ...Object.keys(ALIASES)].join(', ')}`);
    for (const g of groups) {
      // `!all` only means "start from nothing"; a group named later still counts.
      if (neg && name === 'all') chosen.delete(g);
      else if (neg) {
        excluded.add(g);
        chosen.delete(g);
      } else if (!excluded.has(g)) chosen.add(g);
    }
  }
  chosen.add('min');
  return GROUPS.filter((g) => chosen.has(g));
}

export function sectionsFor(groups: readonly SubsetName[]): SectionName[] {
  const wanted = new Set<string>(groups.flatMap((g) => [...SUBSET_SECTIONS[g]]));
  return ALL_SECTIONS.filter((s) => wanted.has(s));
}

/** Build the facts dictionary (keys prefixed `ansible_` or `rackplay_`) from script sections. */
export function collectFacts(
  sections: Map<string, string>,
  groups: readonly SubsetName[],
  opts: { nonce?: string; factPath?: string } = {},
): Record<string, unknown> {
  const get = (name: string) => sections.get(name) ?? '';
  const facts: Record<string, unknown> = {};
  const uname = parseUname(get('uname'));
  Object.assign(facts, platformFacts(uname, get('fqdn'), get('long_bit')));
  const dist = distributionFacts({
    osRelease: get('os_release'),
    redhatRelease: get('redhat_release'),
    debianVersion: get('debian_version'),
    lsbRelease: get('lsb_release'),
    system: uname.system,
  });
  Object.assign(facts, dist);
  const dt = dateTimeFacts(get('date'));
  if (dt) facts.ansible_date_time = dt;
  facts.ansible_env = parseEnviron(get('env'));
  Object.assign(facts, userFacts(get('user')));
  facts.ansible_selinux = selinuxFacts(get('selinux'), get('selinux_config'));
  facts.ansible_pkg_mgr = pkgMgrFact(get('pkg'), String(dist.ansible_os_family), String(dist.ansible_distribution_major_version));
  facts.ansible_service_mgr = serviceMgrFact(get('service_mgr'));
  facts.ansible_dns = dnsFacts(get('dns'));
  facts.ansible_cmdline = cmdlineFacts(get('cmdline'));
  Object.assign(facts, pythonFacts(get('python')));
  if (opts.nonce !== undefined) facts.ansible_local = localFacts(splitLocalFacts(get('local'), opts.nonce), opts.factPath ?? DEFAULT_FACT_PATH);

  let cpuFlags: string[] = [];
  if (groups.includes('hardware')) {
    const cpu = parseCpuinfo(get('cpuinfo'), get('nproc'));
    cpuFlags = cpu.rackplay_cpu_flags;
    Object.assign(facts, cpu, memoryFacts(parseMeminfo(get('meminfo'))));
    // Ansible gathers LVM only as root; the script prints NA otherwise.
    facts.ansible_lvm = get('lvm_vgs').trim() === 'NA' ? 'N/A' : parseLvm(get('lvm_vgs'), get('lvm_lvs'), get('lvm_pvs'));
  }
  if (groups.includes('network')) {
    const ipAddr = get('ip_addr');
    const ifaces = ipAddr.trim() ? parseIpAddr(ipAddr) : parseIfconfig(get('ifconfig'));
    const route = ipAddr.trim() ? parseIpRoute(get('ip_route_get'), get('ip_route')) : parseRouteN(get('route_n'));
    Object.assign(facts, networkFacts(ifaces, route));
  }
  if (groups.includes('virtual')) {
    const xen = xenFacts(get('xen'), uname.kernel, get('xm_list'));
    Object.assign(facts, xen);
    if (!cpuFlags.length) cpuFlags = parseCpuinfo(get('cpuinfo')).rackplay_cpu_flags;
    Object.assign(facts, virtualizationFacts(get('virt'), xen.rackplay_xen_running, xen.rackplay_xen_dom0, cpuFlags));
  }
  return facts;
}


/** setup's `filter`: keep facts whose name matches any of the fnmatch-style globs. */
export function filterFacts(facts: Record<string, unknown>, filters: readonly string[] | undefined): Record<string, unknown> {
  const patterns = (filters ?? []).filter((f) => f !== '' && f !== '*');
  if (!patterns.length) return facts;
  const res = patterns.map(fnmatchRegExp);
  return Object.fromEntries(Object.entries(facts).filter(([k]) => res.some((r) => r.test(k))));
}
