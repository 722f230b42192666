// dnf and rpm_key over real SSH on apt-flavored lab hosts: each host has its own overlay
// over /usr and its own rpm database (Debian's rpm keeps it in root's home, which is the
// host's), so real dnf installs, upgrades, downgrades and removes rpms there without
// touching this machine. The test builds small rpms with rpmbuild (one with a dependency
// and a weak one, one providing a capability, one in a second, disabled repository),
// indexes them with createrepo_c into local file:// repositories that require signatures
// (the tasks say disable_gpg_check), and makes an armored key with gpg for rpm_key.
// Each phase runs check → apply → apply (changed=0) → check; with Debian's
// ansible-playbook (whose dnf module runs here with Debian's python3-dnf) each run also
// goes through it against a second host and must print the same task lines, recap and
// debug messages.
import { mkdirSync, readdirSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { haveAnsiblePlaybook, parseRecap, runCommand, runRackplay, type CliRun } from '../helpers/cli.js';
import { startLabCycle, type LabCycle } from '../helpers/lab-cycle.js';
import { hostShell, labHostVars, type LabHost } from '../lab/lab.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 180_000 });

const isRoot = process.getuid?.() === 0;
const have = async (cmd: string, args: string[]) => runCommand(cmd, args, {}).then((r) => r.code === 0, () => false);
const canBuild = (await have('rpmbuild', ['--version'])) && (await have('createrepo_c', ['--version'])) && (await have('dnf', ['--version']));
const haveGpg = await have('gpg', ['--version']);

interface Rpm {
  name: string;
  version: string;
  requires?: string;
  recommends?: string;
  provides?: string;
}

/** Builds a noarch rpm holding /usr/share/NAME/version into `out`. */
async function buildRpm(work: string, rpm: Rpm, out: string): Promise<void> {
  const spec = path.join(work, `${rpm.name}-${rpm.version}.spec`);
  const deps = [rpm.requires ? `Requires: ${rpm.requires}` : '', rpm.recommends ? `Recommends: ${rpm.recommends}` : '', rpm.provides ? `Provides: ${rpm.provides}` : ''].filter(Boolean).join('\n');
  writeFileSync(
    spec,
    `Name: ${rpm.name}\nVersion: ${rpm.version}\nRelease: 1\nSummary: rackplay test\nLicense: MIT\nBuildArch: noarch\n${deps}\n%description\nrackplay test\n` +
      `%install\nmkdir -p %{buildroot}/usr/share/${rpm.name}\necho ${rpm.version}-1 > %{buildroot}/usr/share/${rpm.name}/version\n%files\n/usr/share/${rpm.name}/version\n`,
  );
  const top = path.join(work, 'rpmbuild');
  const r = await runCommand('rpmbuild', ['--define', `_topdir ${top}`, '-bb', spec], {});
  expect(r.code, r.stderr).toBe(0);
  mkdirSync(out, { recursive: true });
  const dir = path.join(top, 'RPMS/noarch');
  for (const f of readdirSync(dir)) cpSync(path.join(dir, f), path.join(out, f));
  rmSync(dir, { recursive: true });
}

async function makeKey(work: string): Promise<string> {
  const env = { GNUPGHOME: path.join(work, 'gnupg') };
  mkdirSync(env.GNUPGHOME, { mode: 0o700 });
  await runCommand('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', 'rackplay rpm test <rpm@rackplay.invalid>', 'ed25519', 'sign', 'never'], { env });
  const list = await runCommand('gpg', ['--with-colons', '--fingerprint'], { env });
  writeFileSync(path.join(work, 'rp-key.asc'), (await runCommand('gpg', ['--armor', '--export'], { env })).stdout);
  return list.stdout.split('\n').find((l) => l.startsWith('fpr:'))!.split(':')[9];
}

const REPOS = `[rp-local]\nname=rackplay local\nbaseurl=file:///srv/rpm/main\ngpgcheck=1\n\n[rp-extra]\nname=rackplay extra\nbaseurl=file:///srv/rpm/extra\ngpgcheck=1\nenabled=0\n`;

