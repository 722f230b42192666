// Modules of the user's own from library/ directories (the playbook's, a role's,
// ANSIBLE_LIBRARY), run on a local connection as Ansible runs old-style modules, and
// add_host's changed, each compared with ansible-playbook where it is installed.
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { debugMsgs, expectSameRun, haveAnsiblePlaybook, parseRecap, parseTaskLines, repoRoot, runBoth, runRackplay } from '../helpers/cli.js';

const dir = path.join(repoRoot, 'test/fixtures/library-modules');
const leftovers = () => readdirSync('/tmp').filter((f) => f.startsWith('.rackplay-') && /-(greet|echo_json|no_json|role_greet)(-args)?$/.test(f));

describe('library modules', () => {
  it('runs shell modules from library/ and a role library/, with their arguments, and leaves no file behind', async () => {
    const before = leftovers();
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(debugMsgs(r.stdout)).toEqual([
      `42 {'a': [1, 'two']} True`,
      `Hello, World! | False | False | Good day, O'Brien & \\"co\\" $HOME! | True`,
      'MODULE FAILURE\\nSee stdout/stderr for the exact error | 3 | this is not json\\n',
      'from the role: again | changed,check,failed,msg',
      "from the role: it's here",
    ]);
    expect(r.stderr).toContain('[WARNING]: Module invocation had junk after the JSON data: junk after the');
    expect(parseRecap(r.stdout).testhost).toMatchObject({ ok: 11, changed: 2, ignored: 1 });
    expect(leftovers()).toEqual(before);
  });

  it('tells the module it runs in check mode', async () => {
    const r = await runRackplay(['-i', 'inv.ini', 'check.yml'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(debugMsgs(r.stdout)).toEqual(['check=True']);
  });

  it('finds a module on ANSIBLE_LIBRARY', async () => {
    const lib = mkdtempSync(path.join(os.tmpdir(), 'rackplay-library-'));
    writeFileSync(path.join(lib, 'from_env'), '#!/bin/sh\n. "$1"\necho "{\\"changed\\": true, \\"msg\\": \\"env $x\\"}"\n', { mode: 0o755 });
    const play = path.join(lib, 'pb.yml');
    writeFileSync(play, '- hosts: testhost\n  gather_facts: false\n  tasks:\n    - from_env: x=1\n      register: r\n    - debug: msg={{ r.msg }}\n');
    const r = await runRackplay(['-i', path.join(dir, 'inv.ini'), play], { cwd: dir, env: { ANSIBLE_LIBRARY: lib } });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(debugMsgs(r.stdout)).toEqual(['env 1']);
    const without = await runRackplay(['-i', path.join(dir, 'inv.ini'), play], { cwd: dir });
    expect(without.code).toBe(4);
    expect(without.stdout + without.stderr).toContain("couldn't resolve module/action 'from_env'");
  });

  it('refuses a Python module in library/, saying that rackplay runs no Python on targets', async () => {
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: path.join(dir, 'pylib') });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(`"msg": "module 'pymod' is a Python module: rackplay runs no Python on targets`);
  });

  it.skipIf(!haveAnsiblePlaybook)('matches ansible-playbook (needs ansible-playbook: apt-get install ansible)', async () => {
    const both = await runBoth(dir);
    expectSameRun(both);
    const junk = (s: string) => s.split('\n').filter((l) => l.startsWith('[WARNING]: Module invocation had junk')).length;
    expect(junk(both.ours.stderr)).toBeGreaterThan(0);
    expect(junk(both.theirs.stderr + both.theirs.stdout)).toBeGreaterThan(0);
  });
});

describe("add_host's changed", () => {
  it('is changed for a new host, a new group or new vars, and ok otherwise', async () => {
    const r = await runRackplay(['-i', 'inv.ini', 'addhost.yml'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const statuses = parseTaskLines(r.stdout).filter((t) => t.banner.startsWith('TASK [add_host]')).map((t) => t.hosts.testhost.join(','));
    expect(statuses).toEqual(['changed', 'ok', 'changed', 'ok', 'changed', 'changed', 'ok', 'changed', 'ok', 'changed', 'changed(item=1),changed(item=2),ok(item=2)']);
    expect(debugMsgs(r.stdout)).toEqual([`{'ansible_ssh_port': 2222} baz ['newhost'] ['newhost']`]);
  });

  it.skipIf(!haveAnsiblePlaybook)('matches ansible-playbook (needs ansible-playbook: apt-get install ansible)', async () => {
    expectSameRun(await runBoth(dir, 'addhost.yml'));
  });
});
