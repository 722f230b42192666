// add_host and group_by change the inventory, and the task is `changed` exactly when the
// inventory did (a new host, a new group membership, a new parent group), as in Ansible;
// group_by's `parents` nest the group. Compared with ansible-playbook where it is installed.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectSameRun, haveAnsiblePlaybook, parseTaskLines, repoRoot, runBoth, runRackplay } from '../helpers/cli.js';

const dir = path.join(repoRoot, 'test/fixtures/inventory-changes');
const rackplay = () => runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: dir });
const msg = (stdout: string) => /"msg": "(.*)"/.exec(stdout)?.[1];

describe('inventory changes from add_host and group_by', () => {
  it('report changed only when the inventory changed, and nest groups under their parents', async () => {
    const r = await rackplay();
    expect(r.code).toBe(0);
    const lines = Object.fromEntries(parseTaskLines(r.stdout).map((t) => [t.banner.replace(/^TASK \[(.*)\]$/, '$1'), t.hosts]));
    expect(lines['group by name']).toEqual({ h1: ['changed'], h2: ['changed'] });
    expect(lines['again']).toEqual({ h1: ['ok'], h2: ['ok'] });
    expect(lines['quiet group']).toEqual({ h1: ['ok'], h2: ['ok'] });
    expect(lines['add a host']).toEqual({ h1: ['changed'] });
    expect(lines['add it again']).toEqual({ h1: ['ok'] });
    expect(msg(r.stdout)).toBe("True False ['h1', 'h2'] ['h1', 'h2'] ['h3']");
  });

  it.skipIf(!haveAnsiblePlaybook)('matches ansible-playbook (needs ansible-playbook: apt-get install ansible)', async () => {
    expectSameRun(await runBoth(dir));
  });
});
