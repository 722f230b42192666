// A rack of real OpenSSH servers on this one machine, for integration tests and demos.
// Each host is the machine's own /usr/sbin/sshd, started as root inside its own mount,
// UTS and PID namespaces and chrooted into a root directory of its own: /usr is this
// machine's, bind-mounted read-only; /etc, /var, /tmp, /root and /home belong to the
// host. So a task on one host cannot touch another host's files nor the machine's.
// The mounts live only in the host's mount namespace: they vanish with its processes.
// The sl44 flavor (flavors/sl44.ts, docs/lab.md) dresses a host as Scientific Linux 4.4 with
// SIMULATED tools over a private overlay of /usr, under a lab init that can "reboot".
import { spawn, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, openSync, closeSync } from 'node:fs';
import { chmod, chown, cp, mkdir, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { APT_HOST_SCRIPT, populateApt } from './flavors/apt.js';
import { populateSl44, SL44_HOST_SCRIPT, type Sl44HostOverride } from './flavors/sl44.js';
import { cleanupSystemdHost, hostCgroup, populateSystemd, SYSTEMD_HOST_SCRIPT, systemdLauncher } from './flavors/systemd.js';
import { cleanupRoleHostNet, populateRoleHost, roleHostAddress, roleHostLauncher, roleHostScript, setupRoleHostNet } from './flavors/role-host.js';

export type { Sl44HostOverride } from './flavors/sl44.js';

const run = promisify(execFile);

export type LabFlavor = 'debian' | 'sl44' | 'systemd' | 'apt' | 'role-host';

export interface LabHost {
  name: string;
  address: string;
  port: number;
  /** Its filesystem root directory on this machine. */
  root: string;
  /** PID 1 of the host's PID namespace (as seen from this machine): sshd, or the sl44 lab init. */
  pid: number;
  /** The `unshare` process that holds the namespaces. */
  unsharePid: number;
  /** sshd's log (LogLevel VERBOSE), on this machine. */
  logPath: string;
}

export interface Lab {
  dir: string;
  flavor: LabFlavor;
  hosts: LabHost[];
  inventoryPath: string;
  knownHostsPath: string;
  sshConfigPath: string;
  keyPath: string;
  /** The login user of the inventory (root). */
  user: string;
  /** A non-root user on every host, in group sudo, whose sudo needs `sudoPassword`. */
  becomeUser: string;
  sudoPassword: string;
  stop(): Promise<void>;
}

/** Per-host variations, for tests of odd servers. */
export interface LabHostSetup {
  /** false: no `Subsystem sftp` line. */
  sftp?: boolean;
  /** Host key type; ed25519 by default. */
  hostKeyType?: 'ed25519' | 'rsa';
  /** Extra sshd_config lines (appended; sshd takes the first value it reads, so these
   *  only add settings that the base config does not set). */
  sshdConfig?: string[];
  /** Replace these base sshd_config keywords instead of adding (e.g. LogLevel). */
  overrides?: Record<string, string>;
  /** Size-limited tmpfs mounts inside the host (e.g. `{ '/srv/small': 1024 }`, in KiB): a full disk on demand. */
  tmpfs?: Record<string, number>;
}

export interface StartLabOptions {
  count: number;
  flavor?: LabFlavor;
  /** Lab directory; `.lab` in the current directory by default. */
  dir?: string;
  namePrefix?: string;
  /** sshd port: 22 by default (2222 if this machine listens on *:22); host i gets basePort + i when set. */
  basePort?: number;
  /** Variations by host index (0-based). */
  hostSetup?: Record<number, LabHostSetup>;
  /** sl44 only: simulated hardware by host name (e.g. `{ node03: { withoutCpuFlags: ['vmx'] } }`). */
  hostOverrides?: Record<string, Sl44HostOverride>;
  /** role-host only: an indexed local apt repository (directory with Packages) the hosts install from. */
  aptRepo?: string;
}

interface LabState {
  dir: string;
  slot: number;
  slotLock: string;
  user: string;
  becomeUser: string;
  sudoPassword: string;
  flavor: LabFlavor;
  hosts: LabHost[];
}

const LAB_USER = 'root';
const BECOME_USER = 'deploy';
const SLOT_DIR = path.join(os.tmpdir(), 'rackplay-lab-slots');

/** Populates a host's root directory for a flavor (everything but ssh keys and sshd_config). */
export type FlavorPopulator = (root: string, host: { name: string; address: string }, ctx: PopulateContext) => Promise<void>;
export interface PopulateContext {
  becomeUser: string;
  /** The shadow line's password hash for becomeUser. */
  passwordHash: string;
  /** sl44: this host's simulated hardware. */
  override?: Sl44HostOverride;
  /** role-host: the local apt repository. */
  aptRepo?: string;
}

export const flavors: Record<LabFlavor, FlavorPopulator> = {
  debian: populateDebian,
  sl44: async (root, host, ctx) => {
    // Debian's userland (it runs on this kernel) dressed as Scientific Linux 4.4: files,
    // and SIMULATION stand-ins for the tools SL4 has and Debian lacks; see flavors/sl44.ts.
    await populateDebian(root, host, ctx);
    await populateSl44(root, host, ctx.override);
  },
  // Debian with the machine's real systemd as PID 1 (flavors/systemd.ts).
  systemd: async (root, host, ctx) => {
    await populateDebian(root, host, ctx);
    await populateSystemd(root);
  },
  // Debian with a writable /usr and its own dpkg/apt state (flavors/apt.ts)
  apt: async (root, host, ctx) => {
    await populateDebian(root, host, ctx);
    await populateApt(root);
  },
  // systemd + apt, in a network namespace of its own, installing from a local repository (flavors/role-host.ts)
  'role-host': async (root, host, ctx) => {
    await populateDebian(root, host, ctx);
    await populateRoleHost(root, ctx.aptRepo);
  },
};

/** What runs as PID 1 of each host: sshd itself, or the sl44 lab init that can "reboot". */
const PID1_OF: Record<LabFlavor, string> = { debian: 'sshd', sl44: 'rackplay-sim/init', systemd: 'systemd', apt: 'sshd', 'role-host': 'systemd' };

function hostAddress(slot: number, index: number): string {
  return `127.${slot}.${1 + Math.floor(index / 254)}.${1 + (index % 254)}`;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function cmdlineOf(pid: number): Promise<string> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

async function readState(dir: string): Promise<LabState | undefined> {
  try {
    return JSON.parse(await readFile(path.join(dir, 'state.json'), 'utf8')) as LabState;
  } catch {
    return undefined;
  }
}

function canBind(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, address, () => srv.close(() => resolve(true)));
  });
}

