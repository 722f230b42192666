// ansible.builtin.iptables: one rule, a chain policy or a flush in the running firewall.
// SL4's iptables 1.2.11 has no `-C` (it came in 1.4.11), so the probe reads the table
// with `iptables-save -t TABLE` and the rule is compared in a normal form: both the
// saved line and our argv are parsed into base options, a set of matches with their
// options and the target, with iptables-save's habits folded away (`-m tcp` it adds for
// --dport, /32 host masks and dotted netmasks, `--syn` vs `--tcp-flags`, default
// `--reject-with`/`--limit-burst`/`--log-level`, `-m state --state` and
// `-m conntrack --ctstate` being the same test). The order of matches does not matter.
// Before 1.4 the command we send uses `-m state` and the old `-s ! addr` negation.
// Names that iptables resolves when loading (host names, user names for --uid-owner,
// service names for ports) are compared as written: give numbers.
//
//   - ansible.builtin.iptables:
//       chain: INPUT
//       protocol: tcp
//       destination_port: "22"
//       ctstate: [NEW]
//       jump: ACCEPT
//       comment: ssh from anywhere
import { SBIN_PATH, parseSections, section } from '../facts/system-probe.js';
import { quote, quoteArgv } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import type { ModuleDef, Plan, PlanContext } from './types.js';

export interface IptablesArgs {
  table: string;
  state: 'present' | 'absent';
  action: 'append' | 'insert';
  rule_num?: string;
  ip_version: 'ipv4' | 'ipv6';
  chain?: string;
  protocol?: string;
  source?: string;
  destination?: string;
  match: string[];
  jump?: string;
  goto?: string;
  in_interface?: string;
  out_interface?: string;
  fragment?: string;
  source_port?: string;
  destination_port?: string;
  destination_ports: string[];
  to_ports?: string;
  to_destination?: string;
  to_source?: string;
  comment?: string;
  ctstate: string[];
  src_range?: string;
  dst_range?: string;
  limit?: string;
  limit_burst?: string;
  log_prefix?: string;
  log_level?: string;
  reject_with?: string;
  icmp_type?: string;
  syn: 'ignore' | 'match' | 'negate';
  tcp_flags?: { flags?: string[]; flags_set?: string[] };
  uid_owner?: string;
  gid_owner?: string;
  set_dscp_mark?: string;
  policy?: string;
  flush: boolean;
  wait?: string;
}

export interface IptablesFacts {
  /** [major, minor, patch] of the host's iptables; [0,0,0] when unknown. */
  version: [number, number, number];
  /** iptables-save output for the table. */
  saved: string;
  saveRc: number;
}

// ---------------------------------------------------------------- normal form of a rule

export interface RuleForm {
  base: Record<string, string>;
  matches: Record<string, Record<string, string>>;
  target: string;
  targetOpts: Record<string, string>;
}

/** Splits an iptables-save line: words, with "double quoted" strings and \" escapes. */
export function tokenize(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '\\' && i + 1 < line.length) cur += line[++i];
      else if (c === '"') quoted = false;
      else cur += c;
      continue;
    }
    if (c === '"') {
      quoted = true;
      inWord = true;
    } else if (c === ' ' || c === '\t') {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

const LONG: Record<string, string> = {
  '--protocol': '-p', '--source': '-s', '--src': '-s', '--destination': '-d', '--dst': '-d',
  '--in-interface': '-i', '--out-interface': '-o', '--jump': '-j', '--goto': '-g', '--match': '-m',
  '--fragment': '-f', '--source-port': '--sport', '--destination-port': '--dport',
  '--source-ports': '--sports', '--destination-ports': '--dports',
};
const BASE_OPTS = new Set(['-p', '-s', '-d', '-i', '-o', '-f']);
const PROTO_OPTS = new Set(['--sport', '--dport', '--tcp-flags', '--syn', '--tcp-option', '--icmp-type']);
const TARGET_OPTS = new Set([
  '--log-prefix', '--log-level', '--log-tcp-sequence', '--log-tcp-options', '--log-ip-options', '--log-uid',
  '--reject-with', '--to-destination', '--to-source', '--to-ports', '--to', '--set-mark', '--set-xmark',
  '--clamp-mss-to-pmtu', '--set-mss', '--set-dscp', '--set-dscp-class', '--random',
]);
const PROTO_NUM: Record<string, string> = { '1': 'icmp', '6': 'tcp', '17': 'udp', '58': 'ipv6-icmp', '132': 'sctp', '47': 'gre', '50': 'esp', '51': 'ah' };
const LOG_LEVELS: Record<string, string> = { emerg: '0', alert: '1', crit: '2', error: '3', err: '3', warning: '4', warn: '4', notice: '5', info: '6', debug: '7' };
const ICMP_TYPES: Record<string, string> = {
  'echo-reply': '0', pong: '0', 'destination-unreachable': '3', 'source-quench': '4', redirect: '5',
  'echo-request': '8', ping: '8', 'time-exceeded': '11', 'parameter-problem': '12',
  'timestamp-request': '13', 'timestamp-reply': '14',
};
const TCP_FLAG_ORDER = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG'];

function maskBits(mask: string): number | undefined {
  const parts = mask.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255))) return undefined;
  const n = ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
  const bits = n.toString(2).replace(/0+$/, '');
  return /^1*$/.test(bits) ? bits.length : undefined;
}

