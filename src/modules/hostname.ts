// ansible.builtin.hostname with Ansible 2.14's strategies: on a host systemd runs (or
// with use: systemd / debian) hostnamectl sets the static name, then the live one;
// otherwise by distribution: Debian-like write /etc/hostname, Red Hat-like (SL 4.4
// too) the HOSTNAME= line of /etc/sysconfig/network, SUSE /etc/HOSTNAME, Gentoo
// /etc/conf.d/hostname, Alpine /etc/hostname then `hostname -F`. As in Ansible, the
// file strategies read the "current" name from the file too and leave the live name as
// it is. Returns Ansible's facts: ansible_hostname, ansible_nodename, and ansible_fqdn /
// ansible_domain as Python's getfqdn() finds them on the host after the change.
//
//   - ansible.builtin.hostname:
//       name: web01.example.com
import type { FromSchema } from 'json-schema-to-ts';
import { SBIN_PATH, parseSections, section } from '../facts/system-probe.js';
import { quote } from '../transport/quote.js';
import { ModuleFailure, defineModule, type ModuleResult, type RunContext } from './types.js';

const USES = ['alpine', 'debian', 'freebsd', 'generic', 'macos', 'macosx', 'darwin', 'openbsd', 'openrc', 'redhat', 'sles', 'solaris', 'systemd'] as const;

const schema = {
  type: 'object',
  properties: { name: { type: 'string' }, use: { type: 'string', enum: USES } },
  required: ['name'],
  additionalProperties: false,
} as const;

export type HostnameArgs = FromSchema<typeof schema>;
export type Strategy = 'systemd' | 'file' | 'redhat' | 'sles' | 'openrc' | 'alpine';

const STRATS: Record<string, Strategy | undefined> = { alpine: 'alpine', debian: 'systemd', systemd: 'systemd', openrc: 'openrc', redhat: 'redhat', sles: 'sles' };
const BY_DISTRO: Record<string, Strategy> = {
  ...Object.fromEntries(['debian', 'kylin', 'cumulus-linux', 'kali', 'parrot', 'ubuntu', 'linuxmint', 'linaro', 'devuan', 'raspbian', 'uos', 'deepin', 'neon', 'void', 'pop'].map((d) => [d, 'file' as const])),
  ...Object.fromEntries(['redhat', 'rhel', 'centos', 'anolis', 'cloudlinuxserver', 'cloudlinux', 'alinux', 'scientific', 'oracle', 'ol', 'virtuozzo', 'amazon', 'amzn', 'altlinux', 'eurolinux'].map((d) => [d, 'redhat' as const])),
  gentoo: 'openrc',
  alpine: 'alpine',
};
const FILES: Partial<Record<Strategy, string>> = { file: '/etc/hostname', alpine: '/etc/hostname', sles: '/etc/HOSTNAME', openrc: '/etc/conf.d/hostname', redhat: '/etc/sysconfig/network' };

/** Python's socket.getfqdn() in sh: the name's address, reversed; the first name with a dot. */
const GETFQDN = `h=$(uname -n); a=$(getent hosts "$h" 2>/dev/null | awk '{print $1; exit}'); f="$h"
if [ -n "$a" ]; then set -- $(getent hosts "$a" 2>/dev/null | head -n 1); if [ $# -gt 1 ]; then shift; f="$1"; for n in "$@"; do case "$n" in *.*) f="$n"; break;; esac; done; fi; fi
echo "@@fqdn $f"`;

