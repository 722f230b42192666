// The messages of load errors outside playbooks: inventory, vault, connection
// settings, the command line and ansible.cfg. Each factory takes the message's
// values, then `{ pos, hint }`. Tests assert on these texts: change with care.

import { defineLoadError as def } from './define.js';

// inventory
export const errInventoryNotFound = def('INVENTORY_NOT_FOUND', (source: string) => `inventory source not found: ${source}`);
export const errInventoryRead = def('INVENTORY_NOT_FOUND', (detail: string) => `cannot read inventory file: ${detail}`);
export const errInventoryYamlSyntax = def('YAML_SYNTAX', (detail: string) => `YAML syntax error: ${detail}`);
export const errVarsFileNotMapping = def('BAD_VARS', () => 'a vars file must contain a mapping of variable names to values');
export const errVarsFileRead = def('VARS_FILE_READ', (detail: string) => `cannot read vars file: ${detail}`);
export const errIniSectionType = def('INVENTORY_PARSE', (group: string, kind: string) => `section [${group}:${kind}] has unknown type: ${kind}`);
export const errIniSectionEntry = def('INVENTORY_PARSE', (line: string) => `invalid section entry: '${line}'`);
export const errIniVarsLine = def('INVENTORY_PARSE', (group: string, line: string) => `expected key=value in [${group}:vars], got: ${line}`);
export const errIniChildrenLine = def('INVENTORY_PARSE', (group: string, line: string) => `expected a group name in [${group}:children], got: ${line}`);
export const errIniVarsUndefinedGroup = def('INVENTORY_PARSE', (name: string) => `section [${name}:vars] not valid for undefined group: ${name}`);
export const errIniChildUndefined = def('INVENTORY_PARSE', (parent: string, name: string) => `section [${parent}:children] includes undefined group: ${name}`);
export const errIniHostDefinition = def('INVENTORY_PARSE', (line: string, detail: string) => `error parsing host definition '${line}': ${detail}`);
export const errIniHostVar = def('INVENTORY_PARSE', (text: string) => `expected key=value host variable assignment, got: ${text}`);
export const errInventoryPlugin = def('INVENTORY_PLUGIN', () => 'inventory plugin configuration files are not supported');
export const errInventoryEmpty = def('INVENTORY_PARSE', () => 'the inventory file is empty');
export const errYamlInventoryNotMapping = def('INVENTORY_PARSE', () => 'YAML inventory must be a mapping of group names to groups');
export const errYamlInventoryEntry = def('INVENTORY_PARSE', (key: string, group: string) => `invalid "${key}" entry for group "${group}": expected a mapping`);
export const errYamlInventoryHostVars = def('INVENTORY_PARSE', (host: string) => `vars of host '${host}' must be a mapping`);
export const errGroupPriority = def('INVENTORY_PARSE', (group: string, value: string) => `ansible_group_priority of group '${group}' must be an integer, got ${value}`);
export const errGroupSelfChild = def('INVENTORY_CYCLE', (group: string) => `group '${group}' cannot be a child of itself`);
export const errGroupLoop = def('INVENTORY_CYCLE', (child: string, parent: string) => `adding group '${child}' as child to '${parent}' creates a recursive dependency loop`);
export const errUnknownHost = def('UNKNOWN_HOST', (host: string, group: string) => `cannot add unknown host '${host}' to group '${group}'`);
export const errHostTrailingColon = def('BAD_HOST_PATTERN', (text: string) => `invalid host pattern '${text}': a trailing ':' is reserved for a port`);
/** The message comes from the host range parser, which knows no positions. */
export const errHostRange = def('BAD_HOST_PATTERN', (detail: string) => detail);
export const errPatternRegex = def('BAD_LIMIT', (pattern: string, detail: string) => `invalid host pattern regex '${pattern}': ${detail}`);
export const errLimitFileMissing = def('BAD_LIMIT', (file: string) => `unable to find limit file ${file}`);
export const errFileLimit = def('FILE_LIMIT', (hosts: number, needed: number, max: number) => `${hosts} hosts need about ${needed} open files, one connection each, but this process may open only ${max}`);
export const errBadSlice = def('BAD_SLICE', (text: string) => `--slice expects K/N with 1 <= K <= N, got '${text}'`);
export const errReportRead = def('REPORT_MERGE', (file: string, detail: string) => `cannot read the JSON report ${file}: ${detail}`);
/** The message says which reports disagree and on what. */
export const errReportsDiffer = def('REPORT_MERGE', (detail: string) => detail);
export const errLimitFileNotFile = def('BAD_LIMIT', (file: string) => `limit starts with '@' but ${file} is not a file`);

