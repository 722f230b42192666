// until's retries with failed_when, as Ansible's task executor and TaskResult.is_failed
// treat them: attempts is known to failed_when, running out of retries sets failed (and
// attempts one less than were made), yet failed_when's verdict decides what is reported.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { debugMsgs, expectSameRun, haveAnsiblePlaybook, parseRecap, repoRoot, runBoth, runRackplay } from '../helpers/cli.js';

const dir = path.join(repoRoot, 'test/fixtures/until-failed-when');

describe('until with failed_when', () => {
  it('reports what failed_when says, per task and per item', async () => {
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(debugMsgs(r.stdout)).toEqual(['2 True ', '2 True False True', 'True One or more items failed True True']);
    expect(r.stdout).toContain('changed: [h1] => (item=1)');
    expect(parseRecap(r.stdout).h1).toMatchObject({ ok: 6, changed: 3, failed: 0, ignored: 1 });
  });

  it.skipIf(!haveAnsiblePlaybook)('matches ansible-playbook (needs ansible-playbook: apt-get install ansible)', async () => {
    expectSameRun(await runBoth(dir));
  });
});
