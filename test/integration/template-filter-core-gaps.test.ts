// Behaviour found missing by ansible-core 2.14's filter_core / filter_urls / filter_urlsplit /
// hash targets, through ansible-playbook and rackplay side by side: backslashes in string
// literals of playbook values, None printing as '', debug var= failing on a template error, a loop over an undefined value skipped by its
// condition, and hash_behaviour=merge.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { debugMsgs, expectSameRun, haveAnsiblePlaybook, parseRecap, runBoth, runCommand, runRackplay } from '../helpers/cli.js';

const PB = String.raw`- hosts: localhost
  gather_facts: false
  vars:
    n: null
  tasks:
    - debug:
        msg: '{{ ''\g<a>'' }}|{{ ''\2'' | length }}|{{ ''\n'' | length }}|{% if ''\n''|length == 1 %}one{% endif %}'
    - set_fact:
        a: "{{ None }}"
        b: "{{ n }}"
        c: "{{ 'x' | regex_search('y') }}"
    - debug:
        msg: "{{ [a, b, c, None | bool, 'y' | bool] }}"
    - debug:
        msg: "{{ ['boo!' | comment, 'boo!' | comment(style='cblock'), 'a b/c' | urlencode, {'a b': 'c/d'} | urlencode, [{'a': 1}, None, {'b': 2}] | combine] }}"
    - debug:
        msg: "{{ ['Ansible' | b64encode(encoding='utf-16-le'), 'a.b c' | regex_escape, 'key' | extract(nothere) | default('d')] }}"
    - debug:
        var: "'http://x' | urlsplit('bad_part')"
      ignore_errors: true
    - debug:
        msg: "{{ item }}"
      loop: "{{ myundef }}"
      when: myundef is defined
    - debug:
        msg: "{{ hey | mandatory }}"
      ignore_errors: true
`;

const MERGE_PB = `- hosts: localhost
  gather_facts: false
  vars:
    h: {play: 1, both: play}
  tasks:
    - debug:
        msg: "{{ h | to_json }}"
`;

const dir = mkdtempSync(path.join(os.tmpdir(), 'rp-filter-core-gaps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(path.join(dir, 'inv.ini'), 'localhost ansible_connection=local\n');
writeFileSync(path.join(dir, 'pb.yml'), PB);
writeFileSync(path.join(dir, 'merge.yml'), MERGE_PB);
mkdirSync(path.join(dir, 'host_vars'));
writeFileSync(path.join(dir, 'host_vars', 'localhost.yml'), 'h: {inventory: 1, both: inventory}\n');

describe('filter_core gaps', () => {
  it('rackplay prints what Ansible 2.14 does', async () => {
    const run = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: dir });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const msgs = debugMsgs(run.stdout);
    expect(msgs).toContain('\\\\g<a>|2|2|one');
    expect(run.stdout).toContain('"urlsplit: unknown URL component: bad_part"');
    expect(run.stdout).toContain("Mandatory variable 'hey'  not defined.");
    expect(parseRecap(run.stdout).localhost).toMatchObject({ ok: 7, failed: 0, skipped: 1, ignored: 2 });
  });

  it('hash_behaviour=merge merges a dict across precedence levels', async () => {
    const merged = await runRackplay(['-i', 'inv.ini', 'merge.yml'], { cwd: dir, env: { ...process.env, ANSIBLE_HASH_BEHAVIOUR: 'merge' } });
    expect(debugMsgs(merged.stdout)).toEqual(['{\\"inventory\\": 1, \\"both\\": \\"play\\", \\"play\\": 1}']);
    const replaced = await runRackplay(['-i', 'inv.ini', 'merge.yml'], { cwd: dir });
    expect(debugMsgs(replaced.stdout)).toEqual(['{\\"play\\": 1, \\"both\\": \\"play\\"}']);
  });

  describe.skipIf(!haveAnsiblePlaybook)('side by side (needs ansible-playbook, skipped without it: apt-get install ansible)', () => {
    it('same exit code, recap, task lines and printed values', async () => {
      expectSameRun(await runBoth(dir));
    });

    it('same merged dict under ANSIBLE_HASH_BEHAVIOUR=merge', async () => {
      const env = { ...process.env, ANSIBLE_HASH_BEHAVIOUR: 'merge', ANSIBLE_NOCOLOR: '1' };
      const ours = await runRackplay(['-i', 'inv.ini', 'merge.yml'], { cwd: dir, env });
      const theirs = await runCommand('ansible-playbook', ['-i', 'inv.ini', 'merge.yml'], { cwd: dir, env });
      expect(debugMsgs(ours.stdout)).toEqual(debugMsgs(theirs.stdout));
    });
  });
});
