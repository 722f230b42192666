// ansible.posix.firewalld: one service, port, protocol, rich rule, source, interface,
// masquerade, ICMP block, port forward or zone target in a firewalld zone, or the zone
// itself, in the permanent and/or runtime configuration. With the daemon running it
// speaks through firewall-cmd (`--permanent` for the on-disk configuration); when it is
// not running, as Ansible's module falls back to the on-disk configuration, it uses
// firewall-offline-cmd, which edits /etc/firewalld and touches no netfilter state. One
// probe asks every question; the plan and Ansible's messages are firewalld-plan.ts.
//
//   - ansible.posix.firewalld:
//       service: https
//       zone: public
//       permanent: true
//       state: enabled
import type { FromSchema } from 'json-schema-to-ts';
import { SBIN_PATH, parseSections, section } from '../facts/system-probe.js';
import { quote } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { firewalldOutcome, prepareFirewalld, type FirewalldArgs, type FirewalldItem, type FirewalldState } from './firewalld-plan.js';
import { ModuleFailure, defineModule, type Plan, type Step } from './types.js';

const schema = {
  type: 'object',
  properties: {
    icmp_block: { type: 'string' },
    icmp_block_inversion: { type: 'string' },
    service: { type: 'string' },
    protocol: { type: 'string' },
    port: { type: 'string' },
    port_forward: { type: 'array', items: { type: 'object' } },
    rich_rule: { type: 'string' },
    zone: { type: 'string' },
    immediate: { type: 'boolean', default: false },
    source: { type: 'string' },
    permanent: { type: 'boolean' },
    state: { type: 'string', enum: ['absent', 'disabled', 'enabled', 'present'] },
    timeout: { type: 'integer', default: 0 },
    interface: { type: 'string' },
    masquerade: { type: 'string' },
    offline: { type: 'boolean' },
    target: { type: 'string', enum: ['default', 'ACCEPT', 'DROP', '%%REJECT%%'] },
  },
  required: ['state'],
  additionalProperties: false,
} as const;

type Args = FromSchema<typeof schema>;

export interface FirewalldFacts {
  /** online: the daemon answers; offline: only firewall-offline-cmd; none: neither tool. */
  mode: 'online' | 'offline' | 'none';
  zone: string;
  state: FirewalldState;
}

const TOOLS = { online: { now: 'firewall-cmd', disk: 'firewall-cmd --permanent' }, offline: { now: 'firewall-offline-cmd', disk: 'firewall-offline-cmd' } };

/** The option asked of one configuration: zone-wide for a zone itself, `--zone=` otherwise. */
const zoneArg = (it: FirewalldItem) => (it.kind === 'zone' ? '' : ' --zone="$zone"');

export function firewalldProbe(a: FirewalldArgs): string {
  const it = prepareFirewalld(a, a.zone ?? '').item;
  const lines = [
    SBIN_PATH,
    'LANG=C LC_ALL=C; export LANG LC_ALL',
    `zone=${quote(a.zone ?? '')}`,
    // the daemon answers on D-Bus; without it, as Ansible's module, work on the files
    "if command -v firewall-cmd >/dev/null 2>&1 && firewall-cmd --state >/dev/null 2>&1; then echo '@@mode online'; now=firewall-cmd; disk='firewall-cmd --permanent'",
    "elif command -v firewall-offline-cmd >/dev/null 2>&1; then echo '@@mode offline'; now=firewall-offline-cmd; disk=firewall-offline-cmd",
    "else echo '@@mode none'; exit 0; fi",
    '[ -n "$zone" ] || zone=$($now --get-default-zone 2>/dev/null)',
    `printf '@@zone %s\\n' "$zone"`,
  ];
  if (it) {
    lines.push(section('perm', `$disk${zoneArg(it)} ${quote(it.query)}`));
    lines.push(`if [ "$now" = firewall-cmd ]; then ${section('imm', `$now${zoneArg(it)} ${quote(it.query)}`)}; fi`);
  }
  return lines.join('\n');
}

