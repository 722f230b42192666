// The rpm modules' pure halves: dnf's facts go through the real parser (probe output built
// as the probe prints it), each row's plan is checked, and the same row once more with the
// facts of its finished state must plan nothing. rpm version order is checked against this
// machine's own rpm (its Python bindings' labelCompare) when it has them.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { candidateNames, dnfProbe, nevra, parseDnfProbe, type DnfFacts, type RpmPackage } from '../../src/modules/dnf-facts.js';
import { isFullNvr, planChanges, planDnf, rpmvercmp, specMatches, type DnfOptions } from '../../src/modules/dnf-plan.js';
import { dnfRequest } from '../../src/modules/dnf.js';
import { isKeyId, lookupScript, normalizeKeyId } from '../../src/modules/rpm-key.js';
import { ModuleFailure } from '../../src/modules/types.js';

const haveRpmPython = (() => {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import rpm']);
    return true;
  } catch {
    return false;
  }
})();

const PAIRS: [string, string][] = [
  ['1.0', '1.0'], ['1.0', '1.0.1'], ['1.10', '1.9'], ['1.0~rc1', '1.0'], ['1.0^git1', '1.0'], ['1.0^git1', '1.0.1'], ['2a', '2.0'], ['1.0a', '1.0'],
  ['010', '10'], ['1.0~~', '1.0~'], ['5.4p1', '5.4'], ['fc38', 'fc39'], ['1_0', '1.0'], ['1.0^', '1.0^1'],
];

describe('rpmvercmp', () => {
  it('orders versions as rpm does', () => {
    expect(rpmvercmp('1.10', '1.9')).toBe(1);
    expect(rpmvercmp('1.0~rc1', '1.0')).toBe(-1);
    expect(rpmvercmp('1.0^git1', '1.0')).toBe(1);
    expect(rpmvercmp('1.0^git1', '1.0.1')).toBe(-1);
    expect(rpmvercmp('010', '10')).toBe(0);
  });
  it.skipIf(!haveRpmPython)("agrees with rpm's labelCompare (needs python3-rpm on this machine)", () => {
    const script = `import rpm, json, sys\nprint(json.dumps([rpm.labelCompare(('0', a, '1'), ('0', b, '1')) for a, b in json.loads(sys.argv[1])]))`;
    const theirs = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, JSON.stringify(PAIRS)]).toString()) as number[];
    expect(PAIRS.map(([a, b]) => rpmvercmp(a, b))).toEqual(theirs);
  });
});

const pkg = (n: string, vr: string, arch = 'noarch', repo?: string): RpmPackage => {
  const [v, r] = vr.split('-');
  return { name: n, epoch: '0', version: v, release: r, arch, ...(repo ? { repo } : {}) };
};

describe('specMatches', () => {
  const p = pkg('rp-hello', '2.0-1', 'x86_64');
  it("matches dnf's forms of a package", () => {
    for (const s of ['rp-hello', 'rp-hello.x86_64', 'rp-hello-2.0', 'rp-hello-2.0-1', 'rp-hello-2.0-1.x86_64', 'rp-hello-0:2.0-1', 'rp-he*', 'rp-hello-2.*']) expect([s, specMatches(s, p)]).toEqual([s, true]);
    for (const s of ['rp', 'rp-hello-1.0', 'rp-hello.noarch', 'rp-hello-2.0-2', 'other*']) expect([s, specMatches(s, p)]).toEqual([s, false]);
  });
  it("reads full NVRs as Ansible's _packagename_dict does", () => {
    expect(['rp-hello-1.0-1', 'rp-hello-1:1.0-1.x86_64', 'rp-hello-1.0-1.noarch.rpm', 'rp-hello-1.0', 'rp-hello', 'a-b-c'].map(isFullNvr)).toEqual([true, true, true, false, false, false]);
  });
  it('asks rpm about every name a spec may start with', () => {
    expect(candidateNames('rp-hello-2.0-1.noarch')).toEqual(['rp-hello-2.0-1.noarch', 'rp-hello-2.0-1', 'rp', 'rp-hello', 'rp-hello-2.0']);
  });
});

