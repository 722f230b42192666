// The pure half of ansible.posix.firewalld: what one task is about (a service, a port, a
// rich rule, the zone's target, the zone itself...), the firewall-cmd options that ask for
// it, add it and remove it, and Ansible's transaction logic: which of the permanent and
// runtime configurations change, and its messages. firewalld.ts probes and runs.
import { ModuleFailure } from './types.js';

export interface FirewalldArgs {
  icmp_block?: string;
  icmp_block_inversion?: string;
  service?: string;
  protocol?: string;
  port?: string;
  port_forward?: Record<string, unknown>[];
  rich_rule?: string;
  zone?: string;
  immediate?: boolean;
  source?: string;
  permanent?: boolean;
  state: 'absent' | 'disabled' | 'enabled' | 'present';
  timeout?: number;
  interface?: string;
  masquerade?: string;
  offline?: boolean;
  target?: 'default' | 'ACCEPT' | 'DROP' | '%%REJECT%%';
}

/** One thing a task sets: how firewall-cmd asks for it and changes it. */
export interface FirewalldItem {
  kind: 'icmp_block' | 'icmp_block_inversion' | 'service' | 'protocol' | 'port' | 'port_forward' | 'rich_rule' | 'source' | 'interface' | 'masquerade' | 'target' | 'zone';
  /** The `--query-X[=V]` option (for target: `--get-target`; for zone: `--get-zones`). */
  query: string;
  add: string;
  remove: string;
  /** Enabled when the query prints this (target) or lists it (zone); otherwise rc 0 means enabled. */
  expect?: string;
  /** The state the transaction aims at (masquerade and icmp_block_inversion invert it for a false value). */
  desired: 'enabled' | 'disabled' | 'present' | 'absent';
  enabledValues: string[];
  disabledValues: string[];
  /** The transaction's own message on a change (masquerade, interface, source, target, zone). */
  enabledMsg?: string;
  disabledMsg?: string;
  /** main()'s message on a change ("Changed service http to enabled"). */
  changedMsg?: string;
  /** Zone-level: only the permanent configuration. */
  permanentOnly?: boolean;
  /** The option takes a runtime `--timeout` on add. */
  timed?: boolean;
}

export interface FirewalldPrepared {
  args: FirewalldArgs;
  permanent: boolean;
  immediate: boolean;
  /** Undefined when the task changes nothing (state enabled/disabled with nothing named). */
  item?: FirewalldItem;
  warnings: string[];
}

const NOT_PERMANENT = "Zone operations must be permanent. Make sure you didn't set the 'permanent' flag to 'false' or the 'immediate' flag to 'true'.";
export const OFFLINE_NOTE = '(offline operation: only on-disk configs were altered)';

const TRUE_WORDS = ['y', 'yes', 'on', '1', 'true', 't', '1.0'];
const FALSE_WORDS = ['n', 'no', 'off', '0', 'false', 'f', '0.0'];

/** Ansible's boolean() of a string option, undefined when it is neither. */
function boolOf(v: string): boolean | undefined {
  const l = String(v).toLowerCase();
  if (TRUE_WORDS.includes(l)) return true;
  if (FALSE_WORDS.includes(l)) return false;
  return undefined;
}

const typeWarning = (name: string, v: string) =>
  `The value of the ${name} option is "${v}". The type of the option will be changed from string to boolean in a future release. To avoid unexpected behavior, please change the value to boolean.`;

const MODIFIERS = ['icmp_block', 'icmp_block_inversion', 'service', 'protocol', 'port', 'port_forward', 'rich_rule', 'interface', 'masquerade', 'source', 'target'] as const;

