// vars_prompt without a terminal, as ansible-playbook runs it from a script: defaults,
// extra vars, encrypt, and hosts: naming a prompted variable. (On a terminal the prompts are
// exercised by ansible-core's builtin_vars_prompt target, driven through pexpect, in npm run compat.)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { debugMsgs, expectSameRun, haveAnsiblePlaybook, repoRoot, runBoth, runRackplay } from '../helpers/cli.js';

const dir = path.join(repoRoot, 'test/fixtures/vars-prompt');

describe('vars_prompt', () => {
  it('uses defaults and extra vars when it cannot ask', async () => {
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml', '-e', 'given=from-cli'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toContain('Not prompting as we are not in interactive mode');
    expect(r.stdout).toContain('PLAY [prompted h1]');
    expect(debugMsgs(r.stdout)).toEqual(['h1 $1$abcdefgh$vhxKZ/s1ygZHyCEDPyqtQ/ from-cli None True']);
  });

  it('refuses a key vars_prompt does not take, before any host', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'rackplay-vars-prompt-'));
    writeFileSync(path.join(tmp, 'pb.yml'), '- hosts: all\n  vars_prompt:\n    - name: x\n      when: y\n');
    const r = await runRackplay(['-i', path.join(dir, 'inv.ini'), 'pb.yml'], { cwd: tmp });
    rmSync(tmp, { recursive: true, force: true });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("Invalid vars_prompt data structure, found unsupported key 'when'");
  });

  it.skipIf(!haveAnsiblePlaybook)('matches ansible-playbook (needs ansible-playbook: apt-get install ansible)', async () => {
    expectSameRun(await runBoth(dir, 'pb.yml', ['-e', 'given=from-cli']));
  });
});