/** Probe output as the host prints it. */
function probeOut(installed: RpmPackage[], available?: RpmPackage[], opts: { unneeded?: RpmPackage[]; uid?: number; releasever?: boolean } = {}): string {
  const row = (tag: string, p: RpmPackage) => [tag, p.name, p.epoch, p.version, p.release, p.arch, ...(tag === 'avail' ? [p.repo ?? 'local'] : [])].join('\t');
  const lines = ['@@have dnf yes', '@@have rpm yes', `@@uid ${opts.uid ?? 0}`, ...(opts.releasever ? ['@@releasever yes'] : [])];
  lines.push('@@installed', ...installed.map((p) => row('pkg', p)), '@@rc 0');
  if (available) lines.push('@@available', ...available.map((p) => row('avail', p)), '@@rc 0');
  if (opts.unneeded) lines.push('@@unneeded', ...opts.unneeded.map((p) => row('pkg', p)), '@@rc 0');
  return lines.join('\n') + '\n';
}

const facts = (installed: RpmPackage[], available?: RpmPackage[], unneeded?: RpmPackage[]): DnfFacts =>
  parseDnfProbe({ rc: 0, stdout: probeOut(installed, available, { unneeded }), stderr: '' });

const O: DnfOptions = { state: 'present', allowDowngrade: false, updateOnly: false, autoremove: false, downloadOnly: false };
const H1 = pkg('rp-hello', '1.0-1');
const H2 = pkg('rp-hello', '2.0-1');
const APP = pkg('rp-app', '1.0-1');
const REPO = [H1, H2, APP];

interface Row {
  title: string;
  specs: string[];
  o?: Partial<DnfOptions>;
  installed: RpmPackage[];
  unneeded?: RpmPackage[];
  want: { install?: string[]; upgrade?: string[]; downgrade?: string[]; remove?: string[]; results: string[] };
  /** Installed packages afterwards. */
  after: RpmPackage[];
}

