// The pure half of community.general.ufw: the ufw command lines Ansible builds (the same
// text it returns in `commands`), and its verdicts on `changed` read from `ufw status
// verbose` and the `### tuple` lines of the user rules files. ufw.ts runs them.
import { shlexSplit } from '../shlex.js';

export interface UfwArgs {
  state?: 'enabled' | 'disabled' | 'reloaded' | 'reset';
  default?: 'allow' | 'deny' | 'reject';
  logging?: 'full' | 'high' | 'low' | 'medium' | 'off' | 'on';
  direction?: 'in' | 'incoming' | 'out' | 'outgoing' | 'routed';
  delete?: boolean;
  route?: boolean;
  insert?: number;
  insert_relative_to?: 'zero' | 'first-ipv4' | 'last-ipv4' | 'first-ipv6' | 'last-ipv6';
  rule?: 'allow' | 'deny' | 'limit' | 'reject';
  interface?: string;
  interface_in?: string;
  interface_out?: string;
  log?: boolean;
  from_ip?: string;
  from_port?: string;
  to_ip?: string;
  to_port?: string;
  proto?: 'ah' | 'any' | 'esp' | 'ipv6' | 'tcp' | 'udp' | 'gre' | 'igmp';
  name?: string;
  comment?: string;
}

/** The files Ansible greps for `### tuple` lines, in its order. */
export const UFW_RULE_FILES = ['/lib/ufw/user.rules', '/lib/ufw/user6.rules', '/etc/ufw/user.rules', '/etc/ufw/user6.rules', '/var/lib/ufw/user.rules', '/var/lib/ufw/user6.rules'];

/** Ansible's command keys, in the order it runs them. */
export const UFW_COMMAND_KEYS = ['state', 'default', 'rule', 'logging'] as const;
export type UfwCommandKey = (typeof UFW_COMMAND_KEYS)[number];

const STATE_WORDS = { enabled: 'enable', disabled: 'disable', reloaded: 'reload', reset: 'reset' } as const;

/** Ansible's execute(): the words whose condition holds, joined with spaces. */
const join = (parts: [unknown, string][]) =>
  parts
    .filter(([c]) => c)
    .map(([, w]) => w)
    .join(' ');

/** The keys this task runs, in Ansible's order (a key counts when its value is set). */
export function ufwKeys(a: UfwArgs): UfwCommandKey[] {
  return UFW_COMMAND_KEYS.filter((k) => a[k]);
}

/** Ansible's argument checks that its argument spec cannot express, with its words. */
export function ufwArgError(a: UfwArgs): string | undefined {
  if (ufwKeys(a).length === 0) return 'one of the following is required: state, default, rule, logging';
  if (a.interface !== undefined && a.direction === undefined) return "missing parameter(s) required by 'interface': direction";
  if (a.default && !['outgoing', 'incoming', 'routed', undefined].includes(a.direction)) {
    return 'For default, direction must be one of "outgoing", "incoming" and "routed", or direction must not be specified.';
  }
  if (a.rule) {
    if (!['in', 'out', undefined].includes(a.direction)) return 'For rules, direction must be one of "in" and "out", or direction must not be specified.';
    if (!a.route && a.interface_in && a.interface_out) return 'Only route rules can combine interface_in and interface_out';
  }
  return undefined;
}

/** `insert N` relative to the numbered rules (Ansible's insert_relative_to); undefined drops it. */
export function insertPosition(a: UfwArgs, numbered: string): number | undefined {
  if (a.insert === undefined || a.insert === null || a.delete) return undefined;
  const rel = a.insert_relative_to ?? 'zero';
  if (rel === 'zero') return a.insert;
  const lines = numbered
    .split('\n')
    .map((l) => ({ m: /^\[ *([0-9]+)\] /.exec(l), v6: l.includes('(v6)') }))
    .filter((x) => x.m)
    .map((x) => ({ no: Number(x.m![1]), v6: x.v6 }));
  const last = lines.length ? Math.max(...lines.map((l) => l.no)) : 0;
  const v4 = lines.filter((l) => !l.v6).map((l) => l.no);
  const hasV6 = lines.some((l) => l.v6);
  const base =
    rel === 'first-ipv4' ? 1 : rel === 'last-ipv4' ? (v4.length ? Math.max(...v4) : 1) : rel === 'first-ipv6' ? (v4.length ? Math.max(...v4) + 1 : 1) : hasV6 ? last : last + 1;
  const at = a.insert + base;
  // ufw refuses a position past the last rule: Ansible then appends
  return at > last ? undefined : at;
}

/** The rule command after `ufw [--dry-run]`, as Ansible writes it (comment only for ufw ≥ 0.35). */
export function ruleWords(a: UfwArgs, insertAt: number | undefined, withComment: boolean): string {
  const parts: [unknown, string][] = [
    [a.route, 'route'],
    [a.delete, 'delete'],
  ];
  if (a.insert !== undefined && a.insert !== null && !a.delete) parts.push([insertAt !== undefined, `insert ${insertAt}`]);
  parts.push([true, a.rule!]);
  parts.push([a.direction, `${a.direction}`]);
  parts.push([a.interface, `on ${a.interface}`]);
  parts.push([a.interface_in, `in on ${a.interface_in}`]);
  parts.push([a.interface_out, `out on ${a.interface_out}`]);
  parts.push([a.log, 'log']);
  parts.push([a.from_ip ?? 'any', `from ${a.from_ip ?? 'any'}`]);
  parts.push([a.from_port, `port ${a.from_port}`]);
  parts.push([a.to_ip ?? 'any', `to ${a.to_ip ?? 'any'}`]);
  parts.push([a.to_port, `port ${a.to_port}`]);
  parts.push([a.proto, `proto ${a.proto}`]);
  parts.push([a.name, `app '${a.name}'`]);
  if (withComment) parts.push([a.comment, `comment '${a.comment}'`]);
  return join(parts);
}

