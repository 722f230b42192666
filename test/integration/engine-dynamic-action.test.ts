// `action:` naming its module through host variables: each host resolves the module and
// its arguments when the task runs (k=v and mapping forms), as Ansible does.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { debugMsgs, expectSameRun, haveAnsiblePlaybook, repoRoot, runBoth, runRackplay } from '../helpers/cli.js';

const dir = path.join(repoRoot, 'test/fixtures/dynamic-action');

describe('a module named by host variables', () => {
  it('runs debug on one host and set_fact on the other, from the same task', async () => {
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(debugMsgs(r.stdout)).toEqual(['again', 'hello', 'hello unset', 'none again']);
  });

  it.skipIf(!haveAnsiblePlaybook)('matches ansible-playbook (needs ansible-playbook: apt-get install ansible)', async () => {
    expectSameRun(await runBoth(dir));
  });
});
