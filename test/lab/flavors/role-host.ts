// The role-host lab flavor: a Debian host that a public role can converge for real. It is
// the systemd flavor (the machine's real systemd as PID 1, /usr under a private writable
// overlay) with the apt flavor's own dpkg/apt state, plus:
//  - a network namespace of its own, reached from the machine through a veth pair in
//    10.213.0.0/16 (no default route inside, so it reaches nothing else): a role's
//    iptables rules and listening daemons stay in that namespace;
//  - apt sources naming only a local repository of real Debian .debs (hard-linked into
//    /srv/rackplay-debs from the directory the caller gives), so `update_cache` works offline;
//  - sshd as the unit Debian names `ssh.service` (alias sshd.service), so a role's
//    `restart ssh` handler restarts the lab's own sshd;
//  - no CAP_SYS_TIME anywhere in the host (dropped from the bounding set before systemd
//    starts), so no ntpd nor timedated can set the machine's clock;
//  - SIMULATION stand-ins for swapon/swapoff (see SWAP_STANDIN): swap is the kernel's, shared
//    with the machine.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, cp, link, mkdir, readdir, readFile, rename, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { populateApt } from './apt.js';
import { hostCgroup, populateSystemd, systemdLauncher } from './systemd.js';

const run = promisify(execFile);

/** Where the local repository appears inside the host. */
export const ROLE_HOST_REPO = '/srv/rackplay-debs';

/** Host i of slot s: 10.213.s.(4i+2), its machine-side peer .(4i+1), one /30 each. */
export function roleHostAddress(slot: number, index: number): string {
  if (index > 62) throw new Error('the role-host flavor has room for 63 hosts per lab');
  return `10.213.${slot}.${4 * index + 2}`;
}

function netNames(address: string): { netns: string; veth: string; peer: string } {
  const [, , s, k] = address.split('.').map(Number);
  return { netns: `rplab-${s}-${k}`, veth: `rpv${s}-${k}`, peer: `10.213.${s}.${k - 1}` };
}

const ip = (...args: string[]) => run('ip', args);