export function hostnameProbe(args: HostnameArgs): string {
  return [
    SBIN_PATH,
    // Ansible's is_systemd_managed: systemctl and one of systemd's run-time directories
    `if command -v systemctl >/dev/null 2>&1 && { [ -e /run/systemd/system/ ] || [ -e /dev/.run/systemd/ ] || [ -e /dev/.systemd/ ]; }; then echo '@@have systemd yes'; fi`,
    `if [ -r /etc/os-release ]; then (. /etc/os-release; echo "@@distro $ID"); elif [ -e /etc/redhat-release ]; then echo '@@distro redhat'; elif [ -e /etc/SuSE-release ]; then echo '@@distro sles'; fi`,
    `if command -v hostnamectl >/dev/null 2>&1; then if [ -z ${quote(args.use ?? '')} ] || [ ${quote(args.use ?? '')} = systemd ] || [ ${quote(args.use ?? '')} = debian ]; then ` +
      `${section('transient', 'hostnamectl --transient status')}; ${section('static', 'hostnamectl --static status')}; fi; else echo '@@have hostnamectl no'; printf '@@path %s\\n' "$PATH"; fi`,
    ...Object.values(FILES)
      .filter((f, i, all) => all.indexOf(f) === i)
      // the echo keeps the file's last newline, or its absence, through the section framing
      .map((f) => `if [ -f ${f} ]; then ${section(`file:${f}`, `cat ${f}; echo`)}; fi`),
    GETFQDN,
  ].join('\n');
}

export interface HostnameFacts {
  strategy: Strategy;
  current: string | undefined;
  permanent: string | undefined;
  /** Where the file strategy writes, and what is in it now (undefined: no file). */
  file?: string;
  fileText?: string;
  fqdn: string;
}

function strategyOf(args: HostnameArgs, systemd: boolean, distro: string): Strategy {
  if (args.use !== undefined) {
    const s = STRATS[args.use];
    if (!s) throw new ModuleFailure(`hostname: use=${args.use} is not supported by rackplay (it has no shell strategy for that platform)`);
    return s;
  }
  if (systemd) return 'systemd';
  const s = BY_DISTRO[distro.toLowerCase()];
  if (!s) throw new ModuleFailure(`hostname module cannot be used on platform Linux (${distro ? distro[0].toUpperCase() + distro.slice(1) : 'OtherLinux'})`);
  return s;
}

const cmdFailed = (rc: number, out: string) => `Command failed rc=${rc}, out=${out}, err=`;

/** The permanent name a file strategy reads from `text` (Ansible's get_permanent_hostname). */
export function permanentFromFile(strategy: Strategy, text: string | undefined): string | undefined {
  if (strategy === 'redhat') {
    for (const line of (text ?? '').split('\n')) {
      const t = line.trim();
      if (t.startsWith('HOSTNAME')) return t.split('=')[1]?.trim() ?? '';
    }
    throw new ModuleFailure('Unable to locate HOSTNAME entry in /etc/sysconfig/network');
  }
  if (text === undefined) return '';
  if (strategy === 'openrc') {
    const line = text.split('\n').find((l) => l.trim().startsWith('hostname='));
    return line === undefined ? undefined : line.trim().slice(10).replace(/^"+|"+$/g, '');
  }
  return text.trim();
}

/** What a file strategy writes for `name` (Ansible's set_permanent_hostname). */
export function fileWithName(strategy: Strategy, text: string | undefined, name: string): string {
  if (strategy === 'redhat') {
    const lines = (text ?? '').split(/(?<=\n)/).filter((l) => l !== '');
    let found = false;
    const out = lines.map((l) => (l.trim().startsWith('HOSTNAME') ? ((found = true), `HOSTNAME=${name}\n`) : l));
    if (!found) out.push(`HOSTNAME=${name}\n`);
    return out.join('');
  }
  if (strategy === 'openrc') {
    const lines = (text ?? '').split('\n').map((l) => l.trim());
    if (lines.at(-1) === '') lines.pop();
    const i = lines.findIndex((l) => l.startsWith('hostname='));
    if (i >= 0) lines[i] = `hostname="${name}"`;
    return lines.join('\n') + '\n';
  }
  return `${name}\n`;
}