/**
 * Labs that run at once (test files in parallel) each take a slot: addresses 127.<slot>.x.y.
 * The slot is a directory made with mkdir (atomic); a slot whose owner lab is gone is reclaimed.
 */
async function takeSlot(dir: string, port: number): Promise<{ slot: number; lock: string }> {
  await mkdir(SLOT_DIR, { recursive: true });
  for (let slot = 1; slot < 255; slot++) {
    const lock = path.join(SLOT_DIR, String(slot));
    try {
      await mkdir(lock);
    } catch {
      let owner = '';
      try {
        owner = await readFile(path.join(lock, 'owner'), 'utf8');
      } catch {
        continue; // being created right now by another lab
      }
      const st = owner ? await readState(owner) : undefined;
      const live = st?.slot === slot && st.hosts.some((h) => pidAlive(h.pid) || pidAlive(h.unsharePid));
      const fresh = !st && existsSync(owner) && (await isStartingLab(owner));
      if (live || fresh || owner === dir) continue;
      await rm(lock, { recursive: true, force: true });
      try {
        await mkdir(lock);
      } catch {
        continue;
      }
    }
    await writeFile(path.join(lock, 'owner'), dir);
    if (await canBind(hostAddress(slot, 0), port)) return { slot, lock };
    await rm(lock, { recursive: true, force: true });
  }
  throw new Error('no free lab slot (127.1-254.x.y all in use)');
}

