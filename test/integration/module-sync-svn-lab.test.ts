// synchronize and subversion over real SSH on lab hosts. synchronize pushes a directory
// from this machine (plainly, with delete and an exclude, and with become to another
// user) and pulls one back; subversion checks out a file:// repository made inside each
// host's root with svnadmin, and one served by svnserve on loopback with a username and a
// password. Each phase runs check → apply → apply (changed=0) → check; with Debian's
// ansible-playbook every run also goes through it against a second lab host and must
// print the same task lines, recap and debug messages. Ansible's synchronize runs this
// machine's ssh with the lab key from the inventory, so it can run the same tasks.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectSameRun, haveAnsiblePlaybook, runCommand, runRackplay } from '../helpers/cli.js';
import { startLabCycle, type LabCycle } from '../helpers/lab-cycle.js';
import { hostShell } from '../lab/lab.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });

const isRoot = process.getuid?.() === 0;
const have = (cmd: string) => execFileSync('sh', ['-c', `command -v ${cmd} || true`], { encoding: 'utf8' }).trim() !== '';
const haveTools = have('rsync') && have('svn') && have('svnadmin') && have('svnserve');
// a test password for a throwaway svnserve on loopback, not a secret
const SVN_PASSWORD = 'lab pass\'word';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** A repository with one commit, and a working copy of it on this machine to commit from. */
function makeRepo(dir: string, seed: string): void {
  execFileSync('svnadmin', ['create', dir]);
  execFileSync('svn', ['-q', 'checkout', `file://${dir}`, seed]);
  writeFileSync(path.join(seed, 'a.txt'), 'one\n');
  execFileSync('svn', ['-q', 'add', path.join(seed, 'a.txt')]);
  execFileSync('svn', ['-q', 'commit', '-m', 'one', seed]);
}

function commit(seed: string, file: string, text: string): void {
  const f = path.join(seed, file);
  const isNew = !existsSync(f);
  writeFileSync(f, text);
  if (isNew) execFileSync('svn', ['-q', 'add', f]);
  execFileSync('svn', ['-q', 'commit', '-m', file, seed]);
}

