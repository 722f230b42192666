// The Debian package modules' pure halves: apt's facts go through the real parser (probe
// output built as the probe prints it), each row's plan is checked, and the same row with
// the facts of its finished state must plan nothing. Debian version order is checked
// against this machine's own dpkg when it has one.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { aptProbe, parseAptProbe, parsePolicy, type AptQuery } from '../../src/modules/apt-facts.js';
import { parseKeyId, parseKeys } from '../../src/modules/apt-key.js';
import { DEFAULT_DPKG_OPTIONS, installCommand, parseDiff, planInstall, planRemove, removeCommand, splitSpec, upgradeCommand, type AptOptions } from '../../src/modules/apt-plan.js';
import { addSource, dumpSources, loadSources, removeSource, suggestFilename } from '../../src/modules/apt-repository-sources.js';
import { compareDebVersions } from '../../src/modules/apt-version.js';
import { parseDebconfShow } from '../../src/modules/debconf.js';
import { parsePolicyOrigins } from '../../src/modules/package-facts-apt.js';
import { ModuleFailure } from '../../src/modules/types.js';
import { have, out, sec } from './system-test-helpers.js';

const haveDpkg = (() => {
  try {
    execFileSync('dpkg', ['--version']);
    return true;
  } catch {
    return false;
  }
})();

const PAIRS: [string, string][] = [
  ['1.0', '1.0-0'], ['1.0~rc1', '1.0'], ['1:0.9', '2.0'], ['2.0-1', '2.0-1+deb12u1'], ['1.2.10', '1.2.9'], ['1.0a', '1.0+'], ['0.9~', '0.9~~'], ['3.0.11-1~deb12u2', '3.0.11-1'], ['1.0-1', '1.0-1'], ['7.88.1-10+deb12u5', '7.88.1-10+deb12u12'],
];

describe('compareDebVersions', () => {
  it('orders versions as Debian policy says', () => {
    expect(compareDebVersions('1.0~rc1', '1.0')).toBeLessThan(0);
    expect(compareDebVersions('1:0.9', '2.0')).toBeGreaterThan(0);
    expect(compareDebVersions('1.2.10', '1.2.9')).toBeGreaterThan(0);
    expect(compareDebVersions('1.0', '1.0-0')).toBe(0);
  });
  it.skipIf(!haveDpkg)('agrees with dpkg --compare-versions (needs dpkg on this machine)', () => {
    for (const [a, b] of PAIRS) {
      const rel = (op: string) => {
        try {
          execFileSync('dpkg', ['--compare-versions', a, op, b]);
          return true;
        } catch {
          return false;
        }
      };
      const c = compareDebVersions(a, b);
      expect([a, b, c < 0, c === 0]).toEqual([a, b, rel('lt'), rel('eq')]);
    }
  });
});

const OPTS: AptOptions = {
  state: 'present', purge: false, force: false, autoremove: false, fail_on_autoremove: false, only_upgrade: false, allow_unauthenticated: false,
  allow_downgrade: false, allow_change_held_packages: false, dpkg_options: DEFAULT_DPKG_OPTIONS, force_apt_get: false,
};

type Pkg = { installed?: string; status?: string; versions?: string[]; candidate?: string; auto?: boolean };

function policyText(pkgs: Record<string, Pkg>): string {
  return Object.entries(pkgs)
    .filter(([, p]) => p.versions)
    .map(([n, p]) => [`${n}:`, `  Installed: ${p.installed ?? '(none)'}`, `  Candidate: ${p.candidate ?? p.versions?.[0] ?? '(none)'}`, '  Version table:', ...(p.versions ?? []).flatMap((v) => [`${v === p.installed ? ' ***' : '    '} ${v} 500`, '        500 file:/srv/repo ./ Packages'])].join('\n'))
    .join('\n');
}

function factsOf(pkgs: Record<string, Pkg>, q: AptQuery, providers = '') {
  const dpkg = Object.entries(pkgs)
    .filter(([, p]) => p.installed || p.status)
    .map(([n, p]) => `${n}\t${p.status ?? 'install ok installed'}\t${p.installed ?? ''}`);
  const auto = Object.entries(pkgs).filter(([, p]) => p.auto).map(([n]) => n);
  return parseAptProbe(
    out(have({ 'apt-get': true, 'dpkg-query': true }), sec('paths', '/usr/bin/apt-get'), sec('cache-time', '1700000000\n1700000100'), sec('dpkg', dpkg.join('\n'), dpkg.length === Object.keys(pkgs).length ? 0 : 1), sec('policy', policyText(pkgs)), sec('auto', auto.join('\n')), sec('provides', providers)),
    q,
  );
}