// vault
export const errVaultNoSecrets = def('VAULT_NO_SECRETS', () => 'Attempting to decrypt but no vault secrets found');
export const errVaultDecrypt = def('VAULT_DECRYPT', (where: string) => `Decryption failed (no vault secrets were found that could decrypt)${where ? ` on ${where}` : ''}`);
export const errNotVaultData = def('VAULT_FORMAT', (file: string) => `input is not vault encrypted data${file ? `. ${file} is not a vault encrypted file` : ''}`);
export const errVaultFormat = def('VAULT_FORMAT', (where: string, detail: string) => `There was a vault format error${where ? ` in ${where}` : ''}: ${detail}`);
export const errAlreadyEncrypted = def('VAULT_FORMAT', () => 'input is already encrypted');
export const errPromptEof = def('VAULT_PASSWORD', (prompt: string) => `EOFError (ctrl-d) on prompt '${prompt}'`);
export const errPasswordScriptRun = def('VAULT_PASSWORD', (file: string, detail: string) => `Problem running vault password script ${file} (${detail}). If this is not a script, remove the executable bit from the file.`);
/** The message names the script and its exit status or missing secret. */
export const errPasswordScriptFailed = def('VAULT_PASSWORD', (detail: string) => detail);
export const errPasswordFromScriptEmpty = def('VAULT_PASSWORD', (file: string) => `Invalid vault password was provided from script (${file})`);
export const errPasswordFileRead = def('VAULT_PASSWORD', (file: string, detail: string) => `Could not read vault password file ${file}: ${detail}`);
export const errPasswordFromFileEmpty = def('VAULT_PASSWORD', (file: string) => `Invalid vault password was provided from file (${file})`);
export const errPasswordEmpty = def('VAULT_PASSWORD', () => 'Invalid vault password was provided');
export const errPasswordsDiffer = def('VAULT_PASSWORD', () => 'Passwords do not match');
export const errVaultIdInvalid = def('VAULT_OPTION', (id: string) => `'${id}' is not a valid vault id. The character ';' is not allowed in vault ids`);
export const errPasswordFileMissing = def('VAULT_OPTION', (file: string) => `The vault password file ${file} was not found`);
export const errEncryptVaultIdUnknown = def('VAULT_OPTION', (id: string, known: string) => `Did not find a match for --encrypt-vault-id=${id} in the known vault-ids [${known}]`);
export const errEncryptVaultIdAmbiguous = def('VAULT_OPTION', (ids: string) => `The vault-ids ${ids} are available to encrypt. Specify the vault-id to encrypt with --encrypt-vault-id`);
export const errVaultPasswordRequired = def('VAULT_OPTION', () => "A vault password is required to use Ansible's Vault");

// connection settings
export const errSshConfigRead = def('SSH_CONFIG', (file: string, detail: string) => `cannot read ssh config file ${file}: ${detail}`);
export const errSshConfigMissing = def('SSH_CONFIG', (file: string) => `ssh config file ${file} does not exist`);
export const errSshPort = def('SSH_CONFIG', (host: string, port: string | undefined) => `invalid SSH port for ${host}: ${port}`);
export const errProxyCommand = def('SSH_CONFIG', (host: string, command: string) => `host ${host}: ssh ProxyCommand is not supported (${command})`);
export const errProxyJump = def('SSH_CONFIG', (spec: string) => `invalid ProxyJump host: ${spec}`);
export const errSshArgs = def('SSH_CONFIG', (name: string, host: string, detail: string) => `${name} for ${host}: ${detail}`);
export const errConnectionType = def('CONNECTION_TYPE', (host: string, type: string) => `host ${host}: connection type '${type}' is not supported`);

// command line and ansible.cfg
export const errExtraVarsData = def('EXTRA_VARS', (detail: string) => `Invalid extra vars data supplied: ${detail}`);
export const errExtraVarsNotDict = def('EXTRA_VARS', (raw: string) => `Invalid extra vars data supplied. '${raw}' could not be made into a dictionary`);
export const errExtraVarsFileRead = def('EXTRA_VARS', (file: string) => `the extra vars file ${file} could not be read`);
export const errExtraVarsFileYaml = def('EXTRA_VARS', (detail: string) => `extra vars file is not valid YAML: ${detail}`);
export const errExtraVarsSyntax = def('EXTRA_VARS', (detail: string) => `extra vars are not valid JSON/YAML: ${detail}`);
export const errExtraVarsType = def('EXTRA_VARS', (value: string) => `extra vars must be a dictionary, got: ${value}`);
export const errConfigLine = def('CONFIG_SYNTAX', () => 'cannot parse this line of the config file');
export const errConfigGathering = def('BAD_OPTION', (value: string) => `gathering must be implicit, explicit or smart, got '${value}'`);
