// The Ansible Vault 1.1/1.2 AES256 format, built on node:crypto only.
//
//   $ANSIBLE_VAULT;1.1;AES256            (or ;1.2;AES256;<vault-id>)
//   hex( hex(salt) "\n" hex(hmac) "\n" hex(ciphertext) ), wrapped at 80 columns
//
// PBKDF2-SHA256 (10000 iterations) over a 32-byte random salt yields 80 bytes: the
// AES-256-CTR key, the HMAC-SHA256 key and the CTR initial counter block. The plaintext
// is PKCS7-padded to the AES block size before CTR encryption (Ansible does, although CTR
// does not need it, so files must carry the padding to be readable by ansible-vault).
// The HMAC covers the ciphertext only; the header (and so the vault id) is not
// authenticated, exactly as in Ansible.
import { createCipheriv, createDecipheriv, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

export const VAULT_HEADER = '$ANSIBLE_VAULT';
export const DEFAULT_VAULT_ID = 'default';
const CIPHER_NAME = 'AES256';
const KEY_LENGTH = 32;
const IV_LENGTH = 16;
const SALT_LENGTH = 32;
const ITERATIONS = 10000;
const BLOCK = 16;
const LINE_WIDTH = 80;

export type VaultErrorKind = 'format' | 'hmac' | 'cipher';

/** A low-level vault failure; callers turn it into a LoadError naming the file. */
export class VaultCryptoError extends Error {
  constructor(
    message: string,
    readonly kind: VaultErrorKind,
  ) {
    super(message);
    this.name = 'VaultCryptoError';
  }
}

export interface VaultEnvelope {
  version: string;
  cipher: string;
  /** Only 1.2 envelopes carry one. */
  vaultId?: string;
  /** The hexlified payload with the line breaks removed. */
  body: string;
}

/** True when `data` is pure ASCII and starts with the vault header, Ansible's is_encrypted(). */
export function isVaultData(data: string | Buffer): boolean {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  if (buf.length < VAULT_HEADER.length) return false;
  if (buf.subarray(0, VAULT_HEADER.length).toString('latin1') !== VAULT_HEADER) return false;
  for (const b of buf) if (b > 0x7f) return false;
  return true;
}

/** bytes.splitlines() in Python splits on \n, \r and \r\n only. */
function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function parseEnvelope(text: string): VaultEnvelope {
  const lines = splitLines(text);
  const header = (lines[0] ?? '').trim().split(';');
  if (header[0] !== VAULT_HEADER || header.length < 3) {
    throw new VaultCryptoError(`Vault envelope format error: the header '${(lines[0] ?? '').trim()}' is not '$ANSIBLE_VAULT;1.1;AES256'`, 'format');
  }
  const version = header[1].trim();
  const cipher = header[2].trim();
  const vaultId = header.length >= 4 ? header[3].trim() : undefined;
  return { version, cipher, vaultId, body: lines.slice(1).join('') };
}

export function formatEnvelope(body: string, vaultId?: string): string {
  const useId = !!vaultId && vaultId !== DEFAULT_VAULT_ID;
  const header = useId ? `${VAULT_HEADER};1.2;${CIPHER_NAME};${vaultId}` : `${VAULT_HEADER};1.1;${CIPHER_NAME}`;
  const lines = [header];
  for (let i = 0; i < body.length; i += LINE_WIDTH) lines.push(body.slice(i, i + LINE_WIDTH));
  return lines.join('\n') + '\n';
}

// Buffer.from(hex) silently stops at the first bad character; Python's unhexlify refuses.
function unhexlify(hex: string): Buffer {
  if (hex.length % 2 !== 0) throw new VaultCryptoError('Vault format unhexlify error: Odd-length string', 'format');
  if (!/^[0-9a-fA-F]*$/.test(hex)) throw new VaultCryptoError('Vault format unhexlify error: Non-hexadecimal digit found', 'format');
  return Buffer.from(hex, 'hex');
}

function deriveKeys(password: Buffer, salt: Buffer): { cipherKey: Buffer; hmacKey: Buffer; iv: Buffer } {
  const derived = pbkdf2Sync(password, salt, ITERATIONS, 2 * KEY_LENGTH + IV_LENGTH, 'sha256');
  return {
    cipherKey: derived.subarray(0, KEY_LENGTH),
    hmacKey: derived.subarray(KEY_LENGTH, 2 * KEY_LENGTH),
    iv: derived.subarray(2 * KEY_LENGTH, 2 * KEY_LENGTH + IV_LENGTH),
  };
}

function pad(data: Buffer): Buffer {
  const n = BLOCK - (data.length % BLOCK);
  return Buffer.concat([data, Buffer.alloc(n, n)]);
}

function unpad(data: Buffer): Buffer {
  const n = data.length ? data[data.length - 1] : 0;
  if (data.length % BLOCK !== 0 || n < 1 || n > BLOCK || n > data.length) throw new VaultCryptoError('Invalid padding bytes.', 'format');
  for (let i = data.length - n; i < data.length; i++) if (data[i] !== n) throw new VaultCryptoError('Invalid padding bytes.', 'format');
  return data.subarray(0, data.length - n);
}

/** Encrypt to a complete vault text (header, 80-column body, trailing newline). */
export function encryptVault(plaintext: Buffer, password: Buffer, opts: { vaultId?: string; salt?: Buffer } = {}): string {
  if (!password.length) throw new VaultCryptoError('Invalid vault password was provided', 'format');
  const salt = opts.salt ?? randomBytes(SALT_LENGTH);
  const { cipherKey, hmacKey, iv } = deriveKeys(password, salt);
  const cipher = createCipheriv('aes-256-ctr', cipherKey, iv);
  const ciphertext = Buffer.concat([cipher.update(pad(plaintext)), cipher.final()]);
  const mac = createHmac('sha256', hmacKey).update(ciphertext).digest();
  const inner = [salt.toString('hex'), mac.toString('hex'), ciphertext.toString('hex')].join('\n');
  return formatEnvelope(Buffer.from(inner, 'latin1').toString('hex'), opts.vaultId);
}

interface Payload {
  salt: Buffer;
  mac: Buffer;
  ciphertext: Buffer;
}

/** Split and unhexlify the body; independent of the password, so a failure here is final. */
export function parsePayload(envelope: VaultEnvelope): Payload {
  if (envelope.cipher !== CIPHER_NAME) throw new VaultCryptoError(`${envelope.cipher} cipher could not be found`, 'cipher');
  const inner = unhexlify(envelope.body).toString('latin1');
  const first = inner.indexOf('\n');
  const second = first < 0 ? -1 : inner.indexOf('\n', first + 1);
  if (first < 0 || second < 0) throw new VaultCryptoError('Vault vaulttext format error: not enough values to unpack (expected 3)', 'format');
  return {
    salt: unhexlify(inner.slice(0, first)),
    mac: unhexlify(inner.slice(first + 1, second)),
    ciphertext: unhexlify(inner.slice(second + 1)),
  };
}

/** Plaintext, or undefined when the HMAC does not match (wrong password or tampered data). */
export function decryptPayload(payload: Payload, password: Buffer): Buffer | undefined {
  const { cipherKey, hmacKey, iv } = deriveKeys(password, payload.salt);
  const expected = createHmac('sha256', hmacKey).update(payload.ciphertext).digest();
  if (payload.mac.length !== expected.length || !timingSafeEqual(payload.mac, expected)) return undefined;
  const decipher = createDecipheriv('aes-256-ctr', cipherKey, iv);
  return unpad(Buffer.concat([decipher.update(payload.ciphertext), decipher.final()]));
}
