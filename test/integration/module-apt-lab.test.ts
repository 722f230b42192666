// The Debian package modules over real SSH on apt-flavored lab hosts (each host has its own
// overlay over /usr and its own dpkg and apt state, so nothing here touches this machine's
// packages), against a local apt repository the test builds (dpkg-deb, dpkg-scanpackages).
// Three phases, each run check → apply → apply → check: install (two versions of a package,
// a dependency pair, a second source, a hold, a debconf answer), upgrade, remove (purge,
// autoremove), then a key added from a file and removed by id. After each phase the host's own dpkg database is read back. With Debian's
// ansible-playbook each run also goes through it against a second lab host and must print
// the same task lines, recap and debug messages.
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildRepo, haveRepoTools } from '../helpers/apt-repo.js';
import { haveAnsiblePlaybook, runCommand } from '../helpers/cli.js';
import { startLabCycle, type LabCycle } from '../helpers/lab-cycle.js';
import { hostShell, type LabHost } from '../lab/lab.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 180_000 });

const isRoot = process.getuid?.() === 0;
const canBuild = await haveRepoTools();
const haveGpg = await runCommand('gpg', ['--version'], {}).then((r) => r.code === 0, () => false);

/** A throwaway signing key (no passphrase) in a GNUPGHOME of the test's; its long key id. */
async function makeKey(work: string): Promise<string> {
  const env = { GNUPGHOME: path.join(work, 'gnupg') };
  mkdirSync(env.GNUPGHOME, { mode: 0o700 });
  await runCommand('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', 'rackplay test <test@rackplay.invalid>', 'ed25519', 'sign', 'never'], { env });
  const list = await runCommand('gpg', ['--with-colons', '--list-keys'], { env });
  const exported = await runCommand('gpg', ['--armor', '--export'], { env });
  writeFileSync(path.join(work, 'rp-key.asc'), exported.stdout);
  return list.stdout.split('\n').find((l) => l.startsWith('pub:'))!.split(':')[4];
}

const PHASES: { name: string; tasks: string }[] = [
  {
    name: 'install',
    tasks: `
    - apt: {name: ["rp-hello=1.0-1", rp-app], update_cache: true, cache_valid_time: 3600}
      register: a
    - apt_repository: {repo: "deb [trusted=yes] file:/srv/repo2 ./", filename: rackplay-test}
      register: r
    - dpkg_selections: {name: rp-hello, selection: hold}
    - debconf: {name: tzdata, question: tzdata/Areas, vtype: select, value: Europe}
      register: d
    - debug: msg="apt {{ a.changed }} {{ a.cache_updated }} repo {{ r.changed }} {{ r.repo }} debconf {{ d.current['tzdata/Areas'] }}"`,
  },
  {
    name: 'upgrade',
    tasks: `
    - apt: {name: rp-hello, state: latest, allow_change_held_packages: true}
      register: a
    - dpkg_selections: {name: rp-hello, selection: install}
    - apt: {upgrade: dist}
      register: u
    - debug: msg="apt {{ a.changed }} {{ a.stdout is defined }} upgrade {{ u.changed }} {{ u.msg is search('0 upgraded') }}"`,
  },
  {
    name: 'remove',
    tasks: `
    - package: {name: rp-app, state: absent, use: apt}
    - apt: {name: [rp-app, rp-hello], state: absent, purge: true}
      register: a
    - apt: {autoremove: true}
      register: b
    - apt_repository: {repo: "deb [trusted=yes] file:/srv/repo2 ./", state: absent, update_cache: false}
    - debug: msg="remove {{ a.changed }} autoremove {{ b.changed }}"`,
  },
];

const KEY_PHASES = (id: string): { name: string; tasks: string }[] => [
  {
    name: 'key-add',
    tasks: `
    - apt_key: {file: /tmp/rp-key.asc}
      register: k
    - debug: msg="key {{ k.changed }} {{ k.fp }} {{ k.short_id }}"`,
  },
  {
    name: 'key-remove',
    tasks: `
    - apt_key: {id: "${id}", state: absent}
      register: k
    - debug: msg="key {{ k.changed }} {{ k.key_id }}"`,
  },
];

const DB = "dpkg-query -W -f='${Package} ${Status} ${Version}\\n' 'rp-*' 2>/dev/null; dpkg --get-selections 'rp-*'; cat /etc/apt/sources.list.d/*.list";

