// The default callback's check_mode_markers (ansible.cfg in the fixture): "[CHECK MODE]" on
// the banners of plays and tasks that run in check mode (their keyword, else --check), DRY
// RUN banners around a --check run, and an include's banner shown while skipped hosts are hidden.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectSameRun, haveAnsiblePlaybook, repoRoot, runBoth, runRackplay } from '../helpers/cli.js';

const dir = path.join(repoRoot, 'test/fixtures/callback-markers');

describe('check mode markers', () => {
  it('mark what runs in check mode', async () => {
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).not.toContain('DRY RUN');
    expect(r.stdout).toMatch(/^PLAY \[all\] \*+$/m);
    expect(r.stdout).not.toContain('a task in check mode');
    expect(r.stdout).toMatch(/^TASK \[debug\] \[CHECK MODE\] \*+\nok: \[h1\] => {\n    "msg": "check False"/m); // ansible_check_mode follows --check only, as in Ansible 2.14
    expect(r.stdout).toMatch(/^PLAY \[a play in check mode\] \[CHECK MODE\] \*+$/m);
    expect(r.stdout).toMatch(/^TASK \[include_tasks\] \*+\nincluded: /m);
    expect(r.stdout).not.toContain('skipped, so hidden');
    const dry = await runRackplay(['-i', 'inv.ini', 'pb.yml', '--check'], { cwd: dir });
    expect(dry.stdout.startsWith('\nDRY RUN ****')).toBe(true);
    expect(dry.stdout).toMatch(/^TASK \[a task never in check mode\] \*+$/m);
    expect(dry.stdout).toMatch(/^TASK \[include_tasks\] \[CHECK MODE\] \*+$/m);
    expect(dry.stdout).toMatch(/ignored=0 {3}\n\n\nDRY RUN \*+\n/);
  });

  it.skipIf(!haveAnsiblePlaybook)('match ansible-playbook, with and without --check (needs ansible-playbook: apt-get install ansible)', async () => {
    expectSameRun(await runBoth(dir));
    expectSameRun(await runBoth(dir, 'pb.yml', ['--check']));
  });
});
