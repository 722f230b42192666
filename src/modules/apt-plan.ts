// The apt module's decisions, pure: from the probe's facts (apt-facts.ts), which packages
// to install, upgrade or remove and the apt-get / dpkg / aptitude command Ansible's apt
// module would run for them, both as the text Ansible shows in its messages and as an
// argv rackplay quotes itself (package names never reach a shell unquoted).
import { fnmatchRegExp } from '../fnmatch.js';
import type { AptFacts, DebInfo } from './apt-facts.js';
import { compareDebVersions } from './apt-version.js';
import { ModuleFailure } from './types.js';

export const DEFAULT_DPKG_OPTIONS = 'force-confdef,force-confold';
const APT_GET_ZERO = '\n0 upgraded, 0 newly installed';
const APTITUDE_ZERO = '\n0 packages upgraded, 0 newly installed';
export const CLEAN_CHANGED: Record<'autoremove' | 'autoclean', string> = { autoremove: 'The following packages will be REMOVED', autoclean: 'Del ' };

/** What planning reads from the validated arguments. */
export interface AptOptions {
  state: 'absent' | 'build-dep' | 'fixed' | 'latest' | 'present';
  purge: boolean;
  force: boolean;
  autoremove: boolean;
  fail_on_autoremove: boolean;
  only_upgrade: boolean;
  allow_unauthenticated: boolean;
  allow_downgrade: boolean;
  allow_change_held_packages: boolean;
  install_recommends?: boolean;
  default_release?: string;
  dpkg_options: string;
  force_apt_get: boolean;
}

/** A command as Ansible writes it in messages, and the argv that runs it. */
export interface AptCommand {
  text: string;
  argv: string[];
}

export interface Spec {
  name: string;
  cmp?: '=' | '>=';
  version?: string;
}

/** Ansible's package_split: `name`, `name=version` or `name>=version`. */
export function splitSpec(spec: string): Spec {
  const m = /^(.*?)(>?=)([\s\S]*)$/.exec(spec);
  return m ? { name: m[1], cmp: m[2] as '=' | '>=', version: m[3] } : { name: spec };
}

export const hasWildcard = (name: string): boolean => /[*?[\]!]/.test(name);

/** `-o "Dpkg::Options::=--opt"` per option, as text and argv. */
export function dpkgOptions(compressed: string): AptCommand {
  const opts = compressed.split(',');
  return { text: opts.map((o) => `-o "Dpkg::Options::=--${o}"`).join(' '), argv: opts.flatMap((o) => ['-o', `Dpkg::Options::=--${o}`]) };
}

/** Joins parts as Python's `'%s %s' %` does (empty parts leave their spaces). */
function cmd(parts: (string | AptCommand)[]): AptCommand {
  const text = parts.map((p) => (typeof p === 'string' ? p : p.text)).join(' ');
  const argv = parts.flatMap((p) => (typeof p === 'string' ? (p === '' ? [] : [p]) : p.argv));
  return { text, argv };
}

const opt = (on: boolean | undefined, flag: string): string => (on ? flag : '');

/** Ansible's package_status: installed, version matches, version to install, has files. */
function packageStatus(facts: AptFacts, spec: Spec, install: boolean): [boolean, boolean, string | true | undefined, boolean] {
  const { name, cmp, version } = spec;
  const dpkg = facts.dpkg[name];
  const policy = facts.policy[name];
  const installed = !!dpkg && / installed$/.test(dpkg.status);
  const known = installed || (!!policy && policy.versions.length > 0);
  if (!known) {
    if (!install) return [false, false, undefined, false];
    // a virtual name one installed package provides stands for that package
    const providers = facts.providers[name] ?? [];
    if (providers.length === 1) return [true, true, undefined, true];
    if (policy || providers.length) return [false, false, true, false];
    throw new ModuleFailure(`No package matching '${name}' is available`);
  }
  const hasFiles = !!dpkg && !/not-installed$/.test(dpkg.status);
  const best = bestMatch(policy, cmp, version);
  if (!installed) return [false, false, best, hasFiles];
  const current = dpkg.version;
  if (cmp === '=') {
    const glob = fnmatchRegExp(version ?? '');
    return [true, glob.test(current), best && best !== current && glob.test(best) ? best : undefined, hasFiles];
  }
  if (cmp === '>=') {
    const ok = compareDebVersions(current, version ?? '') >= 0;
    return [true, ok, best && best !== current && compareDebVersions(best, version ?? '') >= 0 ? best : undefined, hasFiles];
  }
  return [true, true, best && best !== current ? best : undefined, hasFiles];
}

