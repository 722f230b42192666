// ansible.builtin.service_facts: ansible_facts.services, name → {name, state, status,
// source}, from the tools Ansible's module asks, in one probe: `service --status-all`
// (Debian's SysV scripts; not where chkconfig is), `chkconfig --list` with each listed
// script's `service NAME status` (Red Hat, SL 4.4), and where systemd is PID 1
// `systemctl list-units` / `list-unit-files` (units that list-units left out get their
// ActiveState from `systemctl show`). Read-only, so it runs in check mode too.
//
//   - ansible.builtin.service_facts:
//   - ansible.builtin.debug:
//       var: ansible_facts.services['sshd.service'].state
import type { FromSchema } from 'json-schema-to-ts';
import { chkconfigNames, parseChkconfigServices, parseListUnitFiles, parseListUnits, parseStatusAll, type ServiceFact } from '../facts/parsers/systemctl.js';
import { SBIN_PATH, haveTools, parseSections, section } from '../facts/system-probe.js';
import type { ExecResult } from '../transport/types.js';
import { defineModule, type Plan } from './types.js';

const schema = { type: 'object', properties: {}, additionalProperties: false } as const;

export type ServiceFactsArgs = FromSchema<typeof schema>;

export interface ServiceFactsProbe {
  services: Record<string, ServiceFact>;
  warnings: string[];
}

// Ansible runs these tools in the C locale (get_best_parsable_locale).
const SYSTEMCTL = 'LANG=C LC_ALL=C systemctl';

export const serviceFactsProbe = (): string =>
  [
    SBIN_PATH,
    haveTools(['service', 'chkconfig', 'initctl', 'rc-status', 'systemctl']),
    `if [ -e /etc/init.d ]; then echo '@@have initd yes'; fi`,
    `if command -v service >/dev/null 2>&1 && ! command -v chkconfig >/dev/null 2>&1 && ! command -v rc-status >/dev/null 2>&1; then ${section('status-all', 'LANG=C LC_ALL=C service --status-all 2>/dev/null')}; fi`,
    `if command -v chkconfig >/dev/null 2>&1; then ${section('chkconfig', 'LANG=C LC_ALL=C chkconfig --list 2>/dev/null')}; ` +
      `LANG=C LC_ALL=C chkconfig --list 2>/dev/null | while read -r n rest; do case "$rest" in *0:o*) service "$n" status >/dev/null 2>&1 </dev/null; echo "@@svc-rc $? $n";; esac; done; fi`,
    // Ansible's test for systemd: PID 1's name
    `if grep -q systemd /proc/1/comm 2>/dev/null && command -v systemctl >/dev/null 2>&1; then`,
    `lu=$(${SYSTEMCTL} list-units --no-pager --type service --all 2>&1); lurc=$?; echo '@@list-units'; printf '%s\\n' "$lu"; echo "@@rc $lurc"`,
    // list-unit-files reads every unit file (a second on Debian): asked once
    `luf=$(${SYSTEMCTL} list-unit-files --no-pager --type service --all 2>&1); lufrc=$?; echo '@@list-unit-files'; printf '%s\\n' "$luf"; echo "@@rc $lufrc"`,
    // one `show` for every unit list-units left out (a template like getty@.service has no
    // state: Ansible's own call fails for it, so it stays 'unknown'); answers come in order
    `names=$(printf '%s\\n' "$luf" | while read -r u rest; do case "$u" in *@.service) ;; *.service) case "$lu" in *[[:space:]]"$u"[[:space:]]*) ;; *) echo "$u";; esac;; esac; done)`,
    `if [ -n "$names" ]; then ${SYSTEMCTL} show --property=ActiveState $names 2>/dev/null | { for n in $names; do IFS= read -r v || break; [ -n "$v" ] && echo "@@active $n \${v#ActiveState=}"; IFS= read -r _ || break; done; }; fi`,
    'fi',
  ].join('\n');

export function parseServiceFacts(out: ExecResult): ServiceFactsProbe {
  const s = parseSections(out.stdout);
  const services: Record<string, ServiceFact> = {};
  const warnings: string[] = [];
  if (s.text['status-all'] !== undefined) {
    // Red Hat's `service` fails when /etc/init.d is missing: nothing to list, no warning
    if (s.rc['status-all'] !== 0 && !(s.rc['status-all'] === 4 && !s.have.initd)) warnings.push(`Unable to query 'service' tool (${s.rc['status-all']}): `);
    parseStatusAll(s.text['status-all'], services);
  }
  if (s.text.chkconfig !== undefined) {
    const rcs: Record<string, number> = {};
    for (const m of out.stdout.matchAll(/^@@svc-rc (\d+) (.+)$/gm)) rcs[m[2]] = Number(m[1]);
    // names the loop saw but the status never ran for (no runlevel columns) stay stopped
    for (const n of chkconfigNames(s.text.chkconfig)) rcs[n] ??= 1;
    parseChkconfigServices(s.text.chkconfig, rcs, services);
  }
  if (s.text['list-units'] !== undefined) {
    if (s.rc['list-units'] !== 0) warnings.push(`Could not list units from systemd: ${s.text['list-units']}`);
    else parseListUnits(s.text['list-units'], services);
    const active: Record<string, string> = {};
    for (const m of out.stdout.matchAll(/^@@active (\S+) (.*)$/gm)) active[m[1]] = m[2].trimEnd();
    if (s.rc['list-unit-files'] !== 0) warnings.push(`Could not get unit files data from systemd: ${s.text['list-unit-files'] ?? ''}`);
    else parseListUnitFiles(s.text['list-unit-files'] ?? '', services, active);
  }
  return { services, warnings };
}

export function planServiceFacts(_args: ServiceFactsArgs, f: ServiceFactsProbe): Plan {
  const warnings = f.warnings.length ? { warnings: f.warnings } : {};
  if (Object.keys(f.services).length === 0) {
    return { steps: [], result: { skipped: true, msg: 'Failed to find any services. This can be due to privileges or some other configuration issue.', ...warnings } };
  }
  return { steps: [], result: { ansible_facts: { services: f.services }, ...warnings } };
}

export const serviceFactsModule = defineModule<ServiceFactsArgs, ServiceFactsArgs, ServiceFactsProbe>({
  name: 'service_facts',
  summary: 'Gather the state of services (systemd units, SysV scripts) into ansible_facts.services',
  schema,
  checkMode: 'plan',
  probe: serviceFactsProbe,
  parse: parseServiceFacts,
  plan: planServiceFacts,
});
