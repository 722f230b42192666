// Ansible's vault and unvault filters: a string encrypted with a secret given in the
// template (vault id `filter_default`), and back. With a salt the output is deterministic.
import { TemplateError } from './errors.js';
import { pyStr, typeName } from './python.js';
import { arg, type Filter } from './filter-support.js';
import { decryptPayload, encryptVault, isVaultData, parseEnvelope, parsePayload } from '../vault/crypto.js';
import { isVaultValue } from '../vault/context.js';

function secretOf(v: unknown, what: string): Buffer {
  if (typeof v !== 'string') throw new TemplateError(`Secret passed is required to be ${what}, instead we got: <class '${typeName(v)}'>`);
  return Buffer.from(v, 'utf8');
}

export const VAULT_FILTERS: Record<string, Filter> = {
  vault: (v, pos, kw) => {
    const secret = secretOf(arg(pos, kw, 0, 'secret'), 'a string');
    if (typeof v !== 'string') throw new TemplateError(`Can only vault strings, instead we got: <class '${typeName(v)}'>`);
    const salt = arg(pos, kw, 1, 'salt', null);
    if (salt !== null && pyStr(salt) === '') throw new TemplateError('Unable to encrypt: Empty or invalid salt passed');
    const vaultId = pyStr(arg(pos, kw, 2, 'vaultid', 'filter_default'));
    try {
      return encryptVault(Buffer.from(v, 'utf8'), secret, { vaultId, salt: salt === null ? undefined : Buffer.from(pyStr(salt), 'utf8') });
    } catch (e) {
      throw new TemplateError(`Unable to encrypt: ${(e as Error).message}`);
    }
  },
  unvault: (v, pos, kw) => {
    const secret = secretOf(arg(pos, kw, 0, 'secret'), 'as string');
    const text = isVaultValue(v) ? v.__vault__ : v;
    if (typeof text !== 'string') throw new TemplateError(`Vault should be in the form of a string, instead we got: <class '${typeName(v)}'>`);
    if (!isVaultData(text)) return text;
    let plain: Buffer | undefined;
    try {
      plain = decryptPayload(parsePayload(parseEnvelope(text)), secret);
    } catch (e) {
      throw new TemplateError(`Unable to decrypt: ${(e as Error).message}`);
    }
    // Ansible appends the original error to its own message, which here says the same
    const why = 'Decryption failed (no vault secrets were found that could decrypt)';
    if (!plain) throw new TemplateError(`Unable to decrypt: ${why}. ${why}`);
    return plain.toString('utf8');
  },
};