/**
 * Port 22 on each host's own address, unless this machine has an sshd (or anything) on
 * the wildcard address, port 22: then Linux refuses the specific bind too.
 */
async function pickPort(): Promise<number> {
  for (const port of [22, 2222, 10022]) if (await canBind('127.255.255.254', port)) return port;
  throw new Error('ports 22, 2222 and 10022 are all taken on 127.0.0.0/8; pass basePort');
}

async function isStartingLab(dir: string): Promise<boolean> {
  try {
    const pid = Number(await readFile(path.join(dir, 'starting.pid'), 'utf8'));
    return pidAlive(pid);
  } catch {
    return false;
  }
}

function sha512Crypt(password: string): Promise<string> {
  // perl-base is Essential in Debian (openssl is not); its crypt() is libc's, which knows $6$.
  const salt = randomBytes(8).toString('hex');
  return new Promise((resolve, reject) => {
    const child = spawn('perl', ['-e', 'my $p = <STDIN>; chomp $p; print crypt($p, "\\$6\\$$ARGV[0]\\$")', salt], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 && out.startsWith('$6$') ? resolve(out.trim()) : reject(new Error(`password hashing failed (${code}): ${out}`))));
    child.stdin.end(password + '\n');
  });
}

const PAM_UNIX = ['auth required pam_unix.so', 'account required pam_unix.so', 'session required pam_unix.so', ''].join('\n');

async function populateDebian(root: string, host: { name: string; address: string }, ctx: PopulateContext): Promise<void> {
  const dirs = ['usr', 'etc/ssh/authorized_keys', 'etc/pam.d', 'var/log', 'var/tmp', 'var/lib', 'var/cache', 'var/spool', 'tmp', 'root', 'home', 'run/sshd', 'proc', 'dev/pts', 'srv', 'opt', 'mnt'];
  await Promise.all(dirs.map((d) => mkdir(path.join(root, d), { recursive: true })));
  // Debian 12 is usr-merged: the top-level program dirs are symlinks into /usr.
  for (const link of ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32']) {
    try {
      const target = await readlink('/' + link);
      await symlink(target, path.join(root, link));
    } catch {
      /* not on this machine */
    }
  }
  await chmod(path.join(root, 'tmp'), 0o1777);
  await chmod(path.join(root, 'var/tmp'), 0o1777);
  await chmod(path.join(root, 'root'), 0o700);
  for (const d of ['null', 'zero', 'full', 'random', 'urandom', 'tty']) await writeFile(path.join(root, 'dev', d), '');
  await symlink('pts/ptmx', path.join(root, 'dev/ptmx'));
  await symlink('/proc/self/fd', path.join(root, 'dev/fd'));
  for (const [i, n] of ['stdin', 'stdout', 'stderr'].entries()) await symlink(`/proc/self/fd/${i}`, path.join(root, 'dev', n));

  const etc = path.join(root, 'etc');
  // Copied from this machine: what programs under /usr expect to find in /etc.
  const copied = ['alternatives', 'ld.so.cache', 'ld.so.conf', 'ld.so.conf.d', 'profile', 'bash.bashrc', 'environment', 'login.defs', 'shells', 'localtime', 'timezone', 'debian_version', 'os-release', 'services', 'protocols', 'skel', 'default', 'adduser.conf', 'inputrc', 'mime.types', 'ssh/moduli', 'ssh/ssh_config'];
  await Promise.all(
    copied.map(async (f) => {
      if (existsSync('/etc/' + f)) await cp('/etc/' + f, path.join(etc, f), { recursive: true, verbatimSymlinks: true }).catch(() => undefined);
    }),
  );
  const u = ctx.becomeUser;
  await writeFile(
    path.join(etc, 'passwd'),
    [
      'root:x:0:0:root:/root:/bin/bash',
      'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
      'bin:x:2:2:bin:/bin:/usr/sbin/nologin',
      'sys:x:3:3:sys:/dev:/usr/sbin/nologin',
      'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
      'sshd:x:100:65534::/run/sshd:/usr/sbin/nologin',
      `${u}:x:1000:1000:${u}:/home/${u}:/bin/bash`,
      '',
    ].join('\n'),
  );
  await writeFile(
    path.join(etc, 'group'),
    ['root:x:0:', 'daemon:x:1:', 'bin:x:2:', 'sys:x:3:', 'adm:x:4:', 'tty:x:5:', 'sudo:x:27:' + u, 'staff:x:50:', 'users:x:100:', 'nogroup:x:65534:', `${u}:x:1000:`, ''].join('\n'),
  );
  // '*' (not '!'): root has no password but is not locked, so key logins work.
  await writeFile(path.join(etc, 'shadow'), ['root:*:19000:0:99999:7:::', 'daemon:*:19000:0:99999:7:::', 'bin:*:19000:0:99999:7:::', 'sys:*:19000:0:99999:7:::', 'nobody:*:19000:0:99999:7:::', 'sshd:*:19000:0:99999:7:::', `${u}:${ctx.passwordHash}:19000:0:99999:7:::`, ''].join('\n'), { mode: 0o640 });
  await writeFile(path.join(etc, 'gshadow'), ['root:*::', 'sudo:*::' + u, `${u}:!::`, ''].join('\n'), { mode: 0o640 });
  await writeFile(path.join(etc, 'hostname'), host.name + '\n');
  await writeFile(path.join(etc, 'hosts'), `127.0.0.1 localhost\n${host.address} ${host.name}\n`);
  await writeFile(path.join(etc, 'nsswitch.conf'), 'passwd: files\ngroup: files\nshadow: files\ngshadow: files\nhosts: files\n');
  await writeFile(
    path.join(etc, 'sudoers'),
    [
      'Defaults env_reset',
      'Defaults secure_path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"',
      'Defaults lecture=never',
      // Every become test must send the password: no cached credentials.
      'Defaults timestamp_timeout=0',
      'root ALL=(ALL:ALL) ALL',
      '%sudo ALL=(ALL:ALL) ALL',
      '',
    ].join('\n'),
    { mode: 0o440 },
  );
  for (const svc of ['sudo', 'su', 'other', 'login', 'chpasswd', 'passwd']) {
    const body = svc === 'su' ? 'auth sufficient pam_rootok.so\n' + PAM_UNIX : PAM_UNIX;
    await writeFile(path.join(etc, 'pam.d', svc), body);
  }
  await mkdir(path.join(root, 'home', u), { recursive: true, mode: 0o755 });
  await chown(path.join(root, 'home', u), 1000, 1000);
}

