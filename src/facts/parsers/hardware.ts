// /proc/cpuinfo, /proc/meminfo, LVM and Xen listings: hardware facts.

export interface CpuFacts {
  ansible_processor: string[];
  ansible_processor_count: number;
  ansible_processor_cores: number;
  ansible_processor_threads_per_core: number;
  ansible_processor_vcpus: number;
  ansible_processor_nproc: number;
  rackplay_cpu_flags: string[];
  rackplay_vt_capable: boolean;
}

/**
 * Ansible's x86 reading of /proc/cpuinfo: `processor` entries are the list
 * [index, vendor, model, index, vendor, model...]; sockets are distinct physical ids,
 * cores come from `cpu cores` and threads from `siblings`.
 */
export function parseCpuinfo(text: string, nprocText = ''): CpuFacts {
  const processor: string[] = [];
  const sockets = new Map<string, number>();
  const siblings = new Map<string, number>();
  let count = 0;
  let physid = '';
  let coreid = '';
  let flags: string[] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim();
    const val = line.slice(colon + 1).trim();
    switch (key) {
      case 'processor':
        count++;
        processor.push(val);
        break;
      case 'model name':
      case 'vendor_id':
      case 'Processor':
      case 'cpu':
      case 'Vendor':
        processor.push(val);
        break;
      case 'physical id':
        physid = val;
        if (!sockets.has(physid)) sockets.set(physid, 1);
        break;
      case 'core id':
        coreid = val;
        if (!siblings.has(coreid)) siblings.set(coreid, 1);
        break;
      case 'cpu cores':
        sockets.set(physid, Number(val) || 1);
        break;
      case 'siblings':
        siblings.set(coreid, Number(val) || 1);
        break;
      case 'flags':
      case 'Features':
        if (flags.length === 0) flags = val.split(/\s+/).filter(Boolean);
        break;
    }
  }
  const processorCount = sockets.size || count;
  const cores = sockets.size ? [...sockets.values()][0] : 1;
  const threads = Math.max(1, Math.floor((siblings.size ? [...siblings.values()][0] : 1) / cores)) || 1;
  const nproc = Number(nprocText.trim());
  return {
    ansible_processor: processor,
    ansible_processor_count: processorCount,
    ansible_processor_cores: cores,
    ansible_processor_threads_per_core: threads,
    ansible_processor_vcpus: threads * cores * processorCount,
    ansible_processor_nproc: Number.isInteger(nproc) && nproc > 0 ? nproc : count,
    rackplay_cpu_flags: flags,
    rackplay_vt_capable: flags.includes('vmx') || flags.includes('svm'),
  };
}

/** kB values of /proc/meminfo by key. */
export function parseMeminfo(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9_()]+):\s+(\d+)/.exec(line);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

export function memoryFacts(meminfo: Record<string, number>): Record<string, unknown> {
  const mb = (k: string) => Math.floor((meminfo[k] ?? 0) / 1024);
  const total = mb('MemTotal');
  const free = mb('MemFree');
  const swapTotal = mb('SwapTotal');
  const swapFree = mb('SwapFree');
  const nocacheFree = free + mb('Buffers') + mb('Cached');
  return {
    ansible_memtotal_mb: total,
    ansible_memfree_mb: free,
    ansible_swaptotal_mb: swapTotal,
    ansible_swapfree_mb: swapFree,
    ansible_memory_mb: {
      real: { total, used: total - free, free },
      nocache: { free: nocacheFree, used: total - nocacheFree },
      swap: { total: swapTotal, free: swapFree, used: swapTotal - swapFree, cached: mb('SwapCached') },
    },
  };
}

export interface LvmFacts {
  vgs: Record<string, { size_g: string; free_g: string; num_lvs: string; num_pvs: string }>;
  lvs: Record<string, { size_g: string; vg: string }>;
  pvs: Record<string, { size_g: string; free_g: string; vg: string }>;
}

function rows(text: string): string[][] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => l.split(','));
}

/**
 * `vgs`/`lvs`/`pvs --noheadings --nosuffix --units g --separator ,` output, read with
 * the same column positions as Ansible (values stay strings, as there).
 */
export function parseLvm(vgsText: string, lvsText: string, pvsText: string): LvmFacts {
  const facts: LvmFacts = { vgs: {}, lvs: {}, pvs: {} };
  for (const f of rows(vgsText)) {
    if (f.length < 5) continue;
    facts.vgs[f[0]] = { size_g: f[f.length - 2], free_g: f[f.length - 1], num_lvs: f[2], num_pvs: f[1] };
  }
  for (const f of rows(lvsText)) {
    if (f.length < 4) continue;
    facts.lvs[f[0]] = { size_g: f[3], vg: f[1] };
  }
  for (const f of rows(pvsText)) {
    if (f.length < 6) continue;
    facts.pvs[f[0]] = { size_g: f[4], free_g: f[5], vg: f[1] };
  }
  return facts;
}

export interface XenDomain {
  name: string;
  id: number | null;
  mem: number;
  vcpus: number;
  state: string;
  time: number;
}

/** `xm list` (Xen 3.x): Name ID Mem(MiB) VCPUs State Time(s); ID is blank for halted domains. */
export function parseXmList(text: string): XenDomain[] {
  const domains: XenDomain[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim() || /^Name\s+ID\s/.test(line)) continue;
    const f = line.trim().split(/\s+/);
    if (f.length < 5) continue;
    const [time, state, vcpus, mem] = [f[f.length - 1], f[f.length - 2], f[f.length - 3], f[f.length - 4]];
    if (!/^[-a-z]+$/.test(state) || !/^\d+$/.test(vcpus) || !/^\d+$/.test(mem)) continue;
    const hasId = f.length >= 6 && /^\d+$/.test(f[f.length - 5]);
    const name = f.slice(0, f.length - (hasId ? 5 : 4)).join(' ');
    domains.push({
      name,
      id: hasId ? Number(f[f.length - 5]) : null,
      mem: Number(mem),
      vcpus: Number(vcpus),
      state,
      time: Number(time),
    });
  }
  return domains;
}

export interface XenFacts {
  rackplay_xen_running: boolean;
  rackplay_xen_dom0: boolean;
  rackplay_xen_domains: XenDomain[];
}

/** Xen facts from the `xen` section (`proc_xen` then /proc/xen/capabilities) and kernel. */
export function xenFacts(xenSection: string, kernel: string, xmList: string): XenFacts {
  const lines = xenSection.split('\n').map((l) => l.trim());
  const procXen = lines.includes('proc_xen');
  return {
    rackplay_xen_running: procXen || /xen/i.test(kernel),
    rackplay_xen_dom0: lines.some((l) => l.includes('control_d')),
    rackplay_xen_domains: parseXmList(xmList),
  };
}