const query = (names: string[]): AptQuery => ({ names: names.map((n) => splitSpec(n).name), patterns: [], debs: [], install: true });

interface Row {
  name: string;
  specs: string[];
  opts?: Partial<AptOptions>;
  host: Record<string, Pkg>;
  expect: string[] | string;
  /** The host once apt-get did it. */
  after?: Record<string, Pkg>;
  manual?: string[];
}

const ROWS: Row[] = [
  { name: 'installs what is missing', specs: ['rp-hello'], host: { 'rp-hello': { versions: ['2.0-1', '1.0-1'] } }, expect: ['rp-hello=2.0-1'], after: { 'rp-hello': { installed: '2.0-1', versions: ['2.0-1', '1.0-1'] } } },
  { name: 'leaves an older installed version with present', specs: ['rp-hello'], host: { 'rp-hello': { installed: '1.0-1', versions: ['2.0-1', '1.0-1'] } }, expect: [] },
  { name: 'upgrades with latest', specs: ['rp-hello'], opts: { state: 'latest' }, host: { 'rp-hello': { installed: '1.0-1', versions: ['2.0-1', '1.0-1'] } }, expect: ['rp-hello=2.0-1'], after: { 'rp-hello': { installed: '2.0-1', versions: ['2.0-1', '1.0-1'] } } },
  { name: 'pins a version glob', specs: ['rp-hello=1.*'], host: { 'rp-hello': { installed: '2.0-1', versions: ['2.0-1', '1.0-1'] } }, expect: ['rp-hello=1.0-1'], after: { 'rp-hello': { installed: '1.0-1', versions: ['2.0-1', '1.0-1'] } } },
  { name: 'accepts >= when met', specs: ['rp-hello>=1.0'], host: { 'rp-hello': { installed: '1.0-1', versions: ['2.0-1', '1.0-1'] } }, expect: [] },
  { name: 'only_upgrade skips what is not installed', specs: ['rp-hello'], opts: { state: 'latest', only_upgrade: true }, host: { 'rp-hello': { versions: ['2.0-1'] } }, expect: [] },
  { name: 'fails without a candidate', specs: ['rp-hello=9.9'], host: { 'rp-hello': { versions: ['2.0-1'] } }, expect: 'no available installation candidate for rp-hello=9.9' },
  { name: 'a virtual name an installed package provides is satisfied', specs: ['rp-virtual'], host: { 'rp-virtual': { versions: [] } }, expect: [] },
  { name: 'marks an automatically installed package manual', specs: ['rp-lib'], host: { 'rp-lib': { installed: '1.0-1', versions: ['1.0-1'], auto: true } }, expect: [], manual: ['rp-lib'], after: { 'rp-lib': { installed: '1.0-1', versions: ['1.0-1'] } } },
];

