// `rackplay adhoc` is the `ansible` command: one module on the hosts of a pattern, printed
// with the minimal callback (oneline with -o), with ansible's exit codes. Each case is
// checked on its own, then against Debian's `ansible` side by side.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliRun, haveAnsiblePlaybook, runCommand, runRackplay } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'rackplay-adhoc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(path.join(dir, 'inv.ini'), '[web]\nh1 ansible_connection=local\nh2 ansible_connection=local\n');

const ours = (args: string[]) => runRackplay(['adhoc', ...args, '-i', 'inv.ini'], { cwd: dir });
const theirs = (args: string[]) => runCommand('ansible', [...args, '-i', 'inv.ini'], { cwd: dir, env: { ANSIBLE_NOCOLOR: '1' } });

/** Ansible's Python modules add what they found of the target's Python; rackplay's have none to add. */
function withoutInterpreter(stdout: string): string {
  return stdout
    .replace(/\s*"ansible_facts": \{\s*"discovered_interpreter_python": "[^"]*"\s*\},?/g, '')
    .replace(/"ansible_facts": \{"discovered_interpreter_python": "[^"]*"\},/g, '');
}

/** Hosts answer in any order: compare their blocks as a set. */
function blocks(r: CliRun): string[] {
  return withoutInterpreter(r.stdout)
    .split(/\n(?=\S+ \| )/)
    .map((b) => b.trim())
    .filter(Boolean)
    .sort();
}

const CASES: { name: string; args: string[]; code: number; expected: RegExp }[] = [
  { name: 'ping', args: ['web', '-m', 'ping'], code: 0, expected: /^h1 \| SUCCESS => \{\n {4}"changed": false,\n {4}"ping": "pong"\n\}$/m },
  { name: 'command output as text', args: ['h1', '-a', 'echo hi'], code: 0, expected: /^h1 \| CHANGED \| rc=0 >>\nhi$/m },
  { name: 'debug with key=value', args: ['h1', '-m', 'debug', '-a', 'msg="hello {{ inventory_hostname }}"'], code: 0, expected: /^h1 \| SUCCESS => \{\n {4}"msg": "hello h1"\n\}$/m },
  { name: 'a failing shell command', args: ['h1', '-m', 'shell', '-a', 'echo out; exit 3'], code: 2, expected: /^h1 \| FAILED \| rc=3 >>\noutnon-zero return code$/m },
  { name: 'one line', args: ['h1', '-m', 'ping', '-o'], code: 0, expected: /^h1 \| SUCCESS => \{"changed": false,"ping": "pong"\}$/m },
  { name: 'one line command', args: ['h1', '-a', 'echo a', '-o'], code: 0, expected: /^h1 \| CHANGED \| rc=0 \| \(stdout\) a$/m },
  { name: 'list hosts', args: ['web', '--list-hosts'], code: 0, expected: /^ {2}hosts \(2\):\n {4}h1\n {4}h2$/m },
];

describe('rackplay adhoc', () => {
  for (const c of CASES) {
    it(`${c.name}: exit ${c.code} and ansible's minimal output`, async () => {
      const r = await ours(c.args);
      expect(r.code, r.stdout + r.stderr).toBe(c.code);
      expect(r.stdout).toMatch(c.expected);
      // No banners and no recap: that is ansible-playbook's output, not ansible's.
      expect(r.stdout).not.toMatch(/PLAY RECAP|TASK \[/);
    });
  }

  it('refuses a command without arguments, before any host is contacted', async () => {
    const r = await ours(['h1', '-m', 'command']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('No argument passed to command module');
  });

  it('answers --version', async () => {
    const r = await runRackplay(['adhoc', '--version'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^rackplay \S+ \(the ansible ad-hoc command/);
  });

  it('warns and succeeds when no host matches', async () => {
    const r = await ours(['nosuchgroup', '-m', 'ping']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('[WARNING]: No hosts matched, nothing to do');
  });

  it('runs a role through include_role from the current directory', async () => {
    const roleDir = path.join(dir, 'roles/hello/tasks');
    await import('node:fs').then((fs) => fs.mkdirSync(roleDir, { recursive: true }));
    writeFileSync(path.join(roleDir, 'main.yml'), '- debug:\n    msg: from the role\n');
    const r = await ours(['h1', '-m', 'include_role', '-a', 'name=hello']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('"msg": "from the role"');
  });
});

describe.skipIf(!haveAnsiblePlaybook)('rackplay adhoc matches ansible (needs Debian\'s ansible: apt-get install ansible)', () => {
  for (const c of CASES) {
    it(`${c.name}: same exit code and output`, async () => {
      const [r, a] = await Promise.all([ours(c.args), theirs(c.args)]);
      expect(r.code).toBe(a.code);
      expect(blocks(r)).toEqual(blocks(a));
    });
  }
});
