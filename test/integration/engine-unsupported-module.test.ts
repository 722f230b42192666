// A module Ansible has and rackplay does not implement yet is a load warning, not an
// error: the playbook runs, the task is skipped by `when` like any other, and if it runs
// it fails (ignore_errors applies), as ansible-playbook would run the same playbook.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { debugMsgs, expectSameRun, haveAnsiblePlaybook, parseRecap, repoRoot, runBoth, runCommand, runRackplay } from '../helpers/cli.js';

const dir = path.join(repoRoot, 'test/fixtures/unsupported-module');

describe('a module rackplay lacks', () => {
  it('warns at load, skips it by when, fails it when it runs', async () => {
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toContain("pb.yml:8:7: rackplay does not implement the module 'pacman' (community.general.pacman) yet");
    expect(r.stdout).toContain("rackplay does not implement the module 'community.general.pacman' yet");
    expect(debugMsgs(r.stdout)).toEqual(['failed True', 'failed True']);
    expect(parseRecap(r.stdout).h1).toMatchObject({ ok: 2, failed: 0, skipped: 3, ignored: 1 });
  });

  it('is refused before any host with --strict', async () => {
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml', '--strict'], { cwd: dir });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("rackplay does not implement the module 'pacman'");
    expect(r.stdout).not.toContain('PLAY [');
  });

  it.skipIf(!haveAnsiblePlaybook)('matches ansible-playbook, run and --syntax-check (needs ansible-playbook: apt-get install ansible)', async () => {
    expectSameRun(await runBoth(dir));
    const ours = await runRackplay(['-i', 'inv.ini', 'pb.yml', '--syntax-check'], { cwd: dir });
    const theirs = await runCommand('ansible-playbook', ['-i', 'inv.ini', 'pb.yml', '--syntax-check'], { cwd: dir, env: { ANSIBLE_NOCOLOR: '1' } });
    expect(ours.code).toBe(theirs.code);
    expect(ours.stdout.trim()).toBe(theirs.stdout.trim());
  });
});
