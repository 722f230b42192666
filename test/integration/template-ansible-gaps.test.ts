// Ansible's tests, filters, lookups and with_<lookup> loops that rackplay lacked, through
// ansible-playbook and rackplay side by side: the same exit code, recap, task lines and
// every value the debug tasks print (the values, not their layout). A role's lookups check
// the search order (the role's files/ and templates/ first, then the playbook directory).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { haveAnsiblePlaybook, parseRecap, parseTaskLines, runCommand, runRackplay, type CliRun } from '../helpers/cli.js';

const SITE = `- hosts: h1
  gather_facts: false
  vars:
    u: "https://user:pw@Www.Example.com:8080/p/a?x=1&y=2#frag"
    users:
      - {name: a, groups: [g1, g2]}
      - {name: b, groups: [g3]}
    myvar1: 1
    myvar2: 2
  tasks:
    - command: echo hi
      register: c
    - debug:
        msg: "{{ [c is successful, c is success, c is succeeded, c is failure, c is failed, c is change, c is changed, c is skip, c is skipped, c is unreachable, c is reachable] }}"
    - command: echo {{ item }}
      loop: [1, 2]
      register: lr
    - debug:
        msg: "{{ [lr is changed, {'results': [{'changed': false}, {'changed': true}]} is changed] }}"
    - debug:
        msg: "{{ [u is uri, 'foo' is uri, 'foo' is url, 'file:///x' is url, 'urn:isbn:1' is urn, 'http://x' is urn, u is uri(['ftp']), u is url(['https']), 'mailto:a@b' is url, 'x' is isnan, '/nonexist' is link_exists, '/tmp' is is_same_file('/tmp')] }}"
    - debug:
        msg: "{{ [u | urlsplit, 'foo/bar' | urlsplit, u | urlsplit('hostname'), u | urlsplit('port'), u | urlsplit('username'), 'a%20b+c%2Fd' | urldecode] }}"
    - debug:
        msg: "{{ [16 | log(2) | int, 2 | pow(10) | int, 27 | root(3) | int, [1,2,3] | permutations(2) | list, [1,2,3] | combinations(2) | list, '1.5 MB' | human_to_bytes, '10 Mb' | human_to_bytes(isbits=True), [{'n': 'a'}, {'n': 'b'}] | rekey_on_member('n'), 'example.com' | to_uuid, ['a', '/b', 'c'] | path_join, 'C:/x/y.txt' | win_splitdrive] }}"
    - debug:
        msg: "{{ [['a', 'A', 'b'] | unique, ['a', 'A'] | unique(case_sensitive=True), [[1], [1], 2] | unique, [{'n': 'x'}, {'n': 'X'}] | unique(attribute='n')] }}"
    - debug:
        msg: "{{ [[1], [1]] | unique(case_sensitive=False) }}"
      ignore_errors: true
    - debug:
        msg: "{{ [query('subelements', users, 'groups'), lookup('ini', 'user', section='sec', file='files/conf.ini'), lookup('ini', 'pass section=sec file=files/conf.ini'), lookup('ini', 'user.name', type='properties', file='files/p.properties'), query('varnames', '^myvar'), query('sequence', 'start=5 count=3', '0x0a-0x0c'), query('random_choice', 'only'), lookup('first_found', ['nope'], skip=True)] }}"
    - debug:
        msg: "{{ query('sequence', 'end=3 stride=-1') }}"
      ignore_errors: true
    - set_fact:
        v: "{{ item }}"
      with_sequence: "4"
      register: s1
    - set_fact:
        v: "{{ item.0.name }}-{{ item.1 }}"
      with_subelements: ["{{ users }}", groups]
      register: s2
    - set_fact:
        v: "{{ item }}"
      with_lines: printf 'l1\\nl2\\n'
      register: s3
    - set_fact:
        v: "{{ item }}"
      with_random_choice: [only]
      register: s4
    - set_fact:
        v: "{{ item }}"
      with_file: [files/b.txt]
      register: s5
    - set_fact:
        v: "{{ item }}"
      with_sequence: start=0 end=4 stride=2 format=t%02x
      register: s6
    - debug:
        msg: "{{ [s1.results | map(attribute='ansible_facts.v') | list, s2.results | map(attribute='ansible_facts.v') | list, s3.results | map(attribute='ansible_facts.v') | list, s4.results | map(attribute='ansible_facts.v') | list, s5.results | map(attribute='ansible_facts.v') | list, s6.results | map(attribute='ansible_facts.v') | list] }}"
- hosts: h1
  gather_facts: false
  roles: [r1]
`;