export function parseHostnameProbe(stdout: string, args: HostnameArgs): HostnameFacts {
  const s = parseSections(stdout);
  const distro = /^@@distro (.*)$/m.exec(stdout)?.[1] ?? '';
  const fqdn = /^@@fqdn (.*)$/m.exec(stdout)?.[1] ?? '';
  const strategy = strategyOf(args, !!s.have.systemd, distro);
  if (strategy === 'systemd') {
    if (s.have.hostnamectl === false) throw new ModuleFailure(`Failed to find required executable "hostnamectl" in paths: ${/^@@path (.*)$/m.exec(stdout)?.[1] ?? ''}`);
    for (const k of ['transient', 'static']) if (s.rc[k] !== 0) throw new ModuleFailure(cmdFailed(s.rc[k] ?? 1, ''), { err: s.text[k] ?? '' });
    return { strategy, current: s.text.transient.trim(), permanent: s.text.static.trim(), fqdn };
  }
  const file = FILES[strategy]!;
  const fileText = s.text[`file:${file}`];
  const permanent = permanentFromFile(strategy, fileText);
  return { strategy, current: permanent, permanent, file, fileText, fqdn };
}

/** The commands that bring the host to `name`, in Ansible's order for the strategy. */
export function hostnameCommands(args: HostnameArgs, f: HostnameFacts): { cmd: string; stdin?: string }[] {
  const name = args.name;
  const setCurrent = f.current !== name;
  const setPermanent = f.permanent !== name;
  if (f.strategy === 'systemd') {
    if ((setCurrent || setPermanent) && name.length > 64) throw new ModuleFailure('name cannot be longer than 64 characters on systemd servers, try a shorter name');
    const cmds: { cmd: string }[] = [];
    if (setPermanent) cmds.push({ cmd: `hostnamectl --pretty --static set-hostname ${quote(name)}` });
    if (setCurrent) cmds.push({ cmd: `hostnamectl --transient set-hostname ${quote(name)}` });
    return cmds;
  }
  const cmds: { cmd: string; stdin?: string }[] = [];
  // Base strategy order: the current name first. Only Alpine sets a live one, from the
  // file as it still is (Ansible's order).
  if (setCurrent && f.strategy === 'alpine') cmds.push({ cmd: `hostname -F ${f.file}` });
  if (setPermanent) cmds.push({ cmd: `cat > ${f.file}`, stdin: fileWithName(f.strategy, f.fileText, name) });
  return cmds;
}

async function runHostname(args: HostnameArgs, ctx: RunContext): Promise<ModuleResult> {
  const probe = await ctx.exec(hostnameProbe(args));
  const f = parseHostnameProbe(probe.stdout, args);
  const cmds = hostnameCommands(args, f);
  const changed = cmds.length > 0;
  let fqdn = f.fqdn;
  if (changed && !ctx.check) {
    for (const c of cmds) {
      const r = await ctx.exec(`${SBIN_PATH}; ${c.cmd}`, c.stdin !== undefined ? { stdin: c.stdin } : undefined);
      if (r.rc !== 0) {
        if (c.stdin !== undefined) throw new ModuleFailure(`failed to update hostname: ${r.stderr.trim()}`);
        throw new ModuleFailure(`Command failed rc=${r.rc}, out=${r.stdout}, err=${r.stderr}`);
      }
    }
    fqdn = /^@@fqdn (.*)$/m.exec((await ctx.exec(GETFQDN)).stdout)?.[1] ?? fqdn;
  }
  const name = args.name;
  const before = name !== f.current ? f.current : f.permanent;
  const result: ModuleResult = {
    changed,
    name,
    ansible_facts: { ansible_hostname: name.split('.')[0], ansible_nodename: name, ansible_fqdn: fqdn, ansible_domain: fqdn.split('.').slice(1).join('.') },
  };
  if (changed) result.diff = { before: `hostname = ${before ?? 'None'}\n`, after: `hostname = ${name}\n` };
  return result;
}

export const hostnameModule = defineModule<HostnameArgs>({
  name: 'hostname',
  summary: "Set the host's name (hostnamectl, /etc/hostname, /etc/sysconfig/network...) as Ansible's strategies do",
  schema,
  checkMode: 'run',
  run: runHostname,
});
