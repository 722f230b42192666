// community.general.archive over real SSH on lab hosts, with the hosts' real tar, gzip,
// xz and zip: a single file compressed check → apply → apply → check, and a tree packed
// as tar.xz and zip, compared with ansible-playbook on a second host. An archive of a tree
// reports a change in check mode every time, as Ansible's does (it cannot tell without
// writing), so that part runs apply → apply → check by hand.
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectSameRun, haveAnsiblePlaybook, parseRecap, runCommand, runRackplay } from '../helpers/cli.js';
import { startLabCycle, type LabCycle } from '../helpers/lab-cycle.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });
const isRoot = process.getuid?.() === 0;

// what both tools return alike (the compressors' output sizes may differ)
const SHOWN = "{{ r | dict2items | rejectattr('key', 'in', ['size', 'invocation', 'ansible_facts']) | items2dict | to_nice_json }}";

describe.skipIf(!isRoot)(`archive on lab hosts (needs root for the lab; ${haveAnsiblePlaybook ? 'compared with' : 'without'} ansible-playbook)`, () => {
  let c: LabCycle;
  beforeAll(async () => {
    c = await startLabCycle('archive-lab');
    for (const h of c.lab.hosts) {
      await c.sh(h, 'mkdir -p /srv/data/logs/old /srv/out && echo report > /srv/data/report.txt && echo a > /srv/data/logs/a.log && echo b > /srv/data/logs/old/b.log && echo keep > /srv/data/logs/keep.txt');
    }
  });
  afterAll(async () => c?.stop());

  it('compresses one file next to itself, then has nothing to do', async () => {
    const runs = await c.cycle('one', `    - community.general.archive: {path: /srv/data/report.txt, format: gz, mode: '0640'}
      register: r
    - debug: {msg: "${SHOWN}"}`, 'ls -l /srv/data');
    expect(runs[1].stdout).toContain('dest_state\\": \\"compress');
    expect(await c.sh(c.ours, 'gzip -dc /srv/data/report.txt.gz; stat -c %a /srv/data/report.txt.gz')).toBe('report\n640\n');
  });

  it('packs a tree as tar.xz and as zip, then rewrites nothing; check mode still says changed, as in Ansible', async () => {
    const pb = 'tree.yml';
    writeFileSync(
      path.join(c.work, pb),
      `- hosts: all
  gather_facts: false
  tasks:
    - community.general.archive: {path: /srv/data/logs, dest: /srv/out/logs.tar.xz, format: xz, exclusion_patterns: ['logs/old/*']}
      register: r
    - debug: {msg: "${SHOWN}"}
    - community.general.archive: {path: [/srv/data/logs/*.log, /srv/data/nothere], dest: /srv/out/logs.zip, format: zip}
      register: r
    - debug: {msg: "${SHOWN}"}
`,
    );
    const env = { ANSIBLE_HOST_KEY_CHECKING: 'False', ANSIBLE_NOCOLOR: '1', ANSIBLE_CONFIG: '' };
    for (const [check, changed] of [[false, 2], [false, 0], [true, 2]] as const) {
      const flags = check ? ['--check'] : [];
      const mine = await runRackplay(['-i', 'ours.json', pb, ...flags], { cwd: c.work, env, timeoutMs: 120_000 });
      expect(mine.code, mine.stdout + mine.stderr).toBe(0);
      expect(parseRecap(mine.stdout).lab.changed, mine.stdout).toBe(changed);
      if (haveAnsiblePlaybook) expectSameRun({ ours: mine, theirs: await runCommand('ansible-playbook', ['-i', 'theirs.json', pb, ...flags], { cwd: c.work, env, timeoutMs: 120_000 }) });
    }
    expect(await c.sh(c.ours, 'tar -tJf /srv/out/logs.tar.xz | sort; unzip -Z1 /srv/out/logs.zip')).toBe('logs/a.log\nlogs/keep.txt\nlogs/old/\nlogs/a.log\n');
    // a newer source rewrites the tar (its header changes), not the zip (same CRC)
    await c.sh(c.ours, 'touch -d 2001-01-01 /srv/data/logs/a.log');
    const again = await runRackplay(['-i', 'ours.json', pb], { cwd: c.work, env, timeoutMs: 120_000 });
    expect(parseRecap(again.stdout).lab.changed, again.stdout).toBe(1);
  });
});
