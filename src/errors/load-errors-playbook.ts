// The messages of load errors in playbooks, task files and roles. Each factory
// takes the message's values, then `{ pos, hint }`. The texts follow
// ansible-playbook's where it has one, and tests assert on them: change with care.

import { defineLoadError as def } from './define.js';

// YAML and files
export const errYamlSyntax = def('YAML_SYNTAX', (detail: string) => `YAML syntax error: ${detail}`);
export const errYamlDuplicateKey = def('YAML_SYNTAX', (key: string) => `found a duplicate dict key (${key}). Using last defined value only.`);
export const errYamlUnhashableKey = def('YAML_SYNTAX', () => 'YAML syntax error: found unhashable key (a mapping or list used as a key)');
export const errYamlMultiDocument = def('YAML_MULTI_DOCUMENT', () => 'a YAML file with several documents (separated by ---) is not supported here');
export const errYamlUnknownAlias = def('YAML_ALIAS', (alias: string) => `YAML: the alias *${alias} refers to no anchor`);
export const errYamlAlias = def('YAML_ALIAS', (detail: string) => `YAML: ${detail}`);
export const errFileRead = def('FILE_READ', (file: string, why: string) => `could not read ${file}: ${why}`);
export const errPlaybookNotFound = def('FILE_NOT_FOUND', (target: string, abs: string) => `Could not find or access '${target}' (looked for ${abs})`);
export const errTaskFileNotFound = def('FILE_NOT_FOUND', (target: string) => `Could not find or access '${target}'`);

// playbooks and plays
export const errEmptyPlaybook = def('EMPTY_PLAYBOOK', () => 'Empty playbook, nothing to do');
export const errPlaybookNotList = def('BAD_PLAYBOOK', (got: string) => `A playbook must be a list of plays, got ${got} instead`);
export const errPlayNotMapping = def('BAD_PLAYBOOK', (got: string) => `A play must be a mapping of play keywords, got ${got}`);
export const errHostsRequired = def('MISSING_KEYWORD', () => "the field 'hosts' is required but was not set");
export const errHostsEmpty = def('BAD_KEYWORD_VALUE', () => 'Hosts list cannot be empty. Please check your playbook');

// keywords
/** `owner` carries its article: "a Play", "a Task", "apply". */
export const errInvalidKeyword = def('INVALID_KEYWORD', (key: string, owner: string) => `'${key}' is not a valid attribute for ${owner}`);
export const errMustBeType = def('BAD_KEYWORD_VALUE', (what: string, expected: string, got: string) => `${what} must be ${expected}, got ${got}`);
export const errNameNotString = def('BAD_KEYWORD_VALUE', (got: string) => `The field 'name' is supposed to be a string type, however the incoming data structure is ${got}`);
export const errPlayUserAndRemoteUser = def('CONFLICTING_KEYWORDS', () => "both 'user' and 'remote_user' are set for this play. The use of 'user' is deprecated, and should be removed");
export const errConflictingKeywords = def('CONFLICTING_KEYWORDS', (a: string, b: string) => `${a} and ${b} are mutually exclusive`);
export const errStaticName = def('BAD_KEYWORD_VALUE', (what: string, got: string) => `${what} must be a non-empty string, got ${got}`);
export const errUnresolvableTemplate = def('UNRESOLVABLE_TEMPLATE', (what: string, value: string) => `${what} is a template (${value}), which cannot be resolved before the run`);
export const errNotInHandlers = def('NOT_SUPPORTED', (kind: string) => `${kind} is not supported in handlers yet`);
export const errBlockAsHandler = def('NOT_SUPPORTED', () => 'Using a block as a handler is not supported.');
export const errRoleAsHandler = def('NOT_SUPPORTED', (kind: string) => `Using '${kind}' as a handler is not supported.`);
export const errActionNotInHandlers = def('NOT_SUPPORTED', (action: string) => `${action} in handlers is not supported yet`);

// blocks and tasks
export const errMalformedBlock = def('BAD_BLOCK', (section: string, repr: string, pyType: string) => `A malformed block was encountered while loading ${section}: ${repr} should be a list or None but is <class '${pyType}'>`);
export const errNoPlays = def('EMPTY_PLAYBOOK', (file: string) => `A playbook must contain at least one play: ${file}`);
export const errEmptyTask = def('BAD_TASK', () => 'empty task: a task must be a mapping with a module (or a block)');
export const errMalformedTask = def('BAD_TASK', (got: string) => `A malformed task was found: expected a mapping, got ${got}`);

