// known_hosts, authorized_key, sysctl, mount and cron over real SSH on lab hosts (each
// has its own /etc, UTS and mount namespace: the kernel.domainname set here and the tmpfs
// mounted here stay in the lab host). Three phases, each run check → apply → apply →
// check: create, change, remove. After each apply the host's files are read back. With
// Debian's ansible-playbook, each run also goes through it against a second lab host and
// must print the same task lines, recap and debug messages, and leave the same files.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { haveAnsiblePlaybook } from '../helpers/cli.js';
import { startLabCycle, type LabCycle } from '../helpers/lab-cycle.js';
import { hostShell, type LabHost } from '../lab/lab.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });

const isRoot = process.getuid?.() === 0;
const haveCrontab = spawnSync('sh', ['-c', 'command -v crontab'], { stdio: 'ignore' }).status === 0;

// Public test keys from ansible-core's known_hosts target and fresh-looking ed25519 blobs: not secrets
const RSA = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAglyZmHHWskQ9wkh8LYbIqzvg99/oloneH7BaZ02ripJUy/2Zynv4tgUfm9fdXvAb1XXCEuTRnts9FBer87+voU0FPRgx3CfY9Sgr0FspUjnm4lqs53FIab1psddAaS7/F7lrnjl6VqBtPwMRQZG7qlml5uogGJwYJHxX0PGtsdoTJsM=';
const ED1 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIzlnSq5ESxLgW0avvPk3j7zLV59hcAPkxrMNdnZMKP2';
const ED2 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMnTdBkLlscB1U/+fC22TE6CiBfvcwcjHCgIXARACI29';

const FILES = 'cat /etc/ssh/ssh_known_hosts /root/.ssh/authorized_keys /etc/sysctl.conf /etc/fstab 2>/dev/null; sysctl -n kernel.domainname; grep " /mnt/rp " /proc/self/mounts | cut -d" " -f1-4';

const PHASES: { name: string; tasks: string }[] = [
  {
    name: 'create',
    tasks: `
    - known_hosts: {name: example.org, key: "example.org ${RSA}", path: /etc/ssh/ssh_known_hosts}
      register: kh
    - ansible.posix.authorized_key: {user: root, key: "${ED1} alice@lab\\n${ED2}", key_options: no-pty}
      register: ak
    - ansible.posix.sysctl: {name: kernel.domainname, value: rackplay.lab, sysctl_set: true}
      register: sc
    - ansible.posix.mount: {path: /mnt/rp, src: tmpfs, fstype: tmpfs, opts: size=1m, state: mounted}
      register: mt
    - debug: msg="kh {{ kh.changed }} {{ kh.path | default('-') }} {{ kh.mode | default('-') }}"
    - debug: msg="ak {{ ak.changed }} {{ ak.keyfile }} {{ ak.key_options }}"
    - debug: msg="sc {{ sc.changed }}"
    - debug: msg="mt {{ mt.changed }} {{ mt.name }} {{ mt.opts }} {{ mt.fstab }} {{ mt.dump }} {{ mt.passno }} {{ mt.boot }}"`,
  },
  {
    name: 'change',
    tasks: `
    - known_hosts: {name: example.org, key: "example.org ${ED2}", path: /etc/ssh/ssh_known_hosts}
    - authorized_key: {user: root, key: "${ED2} bob@lab", exclusive: true}
      register: ak
    - sysctl: {name: kernel.domainname, value: other.lab, sysctl_set: true, reload: false}
    - mount: {path: /mnt/rp, src: tmpfs, fstype: tmpfs, opts: size=2m, state: mounted}
      register: mt
    - debug: msg="ak {{ ak.changed }} {{ ak.exclusive }} mt {{ mt.changed }} {{ mt.opts }}"`,
  },
  {
    name: 'remove',
    tasks: `
    - known_hosts: {name: example.org, path: /etc/ssh/ssh_known_hosts, state: absent}
    - authorized_key: {user: root, key: "${ED2}", state: absent}
    - sysctl: {name: kernel.domainname, state: absent}
    - mount: {path: /mnt/rp, state: absent}
      register: mt
    - debug: msg="mt {{ mt.changed }}"`,
  },
];

