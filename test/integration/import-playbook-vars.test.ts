// An import_playbook's vars are known while the imported plays load, as in Ansible: an
// import_role name and a nested import_playbook path may be templated from them, and a
// nested import's vars win over the play's.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { debugMsgs, expectSameRun, haveAnsiblePlaybook, parseRecap, repoRoot, runBoth, runRackplay } from '../helpers/cli.js';

const dir = path.join(repoRoot, 'test/fixtures/import-playbook-vars');

describe('import_playbook vars at load time', () => {
  it('template import_role names and playbook paths', async () => {
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(debugMsgs(r.stdout)).toEqual(['greeter says from the inner import', 'greeter says hello']);
    expect(parseRecap(r.stdout).h1).toMatchObject({ ok: 2, failed: 0 });
  });

  it.skipIf(!haveAnsiblePlaybook)('matches ansible-playbook (needs ansible-playbook: apt-get install ansible)', async () => {
    expectSameRun(await runBoth(dir));
  });
});
