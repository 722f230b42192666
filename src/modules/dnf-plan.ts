// The dnf module's decisions, pure: from the probe's facts (dnf-facts.ts), which specs dnf
// must install, upgrade, downgrade or remove, and the results Ansible's module reports
// ("Installed: NEVRA", "Removed: NEVRA", an upgrade being both). Dependencies dnf pulls in
// are dnf's to resolve: they are installed but not predicted in `results`.
import { fnmatchRegExp } from '../fnmatch.js';
import { hasGlob, nevra, type DnfFacts, type RpmPackage } from './dnf-facts.js';

export interface DnfOptions {
  state: 'present' | 'latest' | 'absent';
  allowDowngrade: boolean;
  updateOnly: boolean;
  autoremove: boolean;
  downloadOnly: boolean;
}

export interface DnfPlan {
  install: string[];
  upgrade: string[];
  downgrade: string[];
  /** Installed NEVRAs to remove. */
  remove: string[];
  /** Run `dnf autoremove` too. */
  autoremove: boolean;
  /** Ansible's `results` lines. */
  results: string[];
  /** Ansible's accumulated failures: the task fails and nothing runs. */
  failures: string[];
}

/** rpm's rpmvercmp: -1, 0 or 1, segment by segment (digits beat letters, ~ sorts first, ^ after the end). */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < a.length && !/[A-Za-z0-9~^]/.test(a[i])) i++;
    while (j < b.length && !/[A-Za-z0-9~^]/.test(b[j])) j++;
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (i >= a.length || j >= b.length) break;
    const numeric = /[0-9]/.test(a[i]);
    const re = numeric ? /^[0-9]+/ : /^[A-Za-z]+/;
    const sa = re.exec(a.slice(i))?.[0] ?? '';
    const sb = re.exec(b.slice(j))?.[0] ?? '';
    if (sb === '') return numeric ? 1 : -1;
    i += sa.length;
    j += sb.length;
    if (numeric) {
      const na = sa.replace(/^0+/, '');
      const nb = sb.replace(/^0+/, '');
      if (na.length !== nb.length) return na.length > nb.length ? 1 : -1;
      if (na !== nb) return na > nb ? 1 : -1;
    } else if (sa !== sb) return sa > sb ? 1 : -1;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

/** Compares two packages' epoch, version and release. */
export function compareEvr(a: RpmPackage, b: RpmPackage): number {
  const e = Number(a.epoch || 0) - Number(b.epoch || 0);
  if (e !== 0) return e > 0 ? 1 : -1;
  return rpmvercmp(a.version, b.version) || rpmvercmp(a.release, b.release);
}

/** The forms of a package a spec may name (dnf's Subject: name, name.arch, name-version...). */
function forms(p: RpmPackage): string[] {
  const { name: n, epoch: e, version: v, release: r, arch: a } = p;
  const evr = [`${v}`, `${v}-${r}`, `${e}:${v}`, `${e}:${v}-${r}`];
  return [n, `${n}.${a}`, ...evr.flatMap((x) => [`${n}-${x}`, `${n}-${x}.${a}`]), `${e}:${n}-${v}-${r}.${a}`, `${e}:${n}-${v}-${r}`];
}

export function specMatches(spec: string, p: RpmPackage): boolean {
  if (!hasGlob(spec)) return forms(p).includes(spec);
  const re = fnmatchRegExp(spec);
  return forms(p).some((f) => re.test(f));
}

const RPM_ARCHES = new Set(
  'aarch64 alpha alphaev5 alphaev56 alphaev6 alphaev67 alphapca56 amd64 armv3l armv4b armv4l armv5tejl armv5tel armv5tl armv6hl armv6l armv7hl armv7hnl armv7l athlon geode i386 i486 i586 i686 ia32e ia64 m68k mips mips64 mips64el mips64r6 mips64r6el mipsel mipsr6 mipsr6el noarch pentium3 pentium4 ppc ppc32dy4 ppc64 ppc64iseries ppc64le ppc64p7 ppc64pseries ppc8260 ppc8560 ppciseries ppcpseries riscv64 s390 s390x sh sh3 sh4 sh4a sparc sparc64 sparc64v sparcv8 sparcv9 sparcv9v x86_64'.split(' '),
);

/**
 * Ansible's _packagename_dict test: whether a spec reads as name-[epoch:]version-release
 * (a digit first). Only such a spec is kept from downgrading a newer installed package
 * without allow_downgrade; any other (`foo-1.0`) goes to dnf's install, which downgrades.
 */
