// gather_facts as a task: setup's facts with the action's result and failure shape;
// compared with ansible-playbook.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { debugMsgs, expectSameRun, haveAnsiblePlaybook, parseRecap, repoRoot, runBoth, runRackplay } from '../helpers/cli.js';

const dir = path.join(repoRoot, 'test/fixtures/gather-facts');

describe('gather_facts task', () => {
  it('gathers facts, and names the facts module that failed', async () => {
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml', '-v'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(debugMsgs(r.stdout)).toEqual([
      "['ansible.legacy.setup'] The following modules failed to execute: ansible.legacy.setup\\n",
      'after True True [] []',
      'before False',
    ]);
    // as in Ansible, -v does not print every fact
    expect(r.stdout).not.toContain('"ansible_facts": {"ansible_');
    expect(parseRecap(r.stdout).h1).toMatchObject({ ok: 6, ignored: 1, failed: 0 });
  });

  it.skipIf(!haveAnsiblePlaybook)('matches ansible-playbook (needs ansible-playbook: apt-get install ansible)', async () => {
    expectSameRun(await runBoth(dir));
  });
});
