// Ansible Vault for rackplay: the format (crypto.ts), choosing secrets (vault.ts), where
// passwords come from (secrets.ts) and the loaders' hook (context.ts).
import { installVault } from './context.js';
import { buildVaultIds, loadSecrets, loadVaultConfig, type VaultCliOptions } from './secrets.js';
import { Vault } from './vault.js';

export { encryptVault, isVaultData, parseEnvelope, formatEnvelope, DEFAULT_VAULT_ID, VAULT_HEADER, VaultCryptoError } from './crypto.js';
export { Vault, type VaultSecret, type DecryptResult, type VaultOrigin } from './vault.js';
export {
  installVault,
  installedVault,
  isVaultValue,
  decryptInlineValue,
  decryptDocumentValues,
  decryptYamlFileText,
  decryptFileContent,
  type VaultContext,
} from './context.js';
export { buildVaultIds, loadSecrets, loadVaultConfig, readPasswordSource, splitVaultId, pickEncryptSecret, type VaultCliOptions, type VaultConfig } from './secrets.js';

/**
 * For a playbook run: read the vault options and ansible.cfg, load the secrets (prompting
 * only when asked, as ansible-playbook does), register the passwords and every value
 * decrypted later with `onSecret`, and install the vault for the loaders.
 */
export async function setupRunVault(
  opts: VaultCliOptions,
  hooks: { onSecret: (secret: string) => void; warn?: (message: string) => void; env?: NodeJS.ProcessEnv; cwd?: string },
): Promise<Vault> {
  const config = loadVaultConfig(hooks.env, hooks.cwd);
  const slugs = buildVaultIds(opts, config, false);
  const secrets = await loadSecrets(slugs, { warn: hooks.warn });
  for (const s of secrets) hooks.onSecret(s.bytes.toString('utf8'));
  const vault = new Vault(secrets, { idMatch: config.idMatch });
  installVault({ vault, onSecret: hooks.onSecret });
  return vault;
}
