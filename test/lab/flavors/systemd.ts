// The systemd lab flavor: a Debian lab host whose PID 1 is this machine's real
// /usr/lib/systemd/systemd (not a simulation), so systemctl, unit files, enable/mask
// links and daemon-reload are the real thing. sshd runs as a unit of it.
//
// systemd must not see, nor write to, this machine's cgroups (the machine's PID 1 is not
// systemd; a first try that showed it the machine's /sys left slices in every v1
// hierarchy). So each host gets a cgroup of its own in this machine's cgroup2 hierarchy,
// enters it, and only then makes its cgroup namespace: inside, a fresh cgroup2 mount at
// /sys/fs/cgroup shows that one subtree as the root, and systemd runs in unified mode
// there. The subtree is removed when the host stops (cleanupSystemdHost).
import { existsSync, mkdirSync } from 'node:fs';
import { mkdir, readdir, rmdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** This machine's cgroup2 hierarchy: /sys/fs/cgroup itself (unified) or its `unified` (hybrid). */
export function cgroup2Root(): string {
  for (const d of ['/sys/fs/cgroup', '/sys/fs/cgroup/unified']) if (existsSync(path.join(d, 'cgroup.controllers'))) return d;
  throw new Error('the systemd lab flavor needs a cgroup2 hierarchy (/sys/fs/cgroup or /sys/fs/cgroup/unified)');
}

/** The host's own cgroup on this machine: one per lab slot address, so parallel labs never share one. */
export function hostCgroup(address: string): string {
  return path.join(cgroup2Root(), 'rackplay-lab', address);
}

/** A service the lab tests drive: a shell that sleeps, under a name no distribution uses. */
export const LAB_TEST_UNIT = 'rackplay-demo.service';

const unit = (lines: string[]) => lines.join('\n') + '\n';

export async function populateSystemd(root: string): Promise<void> {
  const sys = path.join(root, 'etc/systemd/system');
  await mkdir(path.join(sys, 'lab.target.wants'), { recursive: true });
  await mkdir(path.join(root, 'sys'), { recursive: true });
  await mkdir(path.join(root, 'etc/init.d'), { recursive: true });
  // Empty: systemd makes one at boot (a container's machine-id is transient).
  await writeFile(path.join(root, 'etc/machine-id'), '');
  // The default target pulls in sshd and nothing else of the machine's many units.
  await writeFile(path.join(sys, 'lab.target'), unit(['[Unit]', 'Description=rackplay lab host', 'AllowIsolate=yes']));
  await symlink('lab.target', path.join(sys, 'default.target'));
  await writeFile(
    path.join(sys, 'lab-sshd.service'),
    unit(['[Unit]', 'Description=OpenSSH server of the lab host', '[Service]', 'RuntimeDirectory=sshd', 'ExecStart=/usr/sbin/sshd -D -E /var/log/sshd.log -f /etc/ssh/sshd_config', 'KillMode=process', '[Install]', 'WantedBy=lab.target']),
  );
  await symlink('../lab-sshd.service', path.join(sys, 'lab.target.wants/lab-sshd.service'));
  // D-Bus, so hostnamectl reaches systemd-hostnamed (as ansible's hostname module needs).
  await symlink('/usr/lib/systemd/system/dbus.socket', path.join(sys, 'lab.target.wants/dbus.socket'));
  // hostnamed's sandbox needs mount namespacing that a chroot (not pivot_root) refuses.
  const dropIn = path.join(sys, 'systemd-hostnamed.service.d');
  await mkdir(dropIn, { recursive: true });
  const off = ['PrivateDevices', 'PrivateNetwork', 'PrivateTmp', 'ProtectControlGroups', 'ProtectHome', 'ProtectKernelLogs', 'ProtectKernelModules', 'ProtectKernelTunables', 'ProtectSystem'];
  await writeFile(path.join(dropIn, 'lab.conf'), unit(['[Service]', ...off.map((o) => `${o}=no`), 'ProtectProc=default', 'ReadWritePaths=']));
  // Where a package's unit would be (/usr/lib/systemd/system is the machine's, read-only
  // here): below /etc/systemd/system, so `systemctl mask` can put its /dev/null link there.
  await mkdir(path.join(root, 'etc/systemd/system.attached'), { recursive: true });
  await writeFile(
    path.join(root, 'etc/systemd/system.attached', LAB_TEST_UNIT),
    unit(['[Unit]', 'Description=rackplay lab demo service', '[Service]', 'ExecStart=/bin/sleep infinity', 'ExecReload=/bin/true', '[Install]', 'WantedBy=multi-user.target']),
  );
}

// Runs in the host's fresh namespaces (the caller entered the host's cgroup first): the
// Debian host's mounts, a cgroup2 mount of its own subtree, then systemd as PID 1.
export const SYSTEMD_HOST_SCRIPT = `set -e
R="$1"; H="$2"
mount --make-rprivate / 2>/dev/null || true
# /usr is the machine's under a private writable layer: a task may install a program
# (as Ansible's service targets do) and the machine's /usr is never written
O="$R/var/lib/rackplay-lab/usr-overlay"
mkdir -p "$O/upper" "$O/work"
mount -t overlay overlay -o "lowerdir=/usr,upperdir=$O/upper,workdir=$O/work" "$R/usr"
mount -t proc -o nosuid,nodev,noexec proc "$R/proc"
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$R/sys"
mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 "$R/sys/fs/cgroup"
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$R/run"
for d in null zero full random urandom tty; do mount --bind "/dev/$d" "$R/dev/$d"; done
mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$R/dev/pts" 2>/dev/null || true
hostname "$H"
exec chroot "$R" /usr/bin/env -i container=rackplay-lab /usr/lib/systemd/systemd
`;

/**
 * Makes the host's cgroup and returns the launcher that enters it, then makes the
 * namespaces (cgroup included) and runs the script. The launcher runs builtins only
 * before its exec: the lab takes the first child of this PID for the host's PID 1.
 */
export function systemdLauncher(cgroup: string, wrapper = ''): string {
  mkdirSync(cgroup, { recursive: true });
  // wrapper: commands that exec what follows (nsenter, setpriv), so the PID stays the launcher's
  return `set -e
echo $$ > "${cgroup}/cgroup.procs"
exec ${wrapper ? wrapper + ' ' : ''}unshare --mount --uts --pid --cgroup --fork --kill-child -- /bin/sh -c "$0" "$@"`;
}

/** Removes the host's cgroup subtree once its processes are gone (deepest first). */
export async function cleanupSystemdHost(address: string): Promise<void> {
  const top = hostCgroup(address);
  if (!existsSync(top)) return;
  const dirs: string[] = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) if (e.isDirectory()) await walk(path.join(d, e.name));
    dirs.push(d);
  };
  await walk(top);
  for (let attempt = 0; attempt < 50; attempt++) {
    let left = 0;
    for (const d of dirs) await rmdir(d).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : left++));
    if (left === 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}
