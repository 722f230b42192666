// ansible.builtin.service and ansible.builtin.sysvinit. On a host that systemd runs
// (`use: auto` finds /run/systemd/system, as Ansible's service_mgr fact does) or with
// `use: systemd`, service is the systemd module, as Ansible's service action makes it:
// pattern, runlevel, sleep and arguments are dropped with Ansible's warning. Otherwise
// one probe reads whether the
// service runs (`service name status`: 0 running, otherwise stopped, and old scripts
// that exit 0 while printing "is stopped" count as stopped; with `pattern`, the process
// table instead) and whether it starts at boot (`chkconfig --list name` on SL4; rc?.d
// links with update-rc.d; systemctl on systemd hosts). Like Ansible, "enabled" without
// runlevels means on in runlevels 3 and 5; with runlevels, on in each of them. Enabling
// comes before the state change, as in Ansible. restarted and reloaded always change.
//
//   - ansible.builtin.sysvinit:
//       name: httpd
//       state: started
//       enabled: true
//       runlevels: [3, 4, 5]
import { SBIN_PATH, haveTools, parseSections, section } from '../facts/system-probe.js';
import { quote } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import type { FromSchema } from 'json-schema-to-ts';
import { parseSystemdProbe, planSystemd, systemdProbe, type SystemdArgs, type SystemdFacts } from './systemd.js';
import { ModuleFailure, defineModule, type Plan, type PlanContext, type Step } from './types.js';

export type ServiceState = NonNullable<ServiceArgs['state']>;
export type ServiceBackend = 'sysv' | 'systemd';
export type BootTool = 'chkconfig' | 'update-rc.d' | 'systemctl';

const common = {
  name: { type: 'string', minLength: 1 },
  state: { type: 'string', enum: ['started', 'stopped', 'restarted', 'reloaded'] },
  enabled: { type: 'boolean' },
  pattern: { type: 'string' },
  arguments: { type: 'string' },
  sleep: { type: 'integer', minimum: 0 },
} as const;

const serviceSchema = {
  type: 'object',
  properties: { ...common, runlevel: { type: 'string' }, use: { type: 'string', default: 'auto' } },
  required: ['name'],
  additionalProperties: false,
} as const;

const sysvinitSchema = {
  type: 'object',
  properties: { ...common, runlevels: { type: 'array', items: { type: 'string', pattern: '^[0-6]$' } }, daemonize: { type: 'boolean', default: false } },
  required: ['name'],
  additionalProperties: false,
} as const;

const commonSchema = { type: 'object', properties: common, required: ['name'], additionalProperties: false } as const;

/** What the implementation reads: the arguments both modules take, sysvinit's runlevels, service's runlevel and use. */
export type ServiceArgs = FromSchema<typeof commonSchema> & Partial<Pick<FromSchema<typeof sysvinitSchema>, 'runlevels'>> & Partial<Pick<FromSchema<typeof serviceSchema>, 'runlevel' | 'use'>>;

export interface ServiceFacts {
  backend?: ServiceBackend;
  bootTool?: BootTool;
  /** The service exists (an init script or a systemd unit). */
  exists: boolean;
  running: boolean;
  /** Runlevel → on, from chkconfig; undefined when unknown. */
  levels?: Record<string, boolean>;
  /** chkconfig knows the script but it has no links yet (needs --add). */
  needsAdd?: boolean;
  /** Boot state from systemctl or rc?.d links. */
  enabledAtBoot?: boolean;
  statusText: string;
  /** The host runs systemd and `use` let it decide: what the systemd module's probe found. */
  systemd?: SystemdFacts;
}

const SYSTEMD_RUNNING = '[ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1';

/** The systemd module's arguments for a service task (what Ansible's service action passes on). */
function asSystemd(args: ServiceArgs): SystemdArgs {
  return { name: args.name, state: args.state, enabled: args.enabled, daemon_reload: false, daemon_reexec: false, scope: 'system', no_block: false };
}

/** service with `use: auto` or `use: systemd` (sysvinit has no `use`: undefined). */
function mayUseSystemd(args: ServiceArgs): boolean {
  return args.use !== undefined && ['auto', 'systemd'].includes(args.use.toLowerCase());
}

/** service's probe: systemd's where systemd runs (or is asked for), else the SysV probe. */
export function serviceOrSystemdProbe(args: ServiceArgs): string {
  if (!mayUseSystemd(args)) return serviceProbe(args);
  if (args.use!.toLowerCase() === 'systemd') return `echo '@@svcmgr systemd'\n${systemdProbe(asSystemd(args))}`;
  return `${SBIN_PATH}\nif ${SYSTEMD_RUNNING}; then\necho '@@svcmgr systemd'\n${systemdProbe(asSystemd(args))}\nelse\n${serviceProbe(args)}\nfi`;
}

