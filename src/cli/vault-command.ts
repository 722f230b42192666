// rackplay vault encrypt|decrypt|view|edit|create|encrypt_string|rekey: ansible-vault's
// commands, flags, prompts and file handling, writing files that ansible-vault reads.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { formatUserError, UserError } from '../errors.js';
import { USAGE_EXIT } from './usage-error.js';
import { shlexSplit } from '../shlex.js';
import { parseEnvelope } from '../vault/crypto.js';
import { promptHidden, readAllStdin } from '../vault/prompt.js';
import { buildVaultIds, loadSecrets, loadVaultConfig, pickEncryptSecret, type VaultCliOptions } from '../vault/secrets.js';
import { Vault, type VaultSecret } from '../vault/vault.js';

const collect = (v: string, prev: string[]) => [...prev, v];
const count = (_v: string, prev: number) => prev + 1;

/** The vault flags shared by `rackplay PLAYBOOK` and every `rackplay vault` command. */
export function addVaultOptions(cmd: Command): Command {
  return cmd
    .option('--vault-id <id>', 'the vault identity to use, LABEL@SOURCE (SOURCE: a password file, a script, or `prompt`; repeatable)', collect, [])
    .option('--vault-password-file <file>', 'vault password file, or a script printing the password (repeatable)', collect, [])
    .addOption(new Option('--vault-pass-file <file>').hideHelp().argParser(collect).default([]))
    .option('-J, --ask-vault-password', 'ask for the vault password')
    .addOption(new Option('--ask-vault-pass').hideHelp());
}

/** Normalise the parsed vault flags (and their Ansible aliases). */
export function vaultOptionsFrom(opts: Record<string, unknown>): VaultCliOptions {
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  return {
    vaultId: list(opts.vaultId),
    vaultPasswordFile: [...list(opts.vaultPasswordFile), ...list(opts.vaultPassFile)],
    askVaultPass: !!opts.askVaultPassword || !!opts.askVaultPass,
  };
}

export interface VaultIo {
  out: (data: string | Buffer) => void;
  err: (text: string) => void;
  stdoutIsTty: boolean;
  stdinIsTty: boolean;
  env: NodeJS.ProcessEnv;
}

const defaultIo = (): VaultIo => ({
  out: (d) => process.stdout.write(d),
  err: (t) => process.stderr.write(t),
  stdoutIsTty: !!process.stdout.isTTY,
  stdinIsTty: !!process.stdin.isTTY,
  env: process.env,
});

type Opts = Record<string, unknown>;

async function secretsFor(opts: Opts, io: VaultIo, newPassword: boolean): Promise<VaultSecret[]> {
  const config = loadVaultConfig(io.env);
  const slugs = buildVaultIds(vaultOptionsFrom(opts), config, true);
  const secrets = await loadSecrets(slugs, { newPassword, warn: (m) => io.err(`[WARNING]: ${m}\n`) });
  if (!secrets.length) throw new UserError("A vault password is required to use Ansible's Vault", { kind: 'options' });
  return secrets;
}

async function encryptSecret(opts: Opts, io: VaultIo): Promise<VaultSecret> {
  const config = loadVaultConfig(io.env);
  const secrets = await secretsFor(opts, io, true);
  return pickEncryptSecret(secrets, (opts.encryptVaultId as string | undefined) || config.encryptIdentity);
}

async function decryptingVault(opts: Opts, io: VaultIo): Promise<Vault> {
  return new Vault(await secretsFor(opts, io, false), { idMatch: loadVaultConfig(io.env).idMatch });
}

function readSource(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`Unable to read source file (${file}): ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`, { kind: 'error' });
  }
}

async function readInput(file: string): Promise<Buffer> {
  return file === '-' ? readAllStdin() : readSource(file);
}

/**
 * Write plaintext or ciphertext as ansible-vault does: owner-only (0600) for a new file,
 * the old mode kept when `keepMode` (edit, rekey). Written beside the target and renamed
 * over it, so a crash never leaves a half-written vault.
 */
function writeOutput(target: string, data: Buffer | string, io: VaultIo, keepMode = false): void {
  if (target === '-') {
    io.out(data);
    return;
  }
  const prev = keepMode && existsSync(target) ? statSync(target) : undefined;
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, data, { mode: 0o600, flag: 'wx' });
    if (prev) chmodSync(tmp, prev.mode & 0o7777);
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new UserError(`Unable to write ${target}: ${(e as Error).message}`, { kind: 'error' });
  }
}

function decryptFile(vault: Vault, file: string, data: Buffer) {
  const label = file === '-' ? 'stdin' : file;
  if (!Vault.isEncrypted(data)) throw new UserError(`input is not vault encrypted data. ${label} is not a vault encrypted file for ${label}`, { kind: 'error' });
  return vault.decrypt(data, { file: label });
}

// Overwrite a temporary plaintext before unlinking it, as ansible-vault's shred fallback does.
function shred(file: string): void {
  try {
    const size = statSync(file).size;
    if (size > 0) writeFileSync(file, randomBytes(size));
    unlinkSync(file);
  } catch {
    // already gone
  }
}

