// What the dnf module asks the host, in one script: which tools it has, whether it runs as
// root, whether dnf can tell the release version (Ansible's module warns when it cannot),
// the installed packages each requested spec could name (rpm -q on every dash-prefix of
// the spec, since `foo-1.0` may be a name or a name and a version; and what provides it,
// for a capability such as `perl(LWP)`), and only when
// something is missing or the state is latest, what the repositories offer for the specs
// (dnf repoquery). A re-run whose packages are all in place thus runs no dnf at all.
import { SBIN_PATH, haveTools, parseSections, section } from '../facts/system-probe.js';
import { quote, quoteArgv } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';

/** One package, installed or available. */
export interface RpmPackage {
  name: string;
  epoch: string;
  version: string;
  release: string;
  arch: string;
  /** The repository id of an available package. */
  repo?: string;
}

export interface DnfQuery {
  /** Package specs (not files, not groups), as the task gives them. */
  specs: string[];
  /** When to ask the repositories what they offer for the specs. */
  wantAvailable: 'always' | 'if-missing' | 'never';
  /** dnf's options common to every dnf command (repositories, config, gpg). */
  dnfOptions: string[];
  /** Refresh the metadata first (update_cache). */
  refresh: boolean;
  /** List what `dnf autoremove` would remove. */
  unneeded: boolean;
  /** conf_file, checked for readability. */
  confFile?: string;
  /** `name: '*'` with latest: ask for upgrades only, not the whole repository. */
  upgradesOnly?: boolean;
}

export interface DnfFacts {
  have: { dnf: boolean; rpm: boolean };
  uid: number;
  releasever: boolean;
  /** Installed packages found for each spec's candidate names. */
  installed: RpmPackage[];
  /** Installed packages providing each exact spec (rpm -q --whatprovides). */
  provides: Record<string, RpmPackage[]>;
  /** What the repositories offer (undefined: not asked). */
  available?: RpmPackage[];
  /** What they offer that provides a spec as a capability. */
  availableProviders?: RpmPackage[];
  /** What `dnf autoremove` would remove (undefined: not asked). */
  unneeded?: RpmPackage[];
  /** dnf's complaint when asking the repositories failed. */
  repoError?: string;
  confReadable: boolean;
}

const QF = 'pkg\\t%{NAME}\\t%{EPOCHNUM}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\n';
const DNF_QF = 'avail\\t%{name}\\t%{epoch}\\t%{version}\\t%{release}\\t%{arch}\\t%{repoid}';
// dnf's DISTROVERPKG: a package providing one of these tells it the release version
const DISTROVERPKG = ['system-release(releasever)', 'system-release', 'distribution-release(releasever)', 'distribution-release', 'redhat-release', 'suse-release'];

export const hasGlob = (s: string): boolean => /[*?[\]]/.test(s);

/** The names a spec may start with: itself and each prefix ending before a dash. */
export function candidateNames(spec: string): string[] {
  const bare = spec.replace(/\.[^.-]+$/, '');
  const out = new Set<string>([spec, bare]);
  for (let i = spec.indexOf('-'); i > 0; i = spec.indexOf('-', i + 1)) out.add(spec.slice(0, i));
  return [...out].filter((n) => n !== '');
}