describe('apt plan', () => {
  for (const row of ROWS) {
    it(row.name, () => {
      const o = { ...OPTS, ...row.opts };
      const facts = factsOf(row.host, query(row.specs), 'install ok installed\trp-lib\trp-virtual');
      const plan = planInstall(row.specs, o, facts);
      if (typeof row.expect === 'string') {
        expect(plan.failure).toBe(row.expect);
        return;
      }
      expect(plan.packages).toEqual(row.expect);
      expect(plan.markManual).toEqual(row.manual ?? []);
      const again = planInstall(row.specs, o, factsOf(row.after ?? row.host, query(row.specs), 'install ok installed\trp-lib\trp-virtual'));
      expect([again.packages, again.markManual]).toEqual([[], []]);
    });
  }

  it('fails for a name apt does not know, as Ansible words it', () => {
    expect(() => planInstall(['nosuch'], OPTS, factsOf({}, query(['nosuch'])))).toThrow(new ModuleFailure("No package matching 'nosuch' is available"));
  });

  it('removes installed packages, purges leftover config only with purge, then nothing', () => {
    const host = { 'rp-hello': { installed: '1.0-1', versions: ['1.0-1'] }, 'rp-lib': { status: 'deinstall ok config-files', versions: ['1.0-1'] } };
    const q = { ...query(['rp-hello', 'rp-lib']), install: false };
    expect(planRemove(['rp-hello', 'rp-lib'], OPTS, factsOf(host, q))).toEqual(['rp-hello']);
    expect(planRemove(['rp-hello', 'rp-lib'], { ...OPTS, purge: true }, factsOf(host, q))).toEqual(['rp-hello', 'rp-lib']);
    expect(planRemove(['rp-hello', 'rp-lib'], { ...OPTS, purge: true }, factsOf({ 'rp-hello': { versions: ['1.0-1'] } }, q))).toEqual([]);
  });

  it('writes the commands as Ansible writes them', () => {
    const facts = factsOf({}, query([]));
    expect(installCommand(['a', 'b=1'], { ...OPTS, install_recommends: false, default_release: 'stable' }, facts, false).text).toBe(
      `/usr/bin/apt-get -y -o "Dpkg::Options::=--force-confdef" -o "Dpkg::Options::=--force-confold"       install 'a' 'b=1' -t 'stable' -o APT::Install-Recommends=no`,
    );
    expect(installCommand(['a'], OPTS, facts, true).argv).toEqual(['/usr/bin/apt-get', '-y', '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold', '--simulate', 'install', 'a']);
    expect(removeCommand(['a'], { ...OPTS, purge: true }, facts, false).text).toBe(`/usr/bin/apt-get -q -y -o "Dpkg::Options::=--force-confdef" -o "Dpkg::Options::=--force-confold" --purge    remove 'a'`);
    expect(upgradeCommand('dist', OPTS, facts, false).argv.slice(-1)).toEqual(['dist-upgrade']);
    expect(upgradeCommand('yes', OPTS, facts, false).verb).toBe('upgrade --with-new-pkgs ');
  });

  it('reads apt-cache policy and cuts the diff as Ansible does', () => {
    const p = parsePolicy('x:\n  Installed: 1.0\n  Candidate: 2.0\n  Version table:\n     2.0 500\n        500 http://a b/main amd64 Packages\n *** 1.0 100\n        100 /var/lib/dpkg/status\n');
    expect(p.x).toEqual({ installed: '1.0', candidate: '2.0', versions: ['2.0', '1.0'] });
    expect(parseDiff('Reading package lists...\nReading state information...\nThe following NEW packages will be installed:\n  a\n0 upgraded, 1 newly installed, 0 to remove and 0 not upgraded.\nInst a\n')).toEqual({
      prepared: 'The following NEW packages will be installed:\n  a\n0 upgraded, 1 newly installed, 0 to remove and 0 not upgraded.',
    });
  });
});

const haveApt = haveDpkg && (() => {
  try {
    execFileSync('sh', ['-c', 'command -v apt-cache && command -v dpkg-query']);
    return true;
  } catch {
    return false;
  }
})();

describe('apt probe on this machine (read-only: dpkg-query, apt-cache, apt-mark)', () => {
  it.skipIf(!haveApt)('reads dpkg itself as installed and plans nothing for it; an unknown name fails (needs dpkg and apt)', () => {
    const q: AptQuery = { names: ['dpkg', 'rackplay-no-such-package'], patterns: ['dpkg-dev*'], debs: [], install: true };
    let stdout = '';
    try {
      stdout = execFileSync('sh', ['-c', aptProbe(q)], { encoding: 'utf8', maxBuffer: 64 << 20 });
    } catch (e) {
      stdout = (e as { stdout: string }).stdout;
    }
    const facts = parseAptProbe({ rc: 0, stdout, stderr: '', stdoutBytes: Buffer.from(stdout) }, q);
    const version = execFileSync('dpkg-query', ['-W', '-f=${Version}', 'dpkg'], { encoding: 'utf8' });
    expect(facts.dpkg.dpkg).toEqual({ status: 'install ok installed', version });
    expect(facts.have['apt-get']).toBe(true);
    expect(facts.now).toBeGreaterThan(0);
    expect(planInstall(['dpkg'], OPTS, facts).packages).toEqual([]);
    expect(() => planInstall(['rackplay-no-such-package'], OPTS, facts)).toThrow("No package matching 'rackplay-no-such-package' is available");
    expect(facts.matches['dpkg-dev*']).toContain('dpkg-dev');
    expect(facts.matches['dpkg-dev*'].every((n) => n.startsWith('dpkg-dev'))).toBe(true);
  });
});