/** Ansible's package_best_match: the candidate, or for `=glob` the highest version matching it. */
function bestMatch(policy: AptFacts['policy'][string] | undefined, cmp: Spec['cmp'], version: string | undefined): string | undefined {
  if (!policy) return undefined;
  if (cmp === '=') {
    const glob = fnmatchRegExp(version ?? '');
    return policy.versions.find((v) => glob.test(v));
  }
  return policy.candidate;
}

/** Ansible's expand_pkgspec_from_fnmatches, with the names the probe matched. */
export function expandSpecs(specs: string[], facts: AptFacts): string[] {
  return specs.flatMap((spec) => {
    const { name } = splitSpec(spec);
    if (!hasWildcard(name)) return [spec];
    const found = facts.matches[name] ?? [];
    if (!found.length) throw new ModuleFailure(`No package(s) matching '${name}' available`);
    return found;
  });
}

export interface InstallPlan {
  /** `name` or `name=version` for apt-get; empty: nothing to do. */
  packages: string[];
  /** Requested names apt holds as automatically installed: apt-mark makes them manual. */
  markManual: string[];
  /** Ansible's returned (not raised) failure: it carries the cache fields. */
  failure?: string;
}

/** Ansible's install(): which specs go to apt-get; a failure as Ansible words it. */
export function planInstall(specs: string[], o: AptOptions, facts: AptFacts): InstallPlan {
  const expanded = expandSpecs(specs, facts);
  const packages: string[] = [];
  const names: string[] = [];
  const upgrade = o.state === 'latest';
  for (const spec of expanded) {
    if (o.state === 'build-dep') {
      packages.push(spec);
      continue;
    }
    const s = splitSpec(spec);
    names.push(s.name);
    const [installed, installedVersion, installable] = packageStatus(facts, s, true);
    if (!installed && o.only_upgrade) continue;
    if (!installedVersion && !installable) return { packages: [], markManual: [], failure: `no available installation candidate for ${spec}` };
    if (installable && ((!installed && !o.only_upgrade) || upgrade || !installedVersion)) {
      packages.push(installable !== true ? `${s.name}=${installable}` : s.version ? `${s.name}=${s.version}` : s.name);
    } else if (installedVersion && installable && s.cmp === '=') {
      packages.push(`${s.name}=${s.version}`);
    }
  }
  const markManual = o.state === 'build-dep' ? [] : names.filter((n) => facts.auto.has(n));
  return { packages, markManual };
}