/** Makes the host's network namespace and its veth pair (again, if a stale one is left). */
export async function setupRoleHostNet(address: string): Promise<void> {
  const { netns, veth, peer } = netNames(address);
  await cleanupRoleHostNet(address);
  await ip('netns', 'add', netns);
  await ip('link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns);
  await ip('addr', 'add', `${peer}/30`, 'dev', veth);
  await ip('link', 'set', veth, 'up');
  await ip('-n', netns, 'addr', 'add', `${address}/30`, 'dev', 'eth0');
  await ip('-n', netns, 'link', 'set', 'eth0', 'up');
  await ip('-n', netns, 'link', 'set', 'lo', 'up');
}

/** Removes the namespace (its end of the veth pair goes with it, and so the pair). */
export async function cleanupRoleHostNet(address: string): Promise<void> {
  const { netns, veth } = netNames(address);
  await ip('netns', 'del', netns).catch(() => undefined);
  await ip('link', 'del', veth).catch(() => undefined);
}

const CHROOT_EXEC = 'exec chroot "$R" /usr/bin/env -i container=rackplay-lab /usr/lib/systemd/systemd';

/**
 * The systemd flavor's host script, with the host's root made the root of its mount
 * namespace (pivot_root) instead of a chroot: the sandboxing of Debian's service units
 * (PrivateTmp, ProtectSystem... in apache2, redis-server, memcached) sets up mount
 * namespaces, which systemd cannot do below a chroot ("Failed to set up mount namespacing").
 */
export function roleHostScript(systemdScript: string): string {
  if (!systemdScript.includes(CHROOT_EXEC)) throw new Error('the systemd host script no longer ends as the role-host flavor expects');
  return systemdScript
    .replace('mount --make-rprivate / 2>/dev/null || true\n', 'mount --make-rprivate / 2>/dev/null || true\n# pivot_root needs the new root to be a mount point\nmount --bind "$R" "$R"\n')
    // most of /proc/sys is the machine's kernel (vm.*, kernel.*): read-only, as in a
    // container; a sysctl task whose value differs fails instead of changing the machine.
    // SIMULATED_SYSCTLS are host-private files bind-mounted over theirs
    .replace(
      /(mount -t proc [^\n]*\n)/,
      `$1mount --bind "$R/proc/sys" "$R/proc/sys"
mount -o remount,bind,ro "$R/proc/sys"
for f in "$R${SIM_SYSCTL_DIR}"/*; do [ -f "$f" ] && mount --bind "$f" "$R/proc/sys/$(basename "$f" | tr . /)"; done
`,
    )
    .replace(
      CHROOT_EXEC,
      `cd "$R"; mkdir -p .lab-oldroot; pivot_root . .lab-oldroot
exec /usr/bin/env -i container=rackplay-lab /bin/sh -c 'cd /; umount -l /.lab-oldroot && rmdir /.lab-oldroot; exec /usr/lib/systemd/systemd'`,
    );
}

/** The systemd flavor's launcher, run inside the host's network namespace without CAP_SYS_TIME. */
export function roleHostLauncher(address: string): string {
  return systemdLauncher(hostCgroup(address), `nsenter --net=/run/netns/${netNames(address).netns} setpriv --bounding-set -sys_time`);
}

// SIMULATION for the rackplay lab: swap areas belong to the kernel, which the host shares
// with the machine, so a real swapon would add swap to the machine. These keep the list of
// "active" swap files in the host's /var/lib/rackplay-sim/swaps and check what swapon
// checks first (the file exists and has a swap signature, as mkswap, which is real, writes).
const SWAP_STANDIN = (cmd: 'swapon' | 'swapoff') => `#!/bin/sh
# SIMULATION for the rackplay lab: ${cmd} without touching the kernel's swap (the lab host
# shares the machine's kernel). State: /var/lib/rackplay-sim/swaps. See docs/lab.md.
S=/var/lib/rackplay-sim/swaps
mkdir -p /var/lib/rackplay-sim; touch "$S"
case "$1" in
  --show|-s|--summary|"") cat "$S"; exit 0 ;;
  -a|--all) exit 0 ;;
esac
f="$1"
[ -e "$f" ] || { echo "${cmd}: $f: No such file or directory" >&2; exit 1; }
${
  cmd === 'swapon'
    ? `dd if="$f" bs=1 skip=4086 count=10 2>/dev/null | grep -q SWAPSPACE2 || { echo "swapon: $f: read swap header failed" >&2; exit 255; }
grep -qx "$f" "$S" && { echo "swapon: $f: swapon failed: Device or resource busy" >&2; exit 255; }
echo "$f" >> "$S"`
    : `grep -qx "$f" "$S" || { echo "swapoff: $f: swapoff failed: Invalid argument" >&2; exit 255; }
grep -vx "$f" "$S" > "$S.new" || true; mv "$S.new" "$S"`
}
`;

async function linkTree(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const e of await readdir(from, { withFileTypes: true })) {
    if (!e.isFile()) continue;
    const src = path.join(from, e.name);
    const dst = path.join(to, e.name);
    await link(src, dst).catch(() => copyFile(src, dst));
  }
}

// SIMULATION for the rackplay lab: kernel-wide settings that roles tune (geerlingguy.swap
// sets vm.swappiness) but that would change the machine's kernel: each is a file of the
// host's, starting with the machine's value, bind-mounted over its /proc/sys entry, so
// sysctl reads and writes it as usual and the kernel never sees it.
const SIMULATED_SYSCTLS = ['vm.swappiness', 'vm.vfs_cache_pressure'];
const SIM_SYSCTL_DIR = '/var/lib/rackplay-sim/sysctl';

// Configuration of the base system's packages (procps, cron, logrotate, pam...) that the
// Debian base leaves out: roles write into them (sysctl.d, cron.d...), and maintainer
// scripts need PAM's services (adduser --gecos runs chfn). What the base wrote stays.
const BASE_ETC = ['sysctl.conf', 'sysctl.d', 'cron.d', 'cron.daily', 'logrotate.d', 'security', 'tmpfiles.d', 'profile.d', 'rsyslog.d', 'pam.d'];

// /var/lib entries the lab does not copy from the machine: its own (apt, dpkg: populateApt;
// systemd), credentials (sudo) and data (postgresql)
const OWN_VAR_LIB = new Set(['apt', 'dpkg', 'systemd', 'sudo', 'postgresql', 'private']);

/**
 * The machine's /var/lib state of its installed packages (ca-certificates-java's, ucf's...):
 * the host's dpkg database says they are installed, and their maintainer scripts expect it.
 */
