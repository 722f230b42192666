// ansible.builtin.systemd_service (and its old name systemd): one probe asks systemctl
// what Ansible's module asks it (`show`, `is-enabled`, `list-unit-files`, and whether an
// init script of that name exists and is linked in /etc/rc?.d), and a pure plan takes
// Ansible's steps in its order: daemon-reload, daemon-reexec, mask/unmask,
// enable/disable, then the state. Like Ansible, a daemon-reload alone reports no change,
// the returned `status` is the unit's `systemctl show` before the task, and restarted or
// reloaded always change. Where systemctl is missing (SL 4.4), the task fails naming it.
//
//   - ansible.builtin.systemd_service:
//       name: nginx
//       state: started
//       enabled: true
//       daemon_reload: true
import type { FromSchema } from 'json-schema-to-ts';
import { ENABLED_STATES, parseSystemctlShow, requestWasIgnored } from '../facts/parsers/systemctl.js';
import { SBIN_PATH } from '../facts/system-probe.js';
import { quote } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { ModuleFailure, defineModule, type Plan, type PlanContext, type Step } from './types.js';

const schema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    state: { type: 'string', enum: ['reloaded', 'restarted', 'started', 'stopped'] },
    enabled: { type: 'boolean' },
    force: { type: 'boolean' },
    masked: { type: 'boolean' },
    daemon_reload: { type: 'boolean', default: false },
    daemon_reexec: { type: 'boolean', default: false },
    scope: { type: 'string', enum: ['system', 'user', 'global'], default: 'system' },
    no_block: { type: 'boolean', default: false },
  },
  additionalProperties: false,
} as const;

export type SystemdArgs = FromSchema<typeof schema>;

export interface SystemdFacts {
  /** systemctl was found; otherwise the PATH it was looked for in. */
  systemctl: boolean;
  path?: string;
  showRc: number;
  showOut: string;
  showErr: string;
  isEnabledRc: number;
  isEnabledOut: string;
  /** `is-enabled -l`, which Ansible's enabled check reads. */
  isEnabledFullRc: number;
  isEnabledFullOut: string;
  listUnitFilesRc: number;
  isActiveOut: string;
  /** Bare `systemctl` when nothing else knew the unit: its exit code, stderr and path. */
  bare?: { rc: number; err: string; bin: string };
  /** /etc/init.d/NAME exists. */
  initd: boolean;
  /** /etc/rc?.d/S??NAME exists. */
  sysvEnabled: boolean;
  /** A chroot, or SYSTEMD_OFFLINE=1: no state from systemd is expected. */
  offline?: boolean;
}

/** systemctl with the scope and flags Ansible adds to every call. */
function systemctl(args: SystemdArgs): string {
  return ['systemctl', ...(args.scope && args.scope !== 'system' ? [`--${args.scope}`] : []), ...(args.no_block ? ['--no-block'] : []), ...(args.force ? ['--force'] : [])].join(' ');
}

// Ansible sets it for --user calls made without a login session.
const XDG = 'XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/run/user/$(id -u)}"; export XDG_RUNTIME_DIR';

export function prepareSystemd(args: SystemdArgs): SystemdArgs {
  const missing = (['state', 'enabled', 'masked'] as const).filter((k) => args[k] !== undefined);
  if (missing.length && args.name === undefined) throw new ModuleFailure(`missing parameter(s) required by '${missing[0]}': name`);
  for (const glob of ['*', '?', '[']) {
    if (args.name?.includes(glob)) throw new ModuleFailure(`This module does not currently support using glob patterns, found '${glob}' in service name: ${args.name}`);
  }
  return args;
}

/** Marks each part of the output; stdout and stderr of `show` apart, as Ansible reads them. */
export function systemdProbe(args: SystemdArgs): string {
  const lines = [SBIN_PATH, XDG, `if ! command -v systemctl >/dev/null 2>&1; then echo '@@nosystemctl'; printf '%s\\n' "$PATH"; exit 0; fi`];
  if (args.name === undefined) return lines.join('\n');
  const s = systemctl(args);
  const u = quote(args.name);
  lines.push(
    `echo '@@show'; ${s} show ${u} 2>/dev/null; echo "@@rc $?"`,
    `echo '@@showerr'; ${s} show ${u} 2>&1 >/dev/null; echo "@@rc $?"`,
    `echo '@@is-enabled'; ${s} is-enabled ${u} 2>/dev/null; echo "@@rc $?"`,
    // -l (--full) also lists the install links: an indirect unit enabled through Also= has some
    `echo '@@is-enabled-l'; ${s} is-enabled ${u} -l 2>/dev/null; echo "@@rc $?"`,
    `echo '@@list-unit-files'; ${s} list-unit-files ${u} >/dev/null 2>&1; lrc=$?; echo "@@rc $lrc"`,
    // Ansible's last resort runs systemctl bare, to fail with what it says (no systemd as PID 1)
    `if [ "$lrc" -ne 0 ]; then e=$(${s} 2>&1 >/dev/null); brc=$?; echo '@@bare'; printf '%s\\n' "$e"; echo "@@rc $brc"; printf '@@bin %s\\n' "$(command -v systemctl)"; fi`,
    `echo '@@is-active'; ${s} is-active ${u} 2>/dev/null; echo "@@rc $?"`,
    `if [ -e /etc/init.d/${u} ]; then echo '@@initd'; fi`,
    // Ansible's is_chroot (/ is not PID 1's root) and SYSTEMD_OFFLINE
    `if [ -n "\${debian_chroot:-}" ]; then echo '@@chroot'; else r=$(stat -c %d:%i / 2>/dev/null); p=$(stat -c %d:%i /proc/1/root/. 2>/dev/null); if [ -n "$p" ] && [ "$r" != "$p" ]; then echo '@@chroot'; fi; fi`,
    `if [ "\${SYSTEMD_OFFLINE:-}" = 1 ]; then echo '@@offline'; fi`,
    `for f in /etc/rc?.d/S??${u}; do if [ -e "$f" ]; then echo '@@sysv-enabled'; break; fi; done`,
  );
  return lines.join('\n');
}