const ROWS: Row[] = [
  { title: 'present installs the newest', specs: ['rp-hello'], installed: [], want: { install: ['rp-hello'], results: ['Installed: rp-hello-2.0-1.noarch'] }, after: [H2] },
  { title: 'present with a version', specs: ['rp-hello-1.0'], installed: [], want: { install: ['rp-hello-1.0'], results: ['Installed: rp-hello-1.0-1.noarch'] }, after: [H1] },
  { title: 'present with a higher version upgrades', specs: ['rp-hello-2.0-1'], installed: [H1], want: { install: ['rp-hello-2.0-1'], results: ['Installed: rp-hello-2.0-1.noarch', 'Removed: rp-hello-1.0-1.noarch'] }, after: [H2] },
  { title: 'present leaves an older one', specs: ['rp-hello', 'rp-app'], installed: [H1, APP], want: { results: [] }, after: [H1, APP] },
  { title: 'present with a lower version and allow_downgrade', specs: ['rp-hello-1.0'], o: { allowDowngrade: true }, installed: [H2], want: { downgrade: ['rp-hello-1.0'], results: ['Installed: rp-hello-1.0-1.noarch', 'Removed: rp-hello-2.0-1.noarch'] }, after: [H1] },
  { title: 'present with a lower full NVR, no downgrade', specs: ['rp-hello-1.0-1'], installed: [H2], want: { results: [] }, after: [H2] },
  { title: "present with a lower name-version: dnf's install downgrades", specs: ['rp-hello-1.0'], installed: [H2], want: { downgrade: ['rp-hello-1.0'], results: ['Installed: rp-hello-1.0-1.noarch', 'Removed: rp-hello-2.0-1.noarch'] }, after: [H1] },
  { title: 'latest upgrades', specs: ['rp-hello', 'rp-app'], o: { state: 'latest' }, installed: [H1], want: { upgrade: ['rp-hello'], install: ['rp-app'], results: ['Installed: rp-hello-2.0-1.noarch', 'Installed: rp-app-1.0-1.noarch', 'Removed: rp-hello-1.0-1.noarch'] }, after: [H2, APP] },
  { title: 'latest with a glob', specs: ['rp-*'], o: { state: 'latest' }, installed: [H1, APP], want: { upgrade: ['rp-*'], results: ['Installed: rp-hello-2.0-1.noarch', 'Removed: rp-hello-1.0-1.noarch'] }, after: [H2, APP] },
  { title: 'update_only skips what is missing', specs: ['rp-hello', 'rp-app'], o: { state: 'latest', updateOnly: true }, installed: [H1], want: { upgrade: ['rp-hello'], results: ['Packages providing rp-app not installed due to update_only specified', 'Installed: rp-hello-2.0-1.noarch', 'Removed: rp-hello-1.0-1.noarch'] }, after: [H2] },
  { title: 'absent removes by name and glob', specs: ['rp-hello', 'rp-a*', 'rp-nope'], o: { state: 'absent' }, installed: [H2, APP], want: { remove: ['rp-hello-2.0-1.noarch', 'rp-app-1.0-1.noarch'], results: ['Removed: rp-hello-2.0-1.noarch', 'Removed: rp-app-1.0-1.noarch'] }, after: [] },
  { title: 'autoremove alone', specs: [], o: { state: 'absent', autoremove: true }, installed: [APP], unneeded: [APP], want: { remove: [], results: ['Removed: rp-app-1.0-1.noarch'] }, after: [] },
];

describe('planDnf', () => {
  for (const row of ROWS) {
    it(row.title, () => {
      const o = { ...O, ...row.o };
      // what `dnf repoquery -- SPECS` answers: the packages the specs name
      const available = o.state === 'absent' ? undefined : REPO.filter((p) => row.specs.some((spec) => specMatches(spec, p)));
      const plan = planDnf(row.specs, o, facts(row.installed, available, row.unneeded));
      expect(plan.failures).toEqual([]);
      expect({ install: plan.install, upgrade: plan.upgrade, downgrade: plan.downgrade, remove: plan.remove, results: plan.results }).toEqual({ install: [], upgrade: [], downgrade: [], remove: [], ...row.want });
      expect(planChanges(plan)).toBe(row.want.results.some((r) => !r.startsWith('Packages providing')));
      const again = planDnf(row.specs, o, facts(row.after, available, row.unneeded && row.unneeded.filter((p) => row.after.includes(p))));
      expect(planChanges(again), `${row.title}: finished state re-planned`).toBe(false);
    });
  }
  it('reports a wildcard that matches nothing installed as Ansible does', () => {
    const plan = planDnf(['rp-x*', 'rp-y'], { ...O, state: 'absent' }, facts([H1]));
    expect([plan.results, planChanges(plan)]).toEqual([['rp-x* is not installed'], false]);
  });
  it("fails as Ansible's module does for a package no repository has", () => {
    const plan = planDnf(['rp-hello', 'rp-nope'], O, facts([], [H1, H2]));
    expect(plan.failures).toEqual(['No package rp-nope available.']);
    expect(planChanges(plan)).toBe(false);
  });
  it('installs a capability by what dnf offers for it, and leaves it once a package provides it', () => {
    const offered = parseDnfProbe({ rc: 0, stdout: probeOut([], []).replace('@@available\n', '@@available\naprov\trp-app\t0\t1.0\t1\tnoarch\tlocal\n'), stderr: '' });
    expect(offered.availableProviders).toEqual([{ ...APP, repo: 'local' }]);
    const plan = planDnf(['perl(RP)'], O, offered);
    expect([plan.install, plan.results]).toEqual([['perl(RP)'], ['Installed: rp-app-1.0-1.noarch']]);
    const out = probeOut([], undefined).replace('@@installed\n', '@@installed\nspec\tperl(RP)\nprov\trp-app\t0\t1.0\t1\tnoarch\n');
    const after = parseDnfProbe({ rc: 0, stdout: out, stderr: '' });
    expect(after.provides).toEqual({ 'perl(RP)': [APP] });
    expect(planChanges(planDnf(['perl(RP)'], O, after))).toBe(false);
  });
  it('predicts NEVRAs with epochs as dnf prints them', () => {
    expect(nevra({ name: 'a', epoch: '2', version: '1', release: '3', arch: 'x86_64' })).toBe('a-2:1-3.x86_64');
  });
});

