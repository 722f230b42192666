// Where vault passwords come from, as in Ansible's CLI.setup_vault_secrets():
//   ansible.cfg vault_identity_list, then --vault-id LABEL@SOURCE (in order), then every
//   --vault-password-file and ansible.cfg vault_password_file as default@FILE, then a prompt
//   for --ask-vault-pass (or, for ansible-vault, when nothing else was given).
// SOURCE `prompt` asks on the terminal; an executable file is run and its stdout is the
// password (a `*-client` script gets `--vault-id LABEL`); any other file is read.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LoadError, errEncryptVaultIdAmbiguous, errEncryptVaultIdUnknown, errPasswordEmpty, errPasswordFileMissing, errPasswordFileRead, errPasswordFromFileEmpty, errPasswordFromScriptEmpty, errPasswordScriptFailed, errPasswordScriptRun, errPasswordsDiffer, errVaultIdInvalid, errVaultPasswordRequired } from '../errors.js';
import { findConfigFile, parseIni } from '../ansible-cfg.js';
import { ansibleBool } from '../boolean.js';
import { DEFAULT_VAULT_ID } from './crypto.js';
import { promptHidden } from './prompt.js';
import type { VaultSecret } from './vault.js';

export interface VaultCliOptions {
  vaultId?: string[];
  vaultPasswordFile?: string[];
  askVaultPass?: boolean;
}

export interface VaultConfig {
  /** vault_identity_list: LABEL@SOURCE slugs that come before the command line ones. */
  identityList: string[];
  /** vault_password_file, resolved against the config file's directory. */
  passwordFile?: string;
  /** vault_encrypt_identity */
  encryptIdentity?: string;
  /** vault_id_match: only try secrets whose id matches the envelope's. */
  idMatch: boolean;
}

export function loadVaultConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): VaultConfig {
  const file = findConfigFile(env, cwd);
  const defaults = file ? (parseIni(readFileSync(file, 'utf8'), file).defaults ?? {}) : {};
  const expand = (p: string, base: string) => path.resolve(base, p.replace(/^~(?=\/|$)/, os.homedir()));
  const fromEnv = env.ANSIBLE_VAULT_PASSWORD_FILE;
  const fromCfg = defaults.vault_password_file;
  const list = env.ANSIBLE_VAULT_IDENTITY_LIST ?? defaults.vault_identity_list;
  const idMatch = env.ANSIBLE_VAULT_ID_MATCH ?? defaults.vault_id_match;
  return {
    identityList: list ? list.split(',').map((s) => s.trim()).filter(Boolean) : [],
    passwordFile: fromEnv ? expand(fromEnv, cwd) : fromCfg ? expand(fromCfg, file ? path.dirname(file) : cwd) : undefined,
    encryptIdentity: env.ANSIBLE_VAULT_ENCRYPT_IDENTITY ?? defaults.vault_encrypt_identity,
    idMatch: ansibleBool(idMatch),
  };
}

/** Split `label@source`; a bare source has no label. */
export function splitVaultId(slug: string): { label?: string; source: string } {
  const at = slug.indexOf('@');
  return at < 0 ? { source: slug } : { label: slug.slice(0, at), source: slug.slice(at + 1) };
}

export function validateVaultIds(ids: readonly string[]): void {
  for (const id of ids) {
    if (id.includes(';')) {
      throw errVaultIdInvalid(id, {
        hint: 'a vault id is LABEL@SOURCE, where SOURCE is a password file, a script or `prompt`',
      });
    }
  }
}

/** The ordered LABEL@SOURCE slugs for the given options, like CLI.build_vault_ids(). */
export function buildVaultIds(opts: VaultCliOptions, config: VaultConfig, autoPrompt: boolean): string[] {
  const slugs = [...config.identityList, ...(opts.vaultId ?? [])];
  validateVaultIds(slugs);
  const files = [...(opts.vaultPasswordFile ?? [])];
  if (config.passwordFile) files.push(config.passwordFile);
  for (const f of files) slugs.push(`${DEFAULT_VAULT_ID}@${f}`);
  if (opts.askVaultPass || (slugs.length === 0 && autoPrompt)) slugs.push(`${DEFAULT_VAULT_ID}@prompt_ask_vault_pass`);
  return slugs;
}

function isExecutable(file: string): boolean {
  const st = statSync(file);
  return st.isFile() && (st.mode & 0o111) !== 0;
}

// Python's bytes.strip() with no argument strips ASCII whitespace.
const stripWhitespace = (b: Buffer) => Buffer.from(b.toString('latin1').replace(/^[ \t\n\r\v\f]+|[ \t\n\r\v\f]+$/g, ''), 'latin1');
const stripNewlines = (b: Buffer) => Buffer.from(b.toString('latin1').replace(/^[\r\n]+|[\r\n]+$/g, ''), 'latin1');

