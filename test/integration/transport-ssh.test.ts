// The SSH transport against real sshd processes from the lab: no mocks.
import { spawn, execFile } from 'node:child_process';
import os from 'node:os';
import { promisify } from 'node:util';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freezeHost, hostShell, labHostVars, startLab, thawHost, type Lab, type LabHost } from '../lab/lab.js';
import { openTransport } from '../../src/transport/open.js';
import { SshTransport } from '../../src/transport/ssh.js';
import { sshSettingsFromVars } from '../../src/transport/ssh-settings.js';
import { TaskTimeoutError, UnreachableError, type Transport } from '../../src/transport/types.js';

vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

const cfg = { hostKeyChecking: true, timeoutS: 10 };
let lab: Lab;
// node01: general; node02: jump host (debug log); node03: behind the jump; node04: gets killed;
// node05: no SFTP subsystem; node06: legacy-only algorithms with an RSA host key;
// node07: gets frozen (SIGSTOP), like a hung machine.
const NO_SFTP = 4;
const LEGACY = 5;
const FROZEN = 6;
const open: Transport[] = [];

async function connect(host: LabHost, extra: Record<string, unknown> = {}): Promise<SshTransport> {
  const t = (await openTransport(host.name, { ...labHostVars(lab, host), ...extra }, cfg)) as SshTransport;
  open.push(t);
  return t;
}

const logCount = async (host: LabHost, needle: string) => (await readFile(host.logPath, 'utf8')).split(needle).length - 1;

beforeAll(async () => {
  lab = await startLab({
    count: 7,
    dir: path.join(os.tmpdir(), `rackplay-lab-transport-ssh-${process.pid}`),
    hostSetup: {
      1: { overrides: { LogLevel: 'DEBUG1' } },
      [NO_SFTP]: { sftp: false },
      [LEGACY]: { hostKeyType: 'rsa', sshdConfig: ['KexAlgorithms diffie-hellman-group14-sha1', 'HostKeyAlgorithms ssh-rsa'] },
    },
  });
});

afterAll(async () => {
  await Promise.all(open.map((t) => t.close()));
  await lab?.stop();
});

describe('exec', () => {
  it('returns rc, stdout and stderr, and feeds stdin', async () => {
    const t = await connect(lab.hosts[0]);
    const r = await t.exec('echo out; echo err >&2; exit 3');
    expect(r).toMatchObject({ rc: 3, stdout: 'out\n', stderr: 'err\n' });
    const s = await t.exec('tr a-z A-Z', { stdin: 'hello stdin' });
    expect(s.stdout).toBe('HELLO STDIN');
    const h = await t.exec('hostname');
    expect(h.stdout.trim()).toBe(lab.hosts[0].name);
  });

  it('runs under /bin/sh with the given environment', async () => {
    const t = await connect(lab.hosts[0]);
    const r = await t.exec('echo "$RP_A|$RP_B"; readlink /proc/$$/exe', { env: { RP_A: "it's", RP_B: 'a b' } });
    const [vars, shell] = r.stdout.trim().split('\n');
    expect(vars).toBe("it's|a b");
    expect(shell).toMatch(/\/(dash|sh|bash)$/);
    expect(shell).not.toBe('/usr/bin/bash');
  });

  it('keeps stdout bytes exact (binary safe)', async () => {
    const t = await connect(lab.hosts[0]);
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const r = await t.exec('cat', { stdin: bytes });
    expect(r.stdoutBytes.equals(bytes)).toBe(true);
    const od = await t.exec("printf '\\377\\000\\001' | od -An -tx1");
    expect(od.stdout.trim()).toBe('ff 00 01');
  });

  it('runs 50 commands over one connection', async () => {
    const host = lab.hosts[0];
    const before = await logCount(host, 'Accepted publickey');
    const t = await connect(host);
    for (let i = 0; i < 50; i++) {
      const r = await t.exec(`echo ${i}`);
      expect(r.stdout).toBe(`${i}\n`);
    }
    expect(t.stats).toMatchObject({ execs: 50, connects: 1 });
    expect(await logCount(host, 'Accepted publickey')).toBe(before + 1);
  });

  it('runs commands concurrently, more than the channel cap', async () => {
    const t = await connect(lab.hosts[0]);
    const log = `/tmp/concurrency-${process.pid}.log`;
    await t.exec(`rm -f ${log}`);
    // Each command logs its start and end (short appends are atomic): the log's order shows
    // how many ran at once, with no clock involved.
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => t.exec(`echo + >> ${log}; sleep 0.5; echo - >> ${log}; echo ${i}`)));
    expect(results.map((r) => r.stdout.trim())).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
    const events = (await t.exec(`cat ${log}; rm -f ${log}`)).stdout.split('\n').filter(Boolean);
    expect(events).toHaveLength(40);
    let running = 0;
    let peak = 0;
    for (const e of events) peak = Math.max(peak, (running += e === '+' ? 1 : -1));
    // Concurrent (not 20 in a row), yet never more than the 8 channels the transport opens.
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(8);
    expect(t.stats.connects).toBe(1);
  });

  it('times out, kills the remote process group and rejects TaskTimeoutError', async () => {
    const t = await connect(lab.hosts[0]);
    const started = Date.now();
    await expect(t.exec('sleep 47 & sleep 48; echo never', { timeoutMs: 500 })).rejects.toBeInstanceOf(TaskTimeoutError);
    // Only a hang exceeds this: the sleeps take 47 s (their being killed is checked below).
    expect(Date.now() - started).toBeLessThan(30_000);
    let left = '';
    for (let i = 0; i < 40; i++) {
      left = (await hostShell(lab.hosts[0], 'ps -eo args')).stdout.split('\n').filter((l) => /^sleep 4[78]$/.test(l)).join(',');
      if (!left) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(left).toBe('');
    // The connection is still good for the next command.
    expect((await t.exec('echo ok')).stdout).toBe('ok\n');
  });
});