export function parseServiceOrSystemdProbe(out: ExecResult, args: ServiceArgs): ServiceFacts {
  if (out.stdout.startsWith('@@svcmgr systemd\n')) return { exists: true, running: false, statusText: '', systemd: parseSystemdProbe(out) };
  return parseServiceProbe(out, args);
}

export function serviceProbe(args: ServiceArgs): string {
  const n = quote(args.name);
  const lines = [
    SBIN_PATH,
    haveTools(['chkconfig', 'update-rc.d', 'systemctl', 'service']),
    `if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then echo '@@have systemd-running yes'; fi`,
    `if [ -f /etc/init.d/${n} ]; then echo '@@have initscript yes'; fi`,
    section(
      'status',
      `if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then systemctl is-active ${n}; ` +
        `elif command -v service >/dev/null 2>&1; then service ${n} status; else /etc/init.d/${n} status; fi`,
    ),
  ];
  if (args.enabled !== undefined) {
    lines.push(
      `if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then ${section('systemctl-enabled', `systemctl is-enabled ${n}`)}; ` +
        `elif command -v chkconfig >/dev/null 2>&1; then ${section('chkconfig', `chkconfig --list ${n}`)}; ` +
        `else ${section('rcd', `ls /etc/rc2.d /etc/rc3.d /etc/rc4.d /etc/rc5.d 2>/dev/null | grep -x -- ${quote(`S[0-9][0-9]${args.name}`)}`)}; fi`,
    );
  }
  if (args.pattern !== undefined) lines.push(section('ps', 'ps -eo args'));
  return lines.join('\n');
}

/** `name 0:off 1:off 2:on ...` → levels; xinetd's `name on`; or the --add hint. */
export function parseChkconfig(text: string, name: string): { levels?: Record<string, boolean>; needsAdd?: boolean } {
  if (/is not referenced in any runlevel|chkconfig --add/.test(text)) return { levels: {}, needsAdd: true };
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words[0] !== name && words[0] !== `${name}:`) continue;
    const levels: Record<string, boolean> = {};
    for (const w of words.slice(1)) {
      const m = /^(\d):(on|off)$/.exec(w);
      if (m) levels[m[1]] = m[2] === 'on';
    }
    if (Object.keys(levels).length) return { levels };
    // xinetd services have no runlevels, only on/off
    if (words[1] === 'on' || words[1] === 'off') {
      const on = words[1] === 'on';
      return { levels: Object.fromEntries(['0', '1', '2', '3', '4', '5', '6'].map((l) => [l, on])) };
    }
  }
  return {};
}

const STOPPED_WORDS = /\b(is stopped|not running|stopped|dead|inactive)\b/i;

export function parseServiceProbe(out: ExecResult, args: ServiceArgs): ServiceFacts {
  const s = parseSections(out.stdout);
  const backend: ServiceBackend = s.have['systemd-running'] ? 'systemd' : 'sysv';
  const statusText = s.text.status ?? '';
  const rc = s.rc.status ?? 1;
  let running: boolean;
  let exists: boolean;
  if (backend === 'systemd') {
    running = /^(active|activating|reloading)$/m.test(statusText.trim());
    exists = !/could not be found|not-found/i.test(statusText) && !(rc === 4);
  } else {
    exists = !!s.have.initscript || !/unrecognized service|no such file|not found/i.test(statusText);
    running = rc === 0 && !STOPPED_WORDS.test(statusText);
  }
  if (args.pattern !== undefined) {
    // the probe's own command line holds the pattern too; its `@@` markers give it away
    running = (s.text.ps ?? '').split('\n').some((l) => l.includes(args.pattern!) && !l.includes('@@'));
  }
  const facts: ServiceFacts = { backend, exists, running, statusText };
  if (s.text['systemctl-enabled'] !== undefined) {
    facts.bootTool = 'systemctl';
    facts.enabledAtBoot = s.text['systemctl-enabled'].trim() === 'enabled';
  } else if (s.text.chkconfig !== undefined) {
    facts.bootTool = 'chkconfig';
    Object.assign(facts, parseChkconfig(s.text.chkconfig, args.name));
  } else if (s.text.rcd !== undefined) {
    facts.bootTool = s.have['update-rc.d'] ? 'update-rc.d' : undefined;
    facts.enabledAtBoot = s.rc.rcd === 0;
  }
  return facts;
}

function levelsOf(args: ServiceArgs): string[] {
  return args.runlevels?.length ? args.runlevels.map(String) : ['3', '5'];
}