function normAddress(v: string): string {
  const [addr, rawMask] = v.split('/');
  let mask: string | undefined = rawMask;
  if (mask !== undefined && mask.includes('.')) mask = String(maskBits(mask) ?? mask);
  if (mask === '32' || mask === '128') mask = undefined;
  return mask === undefined ? addr : `${addr}/${mask}`;
}

function sortFlags(list: string): string {
  const flags = list.toUpperCase().split(',');
  if (flags.length === 1 && (flags[0] === 'ALL' || flags[0] === 'NONE')) return flags[0];
  return [...new Set(flags)].sort((a, b) => TCP_FLAG_ORDER.indexOf(a) - TCP_FLAG_ORDER.indexOf(b)).join(',');
}

function normValue(opt: string, value: string): string {
  switch (opt) {
    case '-s':
    case '-d':
      return normAddress(value);
    case '-p':
      return PROTO_NUM[value] ?? value.toLowerCase();
    case '--state':
      return value.toUpperCase().split(',').sort().join(',');
    case '--log-level':
      return LOG_LEVELS[value.toLowerCase()] ?? value;
    case '--icmp-type':
      return ICMP_TYPES[value] ?? value;
    case '--limit': {
      const m = /^(\d+)\/(s|sec|second|m|min|minute|h|hour|d|day)s?$/i.exec(value);
      if (!m) return value;
      const unit = m[2].toLowerCase()[0];
      return `${m[1]}/${{ s: 'sec', m: 'min', h: 'hour', d: 'day' }[unit as 's']}`;
    }
    case '--tcp-flags': {
      const [mask, comp] = value.split(' ');
      return `${sortFlags(mask)} ${sortFlags(comp ?? '')}`;
    }
    default:
      return value;
  }
}

