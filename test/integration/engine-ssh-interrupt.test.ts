// Faults and interruption, through the built CLI against real sshd hosts: Ctrl-C in the
// middle of a run, a host that dies in the middle of an upload, a host with a full disk.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { rackplayBin } from '../helpers/cli.js';
import { hostShell, restartHost, startLab, type Lab, type LabHost } from '../lab/lab.js';
import { acceptedLogins, rackplay, workDir, writeFiles, writeInventory } from './engine-ssh-helpers.js';

vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });

let lab: Lab;
const root = path.join(os.tmpdir(), `rackplay-engine-interrupt-${process.pid}`);
// The journal of temp files that cut connections left: private to these tests.
const stateDir = path.join(root, 'state');
// 0-2: Ctrl-C; 3: a 1 MiB tmpfs at /srv/small; 4: killed in the middle of an upload;
// 5: no SFTP (uploads through the shell), its connection cut in the middle of one.
const SMALL_DISK = 3;
const VICTIM = 4;
const NO_SFTP = 5;
const h = (i: number): LabHost => lab.hosts[i];

beforeAll(async () => {
  lab = await startLab({ count: 6, dir: path.join(root, 'lab'), namePrefix: 'intr', hostSetup: { [SMALL_DISK]: { tmpfs: { '/srv/small': 1024 } }, [NO_SFTP]: { sftp: false } } });
});
afterAll(async () => {
  await lab?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** rackplay's temp files anywhere on a host (their names all contain `.rackplay-`). */
async function tempFiles(host: LabHost): Promise<string[]> {
  const r = await hostShell(host, "find /tmp /var/tmp /root /srv /etc /home -name '*.rackplay-*' 2>/dev/null; true");
  return r.stdout.split('\n').filter(Boolean);
}

async function processes(host: LabHost, name: string): Promise<number> {
  // Zombies do not count: the lab's PID 1 (sshd) reaps orphans only now and then.
  const r = await hostShell(host, `ps -eo stat=,comm= | grep -v '^Z' | awk '{print $2}' | grep -cx ${name}; true`);
  return Number(r.stdout.trim() || 0);
}

interface Interrupted {
  code: number;
  stdout: string;
  stderr: string;
  /** ms from the SIGINT to the exit: asserted only with bounds far above any wait, to catch hangs */
  afterSigintMs: number;
  /** What `afterSigint` saw once the first SIGINT was sent, and whether the run was still going then. */
  seenAfterSigint?: { value: boolean; runStillGoing: boolean };
}

/** Far above every wait a correct run makes here, half the grace given where a waited-out grace would be the bug: only a hang exceeds it. */
const HANG_MS = 30_000;

/** Runs the CLI and sends it SIGINT once `ready` says so (polled every 100 ms). */
function runAndInterrupt(
  args: string[],
  cwd: string,
  ready: (stdout: string) => Promise<boolean>,
  opts: { twice?: boolean; env?: NodeJS.ProcessEnv; afterSigint?: (stderrNow: () => string) => Promise<boolean> | boolean } = {},
): Promise<Interrupted> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [process.env.RACKPLAY_BIN ?? rackplayBin, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', ANSIBLE_CONFIG: '', RACKPLAY_STATE_DIR: stateDir, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let sentAt = 0;
    let closed = false;
    let seen: Promise<{ value: boolean; runStillGoing: boolean }> | undefined;
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 80_000);
    const poll = setInterval(() => {
      if (sentAt) return;
      void ready(stdout).then((ok) => {
        if (!ok || sentAt) return;
        sentAt = Date.now();
        clearInterval(poll);
        child.kill('SIGINT');
        if (opts.afterSigint) {
          const probe = opts.afterSigint;
          seen = Promise.resolve(probe(() => stderr)).then((value) => ({ value, runStillGoing: !closed }));
        }
        if (opts.twice) setTimeout(() => child.kill('SIGINT'), 300);
      });
    }, 100);
    child.on('error', reject);
    child.on('close', (code) => {
      closed = true;
      clearTimeout(killer);
      clearInterval(poll);
      const afterSigintMs = sentAt ? Date.now() - sentAt : -1;
      void (seen ?? Promise.resolve(undefined)).then((seenAfterSigint) => resolve({ code: code ?? -1, stdout, stderr, afterSigintMs, seenAfterSigint }));
    });
  });
}

