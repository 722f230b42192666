// A with_<lookup> loop whose lookup fails fails the task without an item: the rescue's
// ansible_failed_task is the task as written (its args naming item are not rendered
// again) and ansible_failed_result carries the lookup's message; an undefined variable in
// the items waits for `when`; a registered failure's text is not rendered again.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { debugMsgs, expectSameRun, haveAnsiblePlaybook, parseRecap, repoRoot, runBoth, runRackplay } from '../helpers/cli.js';

const dir = path.join(repoRoot, 'test/fixtures/lookup-loop-failure');

describe('a with_<lookup> loop that fails', () => {
  it('fails the task, and the rescue sees the task and the lookup message', async () => {
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(debugMsgs(r.stdout)).toEqual([
      'EXPECTED FAILURE - empty together / with_together requires at least one element in each list',
      'EXPECTED FAILURE - indexed items of a mapping / with_indexed_items expects a list',
      'failed=True msg={{ undefined_x }} none=|',
    ]);
    // The failures themselves, on one line each, as Ansible prints a task error.
    expect(r.stdout).toContain('fatal: [h1]: FAILED! => {"msg": "with_together requires at least one element in each list"}');
    expect(r.stdout).toContain('fatal: [h1]: FAILED! => {"msg": "with_indexed_items expects a list"}');
    expect(r.stdout).toContain('fatal: [h1]: FAILED! => {"changed": false, "msg": "{{ undefined_x }}"}');
    expect(parseRecap(r.stdout).h1).toMatchObject({ rescued: 2, skipped: 1, ignored: 1, failed: 0 });
  });

  it.skipIf(!haveAnsiblePlaybook)('matches ansible-playbook (needs ansible-playbook: apt-get install ansible)', async () => {
    expectSameRun(await runBoth(dir));
  });
});
