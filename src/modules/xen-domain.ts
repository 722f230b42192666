// xen_domain (rackplay's own; Ansible has no module for Xen 3's xm): a guest domain's
// run state and whether xendomains starts it at boot (a symlink /etc/xen/auto/<name> to
// its config). One probe reads `xm list` and the link; the plan sends `xm create`, or
// `xm shutdown` followed by a bounded wait (SL4 has no `timeout`, and `xm shutdown -w`
// waits forever), and `ln -sf`/`rm -f` for the link. absent means shut down and no
// autostart link; the config file itself is left alone.
//
//   - xen_domain:
//       name: web1
//       config: /etc/xen/web1.cfg
//       state: running
//       autostart: true
import type { FromSchema } from 'json-schema-to-ts';
import { SBIN_PATH, parseSections, section } from '../facts/system-probe.js';
import { quote } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { defineModule, ModuleFailure, type Plan, type PlanContext, type Step } from './types.js';

export type XenDomainArgs = FromSchema<typeof schema>;

export interface XenDomainInfo {
  name: string;
  id?: number;
  memMb: number;
  vcpus: number;
  state: string;
}

export interface XenDomainFacts {
  xmRc: number;
  xmError?: string;
  domains: XenDomainInfo[];
  /** Target of the autostart link, or undefined when there is none. */
  link?: string;
}

/** `xm list` (Name ID Mem(MiB) VCPUs State Time(s)); inactive managed domains have no ID. */
export function parseXmList(text: string): XenDomainInfo[] {
  const out: XenDomainInfo[] = [];
  for (const line of text.split('\n')) {
    const w = line.trim().split(/\s+/);
    if (w.length < 4 || w[0] === 'Name') continue;
    if (w.length >= 6 && /^\d+$/.test(w[1])) {
      out.push({ name: w[0], id: Number(w[1]), memMb: Number(w[2]), vcpus: Number(w[3]), state: w[4] });
    } else if (w.length >= 5 && /^\d+$/.test(w[1])) {
      out.push({ name: w[0], memMb: Number(w[1]), vcpus: Number(w[2]), state: w[3] });
    }
  }
  return out;
}

function linkPath(args: XenDomainArgs): string {
  return `${args.auto_dir.replace(/\/+$/, '')}/${args.name}`;
}

export function xenDomainProbe(args: XenDomainArgs): string {
  const link = quote(linkPath(args));
  return [SBIN_PATH, section('xm', 'xm list'), section('link', `if [ -L ${link} ]; then readlink ${link}; else exit 1; fi`)].join('\n');
}

export function parseXenDomainProbe(out: ExecResult): XenDomainFacts {
  const s = parseSections(out.stdout);
  const xmRc = s.rc.xm ?? 1;
  return {
    xmRc,
    xmError: xmRc === 0 ? undefined : (s.text.xm ?? '').trim(),
    domains: xmRc === 0 ? parseXmList(s.text.xm ?? '') : [],
    link: s.rc.link === 0 ? (s.text.link ?? '').trim() : undefined,
  };
}

export function planXenDomain(args: XenDomainArgs, f: XenDomainFacts, _ctx?: PlanContext): Plan {
  if (f.xmRc !== 0) throw new ModuleFailure(`xm list failed: ${f.xmError || `rc=${f.xmRc}`}`);
  const dom = f.domains.find((d) => d.name === args.name);
  // a managed domain that is defined but not started has no ID
  const running = dom !== undefined && dom.id !== undefined;
  const steps: Step[] = [];
  const env = `${SBIN_PATH} && `;
  const n = quote(args.name);
  const autostart = args.state === 'absent' ? false : args.autostart;
  if ((args.state === 'running' && !running) || autostart === true) {
    if (!args.config) throw new ModuleFailure(`config is required to ${args.state === 'running' && !running ? 'start' : 'autostart'} domain ${args.name}`);
  }
  if (autostart === true && f.link !== args.config) {
    steps.push({ kind: 'exec', cmd: `mkdir -p ${quote(args.auto_dir)} && ln -sf ${quote(args.config!)} ${quote(linkPath(args))}` });
  } else if (autostart === false && f.link !== undefined) {
    steps.push({ kind: 'exec', cmd: `rm -f ${quote(linkPath(args))}` });
  }
  if (args.state === 'running' && !running) {
    steps.push({ kind: 'exec', cmd: `${env}xm create ${quote(args.config!)}` });
  } else if ((args.state === 'shutdown' || args.state === 'absent') && running) {
    const t = Math.max(1, Math.floor(args.shutdown_timeout));
    steps.push({
      kind: 'exec',
      cmd:
        `${env}xm shutdown ${n} && i=0; while xm list ${n} >/dev/null 2>&1; do ` +
        `if [ $i -ge ${t} ]; then echo ${quote(`domain ${args.name} did not shut down within ${t} seconds`)} >&2; exit 1; fi; ` +
        `sleep 1; i=$((i+1)); done`,
    });
  }
  return {
    steps,
    result: { name: args.name, state: args.state, autostart: autostart ?? f.link !== undefined, domain_id: dom?.id ?? null },
  };
}

const schema = {
  type: 'object',
  properties: {
    name: { type: 'string', pattern: '^[^/\\s]+$' },
    config: { type: 'string' },
    state: { type: 'string', enum: ['running', 'shutdown', 'absent'], default: 'running' },
    autostart: { type: 'boolean' },
    shutdown_timeout: { type: 'integer', minimum: 1, default: 300 },
    auto_dir: { type: 'string', default: '/etc/xen/auto' },
  },
  required: ['name'],
  additionalProperties: false,
} as const;

export const xenDomainModule = defineModule<XenDomainArgs, XenDomainArgs, XenDomainFacts>({
  name: 'xen_domain',
  summary: 'Start, shut down and autostart a Xen 3 guest domain with xm',
  schema,
  checkMode: 'plan',
  probe: xenDomainProbe,
  parse: parseXenDomainProbe,
  plan: planXenDomain,
});