describe.skipIf(!isRoot || !haveTools)(`synchronize and subversion on lab hosts (needs root for the lab, rsync and subversion; ${haveAnsiblePlaybook ? 'compared with' : 'without'} ansible-playbook)`, () => {
  let c: LabCycle;
  let svnserve: ChildProcess | undefined;
  let port = 0;
  let srcdir = '';
  let pulled = '';
  const seeds: string[] = [];

  beforeAll(async () => {
    c = await startLabCycle('sync-svn');
    srcdir = path.join(c.work, 'site');
    pulled = path.join(c.work, 'pulled');
    mkdirSync(path.join(srcdir, 'sub'), { recursive: true });
    mkdirSync(pulled);
    writeFileSync(path.join(srcdir, 'a.txt'), 'alpha\n');
    writeFileSync(path.join(srcdir, 'old.txt'), 'old\n');
    writeFileSync(path.join(srcdir, 'skip.me'), 'never copied\n');
    writeFileSync(path.join(srcdir, 'sub/b.txt'), 'beta\n');
    // on each host: a directory to pull, and a repository at /srv/svnrepo as the host sees it
    for (const [i, h] of [c.ours, c.theirs].entries()) {
      mkdirSync(path.join(h.root, 'srv/pullme/deep'), { recursive: true });
      writeFileSync(path.join(h.root, 'srv/pullme/deep/c.txt'), 'gamma\n');
      seeds.push(path.join(c.work, `seed${i}`));
      makeRepo(path.join(h.root, 'srv/svnrepo'), seeds[i]);
    }
    const served = path.join(c.work, 'served');
    seeds.push(path.join(c.work, 'seed-served'));
    makeRepo(served, seeds[2]);
    writeFileSync(path.join(served, 'conf/svnserve.conf'), '[general]\nanon-access = none\nauth-access = write\npassword-db = passwd\nrealm = lab\n');
    writeFileSync(path.join(served, 'conf/passwd'), `[users]\nalice = ${SVN_PASSWORD}\n`);
    port = await freePort();
    svnserve = spawn('svnserve', ['-d', '--foreground', '--listen-host', '127.0.0.1', '--listen-port', String(port), '-r', served], { stdio: 'ignore' });
    // wait until it listens
    for (let i = 0; i < 50; i++) {
      const ok = await new Promise<boolean>((resolve) => {
        const s = net.connect(port, '127.0.0.1', () => {
          s.end();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      });
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  afterAll(async () => {
    svnserve?.kill();
    await c?.stop();
  });

  const SYNC = () => `
    - synchronize: {src: "${srcdir}/", dest: /srv/site, delete: true, rsync_opts: ["--exclude=skip.me"]}
      register: s
    - synchronize: {src: "${srcdir}/", dest: /home/deploy/site, checksum: true}
      become: true
      become_user: deploy
    - synchronize: {src: /srv/pullme/, dest: "${pulled}/{{ ansible_host }}/", mode: pull}
      register: p
    - debug: msg="{{ s.changed }} {{ s.rc }} {{ s.stdout_lines | length }} {{ p.changed }}"`;
  const STATE = "find /srv/site /home/deploy -printf '%p %s %m %u\\n' 2>&1 | sort";

  it('synchronize pushes (plainly and with become) and pulls, then has nothing to do; a change and a deletion are predicted and made', async () => {
    await c.cycle('sync-first', SYNC(), STATE);
    expect(await c.sh(c.ours, 'cat /srv/site/a.txt /srv/site/sub/b.txt; ls /srv/site')).toBe('alpha\nbeta\na.txt\nold.txt\nsub\n');
    expect(await c.sh(c.ours, "stat -c '%U' /home/deploy/site/a.txt")).toBe('deploy\n');
    expect(readFileSync(path.join(pulled, c.ours.address, 'deep/c.txt'), 'utf8')).toBe('gamma\n');
    writeFileSync(path.join(srcdir, 'a.txt'), 'alpha 2\n');
    rmSync(path.join(srcdir, 'old.txt'));
    const runs = await c.cycle('sync-second', SYNC(), STATE);
    // the pulled directory has not changed on the host
    expect(runs[0].stdout).toMatch(/"msg": "True 0 \d+ False"/);
    expect(await c.sh(c.ours, 'cat /srv/site/a.txt; ls /srv/site')).toBe('alpha 2\na.txt\nsub\n');
  });

  it('synchronize fails clearly, naming rsync and the host, when the host has no rsync', async () => {
    // hide the host's rsync in its own mount namespace only
    expect((await hostShell(c.ours, 'mount --bind /dev/null /usr/bin/rsync')).rc).toBe(0);
    try {
      writeFileSync(path.join(c.work, 'no-rsync.yml'), `- hosts: all\n  gather_facts: false\n  tasks:\n    - synchronize: {src: "${srcdir}/", dest: /srv/other}\n`);
      const r = await runRackplay(['-i', 'ours.json', 'no-rsync.yml'], { cwd: c.work, env: { ANSIBLE_NOCOLOR: '1' }, timeoutMs: 120_000 });
      expect(r.code).toBe(2);
      expect(r.stdout).toContain('"msg": "rsync is not installed on lab: synchronize needs rsync on the host as well as on the controller"');
    } finally {
      await hostShell(c.ours, 'umount /usr/bin/rsync');
    }
  });

  const SVN = () => `
    - subversion: {repo: "file:///srv/svnrepo", dest: /srv/wc}
      register: a
    - subversion: {repo: "svn://127.0.0.1:${port}/", dest: /srv/wc-auth, username: alice, password: "${SVN_PASSWORD}"}
      register: b
    - subversion: {repo: "file:///srv/svnrepo", checkout: false, update: false}
      register: r
    - debug: msg="{{ a.changed }} {{ a.before | default('-') }} {{ a.after | default('-') }} {{ b.after | default('-') }} {{ r.after }}"`;
  const SVN_STATE = 'find /srv/wc /srv/wc-auth -name .svn -prune -o -type f -print 2>&1 | sort; cat /srv/wc/a.txt 2>&1';

  it('subversion checks out (also with a password), then has nothing to do; a new revision is predicted and updated', async () => {
    await c.cycle('svn-first', SVN(), SVN_STATE);
    expect(await c.sh(c.ours, 'cat /srv/wc/a.txt /srv/wc-auth/a.txt')).toBe('one\none\n');
    commit(seeds[0], 'b.txt', 'two\n');
    commit(seeds[1], 'b.txt', 'two\n');
    commit(seeds[2], 'a.txt', 'served two\n');
    const runs = await c.cycle('svn-update', SVN(), SVN_STATE);
    expect(runs[0].stdout).toContain('"msg": "True Revision: 1 Revision: 2 Revision: 2 Revision: 2"');
    expect(await c.sh(c.ours, 'cat /srv/wc/b.txt /srv/wc-auth/a.txt')).toBe('two\nserved two\n');
  });

  it('the svn password never shows in a command line on the host while svn runs', async () => {
    // every process's argv on the host, sampled until the run ends
    const log = '/tmp/cmdlines';
    const poll = hostShell(c.ours, `rm -f /tmp/stop ${log}; while [ ! -e /tmp/stop ]; do cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' ' ' >> ${log}; echo >> ${log}; done`);
    const tasks = [1, 2, 3].map((i) => `    - subversion: {repo: "svn://127.0.0.1:${port}/", dest: /srv/wc-poll${i}, username: alice, password: "${SVN_PASSWORD}"}\n`).join('');
    writeFileSync(path.join(c.work, 'poll.yml'), `- hosts: all\n  gather_facts: false\n  tasks:\n${tasks}${tasks}`);
    const r = await runRackplay(['-i', 'ours.json', 'poll.yml'], { cwd: c.work, env: { ANSIBLE_NOCOLOR: '1' }, timeoutMs: 120_000 });
    await hostShell(c.ours, 'touch /tmp/stop');
    await poll;
    expect(r.code, r.stdout).toBe(0);
    const seen = await c.sh(c.ours, `cat ${log}`);
    // the sampling did see svn at work (so it could have seen a password) ...
    expect(seen).toMatch(/svn --non-interactive --no-auth-cache .*--username alice --password-from-stdin/);
    // ... and never the password
    expect(seen).not.toContain(SVN_PASSWORD);
  });

  it('subversion export reports a change every time, as Ansible does', async () => {
    writeFileSync(path.join(c.work, 'export.yml'), '- hosts: all\n  gather_facts: false\n  tasks:\n    - subversion: {repo: "file:///srv/svnrepo", dest: /srv/exported, export: true, force: true}\n      register: e\n    - debug: msg="{{ e }}"\n');
    const env = { ANSIBLE_HOST_KEY_CHECKING: 'False', ANSIBLE_NOCOLOR: '1', ANSIBLE_CONFIG: '' };
    for (let i = 0; i < 2; i++) {
      const mine = await runRackplay(['-i', 'ours.json', 'export.yml'], { cwd: c.work, env, timeoutMs: 120_000 });
      expect(mine.code, mine.stdout).toBe(0);
      expect(mine.stdout).toContain('changed=1 ');
      if (haveAnsiblePlaybook) expectSameRun({ ours: mine, theirs: await runCommand('ansible-playbook', ['-i', 'theirs.json', 'export.yml'], { cwd: c.work, env, timeoutMs: 120_000 }) });
    }
    expect(await c.sh(c.ours, 'ls /srv/exported; test -e /srv/exported/.svn || echo no-svn-dir')).toBe('a.txt\nb.txt\nno-svn-dir\n');
  });
});