const SLOW_PLAY = `
- hosts: all
  gather_facts: false
  tasks:
    - name: quick
      command: hostname
    - name: slow
      script: slow.sh
    - name: after
      command: touch /tmp/after-ran
- hosts: all
  gather_facts: false
  tasks:
    - name: second play
      command: touch /tmp/second-play-ran
`;

/**
 * After the run acknowledged the Ctrl-C (its stderr says so), let the waiting task go on
 * (`release`) and see whether it reacts (`reacted`): only a task that the run did not kill
 * at once can. Event order, not a clock: the wait below is far longer than a reaction.
 */
async function reactsAfterInterrupt(stderrNow: () => string, release: () => Promise<unknown> | void, reacted: () => Promise<boolean> | boolean): Promise<boolean> {
  await vi.waitFor(() => expect(stderrNow()).toMatch(/User interrupted execution/), { timeout: 10_000, interval: 20 });
  await release();
  try {
    await vi.waitFor(async () => expect(await reacted()).toBe(true), { timeout: 10_000, interval: 50 });
    return true;
  } catch {
    return false;
  }
}

describe('Ctrl-C', () => {
  const hosts = () => [h(0), h(1), h(2)];
  const sleeping = async () => (await Promise.all(hosts().map((x) => processes(x, 'sleep')))).every((n) => n === 1);

  it('lets running tasks go on for the grace period, then kills them; starts nothing new; prints the recap; exits 99; leaves no temp files', async () => {
    const dir = workDir(root, 'sigint');
    // The task waits for /tmp/proceed, which the test creates only after the Ctrl-C.
    writeFiles(dir, {
      'pb.yml': SLOW_PLAY,
      'slow.sh': '#!/bin/sh\ntouch /tmp/waiting\nwhile [ ! -e /tmp/proceed ]; do sleep 0.05; done\ntouch /tmp/proceeded\nsleep 20\ntouch /tmp/slept-through\n',
    });
    const inv = writeInventory(dir, lab, hosts());
    const onAll = async (cmd: string) => (await Promise.all(hosts().map((x) => hostShell(x, cmd)))).every((r) => r.stdout.trim() === 'yes');
    const run = await runAndInterrupt(['-i', inv, 'pb.yml'], dir, async (out) => out.includes('TASK [slow]') && (await onAll('test -e /tmp/waiting && echo yes')), {
      afterSigint: (stderrNow) =>
        reactsAfterInterrupt(
          stderrNow,
          () => onAll('touch /tmp/proceed'),
          async () => (await onAll('test -e /tmp/proceeded && echo yes')) && (await sleeping()),
        ),
    });
    await Promise.all(hosts().map((x) => hostShell(x, 'rm -f /tmp/waiting /tmp/proceed /tmp/proceeded')));
    expect(run.code).toBe(99);
    expect(run.stderr).toMatch(/User interrupted execution/);
    expect(run.stdout).toMatch(/PLAY RECAP/);
    for (const x of hosts()) expect(run.stdout).toMatch(new RegExp(`^${x.name}\\s+: ok=1 `, 'm'));
    // Nothing after the interrupted task: not the next task, not the next play.
    expect(run.stdout).not.toMatch(/TASK \[after\]|second play/);
    for (const x of hosts()) expect(run.stdout).toMatch(new RegExp(`^fatal: \\[${x.name}\\]: .*killed after Ctrl-C`, 'm'));
    // Not at once: after the run acknowledged the Ctrl-C, the task still went on (it saw
    // /tmp/proceed and started its sleep) while the run waited; not the 20 s of the sleep
    // either: it was killed (slept-through never appears below).
    expect(run.seenAfterSigint).toEqual({ value: true, runStillGoing: true });
    expect(run.afterSigintMs).toBeLessThan(HANG_MS);
    for (const x of hosts()) {
      expect(await processes(x, 'sleep')).toBe(0);
      const left = await hostShell(x, 'ls /tmp/after-ran /tmp/second-play-ran /tmp/slept-through 2>/dev/null; true');
      expect(left.stdout.trim()).toBe('');
      expect(await tempFiles(x)).toEqual([]);
    }
    // The remote sleep would have finished the script in 20 s: it was killed, not left behind.
    await new Promise((r) => setTimeout(r, 1500));
    for (const x of hosts()) expect((await hostShell(x, 'ls /tmp/slept-through 2>/dev/null; true')).stdout.trim()).toBe('');
  });

  it('a task that ends within the grace period finishes normally and shows its result', async () => {
    const dir = workDir(root, 'sigint-short');
    writeFiles(dir, { 'pb.yml': SLOW_PLAY, 'slow.sh': '#!/bin/sh\nsleep 2\ntouch /tmp/short-done\n' });
    const inv = writeInventory(dir, lab, hosts());
    // A grace period far longer than the task: a run that waited it out instead of ending
    // with the task would take a minute, and only then would the bound below catch it.
    const run = await runAndInterrupt(['-i', inv, 'pb.yml'], dir, async (out) => out.includes('TASK [slow]') && (await sleeping()), {
      env: { RACKPLAY_INTERRUPT_GRACE_MS: '60000' },
    });
    expect(run.code).toBe(99);
    expect(run.afterSigintMs).toBeLessThan(HANG_MS);
    for (const x of hosts()) {
      expect(run.stdout).toMatch(new RegExp(`^changed: \\[${x.name}\\]`, 'm'));
      expect((await hostShell(x, 'cat /tmp/short-done >/dev/null && echo yes')).stdout.trim()).toBe('yes');
      expect(await tempFiles(x)).toEqual([]);
    }
    expect(run.stdout).not.toMatch(/TASK \[after\]|second play/);
    await Promise.all(hosts().map((x) => hostShell(x, 'rm -f /tmp/short-done')));
  });

  it('a second Ctrl-C exits at once, still with 99', async () => {
    const dir = workDir(root, 'sigint-twice');
    writeFiles(dir, { 'pb.yml': SLOW_PLAY, 'slow.sh': '#!/bin/sh\nsleep 20\n' });
    const inv = writeInventory(dir, lab, hosts());
    // With a minute of grace, only the second Ctrl-C can end the run before the sleeps do.
    const run = await runAndInterrupt(['-i', inv, 'pb.yml'], dir, async (out) => out.includes('TASK [slow]') && (await sleeping()), {
      twice: true,
      env: { RACKPLAY_INTERRUPT_GRACE_MS: '60000' },
    });
    expect(run.code).toBe(99);
    expect(run.afterSigintMs).toBeLessThan(HANG_MS);
    expect(run.stdout).not.toMatch(/TASK \[after\]/);
    // It quit without waiting for the running tasks: their sleeps outlive the run.
    expect(await sleeping()).toBe(true);
    // Leftover sleeps of this abrupt exit end on their own within 20 s; do not let them
    // confuse a later test.
    await Promise.all(hosts().map((x) => hostShell(x, 'pkill -x sleep; true')));
  });
});

