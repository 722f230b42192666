// The vault secrets of the current run, for the loaders. Loading happens in many places
// (playbooks, roles, inventories, group_vars, vars_files, include_vars, copy sources) and
// some of them are synchronous and deep; threading the secrets through every signature
// would touch every loader, so the CLI installs them here once, before anything is loaded.
//
// Without an installed vault (a library caller, a parser unit test) inline `!vault` values
// stay the opaque `{ __vault__ }` objects the YAML layer produces, as `ansible-inventory`
// shows them without a password. With one installed (every CLI run, even with no secrets)
// they are decrypted at load, and vault data without secrets is a LoadError.
import { parseAllDocuments, visit, type Document } from 'yaml';
import { type SourcePos, errVaultNoSecrets } from '../errors.js';
import { isVaultData } from './crypto.js';
import { Vault } from './vault.js';

export interface VaultContext {
  vault: Vault;
  /** Called with every decrypted secret string, for the SecretMasker. */
  onSecret?: (secret: string) => void;
}

let current: VaultContext | undefined;

export function installVault(ctx: VaultContext | undefined): void {
  current = ctx;
}

export function installedVault(): VaultContext | undefined {
  return current;
}

export interface VaultValueObject {
  __vault__: string;
}

export function isVaultValue(v: unknown): v is VaultValueObject {
  return typeof v === 'object' && v !== null && typeof (v as VaultValueObject).__vault__ === 'string' && Object.keys(v).length === 1;
}

function requireVault(pos: SourcePos): VaultContext {
  if (current) return current;
  throw errVaultNoSecrets({
    pos,
    hint: 'give the password with --vault-password-file FILE, --vault-id LABEL@FILE or --ask-vault-pass',
  });
}

// The plaintexts of the inline `!vault` values decrypted so far. They become plain strings
// (everything downstream takes strings), so the `vault_encrypted` test asks here whether a
// string came from one, as Ansible's AnsibleVaultEncryptedUnicode keeps its type.
const decryptedInline = new Set<string>();

/** Whether `text` is the plaintext of an inline `!vault` value of this run. */
export function wasInlineVault(text: string): boolean {
  return decryptedInline.has(text);
}

/** Decrypt one inline `!vault` value written at `pos`; the plaintext is registered as a secret. */
export function decryptInlineValue(vaultText: string, pos: SourcePos): string {
  const ctx = requireVault(pos);
  const plaintext = ctx.vault.decrypt(vaultText, { pos }).plaintext.toString('utf8');
  ctx.onSecret?.(plaintext);
  decryptedInline.add(plaintext);
  return plaintext;
}

/**
 * Replace every `!vault` scalar of a parsed YAML document by its plaintext, in place,
 * so toJS() yields plain strings. A no-op when no vault is installed.
 */
export function decryptDocumentValues(doc: Document.Parsed | Document, toPos: (offset: number) => SourcePos): void {
  if (!current) return;
  visit(doc, {
    Scalar(_key, node) {
      if (isVaultValue(node.value)) node.value = decryptInlineValue(node.value.__vault__, toPos(node.range?.[0] ?? 0));
    },
  });
}

/**
 * The text of a YAML file (vars, tasks, inventory), decrypted when the whole file is
 * vault-encrypted. Every string value in it is registered as a secret: a vaulted vars file
 * holds secrets, and a value does not stop being one when it is printed alone.
 */
export function decryptYamlFileText(text: string, file: string): string {
  if (!isVaultData(text)) return text;
  const ctx = requireVault({ file, line: 1, col: 1 });
  const plaintext = ctx.vault.decrypt(text, { file }).plaintext.toString('utf8');
  if (ctx.onSecret) for (const s of stringLeaves(plaintext)) ctx.onSecret(s);
  return plaintext;
}

/**
 * File content for a module (copy src, template src, lookup('file')): decrypted when it is
 * vault data, else returned as is. The whole content is registered as a secret.
 */
export function decryptFileContent(content: Buffer, file: string): Buffer {
  if (!isVaultData(content)) return content;
  const ctx = requireVault({ file, line: 1, col: 1 });
  const plaintext = ctx.vault.decrypt(content, { file }).plaintext;
  ctx.onSecret?.(plaintext.toString('utf8'));
  return plaintext;
}

function stringLeaves(yamlText: string): string[] {
  const out: string[] = [];
  try {
    for (const doc of parseAllDocuments(yamlText, { version: '1.1' }) as Document.Parsed[]) {
      visit(doc, {
        Pair(_k, pair) {
          // keys are variable names, not secrets; only values are collected
          const v = pair.value as { value?: unknown } | null;
          if (v && typeof v.value === 'string') out.push(v.value);
        },
        Seq(_k, seq) {
          for (const item of seq.items) {
            const v = item as { value?: unknown } | null;
            if (v && typeof v.value === 'string') out.push(v.value);
          }
        },
      });
    }
  } catch {
    // the real parse reports syntax errors with positions; this is only for masking
  }
  return out;
}