/** The command line for one key, `ufw` being the binary's path (Ansible's `commands` entry). */
export function commandLine(ufw: string, key: Exclude<UfwCommandKey, 'rule'>, a: UfwArgs, check: boolean): string {
  const head: [unknown, string][] = [
    [true, ufw],
    [check, '--dry-run'],
  ];
  if (key === 'state') return join([...head, [true, '-f'], [true, STATE_WORDS[a.state!]]]);
  if (key === 'logging') return join([...head, [true, 'logging'], [true, a.logging!]]);
  return join([...head, [true, 'default'], [true, a.default!], [a.direction, a.direction ?? '']]);
}

/** Ansible runs a command line without a shell: shlex's words. */
export function lineWords(line: string): string[] {
  return shlexSplit(line);
}

/** `ufw --version`'s major and minor, or undefined when its first line says none. */
export function ufwVersion(out: string): [number, number] | undefined {
  const first = out.split('\n').find((l) => l.trim() !== '');
  const m = first === undefined ? null : /^ufw.+(\d+)\.(\d+)(?:\.(\d+))?.*$/.exec(first);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

export const commentSupported = ([major, minor]: [number, number]) => (major === 0 && minor >= 35) || major > 0;

const IPV4 = String.raw`((25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9])\.){3,3}(25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9])`;
const IPV6 =
  String.raw`(([0-9a-fA-F]{1,4}:){7,7}[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,7}:|([0-9a-fA-F]{1,4}:){1,6}:[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,5}` +
  String.raw`(:[0-9a-fA-F]{1,4}){1,2}|([0-9a-fA-F]{1,4}:){1,4}(:[0-9a-fA-F]{1,4}){1,3}|([0-9a-fA-F]{1,4}:){1,3}(:[0-9a-fA-F]{1,4}){1,4}|([0-9a-fA-F]` +
  String.raw`{1,4}:){1,2}(:[0-9a-fA-F]{1,4}){1,5}|[0-9a-fA-F]{1,4}:((:[0-9a-fA-F]{1,4}){1,6})|:((:[0-9a-fA-F]{1,4}){1,7}|:)|fe80:(:[0-9a-fA-F]{0,4})` +
  String.raw`{0,4}%[0-9a-zA-Z]{1,}|::(ffff(:0{1,4}){0,1}:){0,1}((25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9])\.){3,3}(25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}` +
  String.raw`[0-9])|([0-9a-fA-F]{1,4}:){1,4}:((25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9])\.){3,3}(25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9]))`;
const V4_SEARCH = new RegExp(IPV4);
const V6_SEARCH = new RegExp(IPV6);
const V4_START = new RegExp(`^(?:${IPV4})`);
const V6_START = new RegExp(`^(?:${IPV6})`);

const lines = (text: string) => text.split('\n').filter((l) => l !== '');

/** Whether the rule's dry run shows other `### tuple` lines than the files have (Ansible's check-mode test). */
export function ruleWouldChange(a: UfwArgs, preRules: string, dry: string): boolean {
  const dryLines = lines(dry);
  const skipping = dryLines.filter((l) => l.includes('Skipping')).length;
  if (skipping > 0 && skipping === dryLines.length) return false;
  const after = dryLines.filter((l) => l.startsWith('### tuple'));
  const pre = lines(preRules);
  const same = (x: string[], y: string[]) => x.length === y.length && x.every((l, i) => l === y[i]);
  const from = a.from_ip ?? 'any';
  const to = a.to_ip ?? 'any';
  // ufw's dry run prints one family's file only when the addresses name a family
  if (V4_START.test(from) || V4_START.test(to)) return !same(pre.filter((l) => V4_SEARCH.test(l)), after.filter((l) => V4_SEARCH.test(l)));
  if (V6_START.test(from) || V6_START.test(to)) return !same(pre.filter((l) => V6_SEARCH.test(l)), after.filter((l) => V6_SEARCH.test(l)));
  return !same(pre, after);
}

/** Ansible's verdict on `logging` from the status before (it counts in both modes). */
export function loggingChanged(value: string, status: string): boolean {
  const m = /Logging: (on|off)(?: \(([a-z]+)\))?/.exec(status);
  if (!m) return true;
  const [, onOff, level] = m;
  if (value !== 'off') return onOff === 'off' || (value !== 'on' && value !== level);
  return onOff !== 'off';
}

/**
 * The verdict on `default` from the status's policy for the direction. Check mode's (Ansible's)
 * takes a `disabled` routed policy for no change; `strict` does not, because the real command
 * then turns routing on and the status changes: whether the command must run.
 */
export function defaultChanged(a: UfwArgs, status: string, strict = false): boolean {
  const m = /Default: (deny|allow|reject) \(incoming\), (deny|allow|reject) \(outgoing\), (deny|allow|reject|disabled) \(routed\)/.exec(status);
  if (!m) return true;
  const current = { incoming: m[1], outgoing: m[2], routed: m[3] }[(a.direction ?? 'incoming') as 'incoming' | 'outgoing' | 'routed'];
  return current !== a.default && (strict || current !== 'disabled');
}

/** Check mode's verdict on `state` ("active" is in "inactive": hence the space). */
export function stateChanged(state: NonNullable<UfwArgs['state']>, status: string): boolean {
  if (state === 'reloaded' || state === 'reset') return true;
  const enabled = status.includes(' active');
  return (state === 'disabled' && enabled) || (state === 'enabled' && !enabled);
}
