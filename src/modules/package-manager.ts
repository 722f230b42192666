// The one implementation behind ansible.builtin.package and ansible.builtin.yum. The
// probe asks the package database about every name in one exec (rpm -q per name, so a
// name like `httpd-2.2.3` maps back to what was asked) and, for state=latest, asks the
// package manager which of them have updates: `yum check-update names` exits 100 when
// there are some and lists them as `name.arch version repo`; apt-get (Debian's, or
// apt-rpm on an rpm host) is asked with `apt-get -s install names`, whose `Inst name`
// lines are what it would upgrade. The plan installs only what is missing and removes
// only what is there. yum 2.4 exits 0 when a name matches nothing, so an install step
// checks with rpm -q afterwards and fails the way Ansible's yum does.
//
//   - ansible.builtin.package:
//       name: [httpd, mod_ssl]
//       state: present
import { SBIN_PATH, haveTools, listArg, parseSections, section } from '../facts/system-probe.js';
import { quote, quoteArgv } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import type { FromSchema } from 'json-schema-to-ts';
import { ModuleFailure, type Plan, type PlanContext, type Step } from './types.js';

export type PkgMgr = 'yum' | 'apt_rpm' | 'apt';

const strList = { type: 'array', items: { type: 'string' } } as const;
export const NAME_LIST = { type: 'array', items: { type: 'string', pattern: '^[^-\\s]' } } as const;
export const PACKAGE_STATES = ['present', 'installed', 'absent', 'removed', 'latest'] as const;
export type PackageState = (typeof PACKAGE_STATES)[number];

/** yum's arguments; yum's `use_backend` is not offered (yum is yum). */
export const YUM_SCHEMA = {
  type: 'object',
  properties: {
    name: NAME_LIST,
    state: { type: 'string', enum: PACKAGE_STATES, default: 'present' },
    enablerepo: strList,
    disablerepo: strList,
    exclude: strList,
    disable_gpg_check: { type: 'boolean', default: false },
    conf_file: { type: 'string' },
  },
  required: ['name'],
  additionalProperties: false,
} as const;

export type YumArgs = FromSchema<typeof YUM_SCHEMA>;

/** What the implementation reads: yum's arguments, of which package gives name and state. */
export type PackageArgs = Pick<YumArgs, 'name' | 'state'> & Partial<Omit<YumArgs, 'name' | 'state'>>;

/** What prepare() makes: the arguments with names as a list, and the manager to use. */
export interface PackageRequest {
  args: PackageArgs;
  /** From `use` or the `ansible_pkg_mgr` fact; 'auto' when the probe must decide. */
  mgr: string;
}

export interface PackageFacts {
  /** The manager found on the host (or chosen by `use`). */
  mgr?: PkgMgr;
  /** Installed `name version-release` per requested name; empty when not installed. */
  installed: Record<string, string[]>;
  /** Requested names that have a newer version available (state=latest). */
  updates: Record<string, string>;
  /** A probe failure worth reporting (the update check could not run). */
  error?: string;
}

const KNOWN_MGRS: readonly string[] = ['yum', 'apt_rpm', 'apt'];

/** Resolves `use`/ansible_pkg_mgr to a manager name, or auto when the probe must decide. */
export function chooseMgr(use: string | undefined, factMgr: unknown): string {
  if (use && use !== 'auto') return use;
  if (typeof factMgr === 'string' && KNOWN_MGRS.includes(factMgr)) return factMgr;
  // dnf hosts still answer to the yum command line we send
  if (factMgr === 'dnf') return 'yum';
  return 'auto';
}

function rpmDb(mgr: string): boolean {
  return mgr === 'yum' || mgr === 'apt_rpm';
}

function repoOpts(args: PackageArgs): string[] {
  const o: string[] = [];
  if (args.disablerepo?.length) o.push(`--disablerepo=${args.disablerepo.join(',')}`);
  if (args.enablerepo?.length) o.push(`--enablerepo=${args.enablerepo.join(',')}`);
  if (args.exclude?.length) o.push(`--exclude=${args.exclude.join(',')}`);
  if (args.conf_file) o.push('-c', args.conf_file);
  return o;
}