describe.skipIf(!isRoot)(`known_hosts, authorized_key, sysctl and mount on lab hosts (needs root for the lab; ${haveAnsiblePlaybook ? 'compared with' : 'without'} ansible-playbook)`, () => {
  let c: LabCycle;
  let ours: LabHost;
  let theirs: LabHost;
  const sh = (h: LabHost, cmd: string) => c.sh(h, cmd);

  beforeAll(async () => {
    c = await startLabCycle('sysfiles-lab', { sameState: true });
    ({ ours, theirs } = c);
  });
  afterAll(async () => c?.stop());

  const cycle = (phase: (typeof PHASES)[number]) => c.cycle(phase.name, phase.tasks.replace(/^\n/, ''), FILES);

  it('adds a host key, two authorized keys, a sysctl key (set in the kernel) and a mounted tmpfs', async () => {
    await cycle(PHASES[0]);
    expect(await sh(ours, 'cat /etc/ssh/ssh_known_hosts')).toBe(`example.org ${RSA}\n`);
    expect(await sh(ours, 'cat /root/.ssh/authorized_keys; stat -c %a /root/.ssh /root/.ssh/authorized_keys')).toBe(`no-pty ${ED1} alice@lab\nno-pty ${ED2} \n700\n600\n`);
    expect(await sh(ours, 'cat /etc/sysctl.conf; sysctl -n kernel.domainname')).toBe('kernel.domainname=rackplay.lab\nrackplay.lab\n');
    expect(await sh(ours, 'tail -n 1 /etc/fstab; grep " /mnt/rp " /proc/self/mounts | cut -d" " -f1-3')).toBe('tmpfs /mnt/rp tmpfs size=1m 0 0\ntmpfs /mnt/rp tmpfs\n');
  });

  it('replaces the host key, keeps one authorized key, sets the kernel value only, and remounts with new options', async () => {
    await cycle(PHASES[1]);
    // a key of another type is added next to the old one, as Ansible does
    expect(await sh(ours, 'cat /etc/ssh/ssh_known_hosts')).toBe(`example.org ${RSA}\nexample.org ${ED2}\n`);
    expect(await sh(ours, 'cat /root/.ssh/authorized_keys')).toBe(`${ED2} bob@lab\n`);
    expect(await sh(ours, 'sysctl -n kernel.domainname')).toBe('other.lab\n');
    expect(await sh(ours, 'grep " /mnt/rp " /proc/self/mounts | cut -d" " -f4')).toMatch(/size=2048k/);
  });

  it('removes them all: the mount point is unmounted and its directory gone', async () => {
    await cycle(PHASES[2]);
    expect(await sh(ours, 'cat /etc/ssh/ssh_known_hosts /root/.ssh/authorized_keys /etc/sysctl.conf')).toBe('');
    expect((await hostShell(ours, 'grep -q " /mnt/rp " /proc/self/mounts')).rc).not.toBe(0);
    expect((await hostShell(ours, 'test -e /mnt/rp')).rc).not.toBe(0);
  });

  // The lab hosts run this machine's /usr: without Debian's `cron` package there is no crontab
  it.skipIf(!haveCrontab)('cron: a job in root\'s crontab and a cron_file with a variable, then both removed (needs crontab: Debian package cron)', async () => {
    // what the cron package would have made in the host's own /var and /etc
    for (const h of [ours, theirs]) await sh(h, 'mkdir -p /etc/cron.d /var/spool/cron/crontabs && chmod 1730 /var/spool/cron/crontabs');
    await cycle({
      name: 'cron',
      tasks: `
    - cron: {name: nightly, minute: "0", hour: "3", job: /usr/bin/true}
    - cron: {name: PATH, env: true, job: /usr/bin:/bin, cron_file: rp, user: root}
    - cron: {name: hourly, special_time: hourly, job: /bin/true, cron_file: rp, user: root}
      register: cr
    - debug: msg="cron {{ cr.changed }} {{ cr.jobs }} {{ cr.envs }} {{ cr.cron_file }}"`,
    });
    expect(await sh(ours, 'crontab -l')).toBe('#Ansible: nightly\n0 3 * * * /usr/bin/true\n');
    expect(await sh(ours, 'cat /etc/cron.d/rp')).toBe('PATH="/usr/bin:/bin"\n#Ansible: hourly\n@hourly root /bin/true\n');
    await cycle({
      name: 'cron-remove',
      tasks: `
    - cron: {name: nightly, state: absent}
    - cron: {name: hourly, cron_file: rp, state: absent}
    - cron: {name: PATH, env: true, cron_file: rp, state: absent}`,
    });
    expect(await sh(ours, 'crontab -l 2>/dev/null; cat /etc/cron.d/rp 2>/dev/null')).toBe('');
  });
});
