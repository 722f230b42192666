// Registered module results compared with ansible-playbook's, key by key: each playbook
// registers what its modules return and writes it as JSON; both runs work on their own
// copy of the same files. Keys that differ by nature (timings, inode numbers, lsattr's
// generation) are dropped, and `diff`: without --diff Ansible's lineinfile/blockinfile still
// register an empty one, which rackplay leaves out.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { haveAnsiblePlaybook, runCommand, runRackplay, type CliRun } from '../helpers/cli.js';

const root = mkdtempSync(path.join(tmpdir(), 'rp-results-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const VOLATILE = new Set(['start', 'end', 'delta', 'invocation', 'exception', 'module_stderr', 'atime', 'ctime', 'mtime', 'inode', 'dev', 'version', 'diff']);

function scrub(v: unknown): unknown {
  // Python lists its valid booleans in set (hash) order, which changes from run to run.
  if (typeof v === 'string') return v.replace(/Valid booleans include: [^.]*/g, 'Valid booleans include: ...');
  if (Array.isArray(v)) return v.map(scrub);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([k]) => !VOLATILE.has(k)).map(([k, x]) => [k, scrub(x)]));
  }
  return v;
}

/**
 * Runs `tasks` (which register into names listed in `registered`) in a fresh directory
 * `work` (files from `setup` written first) and returns the registered results.
 */