describe('dnf arguments', () => {
  const req = (a: Record<string, unknown>) => dnfRequest(a as never);
  it("splits comma strings as Ansible's listify does and maps states", () => {
    const r = req({ name: ['a,b', 'c'], state: 'installed', enablerepo: ['x,y'], disablerepo: ['*'] });
    expect(r.names).toEqual(['c', 'a', 'b']);
    expect(r.o.state).toBe('present');
    expect(r.common).toEqual(['--disablerepo=*', '--enablerepo=x', '--enablerepo=y', '--setopt=install_weak_deps=True', '--setopt=clean_requirements_on_remove=False']);
    expect(req({ autoremove: true }).o.state).toBe('absent');
  });
  it('fails clearly for what it does not do, and as Ansible for its own checks', () => {
    const msg = (a: Record<string, unknown>) => {
      try {
        req(a);
        return '';
      } catch (e) {
        expect(e).toBeInstanceOf(ModuleFailure);
        return (e as Error).message;
      }
    };
    expect(msg({ name: ['@Development tools'] })).toMatch(/groups, environments and modules \(@Development tools\) are not supported/);
    expect(msg({ name: ['a'], installroot: '/mnt' })).toMatch(/installroot other than \//);
    expect(msg({ name: ['a b'] })).toMatch(/^It appears that a space separated string/);
    expect(msg({ name: ['a'], autoremove: true, state: 'present' })).toBe('Autoremove should be used alone or with state=absent');
  });
  it('probes with rpm only, and asks dnf only when something is missing or the state is latest', () => {
    const present = dnfProbe(req({ name: ['rp-hello'] }).query);
    expect(present).toMatch(/rpm -q --qf/);
    expect(present).toMatch(/if \[ "\$m" = 1 \]; then echo @@available/);
    expect(dnfProbe(req({ name: ['rp-hello'], state: 'latest' }).query)).toMatch(/^echo @@available; \{ dnf -q/m);
    expect(dnfProbe(req({ name: ['rp-hello'], state: 'absent' }).query)).not.toMatch(/dnf -q/);
  });
  it('reads a host without dnf', () => {
    const f = parseDnfProbe({ rc: 0, stdout: '@@have dnf no\n@@have rpm yes\n@@uid 0\n@@installed\n@@rc 0\n', stderr: '' });
    expect(f.have).toEqual({ dnf: false, rpm: true });
  });
});

describe('rpm_key helpers', () => {
  it("treats a leading 8 hex digits as a key id, as Ansible's is_keyid does", () => {
    expect(isKeyId('0xDEADBEEF')).toBe(true);
    expect(isKeyId('deadbeef.asc')).toBe(true);
    expect(isKeyId('/etc/pki/key')).toBe(false);
    expect(normalizeKeyId(' 0xdeadbeef ')).toBe('DEADBEEF');
  });
  it('looks the key file up only when there is one', () => {
    expect(lookupScript('/tmp/k.asc')).toMatch(/--with-fingerprint \/tmp\/k\.asc/);
    expect(lookupScript(undefined)).not.toMatch(/keyfile/);
  });
});