/** The normal form of a rule spec (the words after `-A CHAIN`). */
export function ruleForm(words: readonly string[]): RuleForm {
  const form: RuleForm = { base: {}, matches: {}, target: '', targetOpts: {} };
  let currentMatch: string | undefined;
  let negateNext = false;
  let i = 0;
  const put = (bucket: Record<string, string>, opt: string, value: string, neg: boolean) => {
    bucket[opt] = (neg ? '! ' : '') + normValue(opt, value);
  };
  while (i < words.length) {
    let w = words[i++];
    if (w === '!') {
      negateNext = true;
      continue;
    }
    w = LONG[w] ?? w;
    let neg = negateNext;
    negateNext = false;
    const values: string[] = [];
    while (i < words.length && !(words[i].startsWith('-') && words[i].length > 1 && !/^-\d/.test(words[i])) && words[i] !== '!') values.push(words[i++]);
    // the old syntax puts the ! after the option: `-s ! 10.0.0.1`, `--dport ! 22`
    if (values.length === 0 && words[i] === '!' && i + 1 < words.length && !words[i + 1].startsWith('-')) {
      neg = true;
      i++;
      while (i < words.length && !words[i].startsWith('-') && words[i] !== '!') values.push(words[i++]);
    }
    const value = values.join(' ');
    if (w === '-m') {
      currentMatch = value === 'conntrack' ? 'state' : value;
      form.matches[currentMatch] ??= {};
      continue;
    }
    if (w === '-j') {
      form.target = value;
      continue;
    }
    if (w === '-g') {
      form.target = `goto:${value}`;
      continue;
    }
    if (BASE_OPTS.has(w)) {
      if (w === '-f') form.base['-f'] = neg ? '!' : '';
      else put(form.base, w, value, neg);
      continue;
    }
    if (w === '--ctstate') w = '--state';
    if (w === '--syn') {
      w = '--tcp-flags';
      values.splice(0, values.length, 'FIN,SYN,RST,ACK', 'SYN');
    }
    if (TARGET_OPTS.has(w)) {
      put(form.targetOpts, w, values.join(' ') || value, neg);
      continue;
    }
    const owner = PROTO_OPTS.has(w) ? form.base['-p']?.replace(/^! /, '') ?? currentMatch ?? '?' : currentMatch ?? '?';
    form.matches[owner] ??= {};
    put(form.matches[owner], w, values.join(' '), neg);
  }
  // iptables-save names the protocol match even when nothing asked for it by name
  const proto = form.base['-p'];
  if (proto && form.matches[proto] && Object.keys(form.matches[proto]).length === 0) delete form.matches[proto];
  for (const [m, opts] of Object.entries(form.matches)) if (m === 'icmp' && Object.keys(opts).length === 0) delete form.matches[m];
  if (form.base['-s'] === '0.0.0.0/0') delete form.base['-s'];
  if (form.base['-d'] === '0.0.0.0/0') delete form.base['-d'];
  if (form.base['-p'] === 'all') delete form.base['-p'];
  if (form.target === 'REJECT' && form.targetOpts['--reject-with'] === 'icmp-port-unreachable') delete form.targetOpts['--reject-with'];
  if (form.target === 'LOG' && form.targetOpts['--log-level'] === '4') delete form.targetOpts['--log-level'];
  if (form.matches.limit?.['--limit-burst'] === '5') delete form.matches.limit['--limit-burst'];
  return form;
}

export function sameRule(a: RuleForm, b: RuleForm): boolean {
  const canon = (f: RuleForm) =>
    JSON.stringify({
      base: Object.entries(f.base).sort(),
      matches: Object.entries(f.matches)
        .map(([m, o]) => [m, Object.entries(o).sort()])
        .sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
      target: f.target,
      targetOpts: Object.entries(f.targetOpts).sort(),
    });
  return canon(a) === canon(b);
}

// ---------------------------------------------------------------- rule words from args

function versionAtLeast(v: [number, number, number], want: [number, number, number]): boolean {
  for (let i = 0; i < 3; i++) if (v[i] !== want[i]) return v[i] > want[i];
  return true;
}

