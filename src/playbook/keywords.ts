// Ansible's playbook keywords, per object (https://docs.ansible.com/ansible/latest/reference_appendices/playbooks_keywords.html).

const BASE = ['name', 'vars', 'tags', 'when', 'become', 'become_user', 'become_method', 'become_flags', 'become_exe', 'check_mode', 'diff',
  'ignore_errors', 'ignore_unreachable', 'no_log', 'any_errors_fatal', 'run_once', 'environment', 'timeout', 'throttle', 'remote_user',
  'connection', 'module_defaults', 'port', 'collections', 'debugger'];

export const PLAY_KEYWORDS = new Set([...BASE.filter((k) => k !== 'when'), 'hosts', 'gather_facts', 'gather_subset', 'gather_timeout', 'fact_path',
  'vars_files', 'vars_prompt', 'pre_tasks', 'roles', 'tasks', 'post_tasks', 'handlers', 'serial', 'strategy', 'max_fail_percentage', 'order',
  'force_handlers']);

export const BLOCK_KEYWORDS = new Set([...BASE, 'block', 'rescue', 'always', 'delegate_to', 'delegate_facts', 'notify']);

export const TASK_KEYWORDS = new Set([...BASE, 'action', 'local_action', 'args', 'async', 'poll', 'changed_when', 'failed_when', 'until', 'retries',
  'delay', 'register', 'notify', 'loop', 'loop_control', 'delegate_to', 'delegate_facts']);

export const HANDLER_KEYWORDS = new Set([...TASK_KEYWORDS, 'listen']);

/** Keywords an include_tasks / include_role itself accepts; others belong in `apply:`. */
export const INCLUDE_KEYWORDS = new Set(['name', 'action', 'args', 'collections', 'debugger', 'ignore_errors', 'loop', 'loop_control', 'no_log',
  'register', 'run_once', 'tags', 'timeout', 'vars', 'when']);

/** Keywords of a `roles:` entry; every other key is a role parameter. */
export const ROLE_KEYWORDS = new Set([...BASE, 'role', 'delegate_to', 'delegate_facts']);

export const LOOP_CONTROL_KEYS = new Set(['loop_var', 'index_var', 'label', 'pause', 'extended', 'extended_allitems', 'break_when']);

export const LOOP_KINDS = ['with_items', 'with_list', 'with_dict', 'with_fileglob', 'with_sequence', 'with_together', 'with_nested',
  'with_subelements', 'with_flattened', 'with_indexed_items', 'with_random_choice', 'with_first_found', 'with_lines', 'with_file', 'with_env',
  'with_inventory_hostnames'] as const;

export const IMPORT_INCLUDE_ACTIONS: Record<string, 'import_tasks' | 'include_tasks' | 'import_role' | 'include_role' | 'import_playbook' | 'include'> = {};
for (const a of ['import_tasks', 'include_tasks', 'import_role', 'include_role', 'import_playbook', 'include'] as const) {
  IMPORT_INCLUDE_ACTIONS[a] = a;
  IMPORT_INCLUDE_ACTIONS[`ansible.builtin.${a}`] = a;
  IMPORT_INCLUDE_ACTIONS[`ansible.legacy.${a}`] = a;
}

export const INCLUDE_TASKS_ARGS = new Set(['file', 'apply', '_raw_params']);
export const IMPORT_TASKS_ARGS = new Set(['file', '_raw_params']);
export const INCLUDE_ROLE_ARGS = new Set(['name', 'tasks_from', 'vars_from', 'defaults_from', 'handlers_from', 'apply', 'public', 'allow_duplicates', 'rolespec_validate']);
export const IMPORT_ROLE_ARGS = new Set(['name', 'tasks_from', 'vars_from', 'defaults_from', 'handlers_from', 'public', 'allow_duplicates', 'rolespec_validate']);

export const VALID_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
