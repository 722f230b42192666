// fetch's refusals, run for real on the local host, in the words of Ansible's fetch action
// (stat first without become, slurp's failures reworded), and check mode skipped.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { debugMsgs, expectSameRun, haveAnsiblePlaybook, parseRecap, repoRoot, runBoth, runRackplay } from '../helpers/cli.js';

const dir = path.join(repoRoot, 'test/fixtures/fetch-errors');

describe('fetch refusals', () => {
  it('say what Ansible says', async () => {
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(debugMsgs(r.stdout)).toEqual([
      'Invalid type supplied for source option, it must be a string',
      'True check mode not (yet) supported for this module',
      'dest is an existing directory, use a trailing slash if you want to fetch src into that directory',
      'remote file is a directory, fetch cannot work on directories | remote file is a directory, fetch cannot work on directories, not transferring, ignored | False',
      'the remote file does not exist, not transferring, ignored | the remote file does not exist, not transferring, ignored | False',
    ]);
    expect(r.stdout).toContain('"msg": true');
    expect(parseRecap(r.stdout).h1).toMatchObject({ failed: 0, ignored: 5, skipped: 1 });
  });

  it.skipIf(!haveAnsiblePlaybook)('matches ansible-playbook (needs ansible-playbook: apt-get install ansible)', async () => {
    expectSameRun(await runBoth(dir));
  });
});