/** The rule's words, for the command line and for comparison. */
export function ruleWords(args: IptablesArgs, version: [number, number, number]): string[] {
  const oldNegation = version[0] !== 0 && !versionAtLeast(version, [1, 4, 3]);
  const oldState = version[0] !== 0 && !versionAtLeast(version, [1, 4, 0]);
  const w: string[] = [];
  const param = (flag: string, value: string | undefined) => {
    if (value === undefined || value === '') return;
    if (value.startsWith('!')) {
      const v = value.slice(1).trim();
      if (oldNegation) w.push(flag, '!', v);
      else w.push('!', flag, v);
    } else w.push(flag, value);
  };
  const matches = [...args.match];
  const addMatch = (m: string) => {
    if (!matches.includes(m)) matches.push(m);
  };
  param('-p', args.protocol);
  param('-s', args.source);
  param('-d', args.destination);
  param('-i', args.in_interface);
  param('-o', args.out_interface);
  if (args.fragment !== undefined) w.push(...(args.fragment.startsWith('!') ? ['!', '-f'] : ['-f']));
  const protoMatch = args.protocol && !args.protocol.startsWith('!') ? args.protocol.toLowerCase() : undefined;
  const explicit = new Set(args.match);
  // options that belong to a named match follow its -m
  const perMatch: Record<string, string[]> = {};
  const opt = (match: string, flag: string, value: string | undefined) => {
    if (value === undefined || value === '') return;
    const before = w.length;
    param(flag, value);
    const added = w.splice(before);
    (perMatch[match] ??= []).push(...added);
    addMatch(match);
  };
  if (protoMatch && (args.source_port || args.destination_port || args.syn !== 'ignore' || args.tcp_flags || args.icmp_type)) {
    opt(protoMatch, '--sport', args.source_port);
    opt(protoMatch, '--dport', args.destination_port);
    if (args.syn === 'match') (perMatch[protoMatch] ??= []).push('--syn');
    if (args.syn === 'negate') (perMatch[protoMatch] ??= []).push(...(oldNegation ? ['!', '--syn'] : ['!', '--syn']));
    if (args.tcp_flags) (perMatch[protoMatch] ??= []).push('--tcp-flags', (args.tcp_flags.flags ?? []).join(','), (args.tcp_flags.flags_set ?? []).join(','));
    opt(protoMatch, '--icmp-type', args.icmp_type);
    addMatch(protoMatch);
  }
  if (args.destination_ports.length) opt('multiport', '--dports', args.destination_ports.join(','));
  if (args.ctstate.length) {
    const m = explicit.has('conntrack') ? 'conntrack' : explicit.has('state') ? 'state' : oldState ? 'state' : 'conntrack';
    opt(m, m === 'conntrack' ? '--ctstate' : '--state', args.ctstate.join(','));
  }
  opt('iprange', '--src-range', args.src_range);
  opt('iprange', '--dst-range', args.dst_range);
  opt('limit', '--limit', args.limit);
  opt('limit', '--limit-burst', args.limit_burst);
  opt('owner', '--uid-owner', args.uid_owner);
  opt('owner', '--gid-owner', args.gid_owner);
  opt('comment', '--comment', args.comment);
  for (const m of matches) w.push('-m', m, ...(perMatch[m] ?? []));
  const jump = args.jump ?? (args.reject_with ? 'REJECT' : undefined);
  if (jump) w.push('-j', jump);
  if (args.goto) w.push('-g', args.goto);
  const tparam = (flag: string, v: string | undefined) => {
    if (v !== undefined && v !== '') w.push(flag, v);
  };
  if (jump === 'LOG') {
    tparam('--log-prefix', args.log_prefix);
    tparam('--log-level', args.log_level);
  }
  tparam('--to-destination', args.to_destination);
  tparam('--to-source', args.to_source);
  tparam('--to-ports', args.to_ports);
  tparam('--reject-with', args.reject_with);
  tparam('--set-dscp', args.set_dscp_mark);
  return w;
}

// ---------------------------------------------------------------- probe, parse, plan

function tools(args: IptablesArgs): { cmd: string; save: string } {
  return args.ip_version === 'ipv6' ? { cmd: 'ip6tables', save: 'ip6tables-save' } : { cmd: 'iptables', save: 'iptables-save' };
}

export function iptablesProbe(args: IptablesArgs): string {
  const t = tools(args);
  return [SBIN_PATH, section('version', `${t.cmd} -V`), section('save', `${t.save} -t ${quote(args.table)}`)].join('\n');
}

export function parseIptablesProbe(out: ExecResult): IptablesFacts {
  const s = parseSections(out.stdout);
  const m = /v(\d+)\.(\d+)(?:\.(\d+))?/.exec(s.text.version ?? '');
  const version: [number, number, number] = m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : [0, 0, 0];
  return { version, saved: s.text.save ?? '', saveRc: s.rc.save ?? 1 };
}

/** The rules of a chain in iptables-save output, as word lists after `-A CHAIN`. */
export function savedRules(saved: string, chain: string): string[][] {
  const out: string[][] = [];
  for (const line of saved.split('\n')) {
    const words = tokenize(line.trim());
    if (words[0] === '-A' && words[1] === chain) out.push(words.slice(2));
  }
  return out;
}

export function savedPolicy(saved: string, chain: string): string | undefined {
  for (const line of saved.split('\n')) {
    const m = /^:(\S+)\s+(\S+)/.exec(line.trim());
    if (m && m[1] === chain) return m[2];
  }
  return undefined;
}

