// Hostile strings as module arguments, end to end through the CLI on a local connection:
// file names and contents full of quotes, `$()`, backticks, newlines, leading dashes and
// unicode must be written byte-exact, exactly as ansible-playbook writes them, and run nothing.
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rackplayBin, haveAnsiblePlaybook } from '../helpers/cli.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'rackplay-hostile-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const canary = path.join(work, 'PWNED');

const fixed = [
  `$(touch ${canary})`,
  `\`touch ${canary}\``,
  `'; touch ${canary}; echo '`,
  `"; touch ${canary}; echo "`,
  `x\ntouch ${canary}\n`,
  `-rf`,
  `--help`,
  `a b\tc`,
  `\\'\\"\\\\`,
  `*?[a-z]~`,
  `$HOME $$ \${PATH}`,
  `日本語 é 😀 \u202e`,
  `&|;<>()!#%`,
];
// Jinja delimiters are left out: Ansible templates variable values again, so `{{` in a value
// is evaluated by ansible-playbook itself; that is templating, not shell quoting.
const generated = fc.sample(
  fc
    .array(fc.oneof(fc.constantFrom("'", '"', '`', '$(', ')', '\\', '\n', ' ', ';', '-', '*', 'é', '😀', '$'), fc.string({ minLength: 1, maxLength: 3 })), { minLength: 1, maxLength: 8 })
    .map((p) => p.join('').replace(/[\0/{}%#]/g, '_')),
  { seed: 1337, numRuns: 4 },
);
const texts = [...fixed, ...generated];
// File names: no '/' or NUL, never '.'/'..', short enough for a path component. No '$'
// either: Ansible's path-type arguments go through os.path.expandvars on the target, so
// `$HOME` in a name is expanded by ansible-playbook (rackplay does not: see docs/security.md).
const names = texts.map((t, i) => `${i}-${t.replace(/[/\0$]/g, '_')}`.slice(0, 80));
const items = texts.map((text, i) => ({
  name: names[i],
  text,
  line: text.replace(/\n/g, ' '),
  // Python's re.sub expands backslash escapes in the replacement.
  repl: text.replace(/\\/g, ''),
}));

function run(cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: work,
      env: { ...process.env, NO_COLOR: '1', ANSIBLE_NOCOLOR: '1', ANSIBLE_CONFIG: path.join(work, 'none.cfg'), ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3', ANSIBLE_PIPELINING: 'True' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (out += b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(root, rel)).sort()) {
      const r = rel ? `${rel}/${e}` : e;
      const st = lstatSync(path.join(root, r));
      if (st.isSymbolicLink()) {
        out[r] = `link ${readlinkSync(path.join(root, r))}`;
      } else if (st.isDirectory()) {
        out[r + '/'] = `dir ${(st.mode & 0o777).toString(8)}`;
        walk(r);
      } else {
        out[r] = `file ${(st.mode & 0o777).toString(8)} ${readFileSync(path.join(root, r)).toString('base64')}`;
      }
    }
  };
  walk('');
  return out;
}

beforeAll(() => {
  writeFileSync(path.join(work, 'hosts.ini'), 'localhost ansible_connection=local\n');
  mkdirSync(path.join(work, 'templates'));
  writeFileSync(path.join(work, 'templates/hostile.j2'), 'text=[{{ item.text }}]\n');
  writeFileSync(
    path.join(work, 'hostile.yml'),
    `- hosts: all
  gather_facts: false
  tasks:
    - file:
        path: "{{ out }}/{{ item.name }}"
        state: directory
      loop: "{{ hostile }}"
    - copy:
        content: "{{ item.text }}"
        dest: "{{ out }}/{{ item.name }}/copy-{{ item.name }}"
      loop: "{{ hostile }}"
    - lineinfile:
        path: "{{ out }}/{{ item.name }}/line"
        line: "{{ item.line }}"
        create: true
      loop: "{{ hostile }}"
    - blockinfile:
        path: "{{ out }}/{{ item.name }}/block"
        block: "{{ item.text }}"
        create: true
      loop: "{{ hostile }}"
    - copy:
        content: "before PLACEHOLDER after\\n"
        dest: "{{ out }}/{{ item.name }}/replace"
      loop: "{{ hostile }}"
    - replace:
        path: "{{ out }}/{{ item.name }}/replace"
        regexp: PLACEHOLDER
        replace: "{{ item.repl }}"
      loop: "{{ hostile }}"
    - template:
        src: hostile.j2
        dest: "{{ out }}/{{ item.name }}/tpl-{{ item.name }}"
      loop: "{{ hostile }}"
    - file:
        path: "{{ out }}/{{ item.name }}/link"
        src: "{{ item.name }}"
        state: link
        force: true
      loop: "{{ hostile }}"
`,
  );
});

describe('hostile module arguments', () => {
  it('rackplay writes byte-exact files with hostile names and contents, and executes nothing', async () => {
    const out = path.join(work, 'rackplay-out');
    mkdirSync(out);
    writeFileSync(path.join(work, 'vars-r.json'), JSON.stringify({ out, hostile: items }));
    const r = await run(process.execPath, [rackplayBin, '-i', 'hosts.ini', 'hostile.yml', '-e', '@vars-r.json']);
    expect(r.code, r.out).toBe(0);
    expect(existsSync(canary)).toBe(false);
    for (const it of items) {
      const d = path.join(out, it.name);
      expect(readFileSync(path.join(d, `copy-${it.name}`), 'utf8')).toBe(it.text);
      expect(readFileSync(path.join(d, 'line'), 'utf8')).toBe(it.line + '\n');
      expect(readFileSync(path.join(d, 'replace'), 'utf8')).toBe(`before ${it.repl} after\n`);
      expect(readFileSync(path.join(d, `tpl-${it.name}`), 'utf8')).toBe(`text=[${it.text}]\n`);
      expect(lstatSync(path.join(d, 'link')).isSymbolicLink()).toBe(true);
    }
  });

  // ansible-playbook runs one Python module per item (about a second each on a busy
  // machine), so it gets the most hostile subset: quoting, newline, dashes, backslashes, unicode.
  it.skipIf(!haveAnsiblePlaybook)('ansible-playbook produces the identical tree (needs ansible-playbook, skipped without it: apt-get install ansible)', async () => {
    const subset = [0, 2, 4, 5, 8, 11, fixed.length].map((i) => items[i]);
    const out = path.join(work, 'ansible-out');
    const ourOut = path.join(work, 'rackplay-subset-out');
    mkdirSync(out);
    mkdirSync(ourOut);
    writeFileSync(path.join(work, 'vars-a.json'), JSON.stringify({ out, hostile: subset }));
    writeFileSync(path.join(work, 'vars-s.json'), JSON.stringify({ out: ourOut, hostile: subset }));
    const [a, r] = await Promise.all([
      run('ansible-playbook', ['-i', 'hosts.ini', 'hostile.yml', '-e', '@vars-a.json']),
      run(process.execPath, [rackplayBin, '-i', 'hosts.ini', 'hostile.yml', '-e', '@vars-s.json']),
    ]);
    expect(a.code, a.out).toBe(0);
    expect(r.code, r.out).toBe(0);
    expect(existsSync(canary)).toBe(false);
    const ours = snapshot(ourOut);
    const theirs = snapshot(out);
    const differing = [...new Set([...Object.keys(ours), ...Object.keys(theirs)])].filter((k) => ours[k] !== theirs[k]);
    expect(differing.map((k) => `${JSON.stringify(k)}: ours=${ours[k]?.slice(0, 60)} ansible=${theirs[k]?.slice(0, 60)}`)).toEqual([]);
   }, 400_000);
});
