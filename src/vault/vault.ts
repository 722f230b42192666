// A set of vault secrets and Ansible's rules for choosing among them: a secret whose id
// matches the envelope's vault id is tried first, then (unless vault_id_match is set) every
// other secret in the order given. A wrong password only shows as an HMAC mismatch, so
// the error after trying them all says none could decrypt, and where the data came from.
import { type SourcePos, errAlreadyEncrypted, errNotVaultData, errVaultDecrypt, errVaultFormat, errVaultNoSecrets } from '../errors.js';
import { DEFAULT_VAULT_ID, VaultCryptoError, decryptPayload, encryptVault, isVaultData, parseEnvelope, parsePayload } from './crypto.js';

export interface VaultSecret {
  /** The vault id (label) this secret is known by; `default` when none was given. */
  id: string;
  bytes: Buffer;
  /** Where it came from, for messages: a file name or `prompt`. Never the secret itself. */
  source: string;
}

export interface DecryptResult {
  plaintext: Buffer;
  /** The id of the secret that worked. */
  vaultId: string;
  secret: VaultSecret;
  /** The vault id written in the envelope (1.2 format), if any. */
  envelopeVaultId?: string;
}

/** Where vault data came from: a file, and for an inline `!vault` value its position. */
export interface VaultOrigin {
  file?: string;
  pos?: SourcePos;
}

const NO_SECRETS_HINT = 'give the password with --vault-password-file FILE, --vault-id LABEL@FILE, --ask-vault-pass, or ANSIBLE_VAULT_PASSWORD_FILE';

// The position follows the message (formatUserError); the text names the file
// as Ansible's does, so scripts grepping for "Decryption failed ... on FILE" still match.
function describe(origin: VaultOrigin): string {
  return origin.file ?? origin.pos?.file ?? '';
}

export class Vault {
  private readonly cache = new Map<string, DecryptResult>();

  constructor(
    readonly secrets: VaultSecret[],
    private readonly opts: { idMatch?: boolean } = {},
  ) {}

  static isEncrypted(data: string | Buffer): boolean {
    return isVaultData(data);
  }

  decrypt(data: string | Buffer, origin: VaultOrigin = {}): DecryptResult {
    const text = typeof data === 'string' ? data : data.toString('latin1');
    const hit = this.cache.get(text);
    if (hit) return hit;
    const where = describe(origin);
    const pos = origin.pos ?? (origin.file ? { file: origin.file, line: 1, col: 1 } : undefined);
    if (!isVaultData(text)) {
      throw errNotVaultData(origin.file ?? '', { pos });
    }
    if (this.secrets.length === 0) {
      throw errVaultNoSecrets({ pos, hint: NO_SECRETS_HINT });
    }
    let envelopeVaultId: string | undefined;
    let payload;
    try {
      const envelope = parseEnvelope(text);
      envelopeVaultId = envelope.vaultId;
      payload = parsePayload(envelope);
    } catch (e) {
      if (!(e instanceof VaultCryptoError)) throw e;
      throw errVaultFormat(where, e.message, {
        pos,
        hint: 'the vault text is damaged: the header line must be followed only by hex digits, as written by ansible-vault',
      });
    }
    const candidates: VaultSecret[] = [];
    if (envelopeVaultId) candidates.push(...this.secrets.filter((s) => s.id === envelopeVaultId));
    if (!this.opts.idMatch) candidates.push(...this.secrets.filter((s) => s.id !== envelopeVaultId));
    for (const secret of candidates) {
      let plaintext: Buffer | undefined;
      try {
        plaintext = decryptPayload(payload, secret.bytes);
      } catch (e) {
        if (!(e instanceof VaultCryptoError)) throw e;
        // The HMAC matched, so the password was right and the data itself is bad.
        throw errVaultFormat(where, e.message, { pos });
      }
      if (plaintext) {
        const result = { plaintext, vaultId: secret.id, secret, envelopeVaultId };
        this.cache.set(text, result);
        return result;
      }
    }
    const tried = candidates.map((s) => `${s.id}@${s.source}`).join(', ');
    throw errVaultDecrypt(where, {
      pos,
      hint: candidates.length
        ? `tried vault secret(s) ${tried}: the password is wrong for this data, or the data was altered`
        : `the data is for vault id '${envelopeVaultId}' and vault_id_match is set, but no secret has that id`,
    });
  }

  /** Encrypt with one secret; `vaultId` other than `default` selects the 1.2 format. */
  static encrypt(plaintext: Buffer | string, secret: VaultSecret, vaultId?: string): string {
    const buf = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
    if (isVaultData(buf)) throw errAlreadyEncrypted({});
    return encryptVault(buf, secret.bytes, { vaultId: vaultId ?? secret.id });
  }
}

export { DEFAULT_VAULT_ID };