function sshdConfig(h: { address: string; port: number }, setup: LabHostSetup): string {
  const base: Record<string, string> = {
    ListenAddress: `${h.address}:${h.port}`,
    HostKey: `/etc/ssh/ssh_host_${setup.hostKeyType ?? 'ed25519'}_key`,
    UsePAM: 'no',
    PermitRootLogin: 'yes',
    PubkeyAuthentication: 'yes',
    PasswordAuthentication: 'yes',
    KbdInteractiveAuthentication: 'no',
    AuthorizedKeysFile: '/etc/ssh/authorized_keys/%u',
    StrictModes: 'yes',
    PrintMotd: 'no',
    PrintLastLog: 'no',
    UseDNS: 'no',
    MaxSessions: '32',
    MaxStartups: '200',
    LogLevel: 'VERBOSE',
    PidFile: 'none',
    AcceptEnv: 'LANG LC_*',
    ...setup.overrides,
  };
  const lines = Object.entries(base).map(([k, v]) => `${k} ${v}`);
  if (setup.sftp !== false) lines.push('Subsystem sftp /usr/lib/openssh/sftp-server');
  lines.push(...(setup.sshdConfig ?? []));
  return lines.join('\n') + '\n';
}

// Runs as PID 1's parent inside fresh namespaces: private mounts for the host, then sshd
// becomes PID 1 of the PID namespace, so killing it ends every process of the host.
const HOST_SCRIPT = `set -e
R="$1"; H="$2"
mount --make-rprivate / 2>/dev/null || true
mount --bind /usr "$R/usr"
mount -o remount,bind,ro "$R/usr"
mount -t proc -o nosuid,nodev,noexec proc "$R/proc"
for d in null zero full random urandom tty; do mount --bind "/dev/$d" "$R/dev/$d"; done
mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$R/dev/pts" 2>/dev/null || true
# Optional size-limited tmpfs mounts: "PATH:KiB" words after the host name.
shift 2
for m in "$@"; do mkdir -p "$R\${m%%:*}"; mount -t tmpfs -o "size=\${m##*:}k,mode=0755" tmpfs "$R\${m%%:*}"; done
hostname "$H"
exec chroot "$R" /usr/sbin/sshd -D -E /var/log/sshd.log -f /etc/ssh/sshd_config
`;