describe('Ctrl-C with ansible_connection: local', () => {
  it('kills the local process group of the running task after the grace period', async () => {
    const dir = workDir(root, 'sigint-local');
    // A duration no other process on this machine uses, to find ours by its command line.
    const marker = `sleep 29.${process.pid % 1000}`;
    writeFiles(dir, {
      'hosts.ini': 'ctl ansible_connection=local\n',
      'pb.yml': `- hosts: all\n  gather_facts: false\n  tasks:\n    - name: slow\n      shell: touch ${dir}/waiting; while [ ! -e ${dir}/proceed ]; do sleep 0.05; done; ${marker}; touch ${dir}/slept\n    - name: after\n      command: touch ${dir}/after\n`,
    });
    const running = () => {
      try {
        return execFileSync('pgrep', ['-f', `^${marker}$`], { encoding: 'utf8' }).trim() !== '';
      } catch {
        return false;
      }
    };
    const run = await runAndInterrupt(['-i', 'hosts.ini', 'pb.yml'], dir, async (out) => out.includes('TASK [slow]') && existsSync(path.join(dir, 'waiting')), {
      afterSigint: (stderrNow) => reactsAfterInterrupt(stderrNow, () => writeFileSync(path.join(dir, 'proceed'), ''), running),
    });
    expect(run.code).toBe(99);
    expect(run.stdout).toMatch(/PLAY RECAP/);
    expect(run.stdout).not.toMatch(/TASK \[after\]/);
    // Went on after the acknowledged Ctrl-C (the grace period), killed by the end (29 s sleep).
    expect(run.seenAfterSigint).toEqual({ value: true, runStillGoing: true });
    expect(run.afterSigintMs).toBeLessThan(HANG_MS);
    expect(running()).toBe(false);
    expect(existsSync(path.join(dir, 'slept'))).toBe(false);
    expect(existsSync(path.join(dir, 'after'))).toBe(false);
  });
});