export function dnfProbe(q: DnfQuery): string {
  const lines = [SBIN_PATH, haveTools(['dnf', 'rpm']), 'echo "@@uid $(id -u)"'];
  if (q.confFile !== undefined) lines.push(`if [ -r ${quote(q.confFile)} ]; then echo '@@conf readable'; fi`);
  const provides = DISTROVERPKG.map((p) => `rpm -q --whatprovides ${quote(p)} >/dev/null 2>&1`).join(' || ');
  lines.push(`if [ -s /etc/dnf/vars/releasever ] || ${provides}; then echo '@@releasever yes'; fi`);
  const exact = q.specs.filter((s) => !hasGlob(s));
  const globs = q.specs.filter(hasGlob);
  const names = [...new Set(exact.flatMap(candidateNames))];
  const rpmQ = [
    names.length ? `rpm -q --qf ${quote(QF)} -- ${quoteArgv(names)}` : '',
    ...globs.map((g) => `rpm -qa --qf ${quote(QF)} ${quote(g)}`),
  ].filter(Boolean);
  // rpm -q exits non-zero when any name is not installed; the section's rc says so
  const prov = exact.map((e) => `printf 'spec\\t%s\\n' ${quote(e)}; rpm -q --whatprovides --qf ${quote(QF.replace('pkg', 'prov'))} -- ${quote(e)} | grep '^prov'`);
  const body = [...rpmQ.map((c) => `${c} | grep '^pkg'`), ...prov];
  lines.push(section('installed', body.length ? body.join('; ') + '; true' : 'true'));
  const dnf = (args: string[]) => `dnf -q ${quoteArgv([...q.dnfOptions, ...args])}`;
  if (q.refresh) lines.push(section('makecache', dnf(['makecache'])));
  if (q.specs.length && q.wantAvailable !== 'never') {
    const which = q.upgradesOnly ? '--upgrades' : '--available';
    // by name and version first, then by capability (`perl(LWP)`), as dnf install looks
    const byProvide = q.upgradesOnly ? '' : ` && ${dnf(['repoquery', which, `--whatprovides=${q.specs.join(',')}`, '--qf', DNF_QF.replace('avail', 'aprov')])}`;
    const ask = dnf(['repoquery', which, '--qf', DNF_QF, '--', ...q.specs]) + byProvide;
    if (q.wantAvailable === 'always') lines.push(section('available', ask));
    else {
      // asked only when some exact spec matched no installed package (checked again in TS)
      const missing = exact.map((s) => `rpm -q ${quote(s)} >/dev/null 2>&1 || rpm -q --whatprovides ${quote(s)} >/dev/null 2>&1 || m=1`).join('; ');
      lines.push(`m=${globs.length ? 1 : 0}; ${missing || ':'}`);
      lines.push(`if [ "$m" = 1 ]; then ${section('available', ask)}; fi`);
    }
  }
  if (q.unneeded) lines.push(section('unneeded', dnf(['repoquery', '--unneeded', '--qf', DNF_QF.replace('avail', 'pkg')])));
  return lines.join('\n');
}

function parsePackages(text: string | undefined, tag: string): RpmPackage[] {
  const out: RpmPackage[] = [];
  for (const line of (text ?? '').split('\n')) {
    const f = line.split('\t');
    if (f[0] !== tag || f.length < 6) continue;
    const p: RpmPackage = { name: f[1], epoch: f[2] === '(none)' || f[2] === '' ? '0' : f[2], version: f[3], release: f[4], arch: f[5] };
    if (f[6] !== undefined && f[6] !== '') p.repo = f[6];
    if (!out.some((o) => nevra(o) === nevra(p))) out.push(p);
  }
  return out;
}

/** The `prov` lines after each `spec` line. */
function parseProvides(text: string | undefined): Record<string, RpmPackage[]> {
  const out: Record<string, RpmPackage[]> = {};
  let spec: string | undefined;
  for (const line of (text ?? '').split('\n')) {
    if (line.startsWith('spec\t')) out[(spec = line.slice(5))] = [];
    else if (spec !== undefined && line.startsWith('prov\t')) out[spec].push(...parsePackages(line, 'prov'));
  }
  return out;
}

export function parseDnfProbe(out: ExecResult): DnfFacts {
  const s = parseSections(out.stdout);
  const uid = /^@@uid (\d+)$/m.exec(out.stdout);
  const facts: DnfFacts = {
    have: { dnf: !!s.have.dnf, rpm: !!s.have.rpm },
    uid: uid ? Number(uid[1]) : -1,
    releasever: /^@@releasever yes$/m.test(out.stdout),
    installed: parsePackages(s.text.installed, 'pkg'),
    provides: parseProvides(s.text.installed),
    confReadable: /^@@conf readable$/m.test(out.stdout),
  };
  for (const key of ['makecache', 'available', 'unneeded'] as const) {
    if (s.text[key] === undefined || !s.rc[key]) continue;
    facts.repoError = s.text[key].split('\n').filter((l) => l.trim() !== '' && !/^(avail|aprov|pkg)\t/.test(l)).join('\n');
  }
  if (s.text.available !== undefined) {
    facts.available = parsePackages(s.text.available, 'avail');
    facts.availableProviders = parsePackages(s.text.available, 'aprov');
  }
  if (s.text.unneeded !== undefined) facts.unneeded = parsePackages(s.text.unneeded, 'pkg');
  return facts;
}

/** dnf's str(package): name-[epoch:]version-release.arch. */
export function nevra(p: RpmPackage): string {
  return `${p.name}-${p.epoch !== '0' ? `${p.epoch}:` : ''}${p.version}-${p.release}.${p.arch}`;
}
