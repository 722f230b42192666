// Interfaces and the default IPv4 route, from iproute2 (`ip addr show`, `ip route`) or,
// where there is no `ip`, from net-tools (`ifconfig -a`, `route -n`) in both its old
// (SL4: "inet addr:") and new (Debian: "inet 1.2.3.4  netmask") layouts.

export interface Ipv4Info {
  address: string;
  netmask: string;
  network: string;
  broadcast: string;
  prefix: string;
}

export interface InterfaceInfo {
  device: string;
  active: boolean;
  type: string;
  mtu?: number;
  macaddress?: string;
  promisc: boolean;
  ipv4?: Ipv4Info;
  ipv4_secondaries?: Ipv4Info[];
  ipv6?: Array<{ address: string; prefix: string; scope: string }>;
}

export function prefixToNetmask(prefix: number): string {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((s) => (mask >>> s) & 255).join('.');
}

export function netmaskToPrefix(netmask: string): number {
  return netmask
    .split('.')
    .map(Number)
    .reduce((n, octet) => n + (octet.toString(2).match(/1/g)?.length ?? 0), 0);
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((n, o) => ((n << 8) | Number(o)) >>> 0, 0);
}

function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

export function ipv4Info(address: string, prefix: number, broadcast?: string): Ipv4Info {
  const mask = ipToInt(prefixToNetmask(prefix));
  const network = (ipToInt(address) & mask) >>> 0;
  return {
    address,
    netmask: prefixToNetmask(prefix),
    network: intToIp(network),
    broadcast: broadcast ?? (prefix >= 31 ? '' : intToIp((network | (~mask >>> 0)) >>> 0)),
    prefix: String(prefix),
  };
}

function linkType(kind: string): string {
  if (kind === 'loopback') return 'loopback';
  if (kind === 'ether') return 'ether';
  return kind || 'unknown';
}

function addIpv4(iface: InterfaceInfo, info: Ipv4Info): void {
  if (!iface.ipv4) iface.ipv4 = info;
  else (iface.ipv4_secondaries ??= []).push(info);
}

/** `ip addr show` output. */
export function parseIpAddr(text: string): InterfaceInfo[] {
  const list: InterfaceInfo[] = [];
  let cur: InterfaceInfo | undefined;
  for (const line of text.split('\n')) {
    const head = /^\d+:\s+([^:\s]+?)(?:@[^:\s]+)?:\s+<([^>]*)>(.*)$/.exec(line);
    if (head) {
      const flags = head[2].split(',');
      const mtu = /\bmtu (\d+)/.exec(head[3]);
      cur = { device: head[1], active: flags.includes('UP'), type: 'unknown', promisc: flags.includes('PROMISC'), ipv6: [] };
      if (mtu) cur.mtu = Number(mtu[1]);
      list.push(cur);
      continue;
    }
    if (!cur) continue;
    const t = line.trim();
    const link = /^link\/(\S+)(?:\s+(\S+))?/.exec(t);
    if (link) {
      cur.type = linkType(link[1]);
      if (link[2] && /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(link[2])) cur.macaddress = link[2].toLowerCase();
      continue;
    }
    const inet = /^inet (\d+\.\d+\.\d+\.\d+)(?:\/(\d+))?(?:.*\bbrd (\d+\.\d+\.\d+\.\d+))?/.exec(t);
    if (inet) {
      addIpv4(cur, ipv4Info(inet[1], inet[2] ? Number(inet[2]) : 32, inet[3]));
      continue;
    }
    const inet6 = /^inet6 ([0-9a-fA-F:]+)\/(\d+)(?:.*\bscope (\S+))?/.exec(t);
    if (inet6) cur.ipv6!.push({ address: inet6[1], prefix: inet6[2], scope: inet6[3] ?? 'global' });
  }
  return list;
}

