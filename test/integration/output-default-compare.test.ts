// The default output where Ansible's own integration targets compare it byte for byte
// (assert, callback_default, var_reserved, tags): the same playbook through rackplay and
// ansible-playbook, stdout and stderr compared whole, with the few run-dependent values scrubbed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveAnsiblePlaybook, runCommand, runRackplay, type CliRun } from '../helpers/cli.js';

const PLAYBOOK = `- hosts: localhost
  gather_facts: false
  vars:
    foo: foo bar
    lipsum: jinja2 uses me internally
  tasks:
    - name: Task with var in name ({{ foo }})
      assert:
        that:
          - '"{{ foo }}" == "foo bar"'
          - foo == "foo bar"
    - name: when with delimiters
      debug: msg=x
      when: '"{{ foo }}" == "foo bar"'
    - name: undefined stays ({{ nope }})
      debug: msg=y
    - name: debug loop
      debug:
        msg: debug-{{ item }}
      failed_when: item == 2
      when: item != 4
      ignore_errors: true
      loop: [1, 2, 3, 4]
    - name: all skipped
      debug: msg={{ item }}
      loop: [1, 2]
      when: false
    - name: task-level diff
      copy:
        content: bar
        dest: "{{ work }}/diff.txt"
      diff: true
`;

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'rackplay-out-cmp-'));
  writeFileSync(path.join(work, 'inv.ini'), 'localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n');
  writeFileSync(path.join(work, 'pb.yml'), PLAYBOOK);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function both(): Promise<{ ours: CliRun; theirs: CliRun }> {
  const run = async (tool: 'ours' | 'theirs'): Promise<CliRun> => {
    writeFileSync(path.join(work, 'diff.txt'), 'foo');
    const args = ['-i', 'inv.ini', 'pb.yml', '-e', `work=${work}`];
    return tool === 'ours'
      ? runRackplay(args, { cwd: work, env: { ...process.env, ANSIBLE_NOCOLOR: '1' } })
      : runCommand('ansible-playbook', args, { cwd: work, env: { ...process.env, ANSIBLE_NOCOLOR: '1' } });
  };
  return { ours: await run('ours'), theirs: await run('theirs') };
}

describe('default output, side by side with ansible-playbook', () => {
  it.skipIf(!haveAnsiblePlaybook)('prints the same stdout and stderr (skipped: needs ansible-playbook)', async () => {
    const { ours, theirs } = await both();
    expect(ours.code, ours.stderr).toBe(theirs.code);
    // Python's set order decides the order of Ansible's reserved-name warnings; there is one here.
    expect(ours.stderr).toBe(theirs.stderr);
    // copy's "after" header names Ansible's temporary source file
    const scrub = (s: string) => s.replace(/^\+\+\+ after: .*$/m, '+++ after: SRC');
    expect(scrub(ours.stdout)).toBe(scrub(theirs.stdout));
  });
});

describe('default output', () => {
  it('renders task names, warns about templated conditionals and reserved names, shows a failed debug loop', async () => {
    const { ours } = await both();
    expect(ours.code, ours.stderr).toBe(0);
    expect(ours.stdout).toContain('TASK [Task with var in name (foo bar)] ');
    expect(ours.stdout).toContain('TASK [undefined stays ({{ nope }})] ');
    expect(ours.stdout).toContain('fatal: [localhost]: FAILED! => {"msg": "One or more items failed"}\n...ignoring\n');
    expect(ours.stdout).toMatch(/skipping: \[localhost\] => \(item=2\) \nskipping: \[localhost\]\n/);
    expect(ours.stdout).toContain('-foo\n\\ No newline at end of file\n+bar\n');
    const warning = '[WARNING]: conditional statements should not include jinja2 templating\ndelimiters such as {{ }} or {% %}. Found: "{{ foo }}" == "foo bar"\n';
    // once for the assert task, once for the when: (Ansible repeats it per task run)
    expect(ours.stderr.split(warning).length - 1).toBe(2);
    expect(ours.stderr).toContain('[WARNING]: Found variable using reserved name: lipsum\n');
  });
});

describe('--list-tasks tags', () => {
  const pb = `- hosts: localhost
  gather_facts: false
  vars:
    the_tags: [tag3, a1]
  tasks:
    - name: templated
      debug: msg=x
      tags: "{{ the_tags }}"
    - name: unsorted
      debug: msg=y
      tags: [zed, alpha]
`;
  it('templates tags with the play vars and sorts them', async () => {
    writeFileSync(path.join(work, 'tags.yml'), pb);
    const r = await runRackplay(['-i', 'inv.ini', 'tags.yml', '--list-tasks'], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('      templated\tTAGS: [a1, tag3]\n');
    expect(r.stdout).toContain('      unsorted\tTAGS: [alpha, zed]\n');
    if (haveAnsiblePlaybook) {
      const theirs = await runCommand('ansible-playbook', ['-i', 'inv.ini', 'tags.yml', '--list-tasks'], { cwd: work });
      expect(r.stdout.split('\n').filter((l) => l.includes('TAGS'))).toEqual(theirs.stdout.split('\n').filter((l) => l.includes('TAGS')));
    }
  });
});
