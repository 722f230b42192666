// Task-level `vars:` are the innermost vars layer a task sees (Ansible's "task vars"),
// including in its loop items and in the templates it renders.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runEngine } from '../helpers/run-engine.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'rackplay-task-vars-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runPlaybook(yaml: string, files: Record<string, string> = {}) {
  return runEngine(dir, yaml, { files, inventory: { list: 'localhost,' }, extraVars: { out: dir } });
}

describe('task vars', () => {
  it('override play vars in the task arguments and in loop items', async () => {
    const { exitCode } = await runPlaybook(`
- hosts: localhost
  gather_facts: false
  vars:
    where: play
  tasks:
    - copy:
        dest: "{{ out }}/plain.txt"
        content: "{{ where }}"
      vars:
        where: task
    - copy:
        dest: "{{ out }}/{{ item }}.txt"
        content: "{{ where }}-{{ item }}"
      loop: [a, b]
      vars:
        where: looped
    - copy:
        dest: "{{ out }}/play.txt"
        content: "{{ where }}"
`);
    expect(exitCode).toBe(0);
    expect(readFileSync(path.join(dir, 'plain.txt'), 'utf8')).toBe('task');
    expect(readFileSync(path.join(dir, 'a.txt'), 'utf8')).toBe('looped-a');
    expect(readFileSync(path.join(dir, 'b.txt'), 'utf8')).toBe('looped-b');
    // The next task no longer sees them.
    expect(readFileSync(path.join(dir, 'play.txt'), 'utf8')).toBe('play');
  });

  it('reach the templates a role task renders', async () => {
    const { exitCode } = await runPlaybook(
      `
- hosts: localhost
  gather_facts: false
  roles: [guests]
`,
      {
        'roles/guests/defaults/main.yml': 'guests: [{name: w2k3-01, memory: 512}, {name: w2k3-02, memory: 1024}]\n',
        'roles/guests/templates/guest.j2': 'name = "{{ guest.name }}"\nmemory = {{ guest.memory }}\n',
        'roles/guests/tasks/main.yml': `
- template:
    src: guest.j2
    dest: "{{ out }}/second.hvm"
  vars:
    guest: "{{ guests[1] }}"
`,
      },
    );
    expect(exitCode).toBe(0);
    expect(readFileSync(path.join(dir, 'second.hvm'), 'utf8')).toBe('name = "w2k3-02"\nmemory = 1024\n');
  });
});
