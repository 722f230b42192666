// A play's `environment:` may use ansible_env (the target's own environment, a fact): while
// facts are gathered that value is left out, as Ansible does, and the tasks get all of it.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectSameRun, haveAnsiblePlaybook, repoRoot, runBoth, runRackplay } from '../helpers/cli.js';

const dir = path.join(repoRoot, 'test/fixtures/environment');
const msgs = (stdout: string) => [...stdout.matchAll(/"msg": "(.*)"/g)].map((m) => m[1]);

describe('environment that needs facts', () => {
  it('gathers facts without the ansible_env value, then applies every value to the tasks', async () => {
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(msgs(r.stdout)).toEqual(['True True']);
  });

  it.skipIf(!haveAnsiblePlaybook)('matches ansible-playbook (needs ansible-playbook: apt-get install ansible)', async () => {
    expectSameRun(await runBoth(dir));
  });
});