export function installCommand(packages: string[], o: AptOptions, facts: AptFacts, check: boolean): AptCommand {
  const pkgs: AptCommand = { text: packages.map((p) => `'${p}'`).join(' '), argv: packages };
  const common = [facts.aptGetPath, '-y', dpkgOptions(o.dpkg_options), opt(o.only_upgrade, '--only-upgrade'), opt(o.state === 'fixed', '--fix-broken'), opt(o.force, '--force-yes')];
  const c =
    o.state === 'build-dep'
      ? cmd([...common, opt(o.fail_on_autoremove, '--no-remove'), opt(check, '--simulate'), 'build-dep', pkgs])
      : cmd([...common, opt(o.autoremove, '--auto-remove'), opt(o.fail_on_autoremove, '--no-remove'), opt(check, '--simulate'), 'install', pkgs]);
  const tail: AptCommand[] = [];
  if (o.default_release) tail.push({ text: `-t '${o.default_release}'`, argv: ['-t', o.default_release] });
  if (o.install_recommends === false) tail.push({ text: '-o APT::Install-Recommends=no', argv: ['-o', 'APT::Install-Recommends=no'] });
  if (o.install_recommends === true) tail.push({ text: '-o APT::Install-Recommends=yes', argv: ['-o', 'APT::Install-Recommends=yes'] });
  if (o.allow_unauthenticated) tail.push({ text: '--allow-unauthenticated', argv: ['--allow-unauthenticated'] });
  if (o.allow_downgrade) tail.push({ text: '--allow-downgrades', argv: ['--allow-downgrades'] });
  if (o.allow_change_held_packages) tail.push({ text: '--allow-change-held-packages', argv: ['--allow-change-held-packages'] });
  return { text: c.text + tail.map((t) => ' ' + t.text).join(''), argv: [...c.argv, ...tail.flatMap((t) => t.argv)] };
}

/** Whether install's output changed anything (build-dep reads it; install always changes). */
export function installChanged(o: AptOptions, out: string): boolean {
  return o.state === 'build-dep' ? !out.includes(APT_GET_ZERO) : true;
}

/** Ansible's remove(): the specs that are installed (or have files left, with purge). */
export function planRemove(specs: string[], o: AptOptions, facts: AptFacts): string[] {
  return expandSpecs(specs, facts).filter((spec) => {
    const [, installedVersion, , hasFiles] = packageStatus(facts, splitSpec(spec), false);
    return installedVersion || (hasFiles && o.purge);
  });
}

export function removeCommand(packages: string[], o: AptOptions, facts: AptFacts, check: boolean): AptCommand {
  const pkgs: AptCommand = { text: packages.map((p) => `'${p}'`).join(' '), argv: packages };
  return cmd([facts.aptGetPath, '-q', '-y', dpkgOptions(o.dpkg_options), opt(o.purge, '--purge'), opt(o.force, '--force-yes'), opt(o.autoremove, '--auto-remove'), opt(check, '--simulate'), 'remove', pkgs]);
}

export interface UpgradeCommand extends AptCommand {
  /** The tool's path, for the failure message. */
  tool: string;
  /** The upgrade verb part, for the failure message. */
  verb: string;
  aptitude: boolean;
}

/** Ansible's upgrade(): apt-get dist-upgrade / upgrade --with-new-pkgs, or aptitude's. */
export function upgradeCommand(mode: string, o: AptOptions, facts: AptFacts, check: boolean): UpgradeCommand {
  const useAptGet = o.force_apt_get || !facts.aptitudePath;
  const aptitude = !(mode === 'dist' || useAptGet);
  const auto = opt(o.autoremove, '--auto-remove');
  const verb = mode === 'dist' || (mode === 'full' && useAptGet) ? `dist-upgrade ${auto}` : mode === 'full' ? 'full-upgrade' : useAptGet ? `upgrade --with-new-pkgs ${auto}` : 'safe-upgrade';
  const tool = aptitude ? facts.aptitudePath : facts.aptGetPath;
  const force = o.force ? (aptitude ? '--assume-yes --allow-untrusted' : '--force-yes') : '';
  const c = cmd([
    tool,
    '-y',
    dpkgOptions(o.dpkg_options),
    { text: force, argv: force ? force.split(' ') : [] },
    opt(o.fail_on_autoremove, '--no-remove'),
    opt(o.allow_unauthenticated, '--allow-unauthenticated'),
    opt(o.allow_downgrade, '--allow-downgrades'),
    opt(check, '--simulate'),
    { text: verb, argv: verb.split(' ').filter((w) => w !== '') },
  ]);
  const rel = o.default_release ? { text: ` -t '${o.default_release}'`, argv: ['-t', o.default_release] } : { text: '', argv: [] };
  return { text: c.text + rel.text, argv: [...c.argv, ...rel.argv], tool, verb, aptitude };
}

