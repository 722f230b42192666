// What systemctl prints, read as Ansible's systemd and service_facts modules read it.

/**
 * `systemctl show UNIT`: KEY=VALUE lines. Only Exec* values that open with `{` may span
 * lines (up to a line ending in `}`), as in Ansible: a Description may start with `{`.
 */
export function parseSystemctlShow(text: string): Record<string, string> {
  const parsed: Record<string, string> = {};
  let key: string | undefined;
  let multi: string[] = [];
  for (const line of text.split('\n')) {
    if (key === undefined) {
      const eq = line.indexOf('=');
      if (eq < 0) continue;
      const k = line.slice(0, eq);
      const v = line.slice(eq + 1);
      if (k.startsWith('Exec') && v.trimStart().startsWith('{') && !v.trimEnd().endsWith('}')) {
        key = k;
        multi = [v];
        continue;
      }
      parsed[k] = v.trim();
    } else {
      multi.push(line);
      if (line.trimEnd().endsWith('}')) {
        parsed[key] = multi.join('\n').trim();
        key = undefined;
        multi = [];
      }
    }
  }
  return parsed;
}

/** systemctl's answer when it runs where systemd is not PID 1 (a chroot, a container without it). */
export function requestWasIgnored(out: string): boolean {
  return !out.includes('=') && (out.includes('ignoring request') || out.includes('ignoring command'));
}

/** The states `systemctl is-enabled` prints for a unit it knows (systemctl(1), systemd 244). */
export const ENABLED_STATES = ['enabled', 'enabled-runtime', 'linked', 'linked-runtime', 'masked', 'masked-runtime', 'static', 'indirect', 'disabled', 'generated', 'transient'];

export interface ServiceFact {
  name: string;
  state: string;
  status?: string;
  source: string;
  [key: string]: unknown;
}

const BAD_STATES = ['not-found', 'masked', 'failed'];

/**
 * `systemctl list-units --no-pager --type service --all`: a bad unit's line starts with a
 * marker (●), which Ansible drops with its first field.
 */
export function parseListUnits(text: string, services: Record<string, ServiceFact>): void {
  for (const line of text.split('\n')) {
    if (!line.includes('.service')) continue;
    let fields = line.trim().split(/\s+/);
    let status = 'unknown';
    const bad = BAD_STATES.find((b) => fields.includes(b));
    if (bad) {
      status = bad;
      fields = fields.slice(1);
    } else status = fields[2] ?? 'unknown';
    const name = fields[0];
    if (!name) continue;
    services[name] = { name, state: fields[3] === 'running' ? 'running' : 'stopped', status, source: 'systemd' };
  }
}

/**
 * `systemctl list-unit-files --no-pager --type service --all`: the enablement of each unit
 * file; a unit list-units did not show gets its ActiveState from `activeStates` (the probe
 * asked `systemctl show -p ActiveState` for each).
 */
export function parseListUnitFiles(text: string, services: Record<string, ServiceFact>, activeStates: Record<string, string>): void {
  for (const line of text.split('\n')) {
    if (!line.includes('.service')) continue;
    const [name, status] = line.trim().split(/\s+/);
    if (!name || status === undefined) continue;
    if (!(name in services)) services[name] = { name, state: activeStates[name] ?? 'unknown', status, source: 'systemd' };
    else if (!BAD_STATES.includes(services[name].status ?? '')) services[name].status = status;
  }
}

/** `service --status-all`: ` [ + ]  name` lines. */
export function parseStatusAll(text: string, services: Record<string, ServiceFact>): void {
  for (const m of text.matchAll(/^\s*\[ (\+|-) \]\s+(.+)$/gm)) {
    services[m[2]] = { name: m[2], state: m[1] === '+' ? 'running' : 'stopped', source: 'sysv' };
  }
}

const CHKCONFIG_LINE = /^(.*?)\s+[0-9]:(on|off)\s+[0-9]:(on|off)\s+[0-9]:(on|off)\s+[0-9]:(on|off)\s+[0-9]:(on|off)\s+[0-9]:(on|off)\s+[0-9]:(on|off)/;

/** `chkconfig --list` runlevel lines, with each service's `service NAME status` exit code. */
export function parseChkconfigServices(text: string, statusRc: Record<string, number>, services: Record<string, ServiceFact>): void {
  for (const line of text.split('\n')) {
    const m = CHKCONFIG_LINE.exec(line);
    if (!m) continue;
    const name = m[1];
    services[name] = { name, state: statusRc[name] === 0 ? 'running' : 'stopped', status: m[5] === 'on' ? 'enabled' : 'disabled', source: 'sysv' };
  }
}

/** The service names `chkconfig --list` shows (the probe asks each one's status). */
export function chkconfigNames(text: string): string[] {
  return text.split('\n').flatMap((l) => {
    const m = CHKCONFIG_LINE.exec(l);
    return m ? [m[1]] : [];
  });
}