/** Ansible's argument checks and the item, with the zone still a shell word `$zone` in messages. */
export function prepareFirewalld(a: FirewalldArgs, zone: string): FirewalldPrepared {
  const permanent = !!a.permanent;
  const immediate = !a.permanent && !a.immediate ? true : !!a.immediate;
  const warnings: string[] = [];
  const st = a.state;
  const base = { desired: st, enabledValues: ['enabled'], disabledValues: ['disabled'] };
  const modification = MODIFIERS.some((k) => a[k] !== undefined && a[k] !== null);
  if (modification && (st === 'absent' || st === 'present') && a.target === undefined) {
    throw new ModuleFailure('absent and present state can only be used in zone level operations');
  }
  const changed = (what: string) => `Changed ${what} to ${st}`;
  const timed = (opt: string, v: string, what: string): FirewalldItem => ({ kind: opt as FirewalldItem['kind'], query: `--query-${opt.replace(/_/g, '-')}=${v}`, add: `--add-${opt.replace(/_/g, '-')}=${v}`, remove: `--remove-${opt.replace(/_/g, '-')}=${v}`, changedMsg: changed(what), timed: true, ...base });
  let item: FirewalldItem | undefined;
  // one of them at most (mutually exclusive); main() tries them in this order
  if (a.icmp_block != null) item = { ...timed('icmp_block', a.icmp_block, `icmp-block ${a.icmp_block}`) };
  else if (a.icmp_block_inversion != null) {
    const on = boolOf(a.icmp_block_inversion);
    if (on === undefined) warnings.push(typeWarning('icmp_block_inversion', a.icmp_block_inversion));
    const desired = (st === 'enabled') === (on ?? true) ? 'enabled' : 'disabled';
    item = { kind: 'icmp_block_inversion', query: '--query-icmp-block-inversion', add: '--add-icmp-block-inversion', remove: '--remove-icmp-block-inversion', ...base, desired, changedMsg: changed(`icmp-block-inversion ${a.icmp_block_inversion}`) };
  } else if (a.service != null) item = timed('service', a.service, `service ${a.service}`);
  else if (a.protocol != null) item = timed('protocol', a.protocol, `protocol ${a.protocol}`);
  else if (a.source != null) {
    item = { kind: 'source', query: `--query-source=${a.source}`, add: `--add-source=${a.source}`, remove: `--remove-source=${a.source}`, ...base, enabledMsg: `Added ${a.source} to zone ${zone}`, disabledMsg: `Removed ${a.source} from zone ${zone}` };
  } else if (a.port != null) {
    const [port, proto] = a.port.trim().split('/');
    if (!proto) throw new ModuleFailure('improper port format (missing protocol?)');
    item = timed('port', `${port}/${proto}`, `port ${port}/${proto}`);
  } else if (a.port_forward != null) {
    if (a.port_forward.length > 1) throw new ModuleFailure('Only one port forward supported at a time');
    const f = a.port_forward[0] ?? {};
    for (const [k, m] of [['port', 'port must be specified for port forward'], ['proto', 'proto udp/tcp must be specified for port forward'], ['toport', 'toport must be specified for port forward']]) {
      if (!(k in f)) throw new ModuleFailure(m);
    }
    const spec = `port=${f.port}:proto=${f.proto}:toport=${f.toport}${f.toaddr ? `:toaddr=${f.toaddr}` : ''}`;
    item = { ...timed('forward_port', spec, ''), kind: 'port_forward', changedMsg: changed(`port_forward port=${f.port}:proto=${f.proto}:toport=${f.toport}:toaddr=${f.toaddr ?? ''}`) };
  } else if (a.rich_rule != null) item = timed('rich_rule', a.rich_rule, `rich_rule ${a.rich_rule}`);
  else if (a.interface != null) {
    // --change-interface moves it out of the zone it was in, as Ansible's module does
    item = { kind: 'interface', query: `--query-interface=${a.interface}`, add: `--change-interface=${a.interface}`, remove: `--remove-interface=${a.interface}`, ...base, enabledMsg: `Changed ${a.interface} to zone ${zone}`, disabledMsg: `Removed ${a.interface} from zone ${zone}` };
  } else if (a.masquerade != null) {
    const on = boolOf(a.masquerade);
    if (on === undefined) warnings.push(typeWarning('masquerade', a.masquerade));
    const desired = (st === 'enabled') === (on ?? true) ? 'enabled' : 'disabled';
    item = { kind: 'masquerade', query: '--query-masquerade', add: '--add-masquerade', remove: '--remove-masquerade', ...base, desired, enabledMsg: `Added masquerade to zone ${zone}`, disabledMsg: `Removed masquerade from zone ${zone}` };
  } else if (a.target != null) {
    item = { kind: 'target', query: '--get-target', expect: a.target, add: `--set-target=${a.target}`, remove: '--set-target=default', ...base, enabledValues: ['present', 'enabled'], disabledValues: ['absent', 'disabled'], enabledMsg: `Set zone ${zone} target to ${a.target}`, disabledMsg: `Reset zone ${zone} target to default`, permanentOnly: true };
  } else if (st === 'present' || st === 'absent') {
    item = { kind: 'zone', query: '--get-zones', expect: zone, add: `--new-zone=${zone}`, remove: `--delete-zone=${zone}`, ...base, enabledValues: ['present'], disabledValues: ['absent'], enabledMsg: `Added zone ${zone}`, disabledMsg: `Removed zone ${zone}`, changedMsg: `Changed zone ${a.zone ?? 'None'} to ${st}`, permanentOnly: true };
  }
  return { args: a, permanent, immediate, item, warnings };
}

/** What the probe found: each configuration's answer, undefined when not asked. */
export interface FirewalldState {
  permanent?: boolean;
  immediate?: boolean;
}

/** One change: `permanent` goes to the on-disk configuration. */
export interface FirewalldChange {
  option: string;
  permanent: boolean;
}

export interface FirewalldOutcome {
  changes: FirewalldChange[];
  /** The result's msg (none in check mode when it would change: Ansible exits early). */
  msg?: string;
}

/** Ansible's FirewallTransaction.run() and main()'s messages. */
export function firewalldOutcome(p: FirewalldPrepared, s: FirewalldState, offline: boolean, check: boolean): FirewalldOutcome {
  const it = p.item;
  const tail = offline ? [OFFLINE_NOTE] : [];
  if (!it) return { changes: [], msg: tail.join(', ') };
  if (it.permanentOnly && p.immediate) throw new ModuleFailure(NOT_PERMANENT);
  const msgs: string[] = [];
  const changes: FirewalldChange[] = [];
  const enable = it.enabledValues.includes(it.desired);
  const disable = it.disabledValues.includes(it.desired);
  const configs: boolean[] = p.permanent && p.immediate ? [true, false] : p.permanent ? [true] : [false];
  msgs.push(p.permanent && p.immediate ? 'Permanent and Non-Permanent(immediate) operation' : p.permanent ? 'Permanent operation' : 'Non-permanent operation');
  for (const perm of configs) {
    const on = perm ? s.permanent : s.immediate;
    if (enable && !on) changes.push({ option: it.add, permanent: perm });
    if (disable && on) changes.push({ option: it.remove, permanent: perm });
  }
  if (changes.length && check) return { changes };
  if (changes.length) {
    const own = enable ? it.enabledMsg : disable ? it.disabledMsg : undefined;
    if (own) msgs.push(own);
    if (it.changedMsg) msgs.push(it.changedMsg);
  }
  return { changes, msg: [...msgs, ...tail].join(', ') };
}
