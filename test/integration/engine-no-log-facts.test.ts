// no_log hides a result from the output only: set_fact's facts and the registered value
// are the real ones (Ansible censors in the callback, after the strategy stored them).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { debugMsgs, expectSameRun, haveAnsiblePlaybook, runBoth, runRackplay } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'rackplay-no-log-'));
writeFileSync(path.join(dir, 'inv.ini'), 'localhost ansible_connection=local\n');
writeFileSync(
  path.join(dir, 'pb.yml'),
  `- hosts: all
  gather_facts: false
  tasks:
    - set_fact: {secret_value: hidden-but-set}
      no_log: true
    - command: echo from-command
      no_log: true
      register: c
    - debug: msg="{{ secret_value }} {{ c.stdout }}"
`,
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('no_log', () => {
  it('keeps facts and register, censors the output', async () => {
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml', '-v'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(debugMsgs(r.stdout)).toEqual(['hidden-but-set from-command']);
    expect(r.stdout.match(/the output has been hidden/g)?.length).toBe(2);
    expect(r.stdout.split('from-command').length - 1).toBe(1);
  });

  it.skipIf(!haveAnsiblePlaybook)('matches ansible-playbook (skipped without Debian ansible package)', async () => {
    expectSameRun(await runBoth(dir));
  });
});
