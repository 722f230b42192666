// The user and group modules over real SSH on lab hosts (each host has its own /etc, so
// nothing here touches this machine's accounts). Three phases, each run check → apply →
// apply → check: create a group and a user, change the user (shell, groups appended, lock),
// remove both. After each apply the host's own passwd/group/shadow files are read back.
// With Debian's ansible-playbook, each run also goes through it against a second lab host
// and must print the same task lines, recap and debug messages.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { haveAnsiblePlaybook } from '../helpers/cli.js';
import { startLabCycle, type LabCycle } from '../helpers/lab-cycle.js';
import { hostShell, type LabHost } from '../lab/lab.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });

const isRoot = process.getuid?.() === 0;
// sha512-crypt of "rackplay-lab" (openssl passwd -6 -salt labsalt): a test value, not a secret
const HASH = '$6$labsalt$0VyFZY8IrGRyVNlDNO8iq0wUQYcKBYsqO.uT.8n6FIj/Kegt/U9RDcVdqq/qvad8uwuGGzTWqC40nRHXlgyyx0';

const PHASES: { name: string; tasks: string }[] = [
  {
    name: 'create',
    tasks: `
    - group: {name: devs}
      register: g
    - group: {name: ops, gid: 1600}
    - user: {name: alice, comment: Alice, shell: /bin/sh, groups: [devs], password: "${HASH}"}
      register: u
    - debug: msg="group {{ g.changed }} {{ g.gid | default('-') }}"
    - debug: msg="user {{ u.changed }} {{ u.uid | default('-') }} {{ u.group | default('-') }} {{ u.home | default('-') }} {{ u.shell | default('-') }} {{ u.groups | default('-') }} {{ u.password | default('-') }}"`,
  },
  {
    name: 'modify',
    tasks: `
    - user: {name: alice, shell: /bin/bash, groups: [ops], append: true, password_lock: true}
      register: u
    - debug: msg="user {{ u.changed }} {{ u.shell | default('-') }} {{ u.groups | default('-') }} {{ u.append | default('-') }}"`,
  },
  {
    name: 'remove',
    tasks: `
    - user: {name: alice, state: absent, remove: true}
      register: u
    - group: {name: devs, state: absent}
    - group: {name: ops, state: absent}
      register: g
    - debug: msg="user {{ u.changed }} {{ u.remove | default('-') }} group {{ g.changed }} {{ g.gid | default('-') }}"`,
  },
];

describe.skipIf(!isRoot)(`user and group on lab hosts (needs root for the lab; ${haveAnsiblePlaybook ? 'compared with' : 'without'} ansible-playbook)`, () => {
  let c: LabCycle;
  let ours: LabHost;
  const sh = (h: LabHost, cmd: string) => c.sh(h, cmd);
  beforeAll(async () => {
    c = await startLabCycle('user-lab');
    ours = c.ours;
  });
  afterAll(async () => c?.stop());

  const cycle = (phase: (typeof PHASES)[number]) => c.cycle(phase.name, phase.tasks.replace(/^\n/, ''), 'cat /etc/passwd /etc/group /etc/shadow');

  it('creates a group and a user: check changes nothing, apply creates, then nothing to do', async () => {
    await cycle(PHASES[0]);
    expect(await sh(ours, 'getent passwd alice')).toMatch(/^alice:x:\d+:\d+:Alice:\/home\/alice:\/bin\/sh\n$/);
    expect(await sh(ours, 'getent group devs')).toMatch(/^devs:x:\d+:alice\n$/);
    expect(await sh(ours, 'getent group ops')).toBe('ops:x:1600:\n');
    expect(await sh(ours, 'getent shadow alice | cut -d: -f2')).toBe(`${HASH}\n`);
    expect(await sh(ours, 'stat -c %U /home/alice/.profile')).toBe('alice\n');
  });

  it('changes the shell, appends a group and locks the password', async () => {
    await cycle(PHASES[1]);
    expect(await sh(ours, 'getent passwd alice | cut -d: -f7')).toBe('/bin/bash\n');
    expect(await sh(ours, 'id -nG alice | tr " " "\\n" | sort | tr "\\n" " "')).toMatch(/devs ops /);
    expect(await sh(ours, 'getent shadow alice | cut -d: -f2')).toBe(`!${HASH}\n`);
  });

  it('removes the user with its home, and the groups', async () => {
    await cycle(PHASES[2]);
    expect((await hostShell(ours, 'getent passwd alice')).rc).not.toBe(0);
    expect((await hostShell(ours, 'getent group devs || getent group ops')).rc).not.toBe(0);
    expect((await hostShell(ours, 'test -e /home/alice')).rc).not.toBe(0);
  });
});