async function childPidOf(pid: number, timeoutMs: number): Promise<number> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const kids = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8')).trim();
      if (kids) return Number(kids.split(/\s+/)[0]);
    } catch {
      throw new Error(`unshare (pid ${pid}) exited early`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`unshare (pid ${pid}) started no child`);
}

function waitForBanner(address: string, port: number, timeoutMs: number, alive: () => boolean): Promise<void> {
  const until = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (!alive()) return reject(new Error(`sshd on ${address}:${port} exited`));
      const s = net.connect(port, address);
      let buf = '';
      s.setTimeout(1000);
      s.on('data', (b) => {
        buf += b.toString('latin1');
        if (buf.startsWith('SSH-')) {
          s.destroy();
          resolve();
        }
      });
      const retry = () => {
        s.destroy();
        if (Date.now() > until) reject(new Error(`sshd on ${address}:${port} did not answer within ${timeoutMs} ms`));
        else setTimeout(attempt, 20);
      };
      s.on('error', retry);
      s.on('timeout', retry);
    };
    attempt();
  });
}

async function startHost(dir: string, host: Omit<LabHost, 'pid' | 'unsharePid'>, flavor: LabFlavor = 'debian', tmpfs: Record<string, number> = {}): Promise<LabHost> {
  for (const [p, kib] of Object.entries(tmpfs)) {
    if (!/^\/[A-Za-z0-9_./-]+$/.test(p) || !Number.isInteger(kib) || kib < 1) throw new Error(`bad tmpfs mount ${p}: ${kib} KiB`);
  }
  const mounts = Object.entries(tmpfs).map(([p, kib]) => `${p}:${kib}`);
  const bootLog = path.join(dir, 'hosts', host.name + '.boot.log');
  const fd = openSync(bootLog, 'w');
  if (flavor === 'role-host') await setupRoleHostNet(host.address);
  const argv =
    flavor === 'systemd' || flavor === 'role-host'
      ? ['/bin/sh', '-c', flavor === 'systemd' ? systemdLauncher(hostCgroup(host.address)) : roleHostLauncher(host.address), flavor === 'systemd' ? SYSTEMD_HOST_SCRIPT : roleHostScript(SYSTEMD_HOST_SCRIPT), 'lab-host', host.root, host.name]
      : ['unshare', '--mount', '--uts', '--pid', '--fork', '--kill-child', '--', '/bin/sh', '-c', flavor === 'sl44' ? SL44_HOST_SCRIPT : flavor === 'apt' ? APT_HOST_SCRIPT : HOST_SCRIPT, 'lab-host', host.root, host.name, ...(flavor === 'sl44' ? [] : mounts)];
  const child = spawn(argv[0], argv.slice(1), {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' },
  });
  closeSync(fd);
  child.unref();
  const unsharePid = child.pid!;
  let exited = false;
  child.on('exit', () => (exited = true));
  try {
    const pid = await childPidOf(unsharePid, 5000);
    await waitForBanner(host.address, host.port, 10000, () => !exited && pidAlive(pid));
    return { ...host, pid, unsharePid };
  } catch (e) {
    const boot = await readFile(bootLog, 'utf8').catch(() => '');
    const log = await readFile(host.logPath, 'utf8').catch(() => '');
    try {
      process.kill(unsharePid, 'SIGKILL');
    } catch {
      /* gone */
    }
    if (flavor === 'systemd' || flavor === 'role-host') await cleanupSystemdHost(host.address);
    if (flavor === 'role-host') await cleanupRoleHostNet(host.address);
    throw new Error(`lab host ${host.name} did not start: ${(e as Error).message}\n${boot}${log}`.trim());
  }
}