export function packageProbe({ args, mgr }: PackageRequest): string {
  const lines = [SBIN_PATH, haveTools(['yum', 'apt-get', 'rpm', 'dpkg-query'])];
  const wantRpm = mgr === 'auto' || rpmDb(mgr);
  const wantDpkg = mgr === 'auto' || mgr === 'apt';
  for (const n of args.name) {
    if (wantRpm) lines.push(`if command -v rpm >/dev/null 2>&1; then ${section(`rpm:${n}`, `rpm -q --qf '%{NAME} %{VERSION}-%{RELEASE}\\n' ${quote(n)}`)}; fi`);
    if (wantDpkg) lines.push(`if command -v dpkg-query >/dev/null 2>&1; then ${section(`dpkg:${n}`, `dpkg-query -W -f='\${Status} \${Version}\\n' ${quote(n)}`)}; fi`);
  }
  if (args.state === 'latest') {
    const names = quoteArgv(args.name);
    const yum = section('yum-updates', `yum -d 0 -e 0 ${quoteArgv(repoOpts(args))} check-update ${names}`);
    const apt = section('apt-updates', `apt-get -s -q install ${names}`);
    if (mgr === 'yum') lines.push(yum);
    else if (mgr === 'apt' || mgr === 'apt_rpm') lines.push(apt);
    else lines.push(`if command -v yum >/dev/null 2>&1; then ${yum}; elif command -v apt-get >/dev/null 2>&1; then ${apt}; fi`);
  }
  return lines.join('\n');
}

/** Package names from `yum check-update` lines (`name.arch  version  repo`). */
export function parseYumUpdates(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^(\S+)\.([A-Za-z0-9_]+)\s+(\S+)\s+(\S+)\s*$/.exec(line);
    if (m) out[m[1]] = m[3];
  }
  return out;
}

/** Package names apt-get -s would install or upgrade (`Inst name [old] (new repo)`). */
export function parseAptUpdates(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^Inst (\S+)(?: \[[^\]]*\])?(?: \((\S+))?/.exec(line);
    if (m) out[m[1]] = m[2] ?? '';
  }
  return out;
}

export function parsePackageProbe(out: ExecResult, { args, mgr: chosen }: PackageRequest): PackageFacts {
  const s = parseSections(out.stdout);
  let mgr: PkgMgr | undefined;
  if (chosen !== 'auto') mgr = chosen as PkgMgr;
  else if (s.have.yum && s.have.rpm) mgr = 'yum';
  else if (s.have['apt-get'] && s.have['dpkg-query']) mgr = 'apt';
  else if (s.have['apt-get'] && s.have.rpm) mgr = 'apt_rpm';
  const installed: Record<string, string[]> = {};
  for (const n of args.name) {
    if (mgr && rpmDb(mgr)) {
      const text = s.text[`rpm:${n}`];
      installed[n] = s.rc[`rpm:${n}`] === 0 && text ? text.split('\n').filter((l) => /^\S+ \S+$/.test(l)) : [];
    } else {
      const text = s.text[`dpkg:${n}`] ?? '';
      installed[n] = s.rc[`dpkg:${n}`] === 0 ? text.split('\n').filter((l) => / installed \S/.test(l) && /^install /.test(l)).map((l) => `${n} ${l.split(' ').pop()}`) : [];
    }
  }
  let updates: Record<string, string> = {};
  let error: string | undefined;
  if (s.text['yum-updates'] !== undefined) {
    const rc = s.rc['yum-updates'];
    if (rc === 100) updates = parseYumUpdates(s.text['yum-updates']);
    else if (rc !== 0) error = s.text['yum-updates'].trim() || `yum check-update failed with rc=${rc}`;
  } else if (s.text['apt-updates'] !== undefined) {
    if (s.rc['apt-updates'] === 0) updates = parseAptUpdates(s.text['apt-updates']);
    else error = s.text['apt-updates'].trim();
  }
  return { mgr, installed, updates, error };
}