const PHASES = {
  install: `
    - dnf: {name: ["rp-hello-1.0", rp-app], disable_gpg_check: true, install_weak_deps: false, update_cache: true}
      register: a
    - dnf: {name: rp-extra, state: installed, enablerepo: rp-extra, disablerepo: "rp-none*", disable_gpg_check: true}
      register: e
    - dnf: {name: "rp-capability(x)", disable_gpg_check: true}
      register: c
    - debug: msg="install {{ a.changed }} {{ a.msg }} {{ a.results | select('search', 'rp-hello|rp-app') | sort }} extra {{ e.changed }} {{ e.results }} capability {{ c.results }}"`,
  upgrade: `
    - dnf: {name: "rp-hello", state: latest, disable_gpg_check: true}
      register: a
    - dnf: {name: "rp-app,rp-lib", state: latest, disable_gpg_check: true}
      register: b
    - debug: msg="latest {{ a.changed }} {{ a.msg }} {{ a.results }} {{ b.changed }} {{ b.msg }}"`,
  downgrade: `
    - dnf: {name: "rp-hello-1.0", disable_gpg_check: true}
      register: a
    - debug: msg="downgrade {{ a.changed }} {{ a.results }}"`,
  remove: `
    - dnf: {name: [rp-app, rp-extra, "rp-capability(x)"], state: removed}
      register: a
    - dnf: {autoremove: true}
      register: b
    - dnf: {name: "rp-hel*", state: absent}
      register: c
    - debug: msg="remove {{ a.results | sort }} autoremove {{ b.changed }} {{ b.results }} glob {{ c.results }}"`,
  keyAdd: (fpr: string) => `
    - rpm_key: {key: /tmp/rp-key.asc, fingerprint: "${fpr.replace(/(.{4})/g, '$1 ').trim()}"}
      register: k
    - debug: msg="key {{ k.changed }}"`,
  keyRemove: (fpr: string) => `
    - rpm_key: {key: "0x${fpr.slice(-16)}", state: absent}
      register: k
    - debug: msg="key {{ k.changed }}"`,
};

const DB = "rpm -qa --qf '%{NAME}-%{VERSION}-%{RELEASE}\\n' | sort";