export async function startLab(opts: StartLabOptions): Promise<Lab> {
  const dir = path.resolve(opts.dir ?? '.lab');
  const flavor = opts.flavor ?? 'debian';
  const prefix = opts.namePrefix ?? 'node';
  if (!Number.isInteger(opts.count) || opts.count < 1 || opts.count > 254 * 250) throw new Error(`lab host count must be 1..63500, got ${opts.count}`);
  if (process.getuid?.() !== 0) throw new Error('the lab needs root (sshd, namespaces, chroot)');
  const old = await readState(dir);
  if (old && old.hosts.some((h) => pidAlive(h.pid))) throw new Error(`a lab is already running in ${dir}; stop it first`);
  if (old) await stopLab(dir);
  await rm(dir, { recursive: true, force: true });
  await mkdir(path.join(dir, 'hosts'), { recursive: true });
  await writeFile(path.join(dir, 'starting.pid'), String(process.pid));
  const port0 = opts.basePort ?? (await pickPort());
  const { slot, lock } = await takeSlot(dir, port0);

  const keyPath = path.join(dir, 'id_ed25519');
  const sudoPassword = 'lab-' + randomBytes(9).toString('base64url');
  const [, passwordHash] = await Promise.all([run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'rackplay-lab', '-f', keyPath]), sha512Crypt(sudoPassword)]);
  const clientPub = await readFile(keyPath + '.pub', 'utf8');
  const width = Math.max(2, String(opts.count).length);
  const planned = Array.from({ length: opts.count }, (_, i) => {
    const name = prefix + String(i + 1).padStart(width, '0');
    const root = path.join(dir, 'hosts', name);
    // a role host has a network namespace (and so port 22) of its own
    if (flavor === 'role-host') return { name, address: roleHostAddress(slot, i), port: 22, root, logPath: path.join(root, 'var/log/sshd.log') };
    return { name, address: hostAddress(slot, i), port: opts.basePort !== undefined ? port0 + i : port0, root, logPath: path.join(root, 'var/log/sshd.log') };
  });

  const overridden = Object.keys(opts.hostOverrides ?? {});
  const unknown = overridden.filter((n) => !planned.some((h) => h.name === n));
  const overrideError = unknown.length
    ? `hostOverrides name hosts this lab does not have: ${unknown.join(', ')} (hosts are ${planned[0].name}..${planned[planned.length - 1].name})`
    : overridden.length && flavor !== 'sl44'
      ? 'hostOverrides simulate hardware and need flavor sl44'
      : undefined;
  if (overrideError) {
    await rm(lock, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
    throw new Error(overrideError);
  }
  const hostKeys = new Map<string, string>();
  await Promise.all(
    planned.map(async (h, i) => {
      const setup = opts.hostSetup?.[i] ?? {};
      await flavors[flavor](h.root, h, { becomeUser: BECOME_USER, passwordHash, override: opts.hostOverrides?.[h.name], aptRepo: opts.aptRepo });
      const type = setup.hostKeyType ?? 'ed25519';
      const keyFile = path.join(h.root, `etc/ssh/ssh_host_${type}_key`);
      await run('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', '', '-C', h.name, '-f', keyFile]);
      hostKeys.set(h.name, (await readFile(keyFile + '.pub', 'utf8')).trim().split(/\s+/).slice(0, 2).join(' '));
      await writeFile(path.join(h.root, 'etc/ssh/sshd_config'), sshdConfig(h, setup));
      for (const u of [LAB_USER, BECOME_USER]) await writeFile(path.join(h.root, 'etc/ssh/authorized_keys', u), clientPub, { mode: 0o644 });
    }),
  );

  const knownHostsPath = path.join(dir, 'known_hosts');
  const sshConfigPath = path.join(dir, 'ssh_config');
  const inventoryPath = path.join(dir, 'inventory.yml');
  const hostPattern = (h: { address: string; port: number }) => (h.port === 22 ? h.address : `[${h.address}]:${h.port}`);
  await writeFile(knownHostsPath, planned.map((h) => `${hostPattern(h)} ${hostKeys.get(h.name)}\n`).join(''));
  await writeFile(
    sshConfigPath,
    planned
      .map((h) => [`Host ${h.name}`, `  HostName ${h.address}`, `  Port ${h.port}`, `  User ${LAB_USER}`, `  IdentityFile ${keyPath}`, '  IdentitiesOnly yes', `  UserKnownHostsFile ${knownHostsPath}`, '  StrictHostKeyChecking yes', ''].join('\n'))
      .join('\n'),
  );
  await writeFile(
    inventoryPath,
    [
      'all:',
      '  vars:',
      `    ansible_ssh_common_args: "-o UserKnownHostsFile=${knownHostsPath}"`,
      `    lab_become_user: ${BECOME_USER}`,
      '  hosts:',
      ...planned.flatMap((h) => [`    ${h.name}:`, `      ansible_host: ${h.address}`, `      ansible_port: ${h.port}`, `      ansible_user: ${LAB_USER}`, `      ansible_ssh_private_key_file: ${keyPath}`]),
      '',
    ].join('\n'),
  );

  const state: LabState = { dir, slot, slotLock: lock, user: LAB_USER, becomeUser: BECOME_USER, sudoPassword, flavor, hosts: [] };
  const started = await Promise.allSettled(planned.map((h, i) => startHost(dir, h, flavor, opts.hostSetup?.[i]?.tmpfs)));
  state.hosts = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  await writeFile(path.join(dir, 'state.json'), JSON.stringify(state, null, 2));
  await rm(path.join(dir, 'starting.pid'), { force: true });
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await stopLab(dir);
    throw failed.reason;
  }
  state.hosts.sort((a, b) => a.name.localeCompare(b.name));
  return labFromState(state);
}