function answer(it: FirewalldItem, text: string | undefined, rc: number | undefined): boolean | undefined {
  if (rc === undefined) return undefined;
  if (it.kind === 'target' && rc === 0) return text?.trim() === it.expect;
  if (it.kind === 'zone' && rc === 0) return (text ?? '').split(/\s+/).includes(it.expect!);
  if (rc === 0 || (rc === 1 && it.kind !== 'target' && it.kind !== 'zone')) return rc === 0;
  throw new ModuleFailure(`ERROR: Exception caught: ${(text ?? '').trim().replace(/^Error: /, '')}`);
}

export function parseFirewalld(out: ExecResult, a: FirewalldArgs): FirewalldFacts {
  const mode = (/^@@mode (\S+)$/m.exec(out.stdout)?.[1] ?? 'none') as FirewalldFacts['mode'];
  const zone = /^@@zone (.*)$/m.exec(out.stdout)?.[1] ?? '';
  const it = prepareFirewalld(a, zone).item;
  const s = parseSections(out.stdout);
  return { mode, zone, state: it && mode !== 'none' ? { permanent: answer(it, s.text.perm, s.rc.perm), immediate: answer(it, s.text.imm, s.rc.imm) } : {} };
}

export function planFirewalld(a: FirewalldArgs, facts: FirewalldFacts, ctx: { check: boolean; host: string }): Plan {
  if (facts.mode === 'none') {
    throw new ModuleFailure(`firewalld is not installed on ${ctx.host}: neither firewall-cmd nor firewall-offline-cmd was found (Debian and Red Hat package: firewalld)`);
  }
  const offline = facts.mode === 'offline';
  const p = prepareFirewalld(a, facts.zone);
  if (p.immediate && offline) throw new ModuleFailure('firewall is not currently running, unable to perform immediate actions without a running firewall daemon');
  const o = firewalldOutcome(p, facts.state, offline, ctx.check);
  const tools = TOOLS[facts.mode];
  const steps: Step[] = o.changes.map((c) => {
    const it = p.item!;
    const timeout = !c.permanent && it.timed && (a.timeout ?? 0) > 0 ? ` --timeout=${a.timeout}s` : '';
    const zone = it.kind === 'zone' ? '' : ` --zone=${quote(facts.zone)}`;
    // firewall-offline-cmd keeps lokkit's --remove-service (default zone only) under that name
    const option = offline ? c.option.replace(/^--remove-service=/, '--remove-service-from-zone=') : c.option;
    const cmd = `${c.permanent ? tools.disk : tools.now}${zone} ${quote(option)}${timeout}`;
    return {
      kind: 'exec',
      // Ansible's words for a failed firewalld call: "ERROR: Exception caught: <firewalld's error>"
      cmd: `${SBIN_PATH}; rp_o=$(${cmd} 2>&1) || { printf 'ERROR: Exception caught: %s' "\${rp_o#Error: }" >&2; exit 1; }`,
      stderrIsMessage: true,
    };
  });
  const result: Record<string, unknown> = {};
  if (o.msg !== undefined) result.msg = o.msg;
  if (p.warnings.length) result.warnings = p.warnings;
  return { steps, result };
}

export const firewalldModule = defineModule<Args, FirewalldArgs, FirewalldFacts>({
  name: 'firewalld',
  aliases: ['ansible.posix.firewalld'],
  summary: 'Add or remove services, ports, rules, sources and interfaces in a firewalld zone (ansible.posix)',
  schema,
  constraints: {
    mutually_exclusive: [['icmp_block', 'icmp_block_inversion', 'service', 'protocol', 'port', 'port_forward', 'rich_rule', 'interface', 'masquerade', 'source', 'target']],
  },
  checkMode: 'plan',
  prepare: (args) => {
    const a = args as FirewalldArgs;
    // Ansible's required_by, with its words
    for (const [k, need] of [['interface', 'zone'], ['target', 'zone'], ['source', 'permanent']] as const) {
      if (a[k] != null && a[need] == null) throw new ModuleFailure(`missing parameter(s) required by '${k}': ${need}`);
    }
    prepareFirewalld(a, a.zone ?? '');
    return a;
  },
  probe: firewalldProbe,
  parse: parseFirewalld,
  plan: planFirewalld,
});
