// ansible.builtin.package_facts: the installed packages as `ansible_facts.packages`
// (name → list of {name, version, arch, ..., source}), with dpkg-query and apt-cache
// for apt and `rpm -qa` for rpm instead of python-apt and the rpm bindings. apt's `origin`
// is the Origin of the first source apt lists for the installed version (python-apt's
// origins[0]), read from one `apt-cache policy` of every installed package.
//
//   - ansible.builtin.package_facts:
//       manager: auto
//   - ansible.builtin.debug:
//       var: ansible_facts.packages['openssl'][0].version
import type { FromSchema } from 'json-schema-to-ts';
import { SBIN_PATH, haveTools, listArg, parseSections, section } from '../facts/system-probe.js';
import type { ExecResult } from '../transport/types.js';
import { parsePolicyOrigins } from './package-facts-apt.js';
import { ModuleFailure, defineModule } from './types.js';

const schema = {
  type: 'object',
  properties: {
    manager: { type: 'array', items: { type: 'string' }, default: ['auto'] },
    strategy: { type: 'string', enum: ['first', 'all'], default: 'first' },
  },
  additionalProperties: false,
} as const;

type Args = FromSchema<typeof schema>;

/** Ansible's managers in its order of discovery; rackplay reads two of them. */
const ANSIBLE_MANAGERS = ['rpm', 'apt', 'pacman', 'pkg', 'portage', 'apk'];
const SHELL_MANAGERS = ['rpm', 'apt'];

interface Request {
  managers: string[];
  strategy: string;
  auto: boolean;
}

type Packages = Record<string, Record<string, unknown>[]>;

interface Facts {
  have: Record<string, boolean>;
  packages: Record<string, Packages>;
}

const DPKG_FORMAT = `'\${db:Status-Status}\\t\${Package}\\t\${Version}\\t\${Architecture}\\t\${Section}\\n'`;

function prepare(args: Args): Request {
  const given = listArg(args.manager ?? ['auto']).map((m) => m.toLowerCase());
  const auto = given.includes('auto');
  const managers = [...new Set(auto ? [...given.filter((m) => m !== 'auto'), ...ANSIBLE_MANAGERS] : given)];
  const unsupported = managers.filter((m) => !ANSIBLE_MANAGERS.includes(m));
  if (unsupported.length) throw new ModuleFailure(auto ? 'Could not auto detect a usable package manager, check warnings for details.' : `Unsupported package managers requested: ${unsupported.join(', ')}`);
  return { managers, strategy: args.strategy ?? 'first', auto };
}

function probe(req: Request): string {
  const lines = [SBIN_PATH, haveTools(['dpkg-query', 'apt-cache', 'rpm'])];
  if (req.managers.includes('apt')) {
    lines.push(`if command -v dpkg-query >/dev/null 2>&1; then ${section('apt', `dpkg-query -W -f=${DPKG_FORMAT}`)}; fi`);
    lines.push(`if command -v apt-cache >/dev/null 2>&1; then ${section('apt-sources', 'apt-cache policy')}; ${section('apt-policy', `dpkg-query -W -f='\${db:Status-Status} \${Package}\\n' | awk '$1 != "not-installed" && $1 != "config-files" {print $2}' | sort -u | xargs -r apt-cache policy`)}; fi`);
  }
  // SL4's rpm has no %{EPOCH} fallback quirks: (none) is what it prints without one
  if (req.managers.includes('rpm')) lines.push(`if command -v rpm >/dev/null 2>&1; then ${section('rpm', `rpm -qa --qf '%{NAME}\\t%{VERSION}\\t%{RELEASE}\\t%{EPOCH}\\t%{ARCH}\\n'`)}; fi`);
  return lines.join('\n');
}

function add(into: Packages, p: Record<string, unknown>): void {
  (into[String(p.name)] ??= []).push(p);
}

function parse(out: ExecResult): Facts {
  const s = parseSections(out.stdout);
  const packages: Record<string, Packages> = {};
  if (s.text.apt !== undefined && s.rc.apt === 0) {
    const origins = parsePolicyOrigins(s.text['apt-sources'] ?? '', s.text['apt-policy'] ?? '');
    const apt: Packages = {};
    for (const line of s.text.apt.split('\n')) {
      const [status, name, version, arch, section] = line.split('\t');
      if (section === undefined || status === 'not-installed' || status === 'config-files') continue;
      add(apt, { name, version, arch, category: section, origin: origins[name]?.[version] ?? '', source: 'apt' });
    }
    packages.apt = apt;
  }
  if (s.text.rpm !== undefined && s.rc.rpm === 0) {
    const rpm: Packages = {};
    for (const line of s.text.rpm.split('\n')) {
      const [name, version, release, epoch, arch] = line.split('\t');
      if (arch === undefined) continue;
      add(rpm, { name, version, release, epoch: epoch === '(none)' ? null : Number(epoch), arch, source: 'rpm' });
    }
    packages.rpm = rpm;
  }
  return { have: s.have, packages };
}

export const packageFactsModule = defineModule<Args, Request, Facts>({
  name: 'package_facts',
  summary: 'Installed packages as facts (apt via dpkg-query, rpm via rpm -qa)',
  schema,
  checkMode: 'plan',
  prepare,
  probe,
  parse,
  plan: (req, facts) => {
    const packages: Packages = {};
    const warnings: string[] = [];
    let found = 0;
    for (const m of req.managers) {
      if (found && req.strategy === 'first') break;
      // without python's rpm bindings Ansible passes rpm over on a Debian host: so does auto here
      const usable = SHELL_MANAGERS.includes(m) && facts.packages[m] !== undefined && !(m === 'rpm' && req.auto && facts.have['dpkg-query']);
      if (!usable) {
        if (!req.auto && !SHELL_MANAGERS.includes(m)) warnings.push(`Requested package manager ${m} was not usable by this module: rackplay reads only apt and rpm`);
        continue;
      }
      found++;
      Object.assign(packages, facts.packages[m]);
    }
    if (!found) {
      throw new ModuleFailure(
        `Could not detect a supported package manager from the following list: [${req.managers.map((m) => `'${m}'`).join(', ')}], or the required Python library is not installed. Check warnings for details.`,
        warnings.length ? { warnings } : {},
      );
    }
    return { steps: [], result: { ansible_facts: { packages }, ...(warnings.length ? { warnings } : {}) } };
  },
});
