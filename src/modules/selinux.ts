// ansible.posix.selinux: the SELinux mode and policy, live (setenforce) and in the config
// file read at boot. One probe reads `getenforce` and the config file; the plan rewrites
// the SELINUX= and SELINUXTYPE= lines on the controller and sends the whole file with an
// atomic put (other lines stay as they are). As in Ansible, the running policy is the one
// the config names, a change to or from `disabled` needs a reboot (reboot_required), and
// going to disabled from enforcing switches to permissive for now.
//
//   - ansible.posix.selinux:
//       policy: targeted
//       state: permissive
import type { FromSchema } from 'json-schema-to-ts';
import { SBIN_PATH, haveTools, parseSections, section } from '../facts/system-probe.js';
import { quote } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { defineModule, ModuleFailure, type Plan, type PlanContext, type Step } from './types.js';

export type SelinuxState = 'enforcing' | 'permissive' | 'disabled';

export type SelinuxArgs = FromSchema<typeof schema>;

export interface SelinuxFacts {
  /** getenforce exists (the userland knows SELinux). */
  available: boolean;
  runtime: SelinuxState;
  /** The config file's text; undefined when it does not exist. */
  config?: string;
  /** Kernels whose command line has selinux=0 / all kernels, from grubby. */
  kernels?: { total: number; disabled: number };
}

export function selinuxProbe(args: SelinuxArgs): string {
  const lines = [SBIN_PATH, haveTools(['getenforce', 'grubby']), section('getenforce', 'getenforce'), section('config', `cat ${quote(args.configfile)}`)];
  if (args.update_kernel_param) lines.push(section('grubby', 'grubby --info=ALL'));
  return lines.join('\n');
}

