// A keyword that does not render fails its task only when `when` lets the task run.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectSameRun, haveAnsiblePlaybook, parseRecap, repoRoot, runBoth, runRackplay } from '../helpers/cli.js';

const dir = path.join(repoRoot, 'test/fixtures/keyword-error-when');

describe('a keyword that does not render', () => {
  it('is not an error for a skipped task', async () => {
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(parseRecap(r.stdout).h1).toMatchObject({ ok: 2, failed: 0, skipped: 4, ignored: 1 });
    expect(r.stdout).toContain("'nothere' is undefined");
  });

  it.skipIf(!haveAnsiblePlaybook)('matches ansible-playbook (needs ansible-playbook: apt-get install ansible)', async () => {
    expectSameRun(await runBoth(dir));
  });
});
