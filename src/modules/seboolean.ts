// ansible.posix.seboolean: an SELinux boolean set on or off, for now (`setsebool NAME on`)
// or in the persistent policy (`setsebool -P`, which also sets it live), with the
// SELinux command-line tools where Ansible uses their Python bindings. One probe asks
// `selinuxenabled`, `getsebool -a` and, for `persistent`, `semanage boolean -l`. As in
// Ansible, a persistent boolean is compared by its policy value only, and a host whose
// SELinux is disabled fails unless `ignore_selinux_state`.
//
//   - ansible.posix.seboolean:
//       name: httpd_can_network_connect
//       state: true
//       persistent: true
import type { FromSchema } from 'json-schema-to-ts';
import { SBIN_PATH, haveTools, parseSections, section } from '../facts/system-probe.js';
import { quote } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { ModuleFailure, defineModule, type Plan, type PlanContext } from './types.js';

const schema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    state: { type: 'boolean' },
    persistent: { type: 'boolean', default: false },
    ignore_selinux_state: { type: 'boolean', default: false },
  },
  required: ['name', 'state'],
  additionalProperties: false,
} as const;

export type SebooleanArgs = FromSchema<typeof schema>;

const TOOLS = ['selinuxenabled', 'getsebool', 'setsebool', 'semanage'] as const;

export interface SebooleanFacts {
  have: Partial<Record<(typeof TOOLS)[number], boolean>>;
  enabled: boolean;
  /** Live values from `getsebool -a`; undefined when the list could not be read. */
  live?: Record<string, boolean>;
  /** Policy values from `semanage boolean -l` (persistent only); undefined when not read. */
  policy?: Record<string, boolean>;
}

export function sebooleanProbe(a: SebooleanArgs): string {
  const lines = [SBIN_PATH, haveTools(TOOLS), section('enabled', 'selinuxenabled'), section('get', 'getsebool -a')];
  if (a.persistent) lines.push(section('policy', 'LC_ALL=C semanage boolean -l -n'));
  return lines.join('\n');
}

export function parseSeboolean(out: ExecResult, a: SebooleanArgs): SebooleanFacts {
  const s = parseSections(out.stdout);
  const facts: SebooleanFacts = { have: Object.fromEntries(TOOLS.map((t) => [t, !!s.have[t]])), enabled: s.rc.enabled === 0 };
  if (s.rc.get === 0) {
    facts.live = {};
    for (const m of s.text.get.matchAll(/^(\S+) --> (on|off)\s*$/gm)) facts.live[m[1]] = m[2] === 'on';
  }
  if (a.persistent && s.rc.policy === 0) {
    // NAME (current , policy) description
    facts.policy = {};
    for (const m of s.text.policy.matchAll(/^(\S+)\s+\(\s*(on|off)\s*,\s*(on|off)\s*\)/gm)) facts.policy[m[1]] = m[3] === 'on';
  }
  return facts;
}

export function planSeboolean(a: SebooleanArgs, f: SebooleanFacts, ctx: PlanContext): Plan {
  const need = (tool: (typeof TOOLS)[number]) => {
    if (!f.have[tool]) throw new ModuleFailure(`Failed to find required executable "${tool}" on ${ctx.host}: SELinux's command-line tools are needed`);
  };
  need('getsebool');
  if (!a.ignore_selinux_state) {
    need('selinuxenabled');
    if (!f.enabled) throw new ModuleFailure('SELinux is disabled on this host.');
  }
  const result = { name: a.name, persistent: a.persistent, state: a.state };
  if (f.live === undefined) throw new ModuleFailure('Failed to get list of boolean names');
  if (!(a.name in f.live)) throw new ModuleFailure(`SELinux boolean ${a.name} does not exist.`);
  const word = a.state ? 'on' : 'off';
  let change: boolean;
  if (a.persistent) {
    need('semanage');
    if (f.policy === undefined) throw new ModuleFailure(`Failed to manage policy for boolean ${a.name}: semanage could not read the policy`);
    if (!(a.name in f.policy)) throw new ModuleFailure(`SELinux boolean ${a.name} is not defined in persistent policy`);
    change = f.policy[a.name] !== a.state;
  } else change = f.live[a.name] !== a.state;
  if (!change) return { steps: [], result };
  need('setsebool');
  const failure = a.persistent ? `Failed to commit changes to semanage` : `Failed to set boolean ${a.name} to ${a.state ? 'True' : 'False'}`;
  return {
    steps: [
      {
        kind: 'exec',
        cmd: `${SBIN_PATH}; setsebool ${a.persistent ? '-P ' : ''}${quote(a.name)} ${word} >/dev/null 2>&1 || { echo ${quote(failure)} >&2; exit 1; }`,
        stderrIsMessage: true,
      },
    ],
    result,
  };
}

export const sebooleanModule = defineModule<SebooleanArgs, SebooleanArgs, SebooleanFacts>({
  name: 'seboolean',
  aliases: ['ansible.posix.seboolean'],
  summary: 'Toggles SELinux booleans',
  checkMode: 'plan',
  schema,
  prepare: (args) => args,
  probe: sebooleanProbe,
  parse: parseSeboolean,
  plan: planSeboolean,
});
