// any_errors_fatal and run_once failures as Ansible 2.14's linear strategy treats them: a
// failure that takes the host into a rescue or always section is not fatal there (the
// other hosts go on), a fatal failure fails every host not in a rescue or always section,
// and meta clear_host_errors in an always forgives it (exit 0).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectSameRun, haveAnsiblePlaybook, parseTaskLines, repoRoot, runBoth, runRackplay } from '../helpers/cli.js';

const dir = path.join(repoRoot, 'test/fixtures/fatal');
const rackplay = (pb: string) => runRackplay(['-i', 'inv.ini', pb], { cwd: dir });
const banners = (stdout: string) => parseTaskLines(stdout).map((t) => `${t.banner} ${Object.keys(t.hosts).sort().join(',')}`);

describe('fatal failures and rescue/always', () => {
  it('a fatal failure that goes into an always section lets the other hosts go on', async () => {
    const r = await rackplay('fatal-into-always.yml');
    expect(r.code).toBe(2);
    expect(banners(r.stdout)).toContain('TASK [after the failure] h2');
    expect(banners(r.stdout)).toContain('TASK [always runs] h1,h2');
    expect(banners(r.stdout)).toContain('TASK [next play] h2');
  });

  it('clear_host_errors in the always of a failed run_once block lets every host go on, exit 0', async () => {
    const r = await rackplay('run-once-always.yml');
    expect(r.code).toBe(0);
    expect(banners(r.stdout)).toContain('TASK [goes on] h1,h2');
  });

  for (const pb of ['fatal-into-always.yml', 'run-once-always.yml']) {
    it.skipIf(!haveAnsiblePlaybook)(`${pb} matches ansible-playbook (needs ansible-playbook: apt-get install ansible)`, async () => {
      expectSameRun(await runBoth(dir, pb));
    });
  }
});