function sections(stdout: string): { text: Record<string, string>; rc: Record<string, number>; flags: Set<string> } {
  const text: Record<string, string> = {};
  const rc: Record<string, number> = {};
  const flags = new Set<string>();
  let current: string | undefined;
  let buf: string[] = [];
  for (const line of stdout.split('\n')) {
    const end = current !== undefined ? /^([\s\S]*)@@rc (\d+)$/.exec(line) : null;
    if (end) {
      if (end[1]) buf.push(end[1]);
      text[current!] = buf.join('\n');
      rc[current!] = Number(end[2]);
      current = undefined;
      continue;
    }
    if (current !== undefined) buf.push(line);
    else if (/^@@(show|showerr|is-enabled|is-enabled-l|list-unit-files|is-active|bare)$/.test(line)) {
      current = line.slice(2);
      buf = [];
    } else if (line.startsWith('@@bin ')) text.bin = line.slice(6);
    else if (line.startsWith('@@')) flags.add(line.slice(2));
    else if (flags.has('nosystemctl') && text.path === undefined) text.path = line;
  }
  return { text, rc, flags };
}

export function parseSystemdProbe(out: ExecResult): SystemdFacts {
  const { text, rc, flags } = sections(out.stdout);
  return {
    systemctl: !flags.has('nosystemctl'),
    path: text.path,
    showRc: rc.show ?? 1,
    showOut: text.show ?? '',
    showErr: text.showerr ?? '',
    isEnabledRc: rc['is-enabled'] ?? 1,
    isEnabledOut: text['is-enabled'] ?? '',
    isEnabledFullRc: rc['is-enabled-l'] ?? rc['is-enabled'] ?? 1,
    isEnabledFullOut: text['is-enabled-l'] ?? text['is-enabled'] ?? '',
    listUnitFilesRc: rc['list-unit-files'] ?? 1,
    isActiveOut: text['is-active'] ?? '',
    ...(text.bare !== undefined ? { bare: { rc: rc.bare ?? 1, err: text.bare, bin: text.bin ?? 'systemctl' } } : {}),
    initd: flags.has('initd'),
    sysvEnabled: flags.has('sysv-enabled'),
    offline: flags.has('chroot') || flags.has('offline'),
  };
}

/** Runs a systemctl call; on failure prints Ansible's message (with `%RC`/`%ERR` filled) to stderr. */
function guarded(cmd: string, message: string): string {
  const msg = message.replace('%RC', '%s').replace('%ERR', '%s');
  const values = [...(message.includes('%RC') ? ['"$rc"'] : []), ...(message.includes('%ERR') ? ['"$err"'] : [])];
  return `err=$(${cmd} 2>&1 >/dev/null); rc=$?; if [ "$rc" -ne 0 ]; then printf ${quote(msg + '\n')} ${values.join(' ')} >&2; exit 1; fi`;
}

const missingMsg = (unit: string) => `Could not find the requested service ${unit}: host`;

