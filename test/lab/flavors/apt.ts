// The apt lab flavor: a Debian host whose package manager is real and its own. /usr is a
// private overlay over this machine's /usr (the upper layer lives in the host's root, so
// installs land there and vanish with the lab), and the dpkg database, apt's state, cache
// and configuration, and debconf's database are copies of this machine's, so dpkg sees
// exactly what the overlay's lower layer holds. Sources are empty: a test writes its own
// (a local repository, `deb [trusted=yes] file:...`). Nothing here reaches the network.
import { existsSync } from 'node:fs';
import { appendFile, cp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

const COPIED = ['var/lib/dpkg', 'etc/apt', 'etc/dpkg', 'var/cache/debconf', 'etc/debconf.conf', 'var/lib/apt/extended_states', 'etc/ucf.conf'];

/** Adds the package manager's state over the Debian base the lab already wrote. */
export async function populateApt(root: string): Promise<void> {
  for (const rel of COPIED) {
    if (!existsSync('/' + rel)) continue;
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await cp('/' + rel, path.join(root, rel), { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  }
  // its overrides name system groups the lab's /etc/group does not have (dpkg then refuses
  // to run), for files of this machine's own packages
  await writeFile(path.join(root, 'var/lib/dpkg/statoverride'), '');
  // no sources of this machine's: the tests bring theirs
  await rm(path.join(root, 'etc/apt/sources.list'), { force: true });
  const lists = path.join(root, 'etc/apt/sources.list.d');
  await mkdir(lists, { recursive: true });
  for (const f of await readdir(lists)) await rm(path.join(lists, f), { recursive: true, force: true });
  for (const d of ['var/lib/apt/lists/partial', 'var/cache/apt/archives/partial', 'var/log/apt', 'var/lib/rackplay-apt/usr-overlay/upper', 'var/lib/rackplay-apt/usr-overlay/work']) {
    await mkdir(path.join(root, d), { recursive: true });
  }
  // apt fetches as _apt (and warns without it)
  await appendFile(path.join(root, 'etc/passwd'), '_apt:x:42:65534::/nonexistent:/usr/sbin/nologin\n');
  await appendFile(path.join(root, 'etc/shadow'), '_apt:*:19000:0:99999:7:::\n');
}

/** The namespace setup of an apt host: as the Debian one, with /usr a writable overlay. */
export const APT_HOST_SCRIPT = `set -e
R="$1"; H="$2"
O="$R/var/lib/rackplay-apt/usr-overlay"
mount --make-rprivate / 2>/dev/null || true
mount -t overlay overlay -o "lowerdir=/usr,upperdir=$O/upper,workdir=$O/work" "$R/usr"
mount -t proc -o nosuid,nodev,noexec proc "$R/proc"
for d in null zero full random urandom tty; do mount --bind "/dev/$d" "$R/dev/$d"; done
mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$R/dev/pts" 2>/dev/null || true
shift 2
for m in "$@"; do mkdir -p "$R\${m%%:*}"; mount -t tmpfs -o "size=\${m##*:}k,mode=0755" tmpfs "$R\${m%%:*}"; done
hostname "$H"
exec chroot "$R" /usr/sbin/sshd -D -E /var/log/sshd.log -f /etc/ssh/sshd_config
`;