describe('apt_repository sources', () => {
  it('names files as Ansible does', () => {
    expect(suggestFilename('deb http://dl.google.com/linux/chrome/deb/ stable main', undefined)).toBe('dl_google_com_linux_chrome_deb.list');
    expect(suggestFilename('deb [arch=amd64] https://user:pw@apt.example.com/x bookworm main', undefined)).toBe('apt_example_com_x.list');
    expect(suggestFilename('deb http://a/b c d', 'mine')).toBe('mine.list');
  });

  it('adds, enables a commented line, removes, and a second run changes nothing', () => {
    const files = { '/etc/apt/sources.list': '# deb http://a/debian bookworm main\n\ndeb http://b/debian bookworm main  # keep\n' };
    const s = loadSources(files);
    const fresh = new Set<string>();
    addSource(s, 'deb http://a/debian bookworm main', undefined, fresh);
    addSource(s, 'deb [trusted=yes] file:/srv/repo ./', 'local', fresh);
    removeSource(s, 'deb http://b/debian bookworm main');
    const after = dumpSources(s);
    expect(after).toEqual({ '/etc/apt/sources.list': 'deb http://a/debian bookworm main\n\n', '/etc/apt/sources.list.d/local.list': 'deb [trusted=yes] file:/srv/repo ./\n' });
    const again = loadSources(after);
    addSource(again, 'deb http://a/debian bookworm main', undefined, new Set());
    addSource(again, 'deb [trusted=yes] file:/srv/repo ./', 'local', new Set());
    removeSource(again, 'deb http://b/debian bookworm main');
    expect(dumpSources(again)).toEqual(after);
  });

  it('refuses what is not a deb line', () => {
    expect(() => addSource(loadSources({}), 'foo bar', undefined, new Set())).toThrow('Invalid repository string: foo bar');
  });
});

describe('debconf, apt_key and package_facts parsers', () => {
  it('reads debconf-show', () => {
    expect(parseDebconfShow('* tzdata/Areas: Europe\n  tzdata/Zones/Etc: UTC\n')).toEqual({ 'tzdata/Areas': 'Europe', 'tzdata/Zones/Etc': 'UTC' });
  });
  it('reads key ids from apt-key and gpg listings', () => {
    expect(parseKeys('pub   rsa4096/DC30D7C23CBBABEE 2021-01-17 [SC]\nsub   ed25519/0123456789ABCDEF 2021 [S] [expired: 2022]\n')).toEqual(['DC30D7C23CBBABEE']);
    expect(parseKeys('pub:u:255:22:23B4ADE009C2BD13:1796543810:::u:::scSC:::::ed25519:::0:\n', true)).toEqual(['09C2BD13']);
    expect(parseKeyId('0x23b4ade009c2bd13')).toEqual(['09C2BD13', '23B4ADE009C2BD13', '23B4ADE009C2BD13']);
    expect(() => parseKeyId('123')).toThrow();
  });
  it("finds an installed version's origin from apt-cache policy", () => {
    const sources = 'Package files:\n 100 /var/lib/dpkg/status\n     release a=now\n 500 http://deb.debian.org/debian bookworm/main amd64 Packages\n     release v=12,o=Debian,a=stable,n=bookworm,l=Debian,c=main,b=amd64\n     origin deb.debian.org\n';
    const policy = 'adduser:\n  Installed: 3.134\n  Candidate: 3.134\n  Version table:\n *** 3.134 500\n        500 http://deb.debian.org/debian bookworm/main amd64 Packages\n        100 /var/lib/dpkg/status\nlocal:\n  Installed: 1\n  Candidate: 1\n  Version table:\n *** 1 100\n        100 /var/lib/dpkg/status\n';
    expect(parsePolicyOrigins(sources, policy)).toEqual({ adduser: { '3.134': 'Debian' }, local: { '1': '' } });
  });
});
