// slurp's failures, run for real on the local host: the message follows the errno of
// opening the file (missing, a directory, a path through a file), compared with ansible-playbook.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { debugMsgs, expectSameRun, haveAnsiblePlaybook, parseRecap, repoRoot, runBoth, runRackplay } from '../helpers/cli.js';

const dir = path.join(repoRoot, 'test/fixtures/slurp-errors');

describe('slurp failures', () => {
  it('word each errno as Ansible does', async () => {
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`"msg": "file not found: ${dir}/nothere"`);
    expect(r.stdout).toContain(`"msg": "source is a directory and must be a file: ${dir}"`);
    expect(debugMsgs(r.stdout)).toEqual(['True (a path through a file)']);
    expect(parseRecap(r.stdout).h1).toMatchObject({ ok: 4, ignored: 3, failed: 0 });
  });

  it.skipIf(!haveAnsiblePlaybook)('matches ansible-playbook (needs ansible-playbook: apt-get install ansible)', async () => {
    expectSameRun(await runBoth(dir));
  });
});