describe('put and get', () => {
  it('writes atomically with a mode and reads back', async () => {
    const t = await connect(lab.hosts[0]);
    const content = Buffer.from('line one\n\0binary\xff', 'latin1');
    await t.put('/tmp/put-a.txt', content, { mode: '0640' });
    const back = await t.get('/tmp/put-a.txt');
    expect(back.equals(content)).toBe(true);
    const st = await t.exec("stat -c '%a %U' /tmp/put-a.txt; ls -a /tmp | grep -c rackplay || true");
    expect(st.stdout.split('\n').slice(0, 2)).toEqual(['640 root', '0']);
    // On the host's own filesystem, not the machine's.
    expect((await readFile(path.join(lab.hosts[0].root, 'tmp/put-a.txt'))).equals(content)).toBe(true);
  });

  it('replaces a file by rename (new inode) and keeps its owner and mode', async () => {
    const t = await connect(lab.hosts[0]);
    await t.exec('echo old > /home/deploy/keep.txt; chown deploy:deploy /home/deploy/keep.txt; chmod 0600 /home/deploy/keep.txt');
    const inodeBefore = (await t.exec('stat -c %i /home/deploy/keep.txt')).stdout.trim();
    await t.put('/home/deploy/keep.txt', Buffer.from('new\n'));
    const st = await t.exec("stat -c '%a %U %G %i' /home/deploy/keep.txt; cat /home/deploy/keep.txt; ls -a /home/deploy");
    const [meta, body, ...listing] = st.stdout.trim().split('\n');
    const [mode, owner, group, inode] = meta.split(' ');
    expect([mode, owner, group, body]).toEqual(['600', 'deploy', 'deploy', 'new']);
    expect(inode).not.toBe(inodeBefore);
    expect(listing.filter((n) => n.includes('rackplay'))).toEqual([]);
  });

  it('new files get 0644 and a missing directory is an error that leaves nothing behind', async () => {
    const t = await connect(lab.hosts[0]);
    await t.put('/tmp/new-file', Buffer.from('x'));
    expect((await t.exec('stat -c %a /tmp/new-file')).stdout.trim()).toBe('644');
    await expect(t.put('/tmp/no/such/dir/f', Buffer.from('x'))).rejects.toThrow(/\/tmp\/no\/such\/dir\/f/);
  });

  it('puts several files at once over one SFTP session', async () => {
    const t = await connect(lab.hosts[0]);
    const big = Buffer.alloc(1_000_000, 7);
    await Promise.all(Array.from({ length: 10 }, (_, i) => t.put(`/tmp/many-${i}`, i === 0 ? big : Buffer.from(`f${i}`))));
    const r = await t.exec('for i in 0 1 2 3 4 5 6 7 8 9; do wc -c < /tmp/many-$i; done');
    expect(r.stdout.trim().split('\n').map(Number)).toEqual([1_000_000, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
    expect(t.stats).toMatchObject({ puts: 10, connects: 1 });
  });

  it('falls back to the shell when the server has no SFTP subsystem', async () => {
    const host = lab.hosts[NO_SFTP];
    expect(await readFile(path.join(host.root, 'etc/ssh/sshd_config'), 'utf8')).not.toMatch(/Subsystem/);
    const t = await connect(host);
    await t.exec('echo old > /tmp/f; chown deploy /tmp/f');
    await t.put('/tmp/f', Buffer.from('via shell\n'), { mode: '0600' });
    const st = await t.exec("stat -c '%a %U' /tmp/f; ls -a /tmp | grep -c rackplay || true");
    expect(st.stdout.trim().split('\n')).toEqual(['600 deploy', '0']);
    expect((await t.get('/tmp/f')).toString()).toBe('via shell\n');
    expect(t.stats).toMatchObject({ puts: 1, gets: 1, execs: 2 });
  });
});

describe('become', () => {
  it('runs as root through sudo with the password on stdin only', async () => {
    const host = lab.hosts[0];
    const t = await connect(host, { ansible_user: lab.becomeUser });
    const become = { user: 'root', method: 'sudo' as const, password: lab.sudoPassword };
    const psRoot = await connect(host);
    const slow = t.exec('sleep 1.5; id -un', { become });
    await new Promise((r) => setTimeout(r, 700));
    const ps = await psRoot.exec('ps -eo args');
    expect(ps.stdout).toMatch(/sleep 1\.5/);
    expect(ps.stdout).not.toContain(lab.sudoPassword);
    const r = await slow;
    expect(r.rc).toBe(0);
    expect(r.stdout).toBe('root\n');
    expect(r.stdout + r.stderr).not.toContain(lab.sudoPassword);
    expect(r.stderr).not.toContain('rackplay-sudo-password');

    const plain = await t.exec('id -un');
    expect(plain.stdout).toBe(`${lab.becomeUser}\n`);
    const wrong = await t.exec('id -un', { become: { ...become, password: 'not-it' } });
    expect(wrong.rc).not.toBe(0);
    expect(wrong.stdout).not.toContain('root');
  });

  it('puts and gets root-owned files through sudo', async () => {
    const t = await connect(lab.hosts[0], { ansible_user: lab.becomeUser });
    const become = { user: 'root', method: 'sudo' as const, password: lab.sudoPassword };
    await t.put('/etc/rackplay-become.conf', Buffer.from('secret=1\n'), { mode: '0600', become });
    const st = await hostShell(lab.hosts[0], "stat -c '%a %U' /etc/rackplay-become.conf");
    expect(st.stdout.trim()).toBe('600 root');
    await expect(t.get('/etc/rackplay-become.conf')).rejects.toThrow(/rackplay-become\.conf/);
    expect((await t.get('/etc/rackplay-become.conf', { become })).toString()).toBe('secret=1\n');
  });
});

describe('connections', () => {
  it('reports a killed sshd as UnreachableError, in flight and after', async () => {
    const host = lab.hosts[3];
    const t = await connect(host);
    expect((await t.exec('echo up')).rc).toBe(0);
    const inFlight = t.exec('sleep 20');
    await new Promise((r) => setTimeout(r, 200));
    process.kill(host.pid, 'SIGKILL');
    await expect(inFlight).rejects.toBeInstanceOf(UnreachableError);
    await expect(t.exec('echo again')).rejects.toBeInstanceOf(UnreachableError);
    await expect(openTransport(host.name, labHostVars(lab, host), cfg)).rejects.toBeInstanceOf(UnreachableError);
  });

  it('goes through a jump host with ProxyJump', async () => {
    const hop = lab.hosts[1];
    const target = lab.hosts[2];
    const vars = labHostVars(lab, target);
    vars.ansible_ssh_common_args = `${vars.ansible_ssh_common_args as string} -o ProxyJump=${lab.user}@${hop.address}:${hop.port}`;
    const before = await logCount(hop, 'direct-tcpip');
    const t = await connect(target, vars);
    expect((await t.exec('hostname')).stdout.trim()).toBe(target.name);
    expect(t.stats.connects).toBe(2);
    const hopLog = await readFile(hop.logPath, 'utf8');
    expect(hopLog.split('direct-tcpip').length - 1).toBeGreaterThan(before);
    expect(hopLog).toContain(`target ${target.address} port ${target.port}`);
  });

  it('refuses a legacy-only server by default and reaches it with rackplay_legacy_algorithms', async () => {
    const host = lab.hosts[LEGACY];
    // The lab's known_hosts has the RSA key for this host; only the algorithms differ.
    await expect(openTransport(host.name, labHostVars(lab, host), cfg)).rejects.toThrow(/rackplay_legacy_algorithms/);
    const t = await connect(host, { rackplay_legacy_algorithms: true });
    expect((await t.exec('hostname')).stdout.trim()).toBe(host.name);
    const settings = sshSettingsFromVars(host.name, { ...labHostVars(lab, host), rackplay_legacy_algorithms: true }, cfg);
    expect(settings.algorithms.kex[0]).toBe('curve25519-sha256');
    expect(settings.algorithms.kex).toContain('diffie-hellman-group14-sha1');
  });

  it('detects a hung host with keepalives, and times out connecting to it', async () => {
    const host = lab.hosts[FROZEN];
    const t = await connect(host, { ansible_ssh_extra_args: '-o ServerAliveInterval=1 -o ServerAliveCountMax=2' });
    expect((await t.exec('echo up')).stdout).toBe('up\n');
    await freezeHost(host);
    try {
      const started = Date.now();
      await expect(t.exec('echo hung')).rejects.toBeInstanceOf(UnreachableError);
      // A frozen host never answers: without keepalives this would hang; the bound only catches that.
      expect(Date.now() - started).toBeLessThan(30_000);
      // The kernel still accepts the TCP connection; the SSH banner never comes.
      const began = Date.now();
      await expect(openTransport(host.name, { ...labHostVars(lab, host), ansible_timeout: 1 }, cfg)).rejects.toBeInstanceOf(UnreachableError);
      expect(Date.now() - began).toBeLessThan(30_000);
    } finally {
      await thawHost(host);
    }
  });

  it('logs in with a password, and refuses a wrong one', async () => {
    const host = lab.hosts[0];
    const vars = { ...labHostVars(lab, host), ansible_user: lab.becomeUser, ansible_ssh_private_key_file: '/nonexistent/key', ansible_password: lab.sudoPassword, ansible_ssh_extra_args: '-o IdentityAgent=none' };
    const t = await connect(host, vars);
    expect((await t.exec('id -un')).stdout).toBe(`${lab.becomeUser}\n`);
    await expect(openTransport(host.name, { ...vars, ansible_password: 'wrong' }, cfg)).rejects.toThrow(/Permission denied/);
  });

  it('authenticates with a key held by an SSH agent', async () => {
    const host = lab.hosts[0];
    const sock = path.join(lab.dir, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 100 && !(await readFile(sock).then(() => true, (e: NodeJS.ErrnoException) => e.code !== 'ENOENT')); i++) await new Promise((r) => setTimeout(r, 20));
      const noKey = { ...labHostVars(lab, host), ansible_ssh_private_key_file: '/nonexistent/key' };
      await expect(openTransport(host.name, { ...noKey, ansible_ssh_extra_args: `-o IdentityAgent=${sock}` }, cfg)).rejects.toThrow(/Permission denied/);
      await promisify(execFile)('ssh-add', [lab.keyPath], { env: { ...process.env, SSH_AUTH_SOCK: sock } });
      const t = await connect(host, { ...noKey, ansible_ssh_extra_args: `-o IdentityAgent=${sock}` });
      expect((await t.exec('echo agent')).stdout).toBe('agent\n');
    } finally {
      agent.kill('SIGTERM');
    }
  });

  it('opens ansible_connection=local and implicit localhost without SSH', async () => {
    const t = await openTransport('localhost', {}, cfg);
    expect(t.constructor.name).toBe('LocalTransport');
    const u = await openTransport('web1', { ansible_connection: 'local' }, cfg);
    expect((await u.exec('echo $((1+2))')).stdout).toBe('3\n');
    await expect(openTransport('w', { ansible_connection: 'winrm' }, cfg)).rejects.toThrow(/winrm/);
  });
});
