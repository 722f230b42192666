// find and tempfile side by side with ansible-playbook on a tree the test makes: the same
// files in the same order with the same stat fields (atime aside: reading a file for
// `contains` or a checksum may move it), the same counts, skipped paths and warnings.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { debugMsgs, expectSameRun, haveAnsiblePlaybook, runBoth, runRackplay } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'rp-find-side-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tree = path.join(dir, 'tree');
mkdirSync(path.join(tree, 'a/b/c'), { recursive: true });
mkdirSync(path.join(tree, '.h'));
writeFileSync(path.join(tree, 'x.log'), 'hello\n');
writeFileSync(path.join(tree, 'a/y.txt'), 'foo\nbar\n');
writeFileSync(path.join(tree, 'a/b/z.log'), 'z\n');
writeFileSync(path.join(tree, 'odd\nname.log'), '');
writeFileSync(path.join(tree, '.hid'), '');
writeFileSync(path.join(tree, '.h/in.log'), '');
writeFileSync(path.join(tree, 'a/b/c/deep.log'), 'x'.repeat(3000));
// A fractional time: JavaScript has no float that prints as Python's `1000.0`.
utimesSync(path.join(tree, 'a/b/c/deep.log'), 1000.5, 1000.5);
symlinkSync('a', path.join(tree, 'la'));
symlinkSync('x.log', path.join(tree, 'lx'));
writeFileSync(path.join(dir, 'inv.ini'), 'localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n');

const finds: Record<string, unknown>[] = [
  {},
  { recurse: true, file_type: 'any', hidden: true, get_checksum: true },
  { paths: '{{ playbook_dir }}/tree,/nonexistent', recurse: true, patterns: '*.log', excludes: 'z*', depth: 2 },
  { recurse: true, contains: 'ba.', use_regex: true, patterns: ['.*\\.txt'] },
  { recurse: true, follow: true, file_type: 'link' },
  { recurse: true, size: '2k', age: '1d' },
  { recurse: true, file_type: 'directory', patterns: '[ab]' },
];
const show = "{{ r | combine({'files': r.files | map('dict2items') | map('rejectattr', 'key', 'eq', 'atime') | map('items2dict') | list}) | to_json }}";
const pb = [
  '- hosts: all',
  '  gather_facts: false',
  '  tasks:',
  ...finds.flatMap((args) => [
    `    - find: ${JSON.stringify({ paths: '{{ playbook_dir }}/tree', ...args })}`,
    '      register: r',
    `    - debug: {msg: ${JSON.stringify(show)}}`,
  ]),
  '    - tempfile: {path: "{{ playbook_dir }}", prefix: t., suffix: .x}',
  '      register: t',
  "    - debug: {msg: \"{{ t | dict2items | rejectattr('key', 'eq', 'path') | list }} {{ (t.path | basename)[:2] }} {{ t.path | basename | length }}\"}",
  '    - tempfile: {state: directory, path: "{{ playbook_dir }}/nope"}',
  '      ignore_errors: true',
].join('\n');
writeFileSync(path.join(dir, 'pb.yml'), pb + '\n');

describe('find and tempfile', () => {
  it('find reports the tree: the name with a newline, the missing path skipped with a warning', async () => {
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const msgs = debugMsgs(r.stdout);
    expect(msgs.some((m) => m.includes('odd\\\\nname.log'))).toBe(true);
    expect(r.stdout + r.stderr).toContain("Skipped '/nonexistent' path due to this access issue: '/nonexistent' is not a directory");
    expect(r.stdout).toContain("No such file or directory: '" + path.join(dir, 'nope'));
  });

  it.skipIf(!haveAnsiblePlaybook)('matches ansible-playbook (needs ansible-playbook: apt-get install ansible)', async () => {
    expectSameRun(await runBoth(dir));
  });
});
