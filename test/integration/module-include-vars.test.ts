// include_vars's failures as Ansible's action reports them (under `message`), unknown
// extensions in a dir, ignore_files patterns; compared with ansible-playbook.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { debugMsgs, expectSameRun, haveAnsiblePlaybook, parseRecap, repoRoot, runBoth, runRackplay } from '../helpers/cli.js';

const dir = path.join(repoRoot, 'test/fixtures/include-vars-errors');

describe('include_vars failures', () => {
  it('fail under message, refuse an unknown extension unless told, and read ignore_files as patterns', async () => {
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(debugMsgs(r.stdout)).toEqual(['True 1 1 True False', 'True True True 1 21 22']);
    expect(parseRecap(r.stdout).h1).toMatchObject({ ok: 11, ignored: 5, failed: 0 });
    expect(r.stderr + r.stdout).toContain('[WARNING]: Invalid request to find a file that matches a "null" value');
  });

  it('in an ad-hoc task, dir is relative to the working directory (the task has no file)', async () => {
    const r = await runRackplay(['adhoc', 'h1', '-i', 'inv.ini', '-m', 'include_vars', '-a', 'dir=vars/hashes'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('h1 | SUCCESS => {');
    // relative, as Ansible lists them
    expect(r.stdout).toContain('"vars/hashes/hash2.yml"');
  });

  it.skipIf(!haveAnsiblePlaybook)('matches ansible-playbook (needs ansible-playbook: apt-get install ansible)', async () => {
    expectSameRun(await runBoth(dir));
  });
});
