// The inventory_hostnames lookup and with_inventory_hostnames expand host patterns (unions,
// exclusions, intersections) from the `groups` variable, as Ansible's lookup does.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectSameRun, haveAnsiblePlaybook, repoRoot, runBoth, runRackplay } from '../helpers/cli.js';

const dir = path.join(repoRoot, 'test/fixtures/inventory-lookup');
const msgs = (stdout: string) => [...stdout.matchAll(/"msg": "(.*)"/g)].map((m) => m[1]);

describe('inventory_hostnames', () => {
  it('expands patterns in lookup, query and with_inventory_hostnames', async () => {
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(msgs(r.stdout)).toEqual(["h1,h3 ['h1', 'h2'] []", 'h2']);
  });

  it.skipIf(!haveAnsiblePlaybook)('matches ansible-playbook (needs ansible-playbook: apt-get install ansible)', async () => {
    expectSameRun(await runBoth(dir));
  });
});
