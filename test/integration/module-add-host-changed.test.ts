// add_host's `changed`: what the inventory gains, unless changed_when says otherwise; a
// changed_when that reads the task's own register sees it already. Compared with ansible-playbook.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { debugMsgs, expectSameRun, haveAnsiblePlaybook, repoRoot, runBoth, runRackplay } from '../helpers/cli.js';

const dir = path.join(repoRoot, 'test/fixtures/add-host-changed');

describe('add_host changed', () => {
  it('follows changed_when per item, sees its own result, and a host added twice is ok', async () => {
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(debugMsgs(r.stdout)).toEqual(['False True True', 'True False']);
    expect(r.stdout).toContain('"msg": true');
  });

  it.skipIf(!haveAnsiblePlaybook)('matches ansible-playbook (needs ansible-playbook: apt-get install ansible)', async () => {
    expectSameRun(await runBoth(dir));
  });
});
