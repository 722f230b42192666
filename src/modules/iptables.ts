// ansible.builtin.iptables: one rule, a chain policy or a flush in the running firewall.
// SL4's iptables 1.2.11 has no `-C` (it came in 1.4.11), so the probe reads the table
// with `iptables-save -t TABLE` and the rule is compared in a normal form (see
// iptables-rule.ts) with the words this module would send. Before 1.4 the command we send uses `-m state` and the old `-s ! addr` negation.
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
import type { FromSchema } from 'json-schema-to-ts';
import { SBIN_PATH, parseSections, section } from '../facts/system-probe.js';
import { quote, quoteArgv } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { ruleForm, sameRule, savedPolicy, savedRules } from './iptables-rule.js';
import { defineModule, ModuleFailure, type Plan, type PlanContext } from './types.js';

export type IptablesArgs = FromSchema<typeof schema>;

export interface IptablesFacts {
  /** [major, minor, patch] of the host's iptables; [0,0,0] when unknown. */
  version: [number, number, number];
  /** iptables-save output for the table. */
  saved: string;
  saveRc: number;
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
    // `! --syn`: iptables 1.2 reads the ! before this flag too (it takes no value)
    if (args.syn === 'negate') (perMatch[protoMatch] ??= []).push('!', '--syn');
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
    chain_management: args.chain_management,
  };
  if (f.saveRc !== 0) throw new ModuleFailure(`${t.save} failed: ${f.saved.trim() || `rc=${f.saveRc}`}`);
  if (args.flush) {
    return { steps: [{ kind: 'exec', cmd: `${base} -F${args.chain ? ` ${quote(args.chain)}` : ''}` }], result };
  }
  // required_if (flush false: chain) held when the arguments were validated; the schema's
  // type cannot say so, hence this one narrowing.
  const chainName = args.chain;
  if (chainName === undefined) throw new Error('iptables: no chain, although required_if asks for one');
  if (args.policy) {
    const current = savedPolicy(f.saved, chainName);
    if (current === undefined) throw new ModuleFailure(`Chain ${chainName} has no policy in table ${args.table} (only built-in chains have one)`);
    result.policy = args.policy;
    return { steps: current === args.policy ? [] : [{ kind: 'exec', cmd: `${base} -P ${quote(chainName)} ${quote(args.policy)}` }], result };
  }
  const words = ruleWords(args, f.version);
  const want = ruleForm(words);
  result.rule = words.join(' ');
  const chain = quote(chainName);
  // iptables-save names every chain of the table on a `:CHAIN POLICY` line
  const chainPresent = savedPolicy(f.saved, chainName) !== undefined;
  if (args.state === 'absent' && words.length === 0) {
    // no rule: the chain itself, deleted only with chain_management (Ansible reports the
    // change either way)
    if (!chainPresent) return { steps: [], result };
    return { steps: args.chain_management ? [{ kind: 'exec', cmd: `${base} -X ${chain}` }] : [], changed: true, result };
  }
  const present = savedRules(f.saved, chainName).some((r) => sameRule(ruleForm(r), want));
  if (args.state === 'present') {
    if (present) return { steps: [], result };
    const where = args.action === 'insert' ? `-I ${chain}${args.rule_num ? ` ${quote(args.rule_num)}` : ''}` : `-A ${chain}`;
    const create = !chainPresent && args.chain_management ? `${base} -N ${chain} && ` : '';
    return { steps: [{ kind: 'exec', cmd: `${create}${base} ${where}${words.length ? ` ${quoteArgv(words)}` : ''}` }], result };
  }
  if (!present) return { steps: [], result };
  return { steps: [{ kind: 'exec', cmd: `${base} -D ${chain} ${quoteArgv(words)}` }], result };
}

const str = { type: 'string' } as const;
const strList = { type: 'array', items: { type: 'string' }, default: [] } as const;

const schema = {
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
    chain_management: { type: 'boolean', default: false },
    wait: str,
  },
  additionalProperties: false,
} as const;

export const iptablesModule = defineModule<IptablesArgs, IptablesArgs, IptablesFacts>({
  name: 'iptables',
  summary: 'Add or remove one iptables rule, set a chain policy or flush a chain',
  schema,
  // Ansible's iptables declares these (and set_dscp_mark_class, gateway: not offered here)
  constraints: { mutually_exclusive: [['flush', 'policy']], required_if: [['flush', false, ['chain']]] },
  checkMode: 'plan',
  probe: iptablesProbe,
  parse: parseIptablesProbe,
  plan: planIptables,
});