function bootSteps(args: ServiceArgs, f: ServiceFacts): Step[] {
  if (args.enabled === undefined) return [];
  const n = quote(args.name);
  const want = args.enabled;
  switch (f.bootTool) {
    case 'chkconfig': {
      if (!f.levels) throw new ModuleFailure(`service ${args.name} does not support chkconfig`);
      const levels = levelsOf(args);
      if (levels.every((l) => (f.levels![l] ?? false) === want)) return [];
      const steps: Step[] = [];
      if (f.needsAdd) steps.push({ kind: 'exec', cmd: `${SBIN_PATH} && chkconfig --add ${n}` });
      const lv = args.runlevels?.length ? `--level ${quote(levels.join(''))} ` : '';
      steps.push({ kind: 'exec', cmd: `${SBIN_PATH} && chkconfig ${lv}${n} ${want ? 'on' : 'off'}` });
      return steps;
    }
    case 'systemctl':
      if (f.enabledAtBoot === want) return [];
      return [{ kind: 'exec', cmd: `systemctl ${want ? 'enable' : 'disable'} ${n}` }];
    case 'update-rc.d':
      if (f.enabledAtBoot === want) return [];
      return [{ kind: 'exec', cmd: `${SBIN_PATH} && ${want ? `update-rc.d ${n} defaults >/dev/null && update-rc.d ${n} enable` : `update-rc.d ${n} disable`}` }];
    default:
      throw new ModuleFailure(`Could not find a tool to enable ${args.name} at boot (looked for chkconfig, update-rc.d, systemctl)`);
  }
}

function controlCmd(args: ServiceArgs, f: ServiceFacts, action: string): string {
  const n = quote(args.name);
  if (f.backend === 'systemd') return `systemctl ${action} ${n}`;
  const extra = args.arguments ? ` ${args.arguments.split(/\s+/).filter(Boolean).map(quote).join(' ')}` : '';
  return `${SBIN_PATH} && if command -v service >/dev/null 2>&1; then service ${n} ${action}${extra}; else /etc/init.d/${n} ${action}${extra}; fi`;
}

export function planService(args: ServiceArgs, f: ServiceFacts, ctx?: PlanContext): Plan {
  if (f.systemd) {
    const plan = planSystemd(asSystemd(args), f.systemd, ctx);
    const unused = (['pattern', 'runlevel', 'sleep', 'arguments'] as const).filter((k) => args[k] !== undefined);
    const warnings = [...unused.map((k) => `Ignoring "${k}" as it is not used in "systemd"`), ...((plan.result?.warnings as string[] | undefined) ?? [])];
    return warnings.length ? { ...plan, result: { ...plan.result, warnings } } : plan;
  }
  const result: Record<string, unknown> = { name: args.name };
  if (!f.exists && args.pattern === undefined) throw new ModuleFailure(`Could not find the requested service ${args.name}: host`);
  const steps = bootSteps(args, f);
  if (args.enabled !== undefined) result.enabled = args.enabled;
  if (args.state !== undefined) {
    result.state = args.state;
    const pause = args.sleep ? ` && sleep ${Math.max(0, Math.floor(args.sleep))}` : '';
    switch (args.state) {
      case 'started':
        if (!f.running) steps.push({ kind: 'exec', cmd: controlCmd(args, f, 'start') });
        break;
      case 'stopped':
        if (f.running) steps.push({ kind: 'exec', cmd: controlCmd(args, f, 'stop') });
        break;
      case 'restarted':
        steps.push(
          args.sleep && f.running
            ? { kind: 'exec', cmd: `${controlCmd(args, f, 'stop')}${pause} && ${controlCmd(args, f, 'start')}` }
            : { kind: 'exec', cmd: controlCmd(args, f, f.running ? 'restart' : 'start') },
        );
        break;
      case 'reloaded':
        steps.push({ kind: 'exec', cmd: controlCmd(args, f, f.running ? 'reload' : 'start') });
        break;
    }
  }
  result.status = { running: f.running };
  return { steps, result };
}

/** Ansible's service and sysvinit both declare it. */
const oneOfStateEnabled = { required_one_of: [['state', 'enabled']] } as const;

export const serviceModule = defineModule<FromSchema<typeof serviceSchema>, ServiceArgs, ServiceFacts>({
  name: 'service',
  summary: 'Start, stop, restart or reload a service and choose whether it starts at boot',
  schema: serviceSchema,
  constraints: oneOfStateEnabled,
  argAliases: { args: 'arguments' },
  checkMode: 'plan',
  probe: serviceOrSystemdProbe,
  parse: parseServiceOrSystemdProbe,
  plan: planService,
});

export const sysvinitModule = defineModule<FromSchema<typeof sysvinitSchema>, ServiceArgs, ServiceFacts>({
  name: 'sysvinit',
  summary: 'Control a SysV init script and its runlevel links (chkconfig)',
  schema: sysvinitSchema,
  constraints: oneOfStateEnabled,
  argAliases: { args: 'arguments', service: 'name' },
  checkMode: 'plan',
  probe: serviceProbe,
  parse: parseServiceProbe,
  plan: planService,
});
