// The engine over SSH when hosts misbehave, through the CLI against real sshd hosts:
// host keys, a killed sshd, legacy and SFTP-less servers, ProxyJump, become with a
// password, any_errors_fatal, max_fail_percentage, task timeouts and exit codes.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hostShell, startLab, type Lab, type LabHost } from '../lab/lab.js';
import { acceptedLogins, rackplay, re, sections, workDir, writeFiles, writeInventory } from './engine-ssh-helpers.js';

vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });

let lab: Lab;
const root = path.join(os.tmpdir(), `rackplay-engine-failures-${process.pid}`);
// 0-2: plain hosts; 3: no SFTP subsystem; 4: legacy algorithms only (RSA key, group14-sha1);
// 5: jump host; 6: reached only through 5; 7: its sshd gets killed (last test).
const NO_SFTP = 3;
const LEGACY = 4;
const JUMP = 5;
const HIDDEN = 6;
const VICTIM = 7;
const h = (i: number): LabHost => lab.hosts[i];

beforeAll(async () => {
  lab = await startLab({
    count: 8,
    dir: path.join(root, 'lab'),
    namePrefix: 'edge',
    hostSetup: {
      [NO_SFTP]: { sftp: false },
      [LEGACY]: { hostKeyType: 'rsa', sshdConfig: ['KexAlgorithms diffie-hellman-group14-sha1', 'HostKeyAlgorithms ssh-rsa'] },
    },
  });
});
afterAll(async () => {
  await lab?.stop();
  rmSync(root, { recursive: true, force: true });
});

const PING = `
- hosts: all
  gather_facts: false
  tasks:
    - name: reach
      command: hostname
`;

function fingerprint(host: LabHost, type = 'ed25519'): string {
  const out = execFileSync('ssh-keygen', ['-lf', path.join(host.root, `etc/ssh/ssh_host_${type}_key.pub`)], { encoding: 'utf8' });
  return out.split(/\s+/)[1];
}

describe('host keys', () => {
  it('a changed host key makes the host UNREACHABLE, naming the known_hosts file and the fingerprint', async () => {
    const dir = workDir(root, 'wrongkey');
    writeFiles(dir, { 'pb.yml': PING });
    // host 0's address with host 1's key: what a reinstalled (or spoofed) machine looks like.
    const hostKey1 = readFileSync(path.join(h(1).root, 'etc/ssh/ssh_host_ed25519_key.pub'), 'utf8').split(/\s+/).slice(0, 2).join(' ');
    const kh = path.join(dir, 'known_hosts');
    const pattern = (x: LabHost) => (x.port === 22 ? x.address : `[${x.address}]:${x.port}`);
    writeFileSync(kh, `${pattern(h(0))} ${hostKey1}\n${readFileSync(lab.knownHostsPath, 'utf8').split('\n').filter((l) => l.startsWith(pattern(h(1)) + ' ')).join('\n')}\n`);
    const args = { ansible_ssh_common_args: `-o UserKnownHostsFile=${kh}` };
    const inv = writeInventory(dir, lab, [h(0), h(1)], { hostVars: { [h(0).name]: args, [h(1).name]: args } });
    const r = await rackplay(['pb.yml', '-i', inv], { cwd: dir });
    expect(r.code).toBe(4);
    expect(r.recap[h(0).name]).toMatchObject({ unreachable: 1, ok: 0 });
    expect(r.recap[h(1).name]).toMatchObject({ unreachable: 0, ok: 1 });
    const fatal = r.stdout.split('\n').find((l) => l.startsWith(`fatal: [${h(0).name}]: UNREACHABLE!`));
    expect(fatal).toBeDefined();
    expect(fatal).toContain(kh);
    expect(fatal).toContain(fingerprint(h(0)));
  });

  it('an unknown host is refused, unless host_key_checking = False in ./ansible.cfg or the environment', async () => {
    const dir = workDir(root, 'unknown');
    writeFiles(dir, { 'pb.yml': PING, 'empty_known_hosts': '' });
    const inv = writeInventory(dir, lab, [h(0)], { hostVars: { [h(0).name]: { ansible_ssh_common_args: `-o UserKnownHostsFile=${path.join(dir, 'empty_known_hosts')}` } } });
    const refused = await rackplay(['pb.yml', '-i', inv], { cwd: dir });
    expect(refused.code).toBe(4);
    expect(refused.stdout).toMatch(new RegExp(`fatal: \\[${h(0).name}\\]: UNREACHABLE!.*no host key for ${re(h(0).address)}.*${re(fingerprint(h(0)))}`));

    const viaEnv = await rackplay(['pb.yml', '-i', inv], { cwd: dir, env: { ANSIBLE_HOST_KEY_CHECKING: 'False' } });
    expect(viaEnv.code, viaEnv.stdout).toBe(0);

    const cfgDir = workDir(root, 'unknown-cfg');
    writeFiles(cfgDir, { 'pb.yml': PING, 'ansible.cfg': '[defaults]\nhost_key_checking = False\n' });
    const viaCfg = await rackplay(['pb.yml', '-i', inv], { cwd: cfgDir });
    expect(viaCfg.code, viaCfg.stdout).toBe(0);
    expect(viaCfg.recap[h(0).name]).toMatchObject({ ok: 1, unreachable: 0 });
    // Nothing was written into the (empty) known_hosts: checking was off, not accept-new.
    expect(readFileSync(path.join(dir, 'empty_known_hosts'), 'utf8')).toBe('');
  });
});

