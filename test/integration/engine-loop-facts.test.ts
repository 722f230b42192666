// Facts set by one loop item are seen by the next (Ansible updates a loop's task vars after
// each item), and set_fact turns strings that spell booleans into booleans.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectSameRun, haveAnsiblePlaybook, repoRoot, runBoth, runRackplay } from '../helpers/cli.js';

const dir = path.join(repoRoot, 'test/fixtures/loop-facts');
const msgs = (stdout: string) => [...stdout.matchAll(/"msg": "(.*)"/g)].map((m) => m[1]);

describe('facts within a loop, and set_fact booleans', () => {
  it('accumulates a list across loop items and converts yes/False', async () => {
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(msgs(r.stdout)).toEqual(['one,two,three,four', 'True True']);
  });

  it.skipIf(!haveAnsiblePlaybook)('matches ansible-playbook (needs ansible-playbook: apt-get install ansible)', async () => {
    expectSameRun(await runBoth(dir));
  });
});
