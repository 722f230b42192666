// The typed form of a playbook after parsing and validation. Values stay raw (templates
// are rendered at run time, per host); positions point back at the user's YAML.
import type { SourcePos } from '../errors.js';

/** Keywords shared by plays, blocks, roles and tasks (Ansible's Base/Conditional/Taggable). */
export interface CommonKeywords {
  name?: string;
  when?: unknown[];
  tags: string[];
  vars: Record<string, unknown>;
  become?: unknown;
  become_user?: unknown;
  become_method?: unknown;
  become_flags?: unknown;
  check_mode?: unknown;
  diff?: unknown;
  ignore_errors?: unknown;
  ignore_unreachable?: unknown;
  no_log?: unknown;
  any_errors_fatal?: unknown;
  run_once?: unknown;
  delegate_to?: unknown;
  delegate_facts?: unknown;
  environment?: unknown;
  timeout?: unknown;
  throttle?: unknown;
  remote_user?: unknown;
  connection?: unknown;
  module_defaults?: unknown;
  port?: unknown;
}

export interface LoopSpec {
  /** `loop`, `with_items`, `with_dict`... the raw value to render. */
  kind: 'loop' | `with_${string}`;
  value: unknown;
  loop_var: string;
  index_var?: string;
  label?: unknown;
  pause?: number;
  extended?: boolean;
  /** loop_control.extended_allitems: false leaves ansible_loop.allitems out. */
  extended_allitems?: boolean;
  /** Ansible 2.18 loop_control.break_when, normalized like `when`. */
  break_when?: unknown[];
}

export interface Task extends CommonKeywords {
  kind: 'task';
  /** Canonical short module name (FQCN and aliases resolved). */
  action: string;
  /** The name as written (for messages). */
  actionAsWritten: string;
  /** Raw arguments, free-form string already moved to its key. */
  args: Record<string, unknown>;
  /**
   * `action: "{{ mod }} k=v"` whose module name needs host variables (facts, set_fact):
   * `action` is then the template, `args` holds the `args:` keyword only, and `raw` the
   * module's own arguments (a k=v string or a mapping), resolved for each host when it runs.
   */
  dynamicAction?: { raw: unknown };
  register?: string;
  changed_when?: unknown[];
  failed_when?: unknown[];
  until?: unknown[];
  retries?: unknown;
  delay?: unknown;
  loop?: LoopSpec;
  /** `async:` seconds and `poll:` interval, raw. */
  async?: unknown;
  poll?: unknown;
  notify: string[];
  /** handlers only */
  listen: string[];
  pos: SourcePos;
  /** Role this task came from, for `TASK [role : name]`, role_path and file lookups. */
  role?: RoleInstance;
  /** Unique id for the task within the run. */
  uid: string;
}

export interface Block extends CommonKeywords {
  kind: 'block';
  block: TaskNode[];
  rescue: TaskNode[];
  always: TaskNode[];
  pos: SourcePos;
  role?: RoleInstance;
  /** Block-level `notify:`, inherited by the block's tasks. */
  notify?: string[];
  /** 2.14's `include:` resolved statically: its `vars:` (not its k=v words) are include params too (above set_fact). */
  includeParamVars?: Record<string, unknown>;
}

/** include_tasks / include_role: resolved per host at run time. */
export interface DynamicInclude extends CommonKeywords {
  kind: 'include';
  action: 'include_tasks' | 'include_role';
  /** The key as written when it differs (`include:`), for the task's default name. */
  actionAsWritten?: string;
  /** 2.14's `include:`: only its `vars:` (not its k=v words) are include params. */
  includeParamVars?: Record<string, unknown>;
  /** raw args: file / name / tasks_from / apply / ... */
  args: Record<string, unknown>;
  loop?: LoopSpec;
  pos: SourcePos;
  role?: RoleInstance;
  uid: string;
  /** Directory the include's relative paths resolve against. */
  baseDir: string;
  /** Every directory Ansible would try, in order (baseDir is the first that had the file at load time). */
  searchDirs?: string[];
  /** An include_tasks in a handlers list: its file is read as handlers, and it answers these topics. */
  handler?: { listen: string[] };
}

export type TaskNode = Task | Block | DynamicInclude;

/** A handler: a task, or an include_tasks whose tasks all run when it is notified. */
export type Handler = Task | DynamicInclude;

export interface RoleInstance {
  name: string;
  /** Absolute path of the role directory. */
  path: string;
  defaults: Record<string, unknown>;
  vars: Record<string, unknown>;
  /** Role params from `roles: - role: x, param: 1`. */
  params: Record<string, unknown>;
  /** The role's own tasks (tasks/main.yml or tasks_from), dependencies excluded. */
  tasks: TaskNode[];
  handlers: Handler[];
  /** Dependencies from meta/main.yml, already loaded, run before this role. */
  dependencies: RoleInstance[];
  /** Keywords from the roles: entry (when, tags, become...) applied to all its tasks. */
  keywords: CommonKeywords;
  pos: SourcePos;
  /** allow_duplicates from meta */
  allowDuplicates: boolean;
}

export interface Play extends CommonKeywords {
  kind: 'play';
  hosts: unknown;
  gather_facts?: unknown;
  gather_subset?: unknown;
  vars_files: unknown[];
  pre_tasks: TaskNode[];
  roles: RoleInstance[];
  /**
   * Roles brought in with import_role anywhere in the play, in load order. Ansible adds them
   * to the play's roles as it loads them, so their defaults and vars (and the import's vars)
   * are every task's, and their names are in role_names; they run where they were imported.
   */
  importedRoles?: RoleInstance[];
  tasks: TaskNode[];
  post_tasks: TaskNode[];
  handlers: Handler[];
  serial?: unknown;
  strategy?: unknown;
  max_fail_percentage?: unknown;
  order?: unknown;
  force_handlers?: unknown;
  vars_prompt?: unknown[];
  gather_timeout?: unknown;
  fact_path?: unknown;
  pos: SourcePos;
  /** Directory of the playbook file that defined the play. */
  baseDir: string;
}

export interface Playbook {
  path: string;
  plays: Play[];
}
