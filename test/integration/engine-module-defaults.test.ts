// module_defaults applied when a task runs: play, block and task levels, dict and list
// forms, short names and FQCNs, templated values, the task's own arguments winning.
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { debugMsgs, expectSameRun, haveAnsiblePlaybook, repoRoot, runCommand, runRackplay } from '../helpers/cli.js';

const dir = path.join(repoRoot, 'test/fixtures/module-defaults');
const out = `/tmp/rackplay-module-defaults-${process.pid}`;
const fresh = () => {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out);
};

describe('module_defaults', () => {
  it('fills arguments the task does not give', async () => {
    fresh();
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml', '-e', `out=${out}`], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(debugMsgs(r.stdout)).toEqual(['0750 directory', 'block list', 'block list', 'play hello', 'task level', 'task wins']);
  });

  it.skipIf(!haveAnsiblePlaybook)('matches ansible-playbook (needs ansible-playbook: apt-get install ansible)', async () => {
    fresh();
    const ours = await runRackplay(['-i', 'inv.ini', 'pb.yml', '-e', `out=${out}`], { cwd: dir });
    fresh();
    const theirs = await runCommand('ansible-playbook', ['-i', 'inv.ini', 'pb.yml', '-e', `out=${out}`], { cwd: dir, env: { ANSIBLE_NOCOLOR: '1' } });
    expectSameRun({ ours, theirs });
    rmSync(out, { recursive: true, force: true });
  });
});