export function parseSelinuxProbe(out: ExecResult, args: SelinuxArgs): SelinuxFacts {
  const s = parseSections(out.stdout);
  const available = !!s.have.getenforce;
  const word = (s.text.getenforce ?? '').trim().toLowerCase();
  const runtime: SelinuxState = available && s.rc.getenforce === 0 && (word === 'enforcing' || word === 'permissive') ? word : 'disabled';
  const facts: SelinuxFacts = { available, runtime, config: s.rc.config === 0 ? s.text.config : undefined };
  if (args.update_kernel_param && s.have.grubby && s.rc.grubby === 0) {
    const argLines = (s.text.grubby ?? '').split('\n').filter((l) => /^args=/.test(l));
    facts.kernels = { total: argLines.length, disabled: argLines.filter((l) => /(^|[\s"=])selinux=0(\s|"|$)/.test(l.slice(5))).length };
  }
  return facts;
}

/** The value of KEY= in an SELinux config (quotes stripped), as libselinux reads it. */
export function configValue(text: string | undefined, key: string): string | undefined {
  if (text === undefined) return undefined;
  for (const line of text.split('\n')) {
    const m = new RegExp(`^\\s*${key}\\s*=\\s*(.*?)\\s*$`).exec(line);
    if (m) return m[1].replace(/^["']|["']$/g, '');
  }
  return undefined;
}

/** Sets KEY=value: replaces the first assignment (and drops later ones) or appends one. */
export function setConfigValue(text: string, key: string, value: string): string {
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const re = new RegExp(`^\\s*${key}\\s*=`);
  let done = false;
  const out: string[] = [];
  for (const line of lines) {
    if (re.test(line)) {
      if (!done) out.push(`${key}=${value}`);
      done = true;
    } else out.push(line);
  }
  if (!done) out.push(`${key}=${value}`);
  return out.join('\n') + '\n';
}

export function planSelinux(args: SelinuxArgs, f: SelinuxFacts, _ctx?: PlanContext): Plan {
  const configState = (configValue(f.config, 'SELINUX') ?? 'disabled').toLowerCase() as SelinuxState;
  const configPolicy = configValue(f.config, 'SELINUXTYPE');
  const policy = args.policy ?? (args.state === 'disabled' ? configPolicy : undefined);
  if (!policy && args.state !== 'disabled') throw new ModuleFailure("Policy is required if state is not 'disabled'");
  if (!f.available && args.state !== 'disabled') {
    throw new ModuleFailure('SELinux is not available on this host (no getenforce); it cannot be set to ' + args.state);
  }
  const msgs: string[] = [];
  const warnings: string[] = [];
  const steps: Step[] = [];
  let rebootRequired = false;
  let config = f.config ?? '';
  const diffs: { before: string; after: string }[] = [];

  if (policy && policy !== configPolicy) {
    config = setConfigValue(config, 'SELINUXTYPE', policy);
    msgs.push(`SELinux policy configuration in '${args.configfile}' changed from '${configPolicy ?? ''}' to '${policy}'`);
    if (f.runtime !== 'disabled') rebootRequired = true;
  }
  if (args.state !== f.runtime) {
    if (f.runtime !== 'disabled') {
      if (args.state === 'disabled') {
        if (f.runtime !== 'permissive') {
          steps.push({ kind: 'exec', cmd: `${SBIN_PATH} && setenforce 0` });
          warnings.push(`SELinux state temporarily changed from '${f.runtime}' to 'permissive'. State change will take effect next reboot.`);
        } else warnings.push('SELinux state change will take effect next reboot');
        rebootRequired = true;
      } else {
        steps.push({ kind: 'exec', cmd: `${SBIN_PATH} && setenforce ${args.state === 'enforcing' ? 1 : 0}` });
        msgs.push(`SELinux state changed from '${f.runtime}' to '${args.state}'`);
      }
    } else if (f.available) {
      warnings.push('SELinux state change will take effect next reboot');
      rebootRequired = true;
    }
  }
  if (args.state !== configState || (f.config === undefined && args.state !== 'disabled')) {
    config = setConfigValue(config, 'SELINUX', args.state);
    msgs.push(`Config SELinux state changed from '${configState}' to '${args.state}'`);
  }
  if (config !== (f.config ?? '')) {
    diffs.push({ before: f.config ?? '', after: config });
    steps.unshift({ kind: 'put', path: args.configfile, content: Buffer.from(config), mode: '0644' });
  }
  if (args.update_kernel_param && f.kernels) {
    const k = f.kernels;
    if (args.state === 'disabled' && k.disabled < k.total) {
      steps.push({ kind: 'exec', cmd: `${SBIN_PATH} && grubby --update-kernel=ALL --args=selinux=0` });
      rebootRequired = true;
      msgs.push('Kernel parameter selinux=0 added');
    } else if (args.state !== 'disabled' && k.disabled > 0) {
      steps.push({ kind: 'exec', cmd: `${SBIN_PATH} && grubby --update-kernel=ALL --remove-args=selinux` });
      rebootRequired = true;
      msgs.push('Kernel parameter selinux removed');
    }
  }
  const result: Record<string, unknown> = { msg: msgs.join(', '), configfile: args.configfile, policy, state: args.state, reboot_required: rebootRequired };
  if (warnings.length) result.warnings = warnings;
  return {
    steps,
    result,
    diff: diffs.length ? { ...diffs[0], before_header: args.configfile, after_header: args.configfile } : undefined,
  };
}

const schema = {
  type: 'object',
  properties: {
    state: { type: 'string', enum: ['enforcing', 'permissive', 'disabled'] },
    policy: { type: 'string' },
    configfile: { type: 'string', default: '/etc/selinux/config' },
    update_kernel_param: { type: 'boolean', default: false },
  },
  required: ['state'],
  additionalProperties: false,
} as const;

export const selinuxModule = defineModule<SelinuxArgs, SelinuxArgs, SelinuxFacts>({
  name: 'selinux',
  aliases: ['ansible.posix.selinux'],
  summary: 'Set the SELinux mode and policy (live and in /etc/selinux/config)',
  schema,
  argAliases: { conf: 'configfile', file: 'configfile' },
  checkMode: 'plan',
  probe: selinuxProbe,
  parse: parseSelinuxProbe,
  plan: planSelinux,
});