const ROLE_TASKS = `- debug:
    msg: "{{ [lookup('first_found', ['nope.txt', 'a.txt']) | basename, lookup('first_found', 'x', files=['nope.txt', 'b.txt']) | basename, lookup('template', 't.j2'), query('file', 'a.txt', 'b.txt')] }}"
  vars: {x: 5}
- set_fact:
    v: "{{ item | basename }}"
  with_first_found: [nope.txt, "{{ undefined_thing }}", a.txt]
  register: ff
- debug:
    msg: "{{ ff.results | map(attribute='ansible_facts.v') | list }}"
`;

const dir = mkdtempSync(path.join(os.tmpdir(), 'rp-template-gaps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const files: Record<string, string> = {
  'inv.ini': `h1 ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n`,
  'site.yml': SITE,
  'roles/r1/tasks/main.yml': ROLE_TASKS,
  'roles/r1/files/a.txt': 'role-file\n',
  'roles/r1/templates/t.j2': 'tmpl {{ x }}\n',
  'files/b.txt': 'pb-file\n',
  'files/conf.ini': '[sec]\nuser = alice\npass=secret\n[other]\nuser=bob\n',
  'files/p.properties': 'user.name=carol\n',
};
for (const [name, text] of Object.entries(files)) {
  mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
  writeFileSync(path.join(dir, name), text);
}

/** The JSON each result line carries (`=> {...}`, on one line or indented over several), in order. */
function printedValues(stdout: string): unknown[] {
  const out: unknown[] = [];
  const lines = stdout.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const at = lines[i].indexOf('=> {');
    if (at < 0 || !/^(ok|changed|fatal|failed)/.test(lines[i])) continue;
    const start = lines[i].slice(at + 3);
    if (start.trim().endsWith('}') && start.trim() !== '{') {
      out.push(JSON.parse(start));
      continue;
    }
    const body = [start];
    while (++i < lines.length && lines[i] !== '}') body.push(lines[i]);
    body.push('}');
    out.push(JSON.parse(body.join('\n')));
  }
  return out;
}

describe('template gaps: what Ansible users rely on', () => {
  it('the values rackplay prints are the ones the role and playbook were written for', async () => {
    const r = await runRackplay(['-i', 'inv.ini', 'site.yml'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const values = printedValues(r.stdout) as { msg: unknown }[];
    expect(values.find((v) => Array.isArray(v.msg) && v.msg[0] === 'a.txt')?.msg).toEqual(['a.txt', 'b.txt', 'tmpl 5\n', ['role-file', 'pb-file']]);
    expect(values.some((v) => JSON.stringify(v.msg) === JSON.stringify([['1', '2', '3', '4'], ['a-g1', 'a-g2', 'b-g3'], ['l1', 'l2'], ['only'], ['pb-file'], ['t00', 't02', 't04']]))).toBe(true);
    expect(parseRecap(r.stdout).h1).toMatchObject({ ok: 21, changed: 2, failed: 0, ignored: 2 });
  });

  describe.skipIf(!haveAnsiblePlaybook)('side by side (needs ansible-playbook, skipped without it: apt-get install ansible)', () => {
    it('same exit code, recap, task lines and printed values', async () => {
      const a: CliRun = await runCommand('ansible-playbook', ['-i', 'inv.ini', 'site.yml'], {
        cwd: dir,
        env: { ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: '0', ANSIBLE_LOCALHOST_WARNING: '0' },
      });
      const r = await runRackplay(['-i', 'inv.ini', 'site.yml'], { cwd: dir });
      expect(a.code, a.stdout + a.stderr).toBe(0);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(parseRecap(r.stdout)).toEqual(parseRecap(a.stdout));
      expect(parseTaskLines(r.stdout)).toEqual(parseTaskLines(a.stdout));
      const aValues = printedValues(a.stdout);
      expect(aValues.length).toBeGreaterThan(10);
      expect(printedValues(r.stdout)).toEqual(aValues);
    });
  });
});