export function planIptables(args: IptablesArgs, f: IptablesFacts, _ctx?: PlanContext): Plan {
  const t = tools(args);
  const base = `${SBIN_PATH} && ${t.cmd}${args.wait ? ` -w ${quote(args.wait)}` : ''} -t ${quote(args.table)}`;
  const result: Record<string, unknown> = {
    chain: args.chain ?? null,
    flush: args.flush,
    ip_version: args.ip_version,
    match: args.match,
    policy: args.policy ?? null,
    state: args.state,
    table: args.table,
  };
  if (f.saveRc !== 0) return { steps: [], failed: `${t.save} failed: ${f.saved.trim() || `rc=${f.saveRc}`}` };
  if (args.flush) {
    return { steps: [{ kind: 'exec', cmd: `${base} -F${args.chain ? ` ${quote(args.chain)}` : ''}` }], result };
  }
  if (!args.chain) return { steps: [], failed: 'chain is required unless flush is true' };
  if (args.policy) {
    const current = savedPolicy(f.saved, args.chain);
    if (current === undefined) return { steps: [], failed: `Chain ${args.chain} has no policy in table ${args.table} (only built-in chains have one)` };
    result.policy = args.policy;
    return { steps: current === args.policy ? [] : [{ kind: 'exec', cmd: `${base} -P ${quote(args.chain)} ${quote(args.policy)}` }], result };
  }
  const words = ruleWords(args, f.version);
  const want = ruleForm(words);
  result.rule = words.join(' ');
  const present = savedRules(f.saved, args.chain).some((r) => sameRule(ruleForm(r), want));
  const chain = quote(args.chain);
  if (args.state === 'present') {
    if (present) return { steps: [], result };
    const where = args.action === 'insert' ? `-I ${chain}${args.rule_num ? ` ${quote(args.rule_num)}` : ''}` : `-A ${chain}`;
    return { steps: [{ kind: 'exec', cmd: `${base} ${where} ${quoteArgv(words)}` }], result };
  }
  if (!present) return { steps: [], result };
  return { steps: [{ kind: 'exec', cmd: `${base} -D ${chain} ${quoteArgv(words)}` }], result };
}

const str = { type: 'string' };
const strList = { type: 'array', items: { type: 'string' }, default: [] };

export const iptablesModule: ModuleDef<IptablesArgs, IptablesFacts> = {
  name: 'iptables',
  summary: 'Add or remove one iptables rule, set a chain policy or flush a chain',
  schema: {
    type: 'object',
    properties: {
      table: { type: 'string', enum: ['filter', 'nat', 'mangle', 'raw', 'security'], default: 'filter' },
      state: { type: 'string', enum: ['present', 'absent'], default: 'present' },
      action: { type: 'string', enum: ['append', 'insert'], default: 'append' },
      rule_num: str,
      ip_version: { type: 'string', enum: ['ipv4', 'ipv6'], default: 'ipv4' },
      chain: str,
      protocol: str,
      source: str,
      destination: str,
      match: strList,
      jump: str,
      goto: str,
      in_interface: str,
      out_interface: str,
      fragment: str,
      source_port: str,
      destination_port: str,
      destination_ports: strList,
      to_ports: str,
      to_destination: str,
      to_source: str,
      comment: str,
      ctstate: strList,
      src_range: str,
      dst_range: str,
      limit: str,
      limit_burst: str,
      log_prefix: str,
      log_level: str,
      reject_with: str,
      icmp_type: str,
      syn: { type: 'string', enum: ['ignore', 'match', 'negate'], default: 'ignore' },
      tcp_flags: {
        type: 'object',
        properties: { flags: { type: 'array', items: str }, flags_set: { type: 'array', items: str } },
        additionalProperties: false,
      },
      uid_owner: str,
      gid_owner: str,
      set_dscp_mark: str,
      policy: { type: 'string', enum: ['ACCEPT', 'DROP', 'QUEUE', 'RETURN'] },
      flush: { type: 'boolean', default: false },
      wait: str,
    },
    additionalProperties: false,
  },
  checkMode: 'plan',
  probe: iptablesProbe,
  parse: parseIptablesProbe,
  plan: planIptables,
};