function labFromState(state: LabState): Lab {
  const dir = state.dir;
  return {
    dir,
    flavor: state.flavor ?? 'debian',
    hosts: state.hosts,
    inventoryPath: path.join(dir, 'inventory.yml'),
    knownHostsPath: path.join(dir, 'known_hosts'),
    sshConfigPath: path.join(dir, 'ssh_config'),
    keyPath: path.join(dir, 'id_ed25519'),
    user: state.user,
    becomeUser: state.becomeUser,
    sudoPassword: state.sudoPassword,
    stop: () => stopLab(dir),
  };
}

/**
 * Starts a host again after it was killed (its files stay: they live in its root
 * directory on this machine). Updates `lab.hosts` and the lab's state in place.
 * tmpfs mounts are not restored.
 */
export async function restartHost(lab: Lab, name: string): Promise<LabHost> {
  const st = await readState(lab.dir);
  const old = st?.hosts.find((h) => h.name === name);
  if (!st || !old) throw new Error(`no host ${name} in the lab at ${lab.dir}`);
  if (pidAlive(old.pid) && (await cmdlineOf(old.pid)).includes(PID1_OF[st.flavor ?? 'debian'])) throw new Error(`host ${name} is still running`);
  const { pid: _pid, unsharePid: _u, ...plan } = old;
  const host = await startHost(lab.dir, plan, st.flavor ?? 'debian');
  st.hosts = st.hosts.map((h) => (h.name === name ? host : h));
  await writeFile(path.join(lab.dir, 'state.json'), JSON.stringify(st, null, 2));
  const i = lab.hosts.findIndex((h) => h.name === name);
  if (i >= 0) lab.hosts[i] = host;
  return host;
}

/** The running lab in `dir`, or undefined. */
export async function labStatus(dir = '.lab'): Promise<(Lab & { alive: Record<string, boolean> }) | undefined> {
  const st = await readState(path.resolve(dir));
  if (!st) return undefined;
  const alive = Object.fromEntries(st.hosts.map((h) => [h.name, pidAlive(h.pid)]));
  return { ...labFromState(st), alive };
}

