// rackplay vault against Debian's ansible-vault / ansible-playbook, both directions, and
// vault data in every place a playbook run loads it from.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rackplayBin } from '../helpers/cli.js';

const hasAnsible = spawnSync('ansible-vault', ['--version']).status === 0;
const work = mkdtempSync(path.join(os.tmpdir(), 'rackplay-vault-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd ?? work,
      // No ansible.cfg from the machine, no colour, no cowsay.
      env: { ...process.env, NO_COLOR: '1', ANSIBLE_NOCOLOR: '1', ANSIBLE_NOCOWS: '1', ANSIBLE_CONFIG: path.join(work, 'none.cfg'), ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}
const rackplay = (args: string[], opts: Parameters<typeof run>[2] = {}) => run(process.execPath, [rackplayBin, ...args], opts);
const ansibleVault = (args: string[], opts: Parameters<typeof run>[2] = {}) => run('ansible-vault', args, opts);

const PW = 'interop pass word';
const PW2 = 'the-new-password';
let pwFile: string;
let pw2File: string;

beforeAll(() => {
  pwFile = path.join(work, 'pw.txt');
  pw2File = path.join(work, 'pw2.txt');
  writeFileSync(pwFile, PW + '\n');
  writeFileSync(pw2File, PW2 + '\n');
});

describe.skipIf(!hasAnsible)('rackplay vault <-> ansible-vault (needs ansible-vault, skipped without it: apt-get install ansible)', () => {
  it('rackplay encrypt (1.1) is read by ansible-vault view, and the file is owner-only', async () => {
    const f = path.join(work, 'enc-ours.yml');
    const plain = 'api_token: "t0k3n with spaces and ünïcode"\nlist: [1, 2]\n';
    writeFileSync(f, plain, { mode: 0o644 });
    const r = await rackplay(['vault', 'encrypt', '--vault-password-file', pwFile, f]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(f, 'utf8').split('\n')[0]).toBe('$ANSIBLE_VAULT;1.1;AES256');
    expect(statSync(f).mode & 0o777).toBe(0o600);
    const v = await ansibleVault(['view', '--vault-password-file', pwFile, f], { env: { PAGER: 'cat' } });
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toBe(plain);
  });

  it('rackplay encrypt --vault-id LABEL@FILE writes 1.2 with the label, read by ansible-vault', async () => {
    const f = path.join(work, 'enc-ours-12.txt');
    writeFileSync(f, 'labelled');
    expect((await rackplay(['vault', 'encrypt', '--vault-id', `dev@${pwFile}`, f])).code).toBe(0);
    expect(readFileSync(f, 'utf8').split('\n')[0]).toBe('$ANSIBLE_VAULT;1.2;AES256;dev');
    const v = await ansibleVault(['decrypt', '--vault-id', `dev@${pwFile}`, '--output', '-', f]);
    expect(v.stdout).toBe('labelled');
  });

  it('ansible-vault encrypt is read by rackplay view and decrypt (stdin to stdout too)', async () => {
    const f = path.join(work, 'enc-theirs.yml');
    const plain = 'db: "p@ss\'word"\n';
    writeFileSync(f, plain);
    expect((await ansibleVault(['encrypt', '--vault-id', `prod@${pwFile}`, f])).code).toBe(0);
    const view = await rackplay(['vault', 'view', '--vault-id', `prod@${pwFile}`, f]);
    expect(view.code, view.stderr).toBe(0);
    expect(view.stdout).toBe(plain);
    const piped = await rackplay(['vault', 'decrypt', '--vault-password-file', pwFile], { input: readFileSync(f, 'utf8') });
    expect(piped.stdout).toBe(plain);
    const inPlace = await rackplay(['vault', 'decrypt', '--vault-password-file', pwFile, f]);
    expect(inPlace.code, inPlace.stderr).toBe(0);
    expect(readFileSync(f, 'utf8')).toBe(plain);
  });

  it('a wrong password is an error naming the file, exit 1, nothing written', async () => {
    const f = path.join(work, 'enc-wrong.yml');
    writeFileSync(f, 'x: 1\n');
    await ansibleVault(['encrypt', '--vault-password-file', pwFile, f]);
    const before = readFileSync(f, 'utf8');
    const r = await rackplay(['vault', 'decrypt', '--vault-password-file', pw2File, f]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Decryption failed (no vault secrets were found that could decrypt) on ${f}`);
    expect(readFileSync(f, 'utf8')).toBe(before);
  });

  it('rekey to a new password: ansible-vault opens it with the new one only, mode kept', async () => {
    const f = path.join(work, 'rekey.yml');
    writeFileSync(f, 'rekeyed: true\n');
    await ansibleVault(['encrypt', '--vault-password-file', pwFile, f]);
    chmodSync(f, 0o640);
    const r = await rackplay(['vault', 'rekey', '--vault-password-file', pwFile, '--new-vault-password-file', pw2File, f]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Rekey successful');
    expect(statSync(f).mode & 0o777).toBe(0o640);
    expect((await ansibleVault(['view', '--vault-password-file', pw2File, f], { env: { PAGER: 'cat' } })).stdout).toBe('rekeyed: true\n');
    expect((await ansibleVault(['view', '--vault-password-file', pwFile, f], { env: { PAGER: 'cat' } })).code).not.toBe(0);
  });

  it('edit runs $EDITOR on the plaintext and re-encrypts, keeping the vault id', async () => {
    const f = path.join(work, 'edit.yml');
    writeFileSync(f, 'version: 1\n');
    await ansibleVault(['encrypt', '--vault-id', `ops@${pwFile}`, f]);
    const editor = path.join(work, 'editor.sh');
    // A scripted editor: proves it saw the plaintext by rewriting it.
    writeFileSync(editor, '#!/bin/sh\nsed -i "s/version: 1/version: 2/" "$1"\n');
    chmodSync(editor, 0o755);
    const r = await rackplay(['vault', 'edit', '--vault-id', `ops@${pwFile}`, f], { env: { EDITOR: editor } });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(f, 'utf8').split('\n')[0]).toBe('$ANSIBLE_VAULT;1.2;AES256;ops');
    expect((await ansibleVault(['view', '--vault-id', `ops@${pwFile}`, f], { env: { PAGER: 'cat' } })).stdout).toBe('version: 2\n');
    // An editor that changes nothing leaves the file byte-identical.
    const before = readFileSync(f, 'utf8');
    expect((await rackplay(['vault', 'edit', '--vault-id', `ops@${pwFile}`, f], { env: { EDITOR: 'true' } })).code).toBe(0);
    expect(readFileSync(f, 'utf8')).toBe(before);
  });

  it('--ask-vault-pass reads the password from stdin when it is not a terminal; a password script works too', async () => {
    const f = path.join(work, 'ask.yml');
    writeFileSync(f, 'asked: yes\n');
    await ansibleVault(['encrypt', '--vault-password-file', pwFile, f]);
    const r = await rackplay(['vault', 'view', '--ask-vault-pass', f], { input: PW + '\n' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('asked: yes\n');
    expect(r.stderr).toContain('Vault password: ');
    const script = path.join(work, 'pw-script.sh');
    writeFileSync(script, `#!/bin/sh\necho '${PW}'\n`);
    chmodSync(script, 0o755);
    expect((await rackplay(['vault', 'view', '--vault-password-file', script, f])).stdout).toBe('asked: yes\n');
  });
});

describe.skipIf(!hasAnsible)('rackplay vault encrypt_string and prompts (needs ansible-vault, skipped without it: apt-get install ansible)', () => {
  it('names several strings, reads one from stdin, and ansible-vault decrypts each', async () => {
    const r = await rackplay(['vault', 'encrypt_string', '--vault-password-file', pwFile, '--stdin-name', 'from_stdin', '-n', 'first', '-n', 'second', 'one', 'two'], {
      input: 'piped value',
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('# The encrypted version of variable ("first", the string #2 from the command line args).');
    const yamlFile = path.join(work, 'strings.yml');
    writeFileSync(yamlFile, r.stdout);
    const names = [...r.stdout.matchAll(/^(\w+): !vault \|$/gm)].map((m) => m[1]);
    expect(names).toEqual(['from_stdin', 'first', 'second']);
    const dbg = await run('ansible', ['localhost', '-m', 'debug', '-a', 'msg={{ from_stdin }}/{{ first }}/{{ second }}', '-e', `@${yamlFile}`, '--vault-password-file', pwFile]);
    expect(dbg.stdout).toContain('"msg": "piped value/one/two"');
  });

  it('asks for a new password twice on stdin, then reads the plaintext from the rest of stdin', async () => {
    const r = await rackplay(['vault', 'encrypt', '--output', '-'], { input: `${PW}\n${PW}\nplain text from stdin\n` });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('New Vault password: ');
    expect(r.stderr).toContain('Confirm New Vault password: ');
    const f = path.join(work, 'from-stdin.vault');
    writeFileSync(f, r.stdout);
    expect((await ansibleVault(['view', '--vault-password-file', pwFile, f], { env: { PAGER: 'cat' } })).stdout).toBe('plain text from stdin\n');
    const mismatch = await rackplay(['vault', 'encrypt', '--output', '-'], { input: 'a-pass\nb-pass\nx\n' });
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toContain('ERROR! Passwords do not match');
  });

  it('create writes a new vault with $EDITOR and refuses an existing file', async () => {
    const f = path.join(work, 'created', 'new.yml');
    const editor = path.join(work, 'writer.sh');
    writeFileSync(editor, '#!/bin/sh\nprintf "created: true\\n" > "$1"\n');
    chmodSync(editor, 0o755);
    const r = await rackplay(['vault', 'create', '--vault-id', `new@${pwFile}`, f], { env: { EDITOR: editor } });
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(f).mode & 0o777).toBe(0o600);
    expect((await ansibleVault(['view', '--vault-id', `new@${pwFile}`, f], { env: { PAGER: 'cat' } })).stdout).toBe('created: true\n');
    const again = await rackplay(['vault', 'create', '--vault-password-file', pwFile, f], { env: { EDITOR: editor } });
    expect(again.stderr).toContain("exists, please use 'edit' instead");
  });
});

describe.skipIf(!hasAnsible)('vault data in a playbook run: rackplay and ansible-playbook agree (needs ansible-vault, skipped without it: apt-get install ansible)', () => {
  let project: string;
  const secrets = {
    inline: 'inline-vaulted-value-1',
    groupInline: 'group-vars-inline-2',
    groupFile: 'group-vars-file-3',
    varsFile: 'vars-files-file-4',
    included: 'include-vars-file-5',
    copied: 'copied file content 6\nsecond line\n',
  };

  beforeAll(async () => {
    project = path.join(work, 'project');
    mkdirSync(path.join(project, 'inventory/group_vars/all'), { recursive: true });
    mkdirSync(path.join(project, 'vars'), { recursive: true });
    mkdirSync(path.join(project, 'files'), { recursive: true });
    writeFileSync(path.join(project, 'inventory/hosts.ini'), `localhost ansible_connection=local ansible_python_interpreter=${process.env.RACKPLAY_TEST_PYTHON ?? '/usr/bin/python3'}\n`);
    // encrypt_string output pasted into YAML, from both tools.
    const ours = await rackplay(['vault', 'encrypt_string', '--vault-password-file', pwFile, '-n', 'inline_secret', secrets.inline]);
    expect(ours.code, ours.stderr).toBe(0);
    expect(ours.stdout).toMatch(/^inline_secret: !vault \|\n {10}\$ANSIBLE_VAULT;1\.1;AES256\n/);
    const theirs = await ansibleVault(['encrypt_string', '--vault-password-file', pwFile, '-n', 'group_inline', secrets.groupInline]);
    writeFileSync(path.join(project, 'inventory/group_vars/all/plain.yml'), theirs.stdout + '\n');
    const encrypt = async (file: string, text: string, tool: 'ours' | 'theirs') => {
      writeFileSync(file, text);
      const r = tool === 'ours' ? await rackplay(['vault', 'encrypt', '--vault-password-file', pwFile, file]) : await ansibleVault(['encrypt', '--vault-password-file', pwFile, file]);
      expect(r.code, r.stderr).toBe(0);
    };
    await encrypt(path.join(project, 'inventory/group_vars/all/vault.yml'), `group_file_secret: ${secrets.groupFile}\n`, 'ours');
    await encrypt(path.join(project, 'vars/vaulted.yml'), `vars_file_secret: ${secrets.varsFile}\n`, 'theirs');
    await encrypt(path.join(project, 'vars/included.yml'), `included_secret: ${secrets.included}\n`, 'ours');
    await encrypt(path.join(project, 'files/secret.txt'), secrets.copied, 'ours');
    await encrypt(path.join(project, 'files/write.sh'), '#!/bin/sh\nprintf "script ran" > "$1"\n', 'theirs');
    writeFileSync(
      path.join(project, 'site.yml'),
      `- hosts: all
  gather_facts: false
  vars_files:
    - vars/vaulted.yml
  vars:
${ours.stdout.replace(/^/gm, '    ')}
  tasks:
    - include_vars: vars/included.yml
    - copy:
        content: "{{ inline_secret }}|{{ group_inline }}|{{ group_file_secret }}|{{ vars_file_secret }}|{{ included_secret }}"
        dest: "{{ out }}/values.txt"
    - copy:
        src: secret.txt
        dest: "{{ out }}/copied.txt"
    - script: write.sh {{ out }}/script.txt
`,
    );
  });

  const outputs = async (tool: 'rackplay' | 'ansible', extra: string[], env: NodeJS.ProcessEnv = {}) => {
    const out = mkdtempSync(path.join(work, `out-${tool}-`));
    const args = ['-i', 'inventory/hosts.ini', 'site.yml', '-e', `out=${out}`, ...extra];
    const r = tool === 'rackplay' ? await rackplay(args, { cwd: project, env }) : await run('ansible-playbook', args, { cwd: project, env });
    return { r, out };
  };

  it('decrypts inline values, group_vars files, vars_files, include_vars, copy src and script like ansible-playbook', async () => {
    const a = await outputs('ansible', ['--vault-password-file', pwFile]);
    expect(a.r.code, a.r.stdout + a.r.stderr).toBe(0);
    const ours = await outputs('rackplay', ['--vault-password-file', pwFile]);
    expect(ours.r.code, ours.r.stdout + ours.r.stderr).toBe(0);
    const expected = [secrets.inline, secrets.groupInline, secrets.groupFile, secrets.varsFile, secrets.included].join('|');
    for (const dir of [a.out, ours.out]) {
      expect(readFileSync(path.join(dir, 'values.txt'), 'utf8')).toBe(expected);
      expect(readFileSync(path.join(dir, 'copied.txt'), 'utf8')).toBe(secrets.copied);
      expect(readFileSync(path.join(dir, 'script.txt'), 'utf8')).toBe('script ran');
    }
    // Our output never shows a decrypted value (Ansible's copy result would not either).
    for (const s of Object.values(secrets)) expect(ours.r.stdout + ours.r.stderr).not.toContain(s.split('\n')[0]);
  });

  it('takes the password from ANSIBLE_VAULT_PASSWORD_FILE, ansible.cfg vault_password_file or a --vault-id script', async () => {
    const env = await outputs('rackplay', [], { ANSIBLE_VAULT_PASSWORD_FILE: pwFile });
    expect(env.r.code, env.r.stderr).toBe(0);
    const cfg = path.join(project, 'ansible.cfg');
    writeFileSync(cfg, '[defaults]\nvault_password_file = ../pw.txt\n');
    try {
      const viaCfg = await outputs('rackplay', [], { ANSIBLE_CONFIG: cfg });
      expect(viaCfg.r.code, viaCfg.r.stderr).toBe(0);
      expect(readFileSync(path.join(viaCfg.out, 'copied.txt'), 'utf8')).toBe(secrets.copied);
    } finally {
      rmSync(cfg);
    }
    const script = path.join(work, 'vault-pass.sh');
    writeFileSync(script, `#!/bin/sh\nprintf '%s\\n' '${PW}'\n`);
    chmodSync(script, 0o755);
    const viaScript = await outputs('rackplay', ['--vault-id', `anylabel@${script}`]);
    expect(viaScript.r.code, viaScript.r.stderr).toBe(0);
  });

  it('without a password: a clear error at the first vault value, before any task runs', async () => {
    const r = await outputs('rackplay', []);
    expect(r.r.code).toBe(1);
    expect(r.r.stderr).toMatch(/ERROR! Attempting to decrypt but no vault secrets found.*\n\nThe error appears to be in '\S+': line \d+, column \d+/);
    expect(r.r.stderr).toContain('hint: give the password with --vault-password-file');
    expect(r.r.stdout).not.toContain('TASK [');
  });

  it('with the wrong password: names the file and the line of the inline value', async () => {
    const r = await outputs('rackplay', ['--vault-password-file', pw2File]);
    expect(r.r.code).toBe(1);
    // The inventory is loaded first, so its inline value (line 1 of group_vars/all/plain.yml) is the first met.
    const m = /ERROR! Decryption failed \(no vault secrets were found that could decrypt\) on (\S+)\n\nThe error appears to be in '(\S+)': line (\d+), column (\d+)/.exec(r.r.stderr);
    expect(m, r.r.stderr).not.toBeNull();
    expect(m![1]).toBe(path.join(project, 'inventory/group_vars/all/plain.yml'));
    expect(m![2]).toBe(m![1]);
    expect(Number(m![3])).toBe(1);
    expect(r.r.stderr).toContain(`tried vault secret(s) default@${pw2File}`);
  });
});