describe.skipIf(!isRoot || !canBuild)(`apt, package, apt_repository, apt_key, dpkg_selections and debconf on apt lab hosts (needs root and dpkg-dev; ${haveAnsiblePlaybook ? 'compared with' : 'without'} ansible-playbook)`, () => {
  let keyId = '';
  let c: LabCycle;
  let ours: LabHost;
  const sh = (h: LabHost, cmd: string) => c.sh(h, cmd);

  beforeAll(async () => {
    c = await startLabCycle('apt-lab', {
      flavor: 'apt',
      timeoutMs: 240_000,
      sameState: true,
      async setup({ work, ours, theirs }) {
        const repo = path.join(work, 'repo');
        await buildRepo(work, repo);
        if (haveGpg) keyId = await makeKey(work);
        for (const h of [ours, theirs]) {
          cpSync(repo, path.join(h.root, 'srv/repo'), { recursive: true });
          cpSync(repo, path.join(h.root, 'srv/repo2'), { recursive: true });
          if (keyId) cpSync(path.join(work, 'rp-key.asc'), path.join(h.root, 'tmp/rp-key.asc'));
          writeFileSync(path.join(h.root, 'etc/apt/sources.list.d/local.list'), 'deb [trusted=yes] file:/srv/repo ./\n');
          // both hosts start with the same lists, so check mode sees the same candidates
          expect((await hostShell(h, 'apt-get update -q')).rc).toBe(0);
        }
      },
    });
    ours = c.ours;
  });
  afterAll(async () => c?.stop());

  const cycle = (phase: (typeof PHASES)[number], db = DB) => c.cycle(phase.name, phase.tasks.replace(/^\n/, ''), db);

  it('installs a pinned version with its dependency, adds a source, holds, answers debconf; then nothing to do', async () => {
    await cycle(PHASES[0]);
    expect(await sh(ours, "dpkg-query -W -f='${Package} ${Version} ${Status}\\n' rp-hello rp-lib rp-app")).toBe('rp-app 1.0-1 install ok installed\nrp-hello 1.0-1 hold ok installed\nrp-lib 1.0-1 install ok installed\n');
    expect(await sh(ours, 'cat /usr/share/rp-hello/version')).toBe('1.0-1\n');
    expect(await sh(ours, 'cat /etc/apt/sources.list.d/rackplay-test.list; stat -c %a /etc/apt/sources.list.d/rackplay-test.list')).toBe('deb [trusted=yes] file:/srv/repo2 ./\n644\n');
    expect(await sh(ours, 'apt-mark showauto rp-app rp-hello rp-lib')).toBe('rp-lib\n');
    expect(await sh(ours, 'debconf-show tzdata | grep Areas')).toMatch(/tzdata\/Areas: Europe/);
    // the machine's own /usr is untouched: the file exists only in the host's overlay
    expect(existsSync('/usr/share/rp-hello')).toBe(false);
  });

  it('upgrades the held package to the newer version, then releases the hold', async () => {
    await cycle(PHASES[1]);
    expect(await sh(ours, "dpkg-query -W -f='${Version}\\n' rp-hello")).toBe('2.0-1\n');
    expect(await sh(ours, 'cat /usr/share/rp-hello/version')).toBe('2.0-1\n');
  });

  it('removes with package (use: apt), purges, autoremoves the dependency and drops the source', async () => {
    await cycle(PHASES[2]);
    expect(await sh(ours, "dpkg-query -W -f='${Package} ${Status}\\n' 'rp-*' 2>/dev/null | grep -v not-installed")).toBe('');
    expect((await hostShell(ours, 'test -e /etc/apt/sources.list.d/rackplay-test.list')).rc).not.toBe(0);
  });

  it.skipIf(!haveGpg)('adds a key to apt\'s keyring from a file, then removes it by id (needs gpg on this machine)', async () => {
    const keys = `if apt-key adv --list-public-keys --keyid-format=long 2>/dev/null | grep -q ${keyId}; then echo present; else echo absent; fi`;
    await cycle(KEY_PHASES(keyId)[0], keys);
    expect(await sh(ours, keys)).toBe('present\n');
    await cycle(KEY_PHASES(keyId)[1], keys);
    expect(await sh(ours, keys)).toBe('absent\n');
  });
});