describe('a host that dies in the middle of an upload', () => {
  it('keeps the old file whole; the next run removes the temp file and converges', async () => {
    const dir = workDir(root, 'cut');
    const victim = h(VICTIM);
    await hostShell(victim, 'mkdir -p /srv/data && printf old-content > /srv/data/big.bin');
    // 64 MB of varied bytes: long enough to be cut in the middle.
    const big = Buffer.alloc(64 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2654435761) >>> 0, i);
    writeFileSync(path.join(dir, 'big.bin'), big);
    writeFiles(dir, {
      'pb.yml': `
- hosts: all
  gather_facts: false
  tasks:
    - copy:
        src: big.bin
        dest: /srv/data/big.bin
`,
    });
    const inv = writeInventory(dir, lab, [victim]);
    const env = { RACKPLAY_STATE_DIR: stateDir };
    const dest = path.join(victim.root, 'srv/data/big.bin');
    let killed = false;
    // Watched from this machine (the host's root is a directory here), polled often: an
    // upload over loopback is quick.
    const dataDir = path.join(victim.root, 'srv/data');
    const watcher = setInterval(() => {
      if (killed) return;
      for (const f of readdirSync(dataDir)) {
        if (!f.startsWith('.big.bin.rackplay-')) continue;
        let size = 0;
        try {
          size = statSync(path.join(dataDir, f)).size;
        } catch {
          continue;
        }
        if (size < 2 * 1024 * 1024) continue;
        killed = true;
        // sshd is PID 1 of the host: killing it ends every process of the host at once.
        process.kill(victim.pid, 'SIGKILL');
        return;
      }
    }, 2);
    const first = await rackplay(['-i', inv, 'pb.yml'], { cwd: dir, env });
    clearInterval(watcher);
    expect(killed).toBe(true);
    expect(first.code).toBe(4);
    expect(first.stdout).toMatch(/UNREACHABLE/);
    // The host's files outlive it: the destination is the old file, whole.
    expect(readFileSync(dest, 'utf8')).toBe('old-content');
    const journal = JSON.parse(readFileSync(path.join(stateDir, 'orphan-temps.json'), 'utf8')) as Record<string, string[]>;
    const orphans = Object.values(journal).flat();
    expect(orphans.some((p) => p.startsWith('/srv/data/.big.bin.rackplay-'))).toBe(true);

    const back = await restartHost(lab, victim.name);
    expect(await tempFiles(back)).not.toEqual([]);
    const second = await rackplay(['-i', inv, 'pb.yml'], { cwd: dir, env });
    expect(second.code).toBe(0);
    expect(second.recap[back.name].changed).toBe(1);
    expect(readFileSync(dest).equals(big)).toBe(true);
    expect(await tempFiles(back)).toEqual([]);
    const again = await rackplay(['-i', inv, 'pb.yml'], { cwd: dir, env });
    expect(again.recap[back.name]).toMatchObject({ ok: 1, changed: 0 });
  });
});

/** Calls `then` once a temp file for `name` in `dir` (on this machine) has grown past 2 MB. */
function whenUploadUnderWay(dir: string, name: string, then: () => void): { stop(): void; fired(): boolean } {
  let fired = false;
  const timer = setInterval(() => {
    if (fired) return;
    for (const f of readdirSync(dir)) {
      if (!f.startsWith(`.${name}.rackplay-`)) continue;
      let size = 0;
      try {
        size = statSync(path.join(dir, f)).size;
      } catch {
        continue;
      }
      if (size < 2 * 1024 * 1024) continue;
      fired = true;
      then();
      return;
    }
  }, 2);
  return { stop: () => clearInterval(timer), fired: () => fired };
}

