// A canary secret, vaulted, must never reach any output: the default callback at -vvvv
// with --diff, the json callback, failure messages, diffs, and the report files, while the
// run demonstrably used it (the template on disk holds it).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rackplayBin } from '../helpers/cli.js';

const CANARY = 'CANARY-d41c8-never-print-me';
const work = mkdtempSync(path.join(os.tmpdir(), 'rackplay-canary-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function rackplay(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [rackplayBin, ...args], {
      cwd: work,
      env: { ...process.env, NO_COLOR: '1', ANSIBLE_CONFIG: path.join(work, 'none.cfg'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (out += b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

let dest: string;

beforeAll(async () => {
  writeFileSync(path.join(work, 'pw'), 'canary-vault-password\n');
  writeFileSync(path.join(work, 'hosts.ini'), 'localhost ansible_connection=local\n');
  mkdirSync(path.join(work, 'templates'));
  writeFileSync(path.join(work, 'templates/app.conf.j2'), 'user=app\ntoken={{ canary_secret }}\n');
  dest = path.join(work, 'app.conf');
  const enc = await rackplay(['vault', 'encrypt_string', '--vault-password-file', 'pw', '-n', 'canary_secret', CANARY]);
  expect(enc.code, enc.out).toBe(0);
  writeFileSync(
    path.join(work, 'canary.yml'),
    `- hosts: all
  gather_facts: false
  vars:
${enc.out.trimEnd().replace(/^/gm, '    ')}
  tasks:
    - debug: var=canary_secret
    - debug:
        msg: "the secret is {{ canary_secret }}"
    - command: echo {{ canary_secret }}
      register: echoed
    - debug: var=echoed
    - command: echo {{ canary_secret }}
      no_log: true
    - template:
        src: app.conf.j2
        dest: ${dest}
    - template:
        src: app.conf.j2
        dest: ${dest}.nolog
      no_log: true
    - fail:
        msg: "failing with {{ canary_secret }}"
      ignore_errors: true
    - include_vars: "{{ canary_secret }}.yml"
      ignore_errors: true
    - command: /bin/false {{ canary_secret }}
`,
  );
});

describe('canary secret', () => {
  it('never appears at -vvvv with --diff, although the run used it', async () => {
    writeFileSync(dest, 'user=app\ntoken=old\n');
    const r = await rackplay(['-i', 'hosts.ini', 'canary.yml', '--vault-password-file', 'pw', '-vvvv', '--diff']);
    expect(r.code, r.out).toBe(2); // the last task fails on purpose
    expect(readFileSync(dest, 'utf8')).toBe(`user=app\ntoken=${CANARY}\n`);
    expect(r.out).not.toContain(CANARY);
    // It was there to mask: the diff line, the failure message, the command's stdout.
    expect(r.out).toContain('+token=********');
    expect(r.out).toContain('failing with ********');
    expect(r.out).toMatch(/"stdout": "\*\*\*\*\*\*\*\*"/);
    expect(r.out).toContain("the output has been hidden due to the fact that 'no_log: true' was specified for this result");
    expect(r.out).toMatch(/ok=\d+ +changed=\d+/);
  });

  it('never appears in the json callback, --check --diff, or report files', async () => {
    writeFileSync(dest, 'user=app\ntoken=old\n');
    const json = await rackplay(['-i', 'hosts.ini', 'canary.yml', '--vault-password-file', 'pw', '--diff'], { ANSIBLE_STDOUT_CALLBACK: 'json' });
    expect(json.out).not.toContain(CANARY);
    expect(json.out).toContain('"msg": "failing with ********"');
    writeFileSync(dest, 'user=app\ntoken=old\n');
    const reports = ['json', 'junit', 'html'].map((k) => path.join(work, `report.${k}`));
    const check = await rackplay([
      '-i', 'hosts.ini', 'canary.yml', '--vault-password-file', 'pw', '--check', '--diff', '-vvv',
      '--report', `json=${reports[0]}`, '--report', `junit=${reports[1]}`, '--report', `html=${reports[2]}`,
    ]);
    expect(check.out).not.toContain(CANARY);
    expect(check.out).toContain('+token=********');
    // --check changed nothing on disk
    expect(readFileSync(dest, 'utf8')).toBe('user=app\ntoken=old\n');
    for (const f of reports) expect(readFileSync(f, 'utf8')).not.toContain(CANARY);
  });

  it('the vault password itself is masked too', async () => {
    writeFileSync(path.join(work, 'echo.yml'), '- hosts: all\n  gather_facts: false\n  tasks:\n    - debug:\n        msg: "x is {{ x }}"\n');
    const r = await rackplay(['-i', 'hosts.ini', 'echo.yml', '--vault-password-file', 'pw', '-e', 'x=canary-vault-password', '-vvvv']);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('"msg": "x is ********"');
    expect(r.out).not.toContain('canary-vault-password');
  });
});