function runEditor(file: string, io: VaultIo): void {
  const editor = shlexSplit(io.env.EDITOR || 'vi');
  if (!editor.length) throw new UserError('EDITOR is empty', { kind: 'options' });
  const r = spawnSync(editor[0], [...editor.slice(1), file], { stdio: 'inherit', env: io.env });
  if (r.error) throw new UserError(`Unable to execute the command "${[...editor, file].join(' ')}": ${r.error.message}`, { kind: 'error', hint: 'set EDITOR to an editor on your PATH' });
}

/** Decrypt into a private temp file, run $EDITOR, re-encrypt when the content changed. */
function editHelper(target: string, secret: VaultSecret, vaultId: string | undefined, existing: Buffer | undefined, io: VaultIo, force = false): void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rackplay-vault-'));
  const tmp = path.join(dir, `edit${path.extname(target)}`);
  try {
    writeFileSync(tmp, existing ?? Buffer.alloc(0), { mode: 0o600 });
    runEditor(tmp, io);
    const edited = readFileSync(tmp);
    // create always saves (even empty), as ansible-vault does; edit only when changed
    const changed = existing === undefined || !edited.equals(existing);
    if (force || changed) {
      writeOutput(target, Vault.encrypt(edited, secret, vaultId), io, true);
    }
  } finally {
    shred(tmp);
    rmSync(dir, { recursive: true, force: true });
  }
}

function yamlBlock(ciphertext: string, name?: string): string {
  const lines = [`${name ? `${name}: ` : ''}!vault |`];
  for (const l of ciphertext.split('\n')) if (l) lines.push(' '.repeat(10) + l);
  return lines.join('\n');
}