function installCmd(mgr: PkgMgr, args: PackageArgs, verb: 'install' | 'update' | 'remove', names: string[]): string {
  if (mgr === 'yum') {
    const opts = [...repoOpts(args), ...(args.disable_gpg_check ? ['--nogpgcheck'] : [])];
    return `yum -d 0 -e 0 -y ${quoteArgv([...opts, verb, ...names])}`;
  }
  const aptVerb = verb === 'update' ? 'install' : verb;
  const env = mgr === 'apt' ? 'DEBIAN_FRONTEND=noninteractive ' : '';
  return `${env}apt-get -q -y ${quoteArgv([aptVerb, ...names])}`;
}

/** yum 2.4 says "No Match" and exits 0; rpm tells whether the install really happened. */
function verifyCmd(mgr: PkgMgr, names: string[]): string {
  const query = rpmDb(mgr) ? `rpm -q ${quoteArgv(names)}` : `dpkg-query -W ${quoteArgv(names)}`;
  const msg = `No package matching '${names.join("', '")}' found available, installed or updated`;
  return `${query} >/dev/null 2>&1 || { echo ${quote(msg)} >&2; exit 1; }`;
}

export function planPackage({ args }: PackageRequest, facts: PackageFacts, _ctx?: PlanContext): Plan {
  const base = { msg: '', rc: 0 };
  if (!facts.mgr) {
    throw new ModuleFailure('Could not find a package manager on the host (looked for yum, apt-get with rpm or dpkg); set `use:` to choose one');
  }
  if (!KNOWN_MGRS.includes(facts.mgr)) throw new ModuleFailure(`package manager '${facts.mgr}' is not supported by rackplay (use yum, apt_rpm or apt)`);
  const mgr = facts.mgr;
  const installed = (n: string) => (facts.installed[n] ?? []).length > 0;
  const desc = (n: string) => facts.installed[n].map((l) => l.replace(' ', '-')).join(', ');
  const results: string[] = [];
  const steps: Step[] = [];
  const env = SBIN_PATH + ' && ';

  if (args.state === 'absent' || args.state === 'removed') {
    const remove = args.name.filter(installed);
    for (const n of args.name) if (!installed(n)) results.push(`${n} is not installed`);
    for (const n of remove) results.push(`Removed: ${desc(n)}`);
    if (remove.length) steps.push({ kind: 'exec', cmd: env + installCmd(mgr, args, 'remove', remove) });
    return { steps, result: { ...base, results, changes: remove.length ? { removed: remove } : {} } };
  }

  if (args.state === 'latest' && facts.error) throw new ModuleFailure(facts.error);
  const missing = args.name.filter((n) => !installed(n));
  const outdated = args.state === 'latest' ? args.name.filter((n) => installed(n) && facts.updates[n] !== undefined) : [];
  for (const n of args.name) {
    if (missing.includes(n)) results.push(`Installed: ${n}`);
    else if (outdated.includes(n)) results.push(`Updated: ${n} to ${facts.updates[n] || 'the latest version'}`);
    else results.push(`${desc(n)} providing ${n} is already installed`);
  }
  if (missing.length) steps.push({ kind: 'exec', cmd: env + installCmd(mgr, args, 'install', missing) + ' && ' + verifyCmd(mgr, missing) });
  if (outdated.length) steps.push({ kind: 'exec', cmd: env + installCmd(mgr, args, 'update', outdated) });
  const changes: Record<string, string[]> = {};
  if (missing.length) changes.installed = missing;
  if (outdated.length) changes.updated = outdated;
  return { steps, result: { ...base, results, changes } };
}

/** The request for `mgr`, with `name: a,b` as a list (as Ansible's package/yum read it). */
export function packageRequest(args: PackageArgs, mgr: string): PackageRequest {
  return { args: { ...args, name: listArg(args.name) }, mgr };
}
