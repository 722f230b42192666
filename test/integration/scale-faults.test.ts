// Faulty hosts among many: hung ones (frozen sshd: the TCP connection opens, the banner
// never comes), one that resets its connection in the middle of the run, and a slow one
// (frozen, thawed while the run waits for it). Each costs its own slot, never the run:
// more hosts hang than there are handshake slots, yet every other host runs the whole
// playbook, each faulty host is reported once, and the slow one finishes.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freezeHost, startLab, thawHost, type Lab } from '../lab/lab.js';
import { rackplay, writeInventory } from './engine-ssh-helpers.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 180_000 });

const HOSTS = 100;
/** More than the handshake limiter's slots on this machine (4 per core). */
const HUNG = Math.max(10, os.cpus().length * 4 + 2);
const root = path.join(os.tmpdir(), `rackplay-scale-faults-${process.pid}`);
let lab: Lab;

beforeAll(async () => {
  lab = await startLab({ count: HOSTS, dir: path.join(root, 'lab'), namePrefix: 'sf' });
});
afterAll(async () => {
  for (const h of lab?.hosts ?? []) await thawHost(h);
  await lab?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe(`${HOSTS} hosts, ${HUNG} of them hung, one reset and one slow`, () => {
  it('every other host runs the whole play; each faulty host is reported once; the slow one finishes', async () => {
    const hung = lab.hosts.slice(0, HUNG);
    const reset = lab.hosts[HUNG]!;
    const slow = lab.hosts[HUNG + 1]!;
    const healthy = lab.hosts.slice(HUNG + 2);
    const inv = writeInventory(root, lab, lab.hosts, { vars: { ansible_timeout: 5 }, hostVars: { [slow.name]: { ansible_timeout: 60 } } });
    writeFileSync(
      path.join(root, 'site.yml'),
      `- hosts: all
  gather_facts: false
  tasks:
    - copy: { dest: /srv/faults.txt, content: "{{ inventory_hostname }}\\n" }
    - name: the reset host drops its own connection
      shell: pkill -9 -P 1 -x sshd
      when: inventory_hostname == '${reset.name}'
    - lineinfile: { path: /srv/faults.txt, line: second }
    - command: cat /srv/faults.txt
      register: seen
      changed_when: false
    - assert: { that: ["seen.stdout_lines == [inventory_hostname, 'second']"] }
`,
    );
    for (const h of [...hung, slow]) await freezeHost(h);
    // The slow host answers after a few seconds; the run is already under way.
    const thaw = setTimeout(() => void thawHost(slow), 3000);
    const stats = path.join(root, 'stats.json');
    let run;
    try {
      run = await rackplay(['site.yml', '-i', inv], { cwd: root, env: { RACKPLAY_STATS_FILE: stats } });
    } finally {
      clearTimeout(thaw);
      for (const h of hung) await thawHost(h);
      await thawHost(slow);
    }
    const out = run.stdout + run.stderr;
    expect(run.code, out).toBe(4);
    for (const h of healthy) expect(run.recap[h.name], h.name).toMatchObject({ ok: 4, changed: 2, failed: 0, unreachable: 0 });
    expect(run.recap[slow.name]).toMatchObject({ ok: 4, changed: 2, unreachable: 0 });
    for (const h of hung) expect(run.recap[h.name], h.name).toMatchObject({ ok: 0, unreachable: 1 });
    expect(run.recap[reset.name]).toMatchObject({ ok: 1, changed: 1, unreachable: 1 });
    // Reported once each, at the task where it went: not once per task after that.
    for (const h of [...hung, reset]) expect(out.split(`fatal: [${h.name}]: UNREACHABLE!`).length - 1, h.name).toBe(1);
    // Handshakes stayed within the limiter's slots, though more hosts hung than it has.
    const peak = JSON.parse(readFileSync(stats, 'utf8')).handshakesPeak as number;
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(os.cpus().length * 4);
  });
});