/** The secret in a password file, or the stdout of a password script. */
export function readPasswordSource(file: string, label: string | undefined): VaultSecret {
  const full = path.resolve(file.replace(/^~(?=\/|$)/, os.homedir()));
  const id = label || DEFAULT_VAULT_ID;
  if (!existsSync(full)) {
    throw errPasswordFileMissing(full, { hint: 'check the path given to --vault-password-file / --vault-id' });
  }
  let bytes: Buffer;
  if (isExecutable(full)) {
    const client = path.parse(full).name.endsWith('-client');
    const args = client && label ? ['--vault-id', label] : [];
    // stderr stays on the terminal so a script can prompt; a client script's is captured.
    const r = spawnSync(full, args, { stdio: ['inherit', 'pipe', client ? 'pipe' : 'inherit'], maxBuffer: 1 << 20 });
    if (r.error) {
      throw errPasswordScriptRun(full, r.error.message, {});
    }
    if (r.status !== 0) {
      const stderr = r.stderr ? r.stderr.toString('utf8').trim() : '';
      const what = client ? `Vault password client script ${full}` : `Vault password script ${full}`;
      const msg = client && r.status === 2 ? `${what} did not find a secret for vault-id=${label}` : `${what} returned non-zero (${r.status ?? r.signal})`;
      throw errPasswordScriptFailed(stderr ? `${msg}: ${stderr}` : msg, {});
    }
    bytes = stripNewlines(r.stdout);
    if (!bytes.length) throw errPasswordFromScriptEmpty(full, {});
  } else {
    try {
      bytes = stripNewlines(stripWhitespace(readFileSync(full)));
    } catch (e) {
      throw errPasswordFileRead(full, (e as Error).message, {});
    }
    if (!bytes.length) throw errPasswordFromFileEmpty(full, {});
  }
  return { id, bytes, source: full };
}

export interface LoadSecretsOptions {
  /** ansible-vault encrypt/create/rekey: ask twice and say "New". */
  newPassword?: boolean;
  /** Where prompts and warnings go. */
  warn?: (message: string) => void;
  ask?: (prompt: string) => Promise<string>;
}

/** Resolve slugs into secrets. A failing password file is a warning while another source works. */
export async function loadSecrets(slugs: readonly string[], opts: LoadSecretsOptions = {}): Promise<VaultSecret[]> {
  const ask = opts.ask ?? promptHidden;
  const secrets: VaultSecret[] = [];
  let lastError: unknown;
  for (const slug of slugs) {
    const { label, source } = splitVaultId(slug);
    if (source === 'prompt' || source === 'prompt_ask_vault_pass') {
      const id = label || DEFAULT_VAULT_ID;
      const prompts =
        source === 'prompt'
          ? opts.newPassword
            ? [`New vault password (${id}): `, `Confirm new vault password (${id}): `]
            : [`Vault password (${id}): `]
          : opts.newPassword
            ? ['New Vault password: ', 'Confirm New Vault password: ']
            : ['Vault password: '];
      const answers: string[] = [];
      for (const p of prompts) {
        const a = (await ask(p)).trim();
        if (!a) throw errPasswordEmpty({ hint: 'the vault password must not be empty' });
        answers.push(a);
      }
      if (answers.some((a) => a !== answers[0])) throw errPasswordsDiffer({});
      secrets.push({ id, bytes: Buffer.from(answers[0], 'utf8'), source: 'prompt' });
      continue;
    }
    try {
      secrets.push(readPasswordSource(source, label));
    } catch (e) {
      if (!(e instanceof LoadError)) throw e;
      opts.warn?.(`Error getting vault password file (${label ?? DEFAULT_VAULT_ID}): ${e.message}`);
      lastError = e;
    }
  }
  if (lastError && secrets.length === 0) throw lastError;
  return secrets;
}

/** The secret to encrypt with: --encrypt-vault-id (or vault_encrypt_identity) picks one, else the only one. */
export function pickEncryptSecret(secrets: readonly VaultSecret[], encryptVaultId?: string): VaultSecret {
  if (encryptVaultId) {
    const found = secrets.find((s) => s.id === encryptVaultId);
    if (!found) {
      throw errEncryptVaultIdUnknown(encryptVaultId, secrets.map((s) => `'${s.id}'`).join(', '), {
      });
    }
    return found;
  }
  if (secrets.length > 1) {
    throw errEncryptVaultIdAmbiguous(secrets.map((s) => s.id).join(','), {
    });
  }
  if (!secrets.length) throw errVaultPasswordRequired({});
  return secrets[0];
}