// actions and their arguments
export const errUnsupportedModule = def('UNSUPPORTED_MODULE', (name: string, fqcn: string) => `rackplay does not implement the module '${name}'${fqcn === name ? '' : ` (${fqcn})`} yet: the task fails if it runs`);
export const errUnknownModule = def('UNKNOWN_MODULE', (name: string) => `couldn't resolve module/action '${name}'. This often indicates a misspelling, missing collection, or incorrect module path.`);
export const errNoAction = def('NO_ACTION', () => 'no module/action detected in task.');
export const errConflictingActions = def('CONFLICTING_ACTIONS', (a: string, b: string) => `conflicting action statements: ${a}, ${b}`);
export const errActionEmpty = def('BAD_ACTION', (key: string) => `${key} is empty`);
export const errActionNeedsModule = def('BAD_ACTION', (key: string) => `${key} given as a mapping needs a 'module' key`);
export const errActionType = def('BAD_ACTION', (key: string, got: string) => `${key} must be a string or a mapping, got ${got}`);
export const errComplexArgs = def('BAD_MODULE_ARGS', (got: string) => `Complex args must be a dictionary or variable string ("{{var}}"), got ${got}`);
export const errActionParamType = def('BAD_MODULE_ARGS', (got: string) => `unexpected parameter type in action: ${got}`);
export const errExtraParams = def('BAD_MODULE_ARGS', (action: string, freeForm: string) => `this task '${action}' has extra params, which is only allowed in the following modules: ${freeForm}`);
export const errSplitArgs = def('ARGS_SYNTAX', (text: string) => `failed at splitting arguments, either an unbalanced jinja2 block or quotes: ${text}`);

// imports and includes
export const errCircularPlaybookImport = def('CIRCULAR_IMPORT', (chain: string) => `circular import_playbook: ${chain}`);
export const errCircularImport = def('CIRCULAR_IMPORT', (chain: string) => `circular import: ${chain}`);
export const errImportPlaybookAsTask = def('BAD_INCLUDE', () => 'import_playbook can only be used at the top level of a playbook, not as a task');
export const errIncludeTarget = def('BAD_INCLUDE', (kind: string, expected: string, got: string) => `${kind} expects a ${expected} or a mapping, got ${got}`);
export const errIncludeOption = def('BAD_INCLUDE', (kind: string, option: string) => `Invalid options for ${kind}: ${option}`);
export const errIncludeFileTwice = def('BAD_INCLUDE', (kind: string) => `${kind} was given both a free-form file name and file:`);
export const errIncludeNoFile = def('BAD_INCLUDE', (kind: string) => `No file specified for ${kind}`);
export const errIncludeNoName = def('BAD_INCLUDE', (kind: string) => `'name' is a required field for ${kind}`);
export const errImportLoop = def('BAD_INCLUDE', (kind: string, instead: string) => `You cannot use loops on '${kind}' statements. You should use '${instead}' instead.`);

// roles
export const errRoleEntry = def('BAD_ROLE', (got: string) => `a role must be given as a name or a mapping, got ${got}`);
export const errRoleNoName = def('BAD_ROLE', () => 'role definitions must contain a role name');
export const errRoleCycle = def('ROLE_CYCLE', (names: string) => `role dependency cycle: ${names}`);
export const errRoleMeta = def('BAD_ROLE_META', (got: string) => `role metadata must be a mapping, got ${got}`);
export const errRoleDependencies = def('BAD_ROLE_META', (got: string) => `role dependencies must be a list, got ${got}`);
export const errRoleFileNotFound = def('ROLE_FILE_NOT_FOUND', (file: string) => `Could not find specified file in role: ${file}`);
export const errRoleFileOutside = def('ROLE_FILE_NOT_FOUND', (file: string, role: string, dir: string) => `Failed loading '${file}' for role (${role}) as it is not inside the expected role path: '${dir}'`);
export const errRoleNotFound = def('ROLE_NOT_FOUND', (name: string, searched: string) => `the role '${name}' was not found in ${searched}`);

// variables and loops
export const errRoleVars = def('BAD_VARS', (sub: string, got: string) => `role ${sub} must be a mapping of variable names to values, got ${got}`);
export const errVarsNotDict = def('BAD_VARS', (what: string, got: string) => `Vars in a ${what} must be specified as a dictionary, got ${got}`);
export const errBadVarName = def('BAD_VAR_NAME', (what: string, name: string) => `Invalid variable name in ${what}: '${name}' is not a valid variable name`);
export const errBadRegister = def('BAD_VAR_NAME', (name: string) => `Invalid variable name in 'register' specified: '${name}'`);
export const errLoopControlWithoutLoop = def('BAD_LOOP', () => 'loop_control is set but the task has no loop');
export const errUnsupportedLoop = def('BAD_LOOP', (key: string, lookup: string) => `unsupported loop '${key}': the lookup '${lookup}' is not available`);
export const errDuplicateLoop = def('BAD_LOOP', (names: string) => `duplicate loop in task: ${names}`);
export const errLoopControlValue = def('BAD_LOOP', (key: string, expected: string, got: string) => `loop_control.${key} must be ${expected}, got ${got}`);
export const errMalformedRoles = def('BAD_KEYWORD_VALUE', (got: string) => `A malformed role declaration was encountered. 'roles' must be a list, got ${got}`);
export const errOldStyleRole = def('BAD_ROLE', (name: string) => `Invalid old style role requirement: ${name}`);
export const errVarsPromptNoName = def('BAD_KEYWORD_VALUE', () => "Invalid vars_prompt data structure, missing 'name' key");
export const errVarsPromptKey = def('BAD_KEYWORD_VALUE', (key: string) => `Invalid vars_prompt data structure, found unsupported key '${key}'`);
export const errVarsPromptNotList = def('BAD_KEYWORD_VALUE', () => 'vars_prompt must be a list');
export const errLoopControlType = def('BAD_LOOP', (got: string) => `loop_control must be a mapping, got ${got}`);
