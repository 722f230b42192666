// !unsafe values (playbook vars, lists, mappings, a vars file) through set_fact, loops and
// modules; now(); and Ansible's literal read-back of rendered text (ansible_eval_concat):
// through rackplay alone, and side by side with ansible-playbook.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { debugMsgs, expectSameRun, haveAnsiblePlaybook, repoRoot, runBoth, runRackplay } from '../helpers/cli.js';

const dir = path.join(repoRoot, 'test/fixtures/template-unsafe');

describe('!unsafe, now() and literal read-back in a playbook', () => {
  it('never templates unsafe text and reads rendered literals back', async () => {
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).not.toContain('FAIL');
    expect(r.stdout).toContain('(item=b{{ nottemplate }})');
    expect(r.stdout).toContain('"pre-l{{ nottemplate }}"');
    expect(r.stdout).toContain('"file{{ nottemplate }}"');
    expect(debugMsgs(r.stdout)).toContain('b{{ nottemplate }}');
    expect(r.stdout).toMatch(/"datetime",\s+"datetime",\s+4,\s+true,\s+true/);
    expect(r.stdout).toMatch(/\[\s+1,\s+2,\s+3\s+\],\s+"list"/);
  });

  it.skipIf(!haveAnsiblePlaybook)('matches ansible-playbook (needs ansible-playbook: apt-get install ansible)', async () => {
    const both = await runBoth(dir);
    expectSameRun(both);
    expect(both.ours.stdout).toBe(both.theirs.stdout);
  });
});
