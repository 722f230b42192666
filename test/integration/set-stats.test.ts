// set_stats: totals per host and for the run, shown after the recap with
// show_custom_stats and in the json callback; compared with ansible-playbook.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectSameRun, haveAnsiblePlaybook, repoRoot, runCommand, runRackplay } from '../helpers/cli.js';

const dir = path.join(repoRoot, 'test/fixtures/set-stats');
const env = { ANSIBLE_SHOW_CUSTOM_STATS: '1' };

describe('set_stats', () => {
  it('adds up per host and for the run, and shows CUSTOM STATS after the recap', async () => {
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: dir, env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const tail = r.stdout.slice(r.stdout.indexOf('CUSTOM STATS: '));
    expect(tail.split('\n').slice(1)).toEqual([
      '\th1: { "d": {  "x": {   "y": 1,   "z": 2  } }, "l": [  1,  2 ], "n": 3, "s": "ab"}',
      '\th2: { "d": {  "x": {   "y": 1,   "z": 2  } }, "l": [  1,  2 ], "n": 3, "s": "ab"}',
      '',
      '\tRUN: { "last": "2 hosts", "runs": 2}',
      '',
      '',
    ]);
    expect(r.stdout).toContain("\"msg\": \"The 'data' option needs to be a dictionary/hash\"");
    const quiet = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: dir });
    expect(quiet.stdout).not.toContain('CUSTOM STATS');
  });

  it('fills the json callback\'s custom_stats', async () => {
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: dir, env: { ...env, ANSIBLE_STDOUT_CALLBACK: 'json' } });
    const doc = JSON.parse(r.stdout) as { custom_stats: Record<string, unknown>; global_custom_stats: Record<string, unknown> };
    expect(doc.global_custom_stats).toEqual({ last: '2 hosts', runs: 2 });
    expect(Object.keys(doc.custom_stats)).toEqual(['h1', 'h2']);
  });

  it.skipIf(!haveAnsiblePlaybook)('matches ansible-playbook (needs ansible-playbook: apt-get install ansible)', async () => {
    const args = ['-i', 'inv.ini', 'pb.yml'];
    const ours = await runRackplay(args, { cwd: dir, env });
    const theirs = await runCommand('ansible-playbook', args, { cwd: dir, env: { ...env, ANSIBLE_NOCOLOR: '1' } });
    expectSameRun({ ours, theirs });
    const custom = (s: string) => s.slice(s.indexOf('CUSTOM STATS: '));
    expect(custom(ours.stdout)).toBe(custom(theirs.stdout));
  });
});