/** The host's sshd processes but its listener (PID 1): those that serve connections. */
function sessionPids(host: LabHost): number[] {
  const ns = readlinkSync(`/proc/${host.pid}/ns/pid`);
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === host.pid) continue;
    try {
      if (readlinkSync(`/proc/${name}/ns/pid`) !== ns) continue;
      if (/^sshd/.test(readFileSync(`/proc/${name}/cmdline`, 'utf8'))) pids.push(Number(name));
    } catch {
      /* gone meanwhile */
    }
  }
  return pids;
}

describe('a connection cut in the middle of an upload through the shell (the host lives on)', () => {
  it('the host side drops the short temp file itself; the old file stays; the next run converges', async () => {
    const dir = workDir(root, 'cut-shell');
    const host = h(NO_SFTP);
    await hostShell(host, 'mkdir -p /srv/data && printf old-content > /srv/data/big.bin');
    const big = Buffer.alloc(64 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2246822519) >>> 0, i);
    writeFileSync(path.join(dir, 'big.bin'), big);
    writeFiles(dir, { 'pb.yml': '- hosts: all\n  gather_facts: false\n  tasks:\n    - copy:\n        src: big.bin\n        dest: /srv/data/big.bin\n' });
    const inv = writeInventory(dir, lab, [host]);
    const env = { RACKPLAY_STATE_DIR: stateDir };
    // Killing the sshd processes of the connection is a network cut as the host sees it:
    // the upload's `cat` reads end-of-file, and the shell goes on.
    const watch = whenUploadUnderWay(path.join(host.root, 'srv/data'), 'big.bin', () => {
      for (const pid of sessionPids(host)) process.kill(pid, 'SIGKILL');
    });
    const first = await rackplay(['-i', inv, 'pb.yml'], { cwd: dir, env });
    watch.stop();
    expect(watch.fired()).toBe(true);
    expect(first.code).toBe(4);
    expect(readFileSync(path.join(host.root, 'srv/data/big.bin'), 'utf8')).toBe('old-content');
    // The host's shell saw a short file and removed it, without any help from us.
    let left = await tempFiles(host);
    for (let i = 0; i < 50 && left.length; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = await tempFiles(host);
    }
    expect(left).toEqual([]);
    const second = await rackplay(['-i', inv, 'pb.yml'], { cwd: dir, env });
    expect(second.code).toBe(0);
    expect(readFileSync(path.join(host.root, 'srv/data/big.bin')).equals(big)).toBe(true);
    expect(await tempFiles(host)).toEqual([]);
  });
});

describe('a host with a full disk', () => {
  it('a copy that does not fit fails with "No space left on device", leaves the old file and no temp file', async () => {
    const dir = workDir(root, 'full');
    const small = h(SMALL_DISK);
    await hostShell(small, 'printf keep-me > /srv/small/app.conf');
    writeFileSync(path.join(dir, 'two-mib.bin'), Buffer.alloc(2 * 1024 * 1024, 7));
    writeFiles(dir, {
      'pb.yml': `
- hosts: all
  gather_facts: false
  tasks:
    - copy:
        src: two-mib.bin
        dest: /srv/small/app.conf
`,
    });
    const inv = writeInventory(dir, lab, [small]);
    const logins = acceptedLogins(small);
    const run = await rackplay(['-i', inv, 'pb.yml'], { cwd: dir, env: { RACKPLAY_STATE_DIR: stateDir } });
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/No space left on device/);
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at .*\.js:\d+/);
    expect(acceptedLogins(small)).toBe(logins + 1);
    expect((await hostShell(small, 'cat /srv/small/app.conf')).stdout).toBe('keep-me');
    expect(await tempFiles(small)).toEqual([]);
    // The tmpfs is empty again but for the old file.
    expect((await hostShell(small, 'ls -A /srv/small')).stdout.trim()).toBe('app.conf');
  });
});
