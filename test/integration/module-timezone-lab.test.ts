// community.general.timezone over real SSH on lab hosts (each has its own /etc): the
// Debian way without systemd (/etc/timezone, the /etc/localtime link, dpkg-reconfigure
// tzdata), check → apply → apply → check, compared with ansible-playbook on a second host.
import { cpSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { haveAnsiblePlaybook } from '../helpers/cli.js';
import { startLabCycle, type LabCycle } from '../helpers/lab-cycle.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });
const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)(`timezone on lab hosts (needs root for the lab; ${haveAnsiblePlaybook ? 'compared with' : 'without'} ansible-playbook)`, () => {
  let c: LabCycle;
  beforeAll(async () => {
    c = await startLabCycle('tz-lab');
    for (const h of c.lab.hosts) {
      // dpkg-reconfigure needs the package database: this machine's, copied (the hosts share its /usr)
      for (const d of ['/var/lib/dpkg', '/var/cache/debconf']) cpSync(d, path.join(h.root, d), { recursive: true });
      await c.sh(h, 'echo Etc/UTC > /etc/timezone && ln -sf /usr/share/zoneinfo/Etc/UTC /etc/localtime');
    }
  });
  afterAll(async () => c?.stop());

  it('moves the host to another zone, then has nothing to do', async () => {
    const runs = await c.cycle('tz', `    - community.general.timezone: {name: Europe/Paris}
      register: tz
    - debug: {var: tz.diff}`, 'cat /etc/timezone; readlink /etc/localtime');
    expect(runs[1].stdout).toContain('"name": "Europe/Paris"');
    expect(await c.sh(c.ours, 'cat /etc/timezone; readlink /etc/localtime')).toBe('Europe/Paris\n/usr/share/zoneinfo/Europe/Paris\n');
  });
});
