// ini_file over real SSH on lab hosts: check → apply → apply → check, compared with
// ansible-playbook (community.general's ini_file) on a second host.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLabCycle, type LabCycle } from '../helpers/lab-cycle.js';
import { haveAnsiblePlaybook } from '../helpers/cli.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });
const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)(`ini_file on lab hosts (needs root for the lab; ${haveAnsiblePlaybook ? 'compared with' : 'without'} ansible-playbook)`, () => {
  let c: LabCycle;
  beforeAll(async () => {
    c = await startLabCycle('ini-lab');
    for (const h of c.lab.hosts) await c.sh(h, "mkdir -p /etc/app && printf '[main]\\n# cachedir = /x\\nkeep = 0\\n' > /etc/app/app.conf");
  });
  afterAll(async () => c?.stop());

  it('sets, adds and removes options, then has nothing to do', async () => {
    await c.cycle(
      'ini',
      `    - community.general.ini_file: {path: /etc/app/app.conf, section: main, option: cachedir, value: /var/cache/app}
    - ini_file: {dest: /etc/app/app.conf, section: main, option: keep, state: absent}
    - ini_file: {path: /etc/app/repo.ini, section: base, option: baseurl, value: "http://mirror/sl44", mode: "0600"}`,
      'cat /etc/app/app.conf; ls /etc/app',
    );
    expect(await c.sh(c.ours, 'cat /etc/app/app.conf')).toBe('[main]\ncachedir = /var/cache/app\n');
    expect(await c.sh(c.ours, 'stat -c %a /etc/app/repo.ini; cat /etc/app/repo.ini')).toBe('600\n\n[base]\nbaseurl = http://mirror/sl44\n');
  });
});
