// One table of error codes, as Rollup keeps its logs: every code names one kind of
// mistake, and says how the CLI exits on it (parse 4, options 5, error 1). The
// messages live in the factories of load-errors-*.ts and task-errors.ts, each made
// with define.ts so that it carries its code.
//
// To add an error: reuse a code below or add one (with its exit kind), then add a
// factory `errXxx = def('CODE', (values) => `message`)` next to its kind and throw
// `errXxx(values, { pos, hint })`. test/unit/error-codes.test.ts checks the pairing.

/** How the CLI exits on a load error: parse 4, options 5, error 1. */
export type UserErrorKind = 'parse' | 'options' | 'error';

export const LOAD_CODES = {
  // found when a play starts, as ansible-playbook finds them: the run stops there (exit 1)
  BAD_STRATEGY: { kind: 'error', what: 'a play names a strategy that does not exist' },
  VARS_FILE_NOT_FOUND: { kind: 'error', what: 'a play\'s vars_files entry names no file' },
  BAD_VARS_FILE: { kind: 'error', what: 'a play\'s vars file is not a dictionary' },
  BAD_SERIAL: { kind: 'error', what: 'serial is not a number, a percentage or a list of them' },
  BAD_THROTTLE: { kind: 'error', what: 'throttle is not a whole number' },
  // YAML and files
  YAML_SYNTAX: { kind: 'parse', what: 'a YAML file does not parse' },
  YAML_MULTI_DOCUMENT: { kind: 'parse', what: 'a YAML file holds several documents' },
  YAML_ALIAS: { kind: 'parse', what: 'a YAML alias is unresolved or expands too far' },
  FILE_READ: { kind: 'parse', what: 'a playbook, task or vars file cannot be read' },
  FILE_NOT_FOUND: { kind: 'parse', what: 'an imported playbook or task file does not exist' },
  // playbook structure
  EMPTY_PLAYBOOK: { kind: 'parse', what: 'a playbook holds no plays' },
  BAD_PLAYBOOK: { kind: 'parse', what: 'a playbook or play has the wrong shape' },
  BAD_BLOCK: { kind: 'parse', what: 'a block or task list has the wrong shape' },
  BAD_TASK: { kind: 'parse', what: 'a task has the wrong shape' },
  INVALID_KEYWORD: { kind: 'parse', what: 'a keyword is not valid where it is written' },
  MISSING_KEYWORD: { kind: 'parse', what: 'a required keyword is missing' },
  BAD_KEYWORD_VALUE: { kind: 'parse', what: 'a keyword has a value of the wrong type' },
  CONFLICTING_KEYWORDS: { kind: 'parse', what: 'two keywords cannot be used together' },
  NOT_SUPPORTED: { kind: 'parse', what: 'a feature rackplay does not support yet' },
  UNRESOLVABLE_TEMPLATE: { kind: 'parse', what: 'a static name is a template that needs run-time values' },
  // actions and their arguments
  UNKNOWN_MODULE: { kind: 'parse', what: 'no module or action of that name' },
  UNSUPPORTED_MODULE: { kind: 'parse', what: 'a module Ansible has and rackplay does not implement yet' },
  NO_ACTION: { kind: 'parse', what: 'a task names no module' },
  CONFLICTING_ACTIONS: { kind: 'parse', what: 'a task names two modules' },
  BAD_ACTION: { kind: 'parse', what: 'action/local_action is malformed' },
  BAD_MODULE_ARGS: { kind: 'parse', what: 'module arguments are malformed or invalid' },
  ARGS_SYNTAX: { kind: 'parse', what: 'free-form arguments have unbalanced quotes or templates' },
  // imports, includes and roles
  BAD_INCLUDE: { kind: 'parse', what: 'an import_*/include_* task is malformed' },
  CIRCULAR_IMPORT: { kind: 'parse', what: 'a playbook or task file imports itself' },
  ROLE_NOT_FOUND: { kind: 'parse', what: 'no role of that name on the roles path' },
  ROLE_FILE_NOT_FOUND: { kind: 'parse', what: 'tasks_from/vars_from/... names no file of the role' },
  BAD_ROLE: { kind: 'parse', what: 'a roles: entry is malformed' },
  BAD_ROLE_META: { kind: 'parse', what: "a role's meta/main.yml is malformed" },
  ROLE_CYCLE: { kind: 'parse', what: 'role dependencies form a cycle' },
  // variables and loops
  BAD_VARS: { kind: 'parse', what: 'vars are not a mapping' },
  BAD_VAR_NAME: { kind: 'parse', what: 'a variable name is not valid' },
  BAD_LOOP: { kind: 'parse', what: 'loop or loop_control is malformed' },
  // inventory
  INVENTORY_PARSE: { kind: 'parse', what: 'an inventory source is malformed' },
  INVENTORY_CYCLE: { kind: 'parse', what: 'inventory groups are their own children' },
  INVENTORY_PLUGIN: { kind: 'error', what: 'an inventory plugin configuration, which rackplay does not support' },
  INVENTORY_NOT_FOUND: { kind: 'options', what: 'an inventory source is missing or unreadable' },
  BAD_HOST_PATTERN: { kind: 'parse', what: 'a host name or range in an inventory is malformed' },
  BAD_LIMIT: { kind: 'options', what: 'a --limit pattern or file is invalid' },
  FILE_LIMIT: { kind: 'options', what: 'the open-files limit is below what one connection per host needs' },
  BAD_SLICE: { kind: 'options', what: 'a --slice value is not K/N with 1 <= K <= N' },
  REPORT_MERGE: { kind: 'options', what: 'JSON reports given to `report merge` cannot be read or do not belong together' },
  UNKNOWN_HOST: { kind: 'error', what: 'a run-time inventory change names an unknown host' },
  VARS_FILE_READ: { kind: 'error', what: 'a host_vars/group_vars file cannot be read' },
  // vault
  VAULT_NO_SECRETS: { kind: 'error', what: 'vault data but no vault password given' },
  VAULT_DECRYPT: { kind: 'error', what: 'no vault password decrypts the data' },
  VAULT_FORMAT: { kind: 'error', what: 'vault data is malformed, or not vault data' },
  VAULT_PASSWORD: { kind: 'error', what: 'a vault password cannot be obtained' },
  VAULT_OPTION: { kind: 'options', what: 'vault options are invalid' },
  // connection settings
  SSH_CONFIG: { kind: 'error', what: "a host's ssh settings are invalid" },
  CONNECTION_TYPE: { kind: 'error', what: 'an ansible_connection rackplay does not support' },
  // command line and configuration
  BAD_OPTION: { kind: 'options', what: 'a command-line or configuration option is invalid' },
  EXTRA_VARS: { kind: 'options', what: '--extra-vars data is invalid' },
  CONFIG_SYNTAX: { kind: 'parse', what: 'ansible.cfg does not parse' },
} as const satisfies Record<string, { kind: UserErrorKind; what: string }>;

export type LoadCode = keyof typeof LOAD_CODES;

/** Codes of errors that fail one task on one host. */
export const TASK_CODES = {
  MODULE_FAILED: 'the module reported a failure',
  TEMPLATE_ERROR: 'a template in the task does not render',
  UNDEFINED_VARIABLE: 'the task uses an undefined variable',
  CONDITIONAL_ERROR: 'a when/failed_when/changed_when cannot be evaluated',
  LOOP_ERROR: 'the loop of the task does not give a list',
  BAD_TASK_ARGS: 'the rendered module arguments are invalid',
  MISSING_FILE: 'a file the task needs on the controller does not exist',
} as const satisfies Record<string, string>;

export type TaskCode = keyof typeof TASK_CODES;