async function copyPackageState(root: string): Promise<void> {
  const entries = (await readdir('/var/lib')).filter((e) => !OWN_VAR_LIB.has(e)).map((e) => '/var/lib/' + e);
  const owned = await run('dpkg-query', ['-S', ...entries]).then(
    (r) => r.stdout,
    (e: { stdout?: string }) => e.stdout ?? '',
  );
  const paths = new Set(owned.split('\n').map((l) => l.slice(l.indexOf(': ') + 2).trim()));
  for (const p of entries.filter((e) => paths.has(e))) await cp(p, path.join(root, p.slice(1)), { recursive: true, verbatimSymlinks: true, force: false, errorOnExist: false });
}

/** Adds systemd, apt state, the repository, the ssh unit and the stand-ins over the Debian base. */
export async function populateRoleHost(root: string, aptRepo: string | undefined): Promise<void> {
  if (!aptRepo || !existsSync(path.join(aptRepo, 'Packages'))) throw new Error(`the role-host flavor needs aptRepo: an indexed local repository (Packages), got ${aptRepo}`);
  await populateSystemd(root);
  await populateApt(root);
  await mkdir(path.join(root, SIM_SYSCTL_DIR.slice(1)), { recursive: true });
  for (const name of SIMULATED_SYSCTLS) {
    const now = await readFile('/proc/sys/' + name.replace(/\./g, '/'), 'utf8').catch(() => undefined);
    if (now !== undefined) await writeFile(path.join(root, SIM_SYSCTL_DIR.slice(1), name), now);
  }
  await copyPackageState(root);
  for (const rel of BASE_ETC) {
    const dst = path.join(root, 'etc', rel);
    if (existsSync('/etc/' + rel)) await cp('/etc/' + rel, dst, { recursive: true, verbatimSymlinks: true, force: false, errorOnExist: false });
  }
  const sys = path.join(root, 'etc/systemd/system');
  await rename(path.join(sys, 'lab-sshd.service'), path.join(sys, 'ssh.service'));
  await rm(path.join(sys, 'lab.target.wants/lab-sshd.service'));
  await symlink('../ssh.service', path.join(sys, 'lab.target.wants/ssh.service'));
  await symlink('ssh.service', path.join(sys, 'sshd.service'));
  await linkTree(aptRepo, path.join(root, ROLE_HOST_REPO.slice(1)));
  await writeFile(path.join(root, 'etc/apt/sources.list'), `deb [trusted=yes] file:${ROLE_HOST_REPO} ./\n`);
  // a fresh host's package lists are as old as its image: `cache_valid_time` must not take
  // the directory populateApt just made for a recent update
  const old = new Date('2024-01-01T00:00:00Z');
  await utimes(path.join(root, 'var/lib/apt/lists'), old, old);
  // the systemd flavor's /usr overlay: upper/sbin is the host's /usr/sbin (= /sbin)
  const sbin = path.join(root, 'var/lib/rackplay-lab/usr-overlay/upper/sbin');
  await mkdir(sbin, { recursive: true });
  for (const cmd of ['swapon', 'swapoff'] as const) {
    await writeFile(path.join(sbin, cmd), SWAP_STANDIN(cmd));
    await chmod(path.join(sbin, cmd), 0o755);
  }
}

/**
 * Indexes a directory of .debs as a flat repository (Packages, Packages.gz and a Release
 * naming both, so apt does not try, and report, every other compression).
 */
export async function indexAptRepo(repo: string): Promise<void> {
  const { stdout } = await run('dpkg-scanpackages', ['-m', '.', '/dev/null'], { cwd: repo, maxBuffer: 1 << 28 });
  const gz = gzipSync(stdout);
  await writeFile(path.join(repo, 'Packages'), stdout);
  await writeFile(path.join(repo, 'Packages.gz'), gz);
  const sums = [['Packages', Buffer.from(stdout)] as const, ['Packages.gz', gz] as const].map(([n, b]) => ` ${createHash('sha256').update(b).digest('hex')} ${b.length} ${n}`);
  await writeFile(path.join(repo, 'Release'), ['Origin: rackplay-lab', 'Label: rackplay-lab', 'Date: Thu, 01 Jan 2026 00:00:00 UTC', 'SHA256:', ...sums, ''].join('\n'));
}