describe('odd servers', () => {
  it('a legacy-only server is reached with rackplay_legacy_algorithms: true and refused otherwise', async () => {
    const dir = workDir(root, 'legacy');
    writeFiles(dir, { 'pb.yml': PING });
    const without = await rackplay(['pb.yml', '-i', writeInventory(dir, lab, [h(LEGACY)], { file: 'modern.yml' })], { cwd: dir });
    expect(without.code).toBe(4);
    expect(without.stdout).toMatch(new RegExp(`fatal: \\[${h(LEGACY).name}\\]: UNREACHABLE!.*rackplay_legacy_algorithms`));
    const withLegacy = await rackplay(['pb.yml', '-i', writeInventory(dir, lab, [h(LEGACY)], { file: 'legacy.yml', hostVars: { [h(LEGACY).name]: { rackplay_legacy_algorithms: true } } })], { cwd: dir });
    expect(withLegacy.code, withLegacy.stdout).toBe(0);
    expect(withLegacy.recap[h(LEGACY).name]).toMatchObject({ ok: 1, changed: 1 });
  });

  it('a server without SFTP gets its files through the shell fallback', async () => {
    const dir = workDir(root, 'nosftp');
    writeFiles(dir, {
      'pb.yml': `
- hosts: all
  gather_facts: false
  tasks:
    - name: copy without sftp
      copy: { content: "no sftp here\\n", dest: /root/nosftp.txt, mode: "0600" }
`,
    });
    const inv = writeInventory(dir, lab, [h(NO_SFTP)]);
    const r = await rackplay(['pb.yml', '-i', inv], { cwd: dir });
    expect(r.code, r.stdout).toBe(0);
    expect(r.recap[h(NO_SFTP).name]).toMatchObject({ changed: 1 });
    expect((await hostShell(h(NO_SFTP), 'cat /root/nosftp.txt; stat -c %a /root/nosftp.txt')).stdout).toBe('no sftp here\n600\n');
    expect(readFileSync(h(NO_SFTP).logPath, 'utf8')).toMatch(/subsystem request for sftp .*failed, subsystem not found/);
    const again = await rackplay(['pb.yml', '-i', inv], { cwd: dir });
    expect(again.recap[h(NO_SFTP).name]).toMatchObject({ ok: 1, changed: 0 });
  });

  it('ProxyJump through one lab host reaches another that only the jump host can name', async () => {
    const dir = workDir(root, 'jump');
    writeFiles(dir, { 'pb.yml': PING });
    // A name in the jump host's /etc/hosts only: this machine cannot resolve it.
    const hidden = `hidden-${process.pid}.lab`;
    await hostShell(h(JUMP), `echo '${h(HIDDEN).address} ${hidden}' >> /etc/hosts`);
    const kh = path.join(dir, 'known_hosts');
    const hiddenKey = readFileSync(path.join(h(HIDDEN).root, 'etc/ssh/ssh_host_ed25519_key.pub'), 'utf8').split(/\s+/).slice(0, 2).join(' ');
    const port = h(HIDDEN).port;
    writeFileSync(kh, readFileSync(lab.knownHostsPath, 'utf8') + `${port === 22 ? hidden : `[${hidden}]:${port}`} ${hiddenKey}\n`);
    const jump = `root@${h(JUMP).address}:${h(JUMP).port}`;
    const inv = writeInventory(dir, lab, [h(HIDDEN)], {
      hostVars: { [h(HIDDEN).name]: { ansible_host: hidden, ansible_ssh_common_args: `-o UserKnownHostsFile=${kh} -o ProxyJump=${jump}` } },
    });
    const before = [acceptedLogins(h(JUMP)), acceptedLogins(h(HIDDEN))];
    const r = await rackplay(['pb.yml', '-i', inv, '-v'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`changed: \\[${h(HIDDEN).name}\\] => .*"stdout": "${h(HIDDEN).name}"`));
    expect([acceptedLogins(h(JUMP)) - before[0], acceptedLogins(h(HIDDEN)) - before[1]]).toEqual([1, 1]);
  });
});