export function isFullNvr(spec: string): boolean {
  let s = spec.endsWith('.rpm') ? spec.slice(0, -4) : spec;
  const dot = s.lastIndexOf('.');
  if (dot > 0 && RPM_ARCHES.has(s.slice(dot + 1))) s = s.slice(0, dot);
  const m = /^(\S+)-(?:(\d*):)?(.*)-(~?\w+[\w.+]*)/.exec(s);
  return !!m && /^\d+$/.test(m[3].split('.')[0]);
}

/** The highest-EVR package of each name among `pkgs`, in first-seen name order. */
function bestByName(pkgs: RpmPackage[]): RpmPackage[] {
  const best = new Map<string, RpmPackage>();
  for (const p of pkgs) {
    const cur = best.get(p.name);
    if (!cur || compareEvr(p, cur) > 0) best.set(p.name, p);
  }
  return [...best.values()];
}

function newest(pkgs: RpmPackage[]): RpmPackage | undefined {
  return pkgs.reduce<RpmPackage | undefined>((b, p) => (!b || compareEvr(p, b) > 0 ? p : b), undefined);
}

export function planDnf(specs: string[], o: DnfOptions, facts: DnfFacts): DnfPlan {
  const plan: DnfPlan = { install: [], upgrade: [], downgrade: [], remove: [], autoremove: false, results: [], failures: [] };
  const installs: string[] = [];
  const removes: string[] = [];
  const providers = Object.values(facts.provides ?? {}).flat();
  const installedOf = (name: string) => [...facts.installed, ...providers].filter((p) => p.name === name);
  // a package dnf offered for no spec by name came for a capability (`perl(LWP)`): it is
  // that spec's when the spec names no package itself
  const claimed = (p: RpmPackage) => specs.some((s) => specMatches(s, p));
  const removeAll = (ps: RpmPackage[]) => ps.forEach((p) => !removes.includes(nevra(p)) && removes.push(nevra(p)));
  if (o.state === 'absent') {
    for (const spec of specs) {
      const named = facts.installed.filter((p) => specMatches(spec, p));
      const found = named.length || hasGlob(spec) ? named : (facts.provides?.[spec] ?? []);
      // Ansible hands a wildcard to dnf, whose "no package matched" it reports as a result
      if (!found.length && spec.includes('*')) plan.results.push(`${spec} is not installed`);
      plan.remove.push(...found.map(nevra).filter((n) => !plan.remove.includes(n)));
      removeAll(found);
    }
    if (o.autoremove && facts.unneeded?.length) {
      plan.autoremove = true;
      removeAll(facts.unneeded);
    }
  } else {
    for (const spec of specs) {
      const named = facts.installed.filter((p) => specMatches(spec, p));
      const mine = named.length ? named : (facts.provides?.[spec] ?? []);
      if (o.state === 'present' && mine.length && !o.updateOnly) continue;
      const byName = (facts.available ?? []).filter((p) => specMatches(spec, p));
      const offered = byName.length || hasGlob(spec) ? byName : (facts.availableProviders ?? []).filter((p) => !claimed(p) || mine.some((m) => m.name === p.name));
      if (o.updateOnly && !mine.length && !offered.some((p) => installedOf(p.name).length)) {
        plan.results.push(`Packages providing ${spec} not installed due to update_only specified`);
        continue;
      }
      if (!offered.length) {
        if (!mine.length) plan.failures.push(`No package ${spec} available.`);
        continue;
      }
      let verb: 'install' | 'upgrade' | 'downgrade' | undefined;
      for (const best of bestByName(offered)) {
        const current = newest(installedOf(best.name));
        if (!current) {
          if (o.updateOnly) continue;
          verb ??= 'install';
          installs.push(nevra(best));
          continue;
        }
        const c = compareEvr(best, current);
        if (c > 0) {
          verb = o.state === 'latest' ? 'upgrade' : 'install';
          installs.push(nevra(best));
          removeAll([current]);
        } else if (c < 0 && o.state === 'present' && (o.allowDowngrade || !isFullNvr(spec)) && !hasGlob(spec)) {
          verb = 'downgrade';
          installs.push(nevra(best));
          removeAll([current]);
        }
      }
      if (verb) plan[verb].push(spec);
    }
  }
  if (plan.failures.length) return { ...plan, install: [], upgrade: [], downgrade: [], remove: [], autoremove: false };
  const action = o.downloadOnly ? 'Downloaded' : 'Installed';
  plan.results.push(...installs.map((n) => `${action}: ${n}`), ...(o.downloadOnly ? [] : removes.map((n) => `Removed: ${n}`)));
  return plan;
}

/** Whether a plan changes the host. */
export const planChanges = (p: DnfPlan): boolean => p.install.length + p.upgrade.length + p.downgrade.length + p.remove.length > 0 || p.autoremove;