export function upgradeChanged(c: UpgradeCommand, out: string): boolean {
  return !out.includes(c.aptitude ? APTITUDE_ZERO : APT_GET_ZERO);
}

export function cleanupCommand(op: 'autoremove' | 'autoclean', o: AptOptions, facts: AptFacts, check: boolean): AptCommand {
  return cmd([facts.aptGetPath, '-y', dpkgOptions(o.dpkg_options), opt(o.purge, '--purge'), opt(o.force, '--force-yes'), op, opt(check, '--simulate')]);
}

/** Ansible's parse_diff: apt-get's output from its state line to its summary line. */
export function parseDiff(output: string): { prepared: string } {
  const lines = output.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  let start = lines.indexOf('Resolving dependencies...');
  if (start < 0) start = lines.indexOf('Reading state information...');
  let end = lines.findIndex((l) => /^[0-9]+ (packages )?upgraded/.test(l));
  if (end < 0) end = lines.length;
  return { prepared: lines.slice(start + 1, end + 1).join('\n') };
}

/** One clause of Depends (`a (>= 1) | b`): satisfied when any alternative is installed. */
function clauseSatisfied(clause: string, facts: AptFacts): boolean {
  return clause.split('|').some((alt) => {
    const m = /^\s*([^\s(:[]+)(?::\S+)?\s*(?:\(\s*(<<|<=|=|>=|>>)\s*([^)\s]+)\s*\))?/.exec(alt);
    if (!m) return false;
    const d = facts.dpkg[m[1]];
    const providers = facts.providers[m[1]] ?? [];
    if (!d || !/ installed$/.test(d.status)) return !m[2] && providers.length > 0;
    if (!m[2]) return true;
    const c = compareDebVersions(d.version, m[3]);
    return { '<<': c < 0, '<=': c <= 0, '=': c === 0, '>=': c >= 0, '>>': c > 0 }[m[2]] ?? false;
  });
}

export interface DebPlan {
  /** Dependencies to install with apt-get first (one name per unmet clause). */
  deps: string[];
  /** The .deb files dpkg must install. */
  files: string[];
}

/** Ansible's install_deb: skip files whose version is installed, refuse downgrades, find unmet dependencies. */
export function planDebs(debs: DebInfo[], o: AptOptions, facts: AptFacts): DebPlan {
  const plan: DebPlan = { deps: [], files: [] };
  for (const deb of debs) {
    if (deb.error !== undefined) {
      // python-apt's words for a missing file; otherwise dpkg-deb's own first complaint
      const missing = /No such file or directory/.test(deb.error);
      const why = missing ? `E:Could not open file ${deb.file} - open (2: No such file or directory)` : (deb.error.split('\n')[0].replace(/^[A-Za-z-]+: /, '') ?? deb.error);
      throw new ModuleFailure(`Unable to install package: ${why}`);
    }
    const installed = facts.dpkg[deb.fields.Package];
    if (installed && / installed$/.test(installed.status)) {
      const c = compareDebVersions(deb.fields.Version, installed.version);
      if (c === 0) continue;
      if (c < 0 && !o.force && !o.allow_downgrade) throw new ModuleFailure('A later version is already installed');
    }
    for (const clause of [deb.fields['Pre-Depends'] ?? '', deb.fields.Depends ?? ''].join(',').split(',').filter((c) => c.trim() !== '')) {
      if (!clauseSatisfied(clause, facts)) {
        const first = clause.split('|')[0].trim().split(/[\s(:]/)[0];
        if (!plan.deps.includes(first)) plan.deps.push(first);
      }
    }
    plan.files.push(deb.file);
  }
  return plan;
}

export function dpkgInstallCommand(files: string[], o: AptOptions, check: boolean): AptCommand {
  const options = o.dpkg_options.split(',').map((x) => `--${x}`);
  if (check) options.push('--simulate');
  if (o.force) options.push('--force-all');
  return { text: `dpkg ${options.join(' ')} -i ${files.join(' ')}`, argv: ['dpkg', ...options, '-i', ...files] };
}
