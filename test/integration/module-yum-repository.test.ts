// yum_repository on a real directory, run by rackplay and by ansible-playbook: every
// change twice (the second ok), the same results and the same files; then over real SSH
// on lab hosts, check → apply → apply → check.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { debugMsgs, haveAnsiblePlaybook, parseRecap, repoRoot, runRackplay } from '../helpers/cli.js';
import { expectSameOut } from '../helpers/compare-out.js';
import { startLabCycle } from '../helpers/lab-cycle.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });
const fixture = path.join(repoRoot, 'test/fixtures/yum-repository');
const work = mkdtempSync(path.join(os.tmpdir(), 'rackplay-yumrepo-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const isRoot = process.getuid?.() === 0;

describe('yum_repository', () => {
  it('writes, then finds nothing to do', async () => {
    const out = path.join(work, 'ours');
    mkdirSync(out);
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml', '-e', `out=${out}`], { cwd: fixture });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(debugMsgs(r.stdout).some((m) => /^\[True, True, True, True, True, False\] \[False(, False){5}\]/.test(m))).toBe(true);
    expect(readFileSync(path.join(out, 'sl.repo'), 'utf8')).toBe('[sl-errata]\nbaseurl = http://ftp.example.org/sl/44/errata/\nname = SL errata\npriority = 1\n\n');
    expect(parseRecap(r.stdout).local).toMatchObject({ failed: 0, ignored: 1 });
  });

  it.skipIf(!haveAnsiblePlaybook)('leaves the same files and results as ansible-playbook (needs ansible-playbook: apt-get install ansible)', async () => {
    await expectSameOut(fixture, work, ['sl.repo', 'extra.repo']);
  });

  it.skipIf(!isRoot)('on lab hosts: check → apply → apply → check (needs root for the lab)', async () => {
    const c = await startLabCycle('yumrepo-lab');
    try {
      for (const h of c.lab.hosts) await c.sh(h, 'mkdir -p /etc/yum.repos.d');
      await c.cycle(
        'repos',
        `    - yum_repository: {name: xen, description: Xen 3.0.4 build deps, baseurl: "http://mirror.example.org/sl44/xen/", gpgcheck: false}
    - ansible.builtin.yum_repository: {name: extras, description: Extras, mirrorlist: "http://mirror.example.org/list", file: xen}`,
        'ls -la /etc/yum.repos.d; cat /etc/yum.repos.d/* 2>/dev/null',
      );
      expect(await c.sh(c.ours, 'cat /etc/yum.repos.d/xen.repo')).toBe('[xen]\nbaseurl = http://mirror.example.org/sl44/xen/\ngpgcheck = 0\nname = Xen 3.0.4 build deps\n\n[extras]\nmirrorlist = http://mirror.example.org/list\nname = Extras\n\n');
    } finally {
      await c.stop();
    }
  });
});