describe.skipIf(!isRoot || !canBuild)(`dnf and rpm_key on apt lab hosts (needs root, rpmbuild, createrepo_c and dnf; ${haveAnsiblePlaybook ? 'compared with' : 'without'} ansible-playbook)`, () => {
  let fpr = '';
  let c: LabCycle;
  let work: string;
  let ours: LabHost;
  const sh = async (h: LabHost, cmd: string) => (await hostShell(h, cmd)).stdout;
  const env = { ANSIBLE_HOST_KEY_CHECKING: 'False', ANSIBLE_NOCOLOR: '1', ANSIBLE_CONFIG: '' };

  beforeAll(async () => {
    // a third host, whose overlay hides dnf: a host without it
    c = await startLabCycle('dnf-lab', {
      flavor: 'apt',
      hosts: 3,
      timeoutMs: 240_000,
      sameState: true,
      setup: async ({ lab, work }) => {
        const main = path.join(work, 'srv/rpm/main');
        const extra = path.join(work, 'srv/rpm/extra');
        for (const r of [
          { name: 'rp-hello', version: '1.0' },
          { name: 'rp-hello', version: '2.0' },
          { name: 'rp-lib', version: '1.0' },
          { name: 'rp-weak', version: '1.0' },
          { name: 'rp-app', version: '1.0', requires: 'rp-lib', recommends: 'rp-weak' },
          { name: 'rp-cap', version: '1.0', provides: 'rp-capability(x)' },
        ]) await buildRpm(work, r, main);
        await buildRpm(work, { name: 'rp-extra', version: '1.0' }, extra);
        for (const d of [main, extra]) expect((await runCommand('createrepo_c', ['-q', d], {})).code).toBe(0);
        if (haveGpg) fpr = await makeKey(work);
        for (const h of lab.hosts) {
          cpSync(path.join(work, 'srv/rpm'), path.join(h.root, 'srv/rpm'), { recursive: true });
          mkdirSync(path.join(h.root, 'etc/yum.repos.d'), { recursive: true });
          writeFileSync(path.join(h.root, 'etc/yum.repos.d/rackplay.repo'), REPOS);
          if (fpr) cpSync(path.join(work, 'rp-key.asc'), path.join(h.root, 'tmp/rp-key.asc'));
        }
        writeFileSync(path.join(work, 'bare.json'), JSON.stringify({ all: { hosts: { lab: labHostVars(lab, lab.hosts[2]) } } }));
        expect((await hostShell(lab.hosts[2], 'rm /usr/bin/dnf && ! command -v dnf')).rc).toBe(0);
      },
    });
    ({ work, ours } = c);
  });
  afterAll(async () => {
    await c?.stop();
  });

  const cycle = (name: string, tasks: string, db = DB): Promise<CliRun[]> => c.cycle(name, tasks, db);

  it('installs a pinned version and a package with its dependency (no weak one), one from a disabled repository and one by capability; then nothing to do', async () => {
    const runs = await cycle('install', PHASES.install);
    expect(runs[1].stdout).toContain("install True  ['Installed: rp-app-1.0-1.noarch', 'Installed: rp-hello-1.0-1.noarch'] extra True ['Installed: rp-extra-1.0-1.noarch'] capability ['Installed: rp-cap-1.0-1.noarch']");
    expect(runs[2].stdout).toContain('install False Nothing to do [] extra False [] capability []');
    expect(await sh(ours, DB)).toBe('rp-app-1.0-1\nrp-cap-1.0-1\nrp-extra-1.0-1\nrp-hello-1.0-1\nrp-lib-1.0-1\n');
    expect(await sh(ours, 'cat /usr/share/rp-hello/version')).toBe('1.0-1\n');
    // a no-op re-run sends the three dnf tasks' probes in one exec (the first one's batch)...
    const verbose = await runRackplay(['-i', 'ours.json', 'install.yml', '-vvv'], { cwd: work, env, timeoutMs: 120_000 });
    expect(verbose.stdout.match(/<lab> EXEC /g)).toHaveLength(1);
    // ...and after a planned task, whose probe batch their probes join, none of their own
    const tasks = PHASES.install.split('\n    - debug')[0];
    writeFileSync(path.join(work, 'noop.yml'), `- hosts: all\n  gather_facts: false\n  tasks:\n    - file: {path: /srv/rpm, state: directory}${tasks}\n`);
    const batched = await runRackplay(['-i', 'ours.json', 'noop.yml', '-vvv'], { cwd: work, env, timeoutMs: 120_000 });
    expect(parseRecap(batched.stdout).lab).toMatchObject({ ok: 4, changed: 0, failed: 0 });
    expect(batched.stdout.match(/<lab> EXEC /g)).toHaveLength(1);
  });

  it('upgrades to the newest version; latest on what is newest changes nothing', async () => {
    const runs = await cycle('upgrade', PHASES.upgrade);
    expect(runs[1].stdout).toContain("latest True  ['Installed: rp-hello-2.0-1.noarch', 'Removed: rp-hello-1.0-1.noarch'] False Nothing to do");
    expect(await sh(ours, 'cat /usr/share/rp-hello/version')).toBe('2.0-1\n');
  });

  it("downgrades for a name-version spec (dnf's install does; only a full NVR needs allow_downgrade)", async () => {
    const runs = await cycle('downgrade', PHASES.downgrade);
    expect(runs[1].stdout).toContain("downgrade True ['Installed: rp-hello-1.0-1.noarch', 'Removed: rp-hello-2.0-1.noarch']");
    expect(await sh(ours, 'cat /usr/share/rp-hello/version')).toBe('1.0-1\n');
  });

  it('removes by name without the dependency, autoremoves the dependency, removes by glob', async () => {
    const runs = await cycle('remove', PHASES.remove);
    expect(runs[1].stdout).toContain("remove ['Removed: rp-app-1.0-1.noarch', 'Removed: rp-cap-1.0-1.noarch', 'Removed: rp-extra-1.0-1.noarch'] autoremove True ['Removed: rp-lib-1.0-1.noarch'] glob ['Removed: rp-hello-1.0-1.noarch']");
    expect(await sh(ours, DB)).toBe('');
  });

  it.skipIf(!haveGpg)('imports an armored key checked against its fingerprint, then removes it by key id (needs gpg on this machine)', async () => {
    const keys = "rpm -q gpg-pubkey --qf '%{VERSION}\\n' || true";
    await cycle('key-add', PHASES.keyAdd(fpr), keys);
    expect(await sh(ours, keys)).toBe(`${fpr.slice(-8).toLowerCase()}\n`);
    await cycle('key-remove', PHASES.keyRemove(fpr), keys);
    expect(await sh(ours, keys)).toMatch(/not installed/);
  });

  it('fails clearly on a host without dnf, naming the tool and the host', async () => {
    writeFileSync(path.join(work, 'bare.yml'), '- hosts: all\n  gather_facts: false\n  tasks:\n    - dnf: {name: rp-hello}\n');
    const run = await runRackplay(['-i', 'bare.json', 'bare.yml'], { cwd: work, env, timeoutMs: 60_000 });
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('"msg": "dnf: dnf not found on lab (the dnf module needs the dnf command line and rpm)"');
  });
});
