// Two inventory hosts can be one machine (aliases, localhost and 127.0.0.1) or share a
// filesystem: a probe saved for one must not outlive a write made through the other.
// alpha's first task sends a batch that also reads the file of its third task; beta's
// second task then rewrites that file; alpha's third task must see beta's write and put
// its own content back (changed), as ansible-playbook does. Both hosts are this machine.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectSameRun, haveAnsiblePlaybook, parseTaskLines, runCommand, runRackplay } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'rackplay-shared-host-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const shared = path.join(dir, 'shared.txt');
const own = path.join(dir, 'alpha-own.txt');

writeFileSync(
  path.join(dir, 'lookup.yml'),
  `- hosts: alpha
  gather_facts: false
  tasks:
    - copy: { dest: ${own}, content: "own\\n" }
    - name: a passive task whose lookup writes the file the next task manages
      debug: { msg: "{{ lookup('pipe', 'echo piped > ${shared}') }}" }
    - name: puts its content back
      copy: { dest: ${shared}, content: "alpha\\n" }
`,
);
writeFileSync(
  path.join(dir, 'past.yml'),
  `- hosts: alpha
  gather_facts: false
  tasks:
    - stat: { path: ${own} }
      register: st
    - name: uses the register
      copy: { dest: ${dir}/p1, content: "{{ st.stat.exists }}\\n" }
    - set_fact: { greeting: hi }
    - name: uses the fact
      copy: { dest: ${dir}/p2, content: "{{ greeting }}\\n" }
    - command: { cmd: touch ${dir}/made, creates: ${dir}/made }
    - copy: { dest: ${dir}/p3, content: "three\\n" }
    - stat: { path: ${own} }
      delegate_to: localhost
    - copy: { dest: ${dir}/p4, content: "four\\n" }
`,
);
writeFileSync(path.join(dir, 'inv.ini'), 'alpha ansible_connection=local\nbeta ansible_connection=local\n');
writeFileSync(
  path.join(dir, 'pb.yml'),
  `- hosts: alpha,beta
  gather_facts: false
  tasks:
    - name: alpha writes its own file (its batch reads the shared one too)
      copy: { dest: ${own}, content: "own\\n" }
      when: inventory_hostname == 'alpha'
    - name: beta rewrites the shared file
      copy: { dest: ${shared}, content: "beta\\n" }
      when: inventory_hostname == 'beta'
    - name: alpha puts its content back
      copy: { dest: ${shared}, content: "alpha\\n" }
      when: inventory_hostname == 'alpha'
`,
);
const reset = () => {
  writeFileSync(shared, 'alpha\n');
  writeFileSync(own, 'own\n');
};
const env = { ANSIBLE_NOCOLOR: '1', ANSIBLE_CONFIG: '' };

describe('saved probes on hosts that share a machine', () => {
  it('are dropped when another host writes, so the stale file is fixed', async () => {
    reset();
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: dir, env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const lines = Object.fromEntries(parseTaskLines(r.stdout).map((t) => [t.banner, t.hosts]));
    expect(lines['TASK [beta rewrites the shared file]']).toMatchObject({ beta: ['changed'] });
    expect(lines['TASK [alpha puts its content back]']).toMatchObject({ alpha: ['changed'] });
    expect(readFileSync(shared, 'utf8')).toBe('alpha\n');
  });

  it('are not taken across a passive task whose lookup writes', async () => {
    reset();
    const r = await runRackplay(['-i', 'inv.ini', 'lookup.yml'], { cwd: dir, env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const lines = Object.fromEntries(parseTaskLines(r.stdout).map((t) => [t.banner, t.hosts]));
    expect(lines['TASK [puts its content back]']).toEqual({ alpha: ['changed'] });
    expect(readFileSync(shared, 'utf8')).toBe('alpha\n');
  });

  it('are predicted past tasks that use a register or a fact, set_fact and delegated tasks; a creates guard starts a batch', async () => {
    reset();
    const stats = path.join(dir, 'stats.json');
    const run = () => runRackplay(['-i', 'inv.ini', 'past.yml'], { cwd: dir, env: { ...env, RACKPLAY_STATS_FILE: stats } });
    expect((await run()).code).toBe(0);
    const again = await run();
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toMatch(/alpha\s*: ok=8 +changed=0/);
    // one batch (stat, the copy whose content comes from a register: its probe reads only
    // the dest, the fact's copy, predicted from set_fact, the guard, p3, p4), then the
    // stat delegated to localhost on its own
    expect(JSON.parse(readFileSync(stats, 'utf8')).execs).toBe(2);
    // what the register and the fact said, not a prediction made before them
    writeFileSync(own, 'x');
    rmSync(own);
    const changed = await run();
    expect(changed.stdout).toMatch(/alpha\s*: ok=8 +changed=1/);
    expect(readFileSync(path.join(dir, 'p1'), 'utf8')).toBe('False'); // Python's str(False), as Ansible writes a bool content
    expect(readFileSync(path.join(dir, 'p2'), 'utf8')).toBe('hi\n');
  });

  it.skipIf(!haveAnsiblePlaybook)('matches ansible-playbook (needs ansible-playbook: apt-get install ansible)', async () => {
    reset();
    const ours = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: dir, env });
    reset();
    const theirs = await runCommand('ansible-playbook', ['-i', 'inv.ini', 'pb.yml'], { cwd: dir, env });
    expectSameRun({ ours, theirs });
  });
});