/** `ifconfig -a`, old ("Link encap:", "inet addr:") or new ("flags=", "inet x netmask y") net-tools. */
export function parseIfconfig(text: string): InterfaceInfo[] {
  const list: InterfaceInfo[] = [];
  let cur: InterfaceInfo | undefined;
  for (const line of text.split('\n')) {
    if (line && !/^\s/.test(line)) {
      const newStyle = /^([^:\s]+(?::\d+)?):\s+flags=\d+<([^>]*)>(?:.*\bmtu (\d+))?/.exec(line);
      const oldStyle = /^(\S+)\s+Link encap:(\S+(?: \S+)?)(?:\s+HWaddr (\S+))?/.exec(line);
      if (newStyle) {
        const flags = newStyle[2].split(',');
        cur = { device: newStyle[1], active: flags.includes('UP'), type: flags.includes('LOOPBACK') ? 'loopback' : 'unknown', promisc: flags.includes('PROMISC'), ipv6: [] };
        if (newStyle[3]) cur.mtu = Number(newStyle[3]);
      } else if (oldStyle) {
        const encap = oldStyle[2];
        cur = {
          device: oldStyle[1],
          active: false,
          type: /Loopback/i.test(encap) ? 'loopback' : /Ethernet/i.test(encap) ? 'ether' : encap.toLowerCase(),
          promisc: false,
          ipv6: [],
        };
        if (oldStyle[3]) cur.macaddress = oldStyle[3].toLowerCase();
      } else {
        cur = undefined;
        continue;
      }
      list.push(cur);
      continue;
    }
    if (!cur) continue;
    const t = line.trim();
    let m = /^inet addr:(\S+)(?:\s+Bcast:(\S+))?\s+Mask:(\S+)/.exec(t);
    if (m) {
      addIpv4(cur, ipv4Info(m[1], netmaskToPrefix(m[3]), m[2]));
      continue;
    }
    m = /^inet (\d+\.\d+\.\d+\.\d+)\s+netmask (\S+)(?:\s+broadcast (\S+))?/.exec(t);
    if (m) {
      addIpv4(cur, ipv4Info(m[1], netmaskToPrefix(m[2]), m[3]));
      continue;
    }
    m = /^inet6 addr:\s*([0-9a-fA-F:]+)\/(\d+)\s+Scope:(\S+)/.exec(t);
    if (m) {
      cur.ipv6!.push({ address: m[1], prefix: m[2], scope: m[3].toLowerCase() });
      continue;
    }
    m = /^inet6 ([0-9a-fA-F:]+)\s+prefixlen (\d+)(?:\s+scopeid \S+<(\w+)>)?/.exec(t);
    if (m) {
      cur.ipv6!.push({ address: m[1], prefix: m[2], scope: m[3] ?? 'global' });
      continue;
    }
    m = /^ether ([0-9a-fA-F:]{17})/.exec(t);
    if (m) {
      cur.macaddress = m[1].toLowerCase();
      cur.type = 'ether';
      continue;
    }
    if (/^(UP|BROADCAST|LOOPBACK|RUNNING|MULTICAST|PROMISC)\b/.test(t)) {
      const words = t.split(/\s+/);
      cur.active = words.includes('UP');
      cur.promisc = words.includes('PROMISC');
      const mtu = /MTU:(\d+)/.exec(t);
      if (mtu) cur.mtu = Number(mtu[1]);
    }
  }
  return list;
}

export interface DefaultRoute {
  interface?: string;
  gateway?: string;
  address?: string;
}

/** `ip -4 route get 8.8.8.8` (preferred: it names the source address) and `ip -4 route show`. */
export function parseIpRoute(routeGet: string, routeShow: string): DefaultRoute {
  const r: DefaultRoute = {};
  const words = routeGet.split(/\s+/);
  for (let i = 0; i < words.length - 1; i++) {
    if (words[i] === 'dev') r.interface ??= words[i + 1];
    if (words[i] === 'src') r.address ??= words[i + 1];
    if (words[i] === 'via') r.gateway ??= words[i + 1];
  }
  const def = routeShow.split('\n').find((l) => l.startsWith('default'));
  if (def) {
    const w = def.trim().split(/\s+/);
    const at = (k: string) => (w.indexOf(k) >= 0 ? w[w.indexOf(k) + 1] : undefined);
    r.gateway ??= at('via');
    r.interface ??= at('dev');
  }
  return r;
}

/** `route -n`: the 0.0.0.0 destination line gives gateway and interface. */
export function parseRouteN(text: string): DefaultRoute {
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] === '0.0.0.0' && f.length >= 8) return { gateway: f[1], interface: f[f.length - 1] };
  }
  return {};
}

/** Ansible's name for a per-interface fact: ansible_eth0, ansible_br_ext. */
export function interfaceFactName(device: string): string {
  return 'ansible_' + device.replace(/[-:.]/g, '_');
}

export function networkFacts(ifaces: InterfaceInfo[], route: DefaultRoute): Record<string, unknown> {
  const facts: Record<string, unknown> = {};
  const all4: string[] = [];
  const all6: string[] = [];
  for (const i of ifaces) {
    facts[interfaceFactName(i.device)] = i;
    for (const a of [i.ipv4, ...(i.ipv4_secondaries ?? [])]) if (a && !a.address.startsWith('127.')) all4.push(a.address);
    for (const a of i.ipv6 ?? []) if (a.address !== '::1') all6.push(a.address);
  }
  facts.ansible_interfaces = ifaces.map((i) => i.device);
  facts.ansible_all_ipv4_addresses = all4;
  facts.ansible_all_ipv6_addresses = all6;
  const dev = ifaces.find((i) => i.device === route.interface);
  const def: Record<string, unknown> = {};
  if (route.interface && dev) {
    const addr = [dev.ipv4, ...(dev.ipv4_secondaries ?? [])].find((a) => a && (!route.address || a.address === route.address)) ?? dev.ipv4;
    Object.assign(def, addr ?? {});
    if (route.address) def.address = route.address;
    def.interface = dev.device;
    def.alias = dev.device;
    if (route.gateway) def.gateway = route.gateway;
    if (dev.macaddress) def.macaddress = dev.macaddress;
    if (dev.mtu !== undefined) def.mtu = dev.mtu;
    def.type = dev.type;
  }
  facts.ansible_default_ipv4 = def;
  return facts;
}