async function resultsOf(tool: 'rackplay' | 'ansible', tasks: string, registered: string[], setup: Record<string, string>): Promise<{ run: CliRun; results: unknown }> {
  const dir = path.join(root, `${tool}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(path.join(dir, 'work'), { recursive: true });
  for (const [name, text] of Object.entries(setup)) writeFileSync(path.join(dir, 'work', name), text);
  writeFileSync(path.join(dir, 'inv.ini'), `h ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n`);
  const dump = `{{ {${registered.map((r) => `'${r}': ${r}`).join(', ')}} | to_json }}`;
  writeFileSync(
    path.join(dir, 'pb.yml'),
    `- hosts: all\n  gather_facts: false\n  vars:\n    work: ${path.join(dir, 'work')}\n  tasks:\n${tasks}\n    - copy:\n        dest: "{{ playbook_dir }}/out.json"\n        content: "${dump}"\n`,
  );
  const args = ['-i', 'inv.ini', 'pb.yml'];
  const run = tool === 'rackplay' ? await runRackplay(args, { cwd: dir }) : await runCommand('ansible-playbook', args, { cwd: dir, env: { ANSIBLE_NOCOLOR: '1' } });
  expect(run.code, run.stdout + run.stderr).toBe(0);
  const text = readFileSync(path.join(dir, 'out.json'), 'utf8').split(dir).join('DIR');
  return { run, results: scrub(JSON.parse(text)) };
}

const cases: Array<{ name: string; tasks: string; registered: string[]; setup?: Record<string, string>; ours: (r: Record<string, any>, run: CliRun) => void }> = [
  {
    name: 'stat: mime type, charset, attributes and the platform fields',
    setup: { 'a.txt': 'hello world' },
    tasks: `    - stat: path={{ work }}/a.txt\n      register: file\n    - stat: path={{ work }}\n      register: dir\n    - stat: path=/dev/null\n      register: devnull\n`,
    registered: ['file', 'dir', 'devnull'],
    ours: (r) => {
      expect(r.file.stat).toMatchObject({ mimetype: 'text/plain', charset: 'us-ascii', size: 11, blocks: expect.any(Number), block_size: expect.any(Number) });
      expect(r.dir.stat).toMatchObject({ isdir: true, mimetype: 'inode/directory', charset: 'binary' });
      expect(r.devnull.stat).toMatchObject({ ischr: true, device_type: 259 });
    },
  },
  {
    name: 'lineinfile warns on an empty regexp; replace reports rc 0 and keeps a k=v backreference',
    setup: { 'l.txt': 'a\nb\n', 'r.txt': '"The fox."\n' },
    tasks:
      `    - lineinfile: path={{ work }}/l.txt regexp='' line=x\n      register: lif\n` +
      `    - replace: path={{ work }}/r.txt regexp='\\\\b(.+)\\\\b' replace='"\\1"'\n      register: rep\n` +
      `    - slurp: src={{ work }}/r.txt\n      register: rep_text\n`,
    registered: ['lif', 'rep', 'rep_text'],
    ours: (r, run) => {
      expect(r.lif.warnings[0]).toMatch(/^The regular expression is an empty string/);
      expect(run.stderr + run.stdout).toContain('[WARNING]: The regular expression is an empty string');
      expect(r.rep).toMatchObject({ changed: true, rc: 0, msg: '1 replacements made' });
      expect(Buffer.from(r.rep_text.content, 'base64').toString()).toBe('""The fox"."\n');
    },
  },
  {
    name: 'ping data=crash fails as a module that died',
    tasks: `    - ping: data=crash\n      register: crash\n      ignore_errors: true\n`,
    registered: ['crash'],
    ours: (r, run) => {
      expect(r.crash).toMatchObject({ failed: true, rc: 1, module_stdout: '', msg: 'MODULE FAILURE\nSee stdout/stderr for the exact error' });
      expect(run.stdout).toContain('An exception occurred during task execution. To see the full traceback, use -vvv. The error was: Exception: boom');
    },
  },
  {
    name: "async on an action that cannot run in the background fails with Ansible's message",
    tasks:
      `    - script: /some/script.sh\n      async: 2\n      register: scr\n      ignore_errors: true\n` +
      `    - debug: msg=hi\n      async: 5\n      register: dbg\n      ignore_errors: true\n` +
      `    - wait_for_connection: foo=bar\n      register: wfc\n      ignore_errors: true\n`,
    registered: ['scr', 'dbg', 'wfc'],
    ours: (r) => {
      expect(r.scr).toEqual({ failed: true, changed: false, msg: 'async is not supported for this task.' });
      expect(r.dbg).toMatchObject({ failed: true, msg: 'async is not supported for this task.' });
      expect(r.wfc).toMatchObject({ failed: true, msg: 'Invalid options for wait_for_connection: foo' });
    },
  },
  {
    name: 'a bool keyword that is no boolean fails the task (ignore_errors still holds); a task timeout in Ansible\'s words',
    tasks:
      `    - debug: msg=x\n      diff: yes.\n      register: baddiff\n      ignore_errors: true\n` +
      `    - shell: sleep 30\n      timeout: 1\n      register: slow\n      ignore_errors: true\n`,
    registered: ['baddiff', 'slow'],
    ours: (r) => {
      expect(r.baddiff.failed).toBe(true);
      expect(r.baddiff.msg).toMatch(/^the field 'diff' has an invalid value \(yes\.\), and could not be converted to an bool\.The error was: The value 'yes\.' is not a valid boolean\./);
      expect(r.slow).toEqual({ failed: true, changed: false, msg: 'The shell action failed to execute in the expected time frame (1) and was terminated' });
    },
  },
  {
    name: 'chdir through a symlink lands in the physical directory, as after os.chdir',
    tasks:
      `    - file: path={{ work }}/real/site state=directory\n` +
      `    - file: path={{ work }}/lnk src={{ work }}/real state=link\n` +
      `    - shell: dirname "$PWD"\n      args:\n        chdir: "{{ work }}/lnk/site"\n      register: viachdir\n` +
      `    - command: pwd\n      args:\n        chdir: "{{ work }}/lnk/site"\n      register: pwdcmd\n`,
    registered: ['viachdir', 'pwdcmd'],
    ours: (r) => {
      expect(r.viachdir.stdout).toMatch(/\/work\/real$/);
      expect(r.pwdcmd.stdout).toMatch(/\/work\/real\/site$/);
    },
  },
];

describe('module results', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const { run, results } = await resultsOf('rackplay', c.tasks, c.registered, c.setup ?? {});
      c.ours(results as Record<string, any>, run);
    });
    it.skipIf(!haveAnsiblePlaybook)(`${c.name}: the same as ansible-playbook's (needs ansible-playbook: apt-get install ansible)`, async () => {
      const ours = await resultsOf('rackplay', c.tasks, c.registered, c.setup ?? {});
      const theirs = await resultsOf('ansible', c.tasks, c.registered, c.setup ?? {});
      expect(ours.results).toEqual(theirs.results);
    });
  }
});