export function planSystemd(args: SystemdArgs, f: SystemdFacts, ctx?: Pick<PlanContext, 'host'>): Plan {
  if (!f.systemctl) throw new ModuleFailure(`Failed to find required executable "systemctl" in paths: ${f.path ?? ''}${ctx ? ` (host ${ctx.host} has no systemd)` : ''}`);
  const s = systemctl(args);
  const steps: Step[] = [];
  const exec = (cmd: string) => steps.push({ kind: 'exec', cmd: `${SBIN_PATH}; ${XDG}; ${cmd}` });
  const unit = args.name;
  const result: Record<string, unknown> = { name: unit ?? null, status: {} };
  let changed = false;
  if (args.daemon_reload) exec(guarded(`${s} daemon-reload`, 'failure %RC during daemon-reload: %ERR'));
  if (args.daemon_reexec) exec(guarded(`${s} daemon-reexec`, 'failure %RC during daemon-reexec: %ERR'));
  if (unit === undefined) return { steps, result: { ...result, changed } };
  const u = quote(unit);
  let status: Record<string, string> = {};
  let isSystemd = false;
  if (f.showRc === 0 && !(requestWasIgnored(f.showOut) || requestWasIgnored(f.showErr))) {
    if (f.showOut) {
      status = parseSystemctlShow(f.showOut);
      isSystemd = 'LoadState' in status && status.LoadState !== 'not-found';
      const masked = status.LoadState === 'masked';
      if (isSystemd && !masked && 'LoadError' in status) throw new ModuleFailure(`Error loading unit file '${unit}': ${status.LoadError}`);
    }
  } else if (f.showRc === 1 && f.showErr.includes('Failed to parse bus message')) {
    status = parseSystemctlShow(f.showOut);
    isSystemd = f.listUnitFilesRc === 0;
    status.ActiveState = f.isActiveOut.replace(/\n+$/, '');
  } else {
    isSystemd = ENABLED_STATES.includes(f.isEnabledOut.trim()) || f.listUnitFilesRc === 0;
    if (!isSystemd && f.bare && f.bare.rc !== 0) {
      const err = f.bare.err.replace(/\n+$/, '');
      const cmd = [f.bare.bin, ...s.split(' ').slice(1)].join(' ');
      throw new ModuleFailure(err || `Command "${cmd}" returned non-zero exit status ${f.bare.rc}`, { cmd, rc: f.bare.rc, stderr: err ? err + '\n' : '', stderr_lines: err ? err.split('\n') : [], stdout: '', stdout_lines: [] });
    }
  }
  result.status = status;
  const found = isSystemd || f.initd;
  const warnings: string[] = [];
  if (f.initd && !isSystemd) warnings.push(`The service (${unit}) is actually an init script but the system is managed by systemd`);

  if (args.masked !== undefined) {
    const masked = f.isEnabledOut.trim() === 'masked';
    if (masked !== args.masked) {
      changed = true;
      // Ansible ignores a failed mask of a unit it found (some systemd versions refuse).
      exec(`${s} ${args.masked ? 'mask' : 'unmask'} ${u} >/dev/null 2>&1 || ${found ? 'true' : `{ printf '%s\\n' ${quote(missingMsg(unit))} >&2; exit 1; }`}`);
    }
  }
  if (args.enabled !== undefined) {
    if (!found) throw new ModuleFailure(missingMsg(unit));
    let enabled = false;
    const lines = f.isEnabledFullOut.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);
    if (f.isEnabledFullRc === 0) enabled = !(lines.length === 1 && (lines[0] === 'indirect' || lines[0] === 'alias'));
    else if (f.isEnabledFullRc === 1 && args.scope === 'system' && f.initd && !f.isEnabledFullOut.trim().endsWith('disabled') && f.sysvEnabled) enabled = true;
    result.enabled = enabled;
    if (enabled !== args.enabled) {
      changed = true;
      const action = args.enabled ? 'enable' : 'disable';
      exec(`out=$(${s} ${action} ${u} 2>&1); if [ $? -ne 0 ]; then printf '%s\\n' ${quote(`Unable to ${action} service ${unit}: `)}"$out" >&2; exit 1; fi`);
      result.enabled = !enabled;
    }
  }
  if (args.state !== undefined) {
    if (!found) throw new ModuleFailure(missingMsg(unit));
    result.state = args.state;
  }
  if (args.state !== undefined && !('ActiveState' in status)) {
    if (!f.offline) throw new ModuleFailure('Service is in unknown state', { status });
    warnings.push('Target is a chroot or systemd is offline. This can lead to false positives or prevent the init system tools from working.');
  } else if (args.state !== undefined) {
    const running = status.ActiveState === 'active' || status.ActiveState === 'activating';
    let action: string | undefined;
    if (args.state === 'started') action = running ? undefined : 'start';
    else if (args.state === 'stopped') action = running || status.ActiveState === 'deactivating' ? 'stop' : undefined;
    else {
      action = running ? args.state.slice(0, -2) : 'start';
      result.state = 'started';
    }
    if (action) {
      changed = true;
      exec(guarded(`${s} ${action} ${u}`, `Unable to ${action} service ${unit}: %ERR`));
    }
  }
  if (warnings.length) result.warnings = warnings;
  return { steps, result: { ...result, changed } };
}

export const systemdModule = defineModule<SystemdArgs, SystemdArgs, SystemdFacts>({
  name: 'systemd_service',
  aliases: ['systemd'],
  summary: 'Control systemd units: start, stop, restart, reload, enable, mask, daemon-reload',
  schema,
  constraints: { required_one_of: [['state', 'enabled', 'masked', 'daemon_reload', 'daemon_reexec']] },
  argAliases: { service: 'name', unit: 'name', 'daemon-reload': 'daemon_reload', 'daemon-reexec': 'daemon_reexec' },
  checkMode: 'plan',
  prepare: prepareSystemd,
  probe: systemdProbe,
  parse: parseSystemdProbe,
  plan: planSystemd,
});