describe('become with a sudo password', () => {
  it('works from ansible_become_password, and the password is in no output at -vvvv', async () => {
    const dir = workDir(root, 'become');
    writeFiles(dir, {
      'pb.yml': `
- hosts: all
  gather_facts: false
  tasks:
    - name: who am i
      command: whoami
      become: true
      register: who
    - name: root-only file
      copy: { content: "secret place\\n", dest: /root/from-deploy.txt }
      become: true
    - name: check
      assert: { that: ["who.stdout == 'root'"] }
`,
    });
    const canary = lab.sudoPassword;
    const inv = writeInventory(dir, lab, [h(0)], { hostVars: { [h(0).name]: { ansible_user: lab.becomeUser, ansible_become_password: canary } } });
    const r = await rackplay(['pb.yml', '-i', inv, '-vvvv'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.recap[h(0).name]).toMatchObject({ ok: 3, failed: 0 });
    expect((await hostShell(h(0), 'cat /root/from-deploy.txt')).stdout).toBe('secret place\n');
    expect(r.stdout + r.stderr).not.toContain(canary);
    // The same run with a wrong password fails cleanly, and still shows neither password.
    const wrong = `wrong-${canary}`;
    const bad = await rackplay(['pb.yml', '-i', writeInventory(dir, lab, [h(0)], { file: 'bad.yml', hostVars: { [h(0).name]: { ansible_user: lab.becomeUser, ansible_become_password: wrong } } }), '-vvvv'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.recap[h(0).name]).toMatchObject({ failed: 1 });
    expect(bad.stdout + bad.stderr).not.toContain(canary);
  });
});

describe('failing hosts', () => {
  const three = () => [h(0), h(1), h(2)];

  it('any_errors_fatal: one failure ends the play for every host and no later play runs (exit 2)', async () => {
    const dir = workDir(root, 'fatal');
    writeFiles(dir, {
      'pb.yml': `
- name: first
  hosts: all
  gather_facts: false
  any_errors_fatal: true
  tasks:
    - name: may fail
      command: "{{ 'false' if inventory_hostname == '${h(1).name}' else 'true' }}"
    - name: never reached
      command: "true"
- name: second
  hosts: all
  gather_facts: false
  tasks:
    - name: second play task
      command: "true"
`,
    });
    const r = await rackplay(['pb.yml', '-i', writeInventory(dir, lab, three())], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).not.toContain('TASK [never reached]');
    expect(r.stdout).not.toContain('PLAY [second]');
    expect(r.recap[h(1).name]).toMatchObject({ failed: 1 });
    expect(r.recap[h(0).name]).toMatchObject({ ok: 1, failed: 0 });
  });

  it('when every host of a play failed, the playbook ends there, as Ansible does', async () => {
    const dir = workDir(root, 'allfail');
    writeFiles(dir, {
      'pb.yml': `
- name: doomed
  hosts: all
  gather_facts: false
  tasks:
    - name: fails everywhere
      command: "false"
- name: never started
  hosts: all
  gather_facts: false
  tasks:
    - name: unreachable code
      command: "true"
`,
    });
    const r = await rackplay(['pb.yml', '-i', writeInventory(dir, lab, [h(0), h(1)])], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('PLAY [doomed]');
    expect(r.stdout).not.toContain('PLAY [never started]');
  });

  it('max_fail_percentage: the play goes on at or under the limit and stops above it', async () => {
    const dir = workDir(root, 'maxfail');
    writeFiles(dir, {
      'pb.yml': `
- hosts: all
  gather_facts: false
  max_fail_percentage: 34
  tasks:
    - name: one of three fails
      command: "{{ 'false' if inventory_hostname == '${h(0).name}' else 'true' }}"
    - name: one more fails
      command: "{{ 'false' if inventory_hostname == '${h(1).name}' else 'true' }}"
    - name: after the limit
      command: "true"
`,
    });
    const r = await rackplay(['pb.yml', '-i', writeInventory(dir, lab, three())], { cwd: dir });
    expect(r.code).toBe(2);
    // 1 of 3 (33%) is not over 34%: the play went on. 2 of 3 is: it stopped.
    expect(r.stdout).toContain('TASK [one more fails]');
    expect(r.stdout).not.toContain('TASK [after the limit]');
    expect(r.recap[h(2).name]).toMatchObject({ ok: 2, failed: 0 });
  });

  it('a task timeout fails the task cleanly, kills the command, and other hosts go on', async () => {
    const dir = workDir(root, 'timeout');
    writeFiles(dir, {
      'pb.yml': `
- hosts: all
  gather_facts: false
  tasks:
    - name: too slow
      command: "sleep {{ 600 if inventory_hostname == '${h(0).name}' else 0 }}"
      timeout: 2
    - name: next
      command: "true"
`,
    });
    const r = await rackplay(['pb.yml', '-i', writeInventory(dir, lab, [h(0), h(1)])], { cwd: dir });
    expect(r.code).toBe(2);
    // Only a hang exceeds this: without the timeout the run would wait out the 600 s sleep.
    expect(r.wallMs).toBeLessThan(60_000);
    expect(r.stdout).toMatch(new RegExp(`fatal: \\[${h(0).name}\\]: FAILED! => .*The command action failed to execute in the expected time frame \\(2\\) and was terminated`));
    expect(sections(r.stdout).find((s) => s.title === 'TASK [next]')!.hosts).toEqual([h(1).name]);
    expect((await hostShell(h(0), 'ps -eo args | grep -c "^sleep 600" || true')).stdout.trim()).toBe('0');
  });
});

describe('a host whose sshd dies mid-run', () => {
  it('is UNREACHABLE (ignore_unreachable honored), the others finish, later plays skip it, exit 4', async () => {
    const dir = workDir(root, 'killed');
    const victim = h(VICTIM);
    writeFiles(dir, {
      'pb.yml': `
- name: first
  hosts: all
  gather_facts: false
  tasks:
    - name: before
      command: "true"
    - name: slow
      command: sleep 3
      ignore_unreachable: true
    - name: controller side
      debug: { msg: "still here" }
    - name: after
      command: "true"
- name: second
  hosts: all
  gather_facts: false
  tasks:
    - name: second play
      command: "{{ 'false' if inventory_hostname == '${h(1).name}' else 'true' }}"
`,
    });
    const inv = writeInventory(dir, lab, [h(0), h(1), victim]);
    let killed = false;
    const r = await rackplay(['pb.yml', '-i', inv], {
      cwd: dir,
      onLine: (line) => {
        if (!killed && line.startsWith('TASK [slow]')) {
          killed = true;
          // sshd is PID 1 of the host's PID namespace: the whole host goes with it.
          setTimeout(() => process.kill(victim.pid, 'SIGKILL'), 500);
        }
      },
    });
    expect(killed).toBe(true);
    // Unreachable wins over the failure in the second play.
    expect(r.code, r.stdout).toBe(4);
    expect(r.stdout).toMatch(new RegExp(`fatal: \\[${victim.name}\\]: UNREACHABLE! => [^\\n]*\\n\\.\\.\\.ignoring`));
    const s = sections(r.stdout);
    // ignore_unreachable: the host went on to the next tasks; the next remote one was unreachable.
    expect(s.find((x) => x.title === 'TASK [controller side]')!.hosts).toContain(victim.name);
    expect(s.find((x) => x.title === 'TASK [after]')!.hosts.sort()).toEqual([h(0).name, h(1).name, victim.name].sort());
    expect(r.stdout).toMatch(new RegExp(`TASK \\[after\\][\\s\\S]*fatal: \\[${victim.name}\\]: UNREACHABLE!`));
    expect(s.find((x) => x.title === 'TASK [second play]')!.hosts.sort()).toEqual([h(0).name, h(1).name].sort());
    expect(r.recap[victim.name]).toMatchObject({ unreachable: 1, ignored: 1, ok: 3 });
    expect(r.recap[h(0).name]).toMatchObject({ ok: 5, failed: 0, unreachable: 0 });
    expect(r.recap[h(1).name]).toMatchObject({ ok: 4, failed: 1 });
  });
});