async function killRecorded(pid: number, expect: string): Promise<void> {
  // A PID recorded long ago may belong to someone else now: check what it runs.
  if (!pidAlive(pid) || !(await cmdlineOf(pid)).includes(expect)) return;
  try {
    // systemd as PID 1 takes SIGTERM as "re-execute": only SIGKILL ends it.
    process.kill(pid, expect === PID1_OF.systemd ? 'SIGKILL' : 'SIGTERM');
  } catch {
    return;
  }
  const until = Date.now() + 3000;
  while (pidAlive(pid) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 10));
    // Reap if it is our own child (it was unref'd; the kernel reaps via init otherwise).
    if ((await cmdlineOf(pid)) === '') break;
  }
  if (pidAlive(pid) && (await cmdlineOf(pid)).includes(expect)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

async function mountsUnder(dir: string): Promise<string[]> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  return info
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => !!m && (m === dir || m.startsWith(dir + '/')));
}

/** Stops exactly what startLab started (by recorded PIDs), removes mounts and the lab dir. */
export async function stopLab(dir: string): Promise<void> {
  dir = path.resolve(dir);
  const st = await readState(dir);
  if (st) {
    await Promise.all(st.hosts.map((h) => killRecorded(h.pid, PID1_OF[st.flavor ?? 'debian'])));
    await Promise.all(st.hosts.map((h) => killRecorded(h.unsharePid, 'unshare')));
    if (st.flavor === 'systemd' || st.flavor === 'role-host') await Promise.all(st.hosts.map((h) => cleanupSystemdHost(h.address)));
    if (st.flavor === 'role-host') await Promise.all(st.hosts.map((h) => cleanupRoleHostNet(h.address)));
    const lockOwner = await readFile(path.join(st.slotLock, 'owner'), 'utf8').catch(() => '');
    if (lockOwner === dir) await rm(st.slotLock, { recursive: true, force: true });
  }
  // Mounts are private to each host's namespace; this catches only leftovers of a fallback.
  const left = (await mountsUnder(dir)).sort((a, b) => b.length - a.length);
  for (const m of left) await run('umount', ['-l', m]).catch(() => undefined);
  if ((await mountsUnder(dir)).length > 0) throw new Error(`mounts remain under ${dir}; not removing it`);
  await rm(dir, { recursive: true, force: true });
}

/** Runs a shell command inside a lab host (its namespaces and root), as root, for checks. */
export async function hostShell(host: LabHost, command: string): Promise<{ stdout: string; stderr: string; rc: number }> {
  try {
    const { stdout, stderr } = await run('nsenter', ['-t', String(host.pid), '-m', '-u', '-p', '-r', '-w', '/bin/sh', '-c', command], { encoding: 'utf8' });
    return { stdout, stderr, rc: 0 };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; code?: number };
    return { stdout: err.stdout ?? '', stderr: err.stderr ?? '', rc: typeof err.code === 'number' ? err.code : 1 };
  }
}

/** Host vars for one lab host, as the inventory gives them. */
export function labHostVars(lab: Lab, host: LabHost): Record<string, unknown> {
  return {
    ansible_host: host.address,
    ansible_port: host.port,
    ansible_user: lab.user,
    ansible_ssh_private_key_file: lab.keyPath,
    ansible_ssh_common_args: `-o UserKnownHostsFile=${lab.knownHostsPath}`,
  };
}

async function hostPids(host: LabHost): Promise<number[]> {
  const ns = await readlink(`/proc/${host.pid}/ns/pid`);
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if ((await readlink(`/proc/${name}/ns/pid`)) === ns) pids.push(Number(name));
    } catch {
      /* exited meanwhile */
    }
  }
  return pids;
}

/** Stops every process of a host (SIGSTOP): its TCP connections stay open but silent, like a hung machine. */
export async function freezeHost(host: LabHost): Promise<void> {
  for (const pid of await hostPids(host)) {
    try {
      process.kill(pid, 'SIGSTOP');
    } catch {
      /* gone */
    }
  }
}

export async function thawHost(host: LabHost): Promise<void> {
  for (const pid of await hostPids(host)) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      /* gone */
    }
  }
}