export function buildVaultProgram(io: VaultIo = defaultIo()): Command {
  const program = new Command('rackplay vault')
    .description('encryption/decryption utility for Ansible data files (ansible-vault compatible)')
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str.startsWith('error:') ? `ERROR! ${str.slice(7)}` : str) });
  const sub = (name: string, description: string) => {
    const c = addVaultOptions(program.command(name).description(description))
      .option('-v, --verbose', 'verbose mode', count, 0)
      .exitOverride();
    return c;
  };
  const output = (c: Command) => c.option('--output <file>', 'output file name for encrypt or decrypt; use - for stdout');
  const encryptId = (c: Command) => c.option('--encrypt-vault-id <id>', 'the vault id used to encrypt (required if more than one vault-id is provided)');

  encryptId(output(sub('encrypt', 'encrypt files (stdin when none is given)')))
    .argument('[files...]')
    .action(async (files: string[], opts: Opts) => {
      if (opts.output && files.length > 1) throw new UserError('At most one input file may be used with the --output option', { kind: 'options' });
      const secret = await encryptSecret(opts, io);
      if (!files.length && io.stdinIsTty) io.err('Reading plaintext input from stdin\n');
      for (const f of files.length ? files : ['-']) {
        const data = await readInput(f);
        const text = Vault.encrypt(data, secret);
        writeOutput((opts.output as string | undefined) ?? f, text, io);
      }
      if (io.stdoutIsTty) io.err('Encryption successful\n');
    });

  output(sub('decrypt', 'decrypt vault-encrypted files (stdin when none is given)'))
    .argument('[files...]')
    .action(async (files: string[], opts: Opts) => {
      if (opts.output && files.length > 1) throw new UserError('At most one input file may be used with the --output option', { kind: 'options' });
      const vault = await decryptingVault(opts, io);
      if (!files.length && io.stdinIsTty) io.err('Reading ciphertext input from stdin\n');
      for (const f of files.length ? files : ['-']) {
        const { plaintext } = decryptFile(vault, f, await readInput(f));
        writeOutput((opts.output as string | undefined) ?? f, plaintext, io);
      }
      if (io.stdoutIsTty) io.err('Decryption successful\n');
    });

  sub('view', 'print the plaintext of vault-encrypted files')
    .argument('<files...>')
    .action(async (files: string[], opts: Opts) => {
      const vault = await decryptingVault(opts, io);
      for (const f of files) io.out(decryptFile(vault, f, readSource(f)).plaintext);
    });

  sub('edit', 'edit a vault-encrypted file in $EDITOR')
    .argument('<files...>')
    .action(async (files: string[], opts: Opts) => {
      const vault = await decryptingVault(opts, io);
      for (const f of files) {
        const data = readSource(f);
        const r = decryptFile(vault, f, data);
        const envelope = parseEnvelope(data.toString('latin1'));
        // Keep the vault id the file had, and the secret that opened it.
        editHelper(f, r.secret, envelope.vaultId ?? 'default', r.plaintext, io, envelope.cipher !== 'AES256');
      }
    });

  encryptId(sub('create', 'create a new vault-encrypted file with $EDITOR'))
    .argument('<file>')
    .action(async (file: string, opts: Opts) => {
      if (existsSync(file)) throw new UserError(`${file} exists, please use 'edit' instead`, { kind: 'error' });
      const secret = await encryptSecret(opts, io);
      const dir = path.dirname(file);
      if (dir && !existsSync(dir)) {
        io.err(`[WARNING]: ${dir} does not exist, creating...\n`);
        mkdirSync(dir, { recursive: true });
      }
      editHelper(file, secret, undefined, undefined, io);
    });

  encryptId(output(sub('encrypt_string', 'encrypt a string, printing a !vault YAML value')))
    .argument('[strings...]')
    .option('-p, --prompt', 'prompt for the string to encrypt')
    .option('--show-input', 'do not hide input when prompted for the string to encrypt')
    .option('-n, --name <name>', 'the variable name (repeatable, one per string)', collect, [])
    .option('--stdin-name <name>', 'the variable name for the string read from stdin')
    .action(async (strings: string[], opts: Opts) => {
      const readStdin = strings.includes('-') || strings.length === 0 || !!opts.stdinName;
      if (opts.prompt && readStdin && strings.length) throw new UserError('The --prompt option is not supported if also reading input from stdin', { kind: 'options' });
      const secret = await encryptSecret(opts, io);
      const items: { plaintext: Buffer; name?: string; from: string }[] = [];
      if (opts.prompt) {
        const name = (await promptHidden('Variable name (enter for no name): ', { show: true })).trim();
        const value = await promptHidden(opts.showInput ? 'String to encrypt:' : 'String to encrypt (hidden): ', { show: !!opts.showInput });
        if (value === '') throw new UserError('The plaintext provided from the prompt was empty, not encrypting', { kind: 'options' });
        items.push({ plaintext: Buffer.from(value, 'utf8'), name: name || undefined, from: 'the interactive prompt' });
      } else if (readStdin) {
        if (io.stdoutIsTty) io.err('Reading plaintext input from stdin. (ctrl-d to end input, twice if your content does not already have a newline)\n');
        const data = await readAllStdin();
        if (!data.length) throw new UserError('stdin was empty, not encrypting', { kind: 'options' });
        items.push({ plaintext: data, name: opts.stdinName as string | undefined, from: 'stdin' });
      }
      const names = opts.name as string[];
      const args = strings.filter((s) => s !== '-');
      if (names.length && args.length > names.length) {
        io.err('The number of --name options do not match the number of args.\n');
        io.err(`The last named variable will be "${names[names.length - 1]}". The rest will not have names.\n`);
      }
      args.forEach((s, i) => {
        if (s === '') throw new UserError('The plaintext provided from the command line args was empty, not encrypting', { kind: 'options' });
        items.push({ plaintext: Buffer.from(s, 'utf8'), name: names[i], from: 'the command line args' });
      });
      const blocks = items.map((item, i) => {
        if (items.length > 1) {
          io.err(
            item.name
              ? `# The encrypted version of variable ("${item.name}", the string #${i + 1} from ${item.from}).\n`
              : `# The encrypted version of the string #${i + 1} from ${item.from}.)\n`,
          );
        }
        return yamlBlock(Vault.encrypt(item.plaintext, secret), item.name);
      });
      writeOutput((opts.output as string | undefined) ?? '-', blocks.join('\n') + (opts.output && opts.output !== '-' ? '' : '\n'), io);
      if (io.stdoutIsTty) io.err('Encryption successful\n');
    });

  encryptId(sub('rekey', 'change the password of vault-encrypted files'))
    .argument('<files...>')
    .option('--new-vault-password-file <file>', 'new vault password file for rekey')
    .option('--new-vault-id <id>', 'the new vault identity to use for rekey')
    .action(async (files: string[], opts: Opts) => {
      if (opts.newVaultPasswordFile && opts.newVaultId) throw new UserError('--new-vault-password-file and --new-vault-id are mutually exclusive', { kind: 'options' });
      const vault = await decryptingVault(opts, io);
      const newSlugs: string[] = [];
      if (opts.newVaultId) newSlugs.push(String(opts.newVaultId));
      if (opts.newVaultPasswordFile) newSlugs.push(`default@${String(opts.newVaultPasswordFile)}`);
      if (!newSlugs.length) newSlugs.push('default@prompt_ask_vault_pass');
      const newSecrets = await loadSecrets(newSlugs, { newPassword: true, warn: (m) => io.err(`[WARNING]: ${m}\n`) });
      if (!newSecrets.length) throw new UserError("A new vault password is required to use Ansible's Vault rekey", { kind: 'options' });
      const newSecret = pickEncryptSecret(newSecrets, opts.encryptVaultId as string | undefined);
      for (const f of files) {
        const { plaintext } = decryptFile(vault, f, readSource(f));
        writeOutput(f, Vault.encrypt(plaintext, newSecret), io, true);
      }
      io.err('Rekey successful\n');
    });
  return program;
}

/** Run `rackplay vault ARGS...`; returns the exit code. */
export async function runVaultCommand(args: string[], io: VaultIo = defaultIo()): Promise<number> {
  const program = buildVaultProgram(io);
  try {
    if (!args.length) {
      io.err(program.helpInformation());
      return USAGE_EXIT;
    }
    await program.parseAsync(args, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : USAGE_EXIT;
    if (e instanceof UserError) {
      io.err(formatUserError(e) + '\n');
      return e.exitCode;
    }
    throw e;
  }
}
