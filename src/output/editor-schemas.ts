// JSON Schemas for editors (`rackplay schema`, src/cli/schema-command.ts): playbooks, task
// files and YAML inventories, built from the same module schemas and keyword lists the
// loader validates with, so the YAML language server flags what `rackplay --syntax-check`
// would reject.
// Values may be Jinja2 templates wherever the runner templates them, so every non-string
// argument also accepts a string containing `{{` or `{%`.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { JsonSchema, ModuleDef } from '../modules/types.js';
import type { ModuleRegistry } from '../modules/registry.js';
import { defaultRegistry } from '../modules/index.js';
import {
  BLOCK_KEYWORDS,
  HANDLER_KEYWORDS,
  IMPORT_ROLE_ARGS,
  IMPORT_TASKS_ARGS,
  INCLUDE_ROLE_ARGS,
  INCLUDE_TASKS_ARGS,
  LOOP_CONTROL_KEYS,
  LOOP_KINDS,
  PLAY_KEYWORDS,
  ROLE_KEYWORDS,
} from '../playbook/keywords.js';

type Schema = Record<string, unknown>;

const DRAFT = 'http://json-schema.org/draft-07/schema#';
const TEMPLATE: Schema = { type: 'string', pattern: '\\{\\{|\\{%', description: 'a Jinja2 template' };
const STRING_OR_LIST: Schema = { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] };
const CONDITION: Schema = { anyOf: [{ type: 'string' }, { type: 'boolean' }, { type: 'array', items: { type: ['string', 'boolean'] } }] };
const BOOL_OR_TEMPLATE: Schema = { anyOf: [{ type: 'boolean' }, TEMPLATE, { type: 'string', enum: ['yes', 'no', 'true', 'false', 'True', 'False', 'on', 'off'] }] };
const INT_OR_TEMPLATE: Schema = { anyOf: [{ type: 'integer' }, TEMPLATE] };

/** Ansible's task keywords with the shapes it accepts; the rest take any value. */
const KEYWORD_SHAPES: Record<string, Schema> = {
  name: { type: 'string' },
  when: CONDITION,
  changed_when: CONDITION,
  failed_when: CONDITION,
  until: CONDITION,
  tags: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: ['string', 'number'] } }] },
  notify: STRING_OR_LIST,
  listen: STRING_OR_LIST,
  register: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
  vars: { type: ['object', 'null'] },
  environment: { anyOf: [{ type: 'object' }, { type: 'array' }, TEMPLATE] },
  loop: { anyOf: [{ type: 'array' }, { type: 'string' }] },
  loop_control: { type: 'object', properties: Object.fromEntries([...LOOP_CONTROL_KEYS].map((k) => [k, {}])), additionalProperties: false },
  become: BOOL_OR_TEMPLATE,
  become_user: { type: 'string' },
  become_method: { type: 'string' },
  check_mode: BOOL_OR_TEMPLATE,
  diff: BOOL_OR_TEMPLATE,
  ignore_errors: BOOL_OR_TEMPLATE,
  ignore_unreachable: BOOL_OR_TEMPLATE,
  no_log: BOOL_OR_TEMPLATE,
  run_once: BOOL_OR_TEMPLATE,
  any_errors_fatal: BOOL_OR_TEMPLATE,
  delegate_facts: BOOL_OR_TEMPLATE,
  delegate_to: { type: 'string' },
  retries: INT_OR_TEMPLATE,
  delay: { anyOf: [{ type: 'number' }, TEMPLATE] },
  timeout: INT_OR_TEMPLATE,
  throttle: INT_OR_TEMPLATE,
  async: INT_OR_TEMPLATE,
  poll: INT_OR_TEMPLATE,
  hosts: STRING_OR_LIST,
  gather_facts: BOOL_OR_TEMPLATE,
  serial: { anyOf: [{ type: ['integer', 'string'] }, { type: 'array', items: { type: ['integer', 'string'] } }] },
  vars_files: { anyOf: [{ type: 'string' }, { type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] } }] },
  order: { enum: ['inventory', 'reverse_inventory', 'sorted', 'reverse_sorted', 'shuffle'] },
  strategy: { type: 'string' },
  max_fail_percentage: { anyOf: [{ type: 'number' }, TEMPLATE] },
  force_handlers: BOOL_OR_TEMPLATE,
};

function keyword(k: string): Schema {
  return KEYWORD_SHAPES[k] ?? {};
}

/** A copy of a module's argument schema where any non-string value may be a template. */
export function allowTemplates(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(allowTemplates);
  if (!schema || typeof schema !== 'object') return schema;
  const s = schema as Schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'properties' && v && typeof v === 'object') {
      out.properties = Object.fromEntries(Object.entries(v as Schema).map(([p, ps]) => [p, templatable(allowTemplates(ps) as Schema)]));
    } else if (k === 'items' || k === 'anyOf' || k === 'oneOf' || k === 'allOf' || k === 'additionalProperties' || k === 'not') {
      out[k] = typeof v === 'object' ? allowTemplates(v) : v;
    } else out[k] = v;
  }
  return out;
}

function templatable(ps: Schema): Schema {
  const t = ps.type;
  const types = Array.isArray(t) ? t : t === undefined ? [] : [t];
  const onlyStrings = types.length > 0 && types.every((x) => x === 'string') && !('enum' in ps);
  if (onlyStrings || (types.length === 0 && !('enum' in ps) && !('anyOf' in ps))) return ps;
  const { description, default: dflt, ...rest } = ps;
  return { anyOf: [rest, TEMPLATE], ...(description !== undefined ? { description } : {}), ...(dflt !== undefined ? { default: dflt } : {}) };
}

function moduleArgs(def: ModuleDef): Schema {
  const args = allowTemplates(def.schema as JsonSchema) as Schema;
  const props = { ...((args.properties as Schema | undefined) ?? {}) };
  for (const [alias, target] of Object.entries(def.argAliases ?? {})) if (props[target] && !props[alias]) props[alias] = props[target];
  // Set by the loader from a free-form string; never written as a key.
  delete props._raw_params;
  // A required argument may be given under any of its alias names.
  const aliasesOf = new Map<string, string[]>();
  for (const [alias, target] of Object.entries(def.argAliases ?? {})) aliasesOf.set(target, [...(aliasesOf.get(target) ?? []), alias]);
  const required: string[] = [];
  const oneOfNames: Schema[] = [];
  for (const k of Array.isArray(args.required) ? (args.required as string[]) : []) {
    if (k === '_raw_params') continue;
    const names = [k, ...(aliasesOf.get(k) ?? [])];
    if (names.length === 1) required.push(k);
    else oneOfNames.push({ anyOf: names.map((n) => ({ required: [n] })) });
  }
  const { required: _dropped, ...rest } = args;
  const allOf = [...(Array.isArray(rest.allOf) ? (rest.allOf as Schema[]) : []), ...oneOfNames];
  return { ...rest, properties: props, ...(required.length ? { required } : {}), ...(allOf.length ? { allOf } : {}) };
}

function moduleValue(def: ModuleDef): Schema {
  return {
    description: def.summary,
    anyOf: [
      { type: 'string', description: def.freeForm ? 'the command, or key=value arguments' : 'key=value arguments' },
      { type: 'null' },
      moduleArgs(def),
      TEMPLATE,
    ],
  };
}

function moduleNames(def: ModuleDef): string[] {
  const names = new Set<string>();
  for (const n of [def.name, ...(def.aliases ?? [])]) {
    names.add(n);
    if (!n.includes('.')) {
      names.add(`ansible.builtin.${n}`);
      names.add(`ansible.legacy.${n}`);
    }
  }
  return [...names];
}

function argsObject(keys: Iterable<string>, extra: Schema = {}): Schema {
  return { anyOf: [{ type: 'string' }, { type: 'object', properties: Object.fromEntries([...keys].filter((k) => k !== '_raw_params').map((k) => [k, extra[k] ?? {}])), additionalProperties: false }] };
}

/** The shared `definitions` every schema file carries (each file stands alone). */
function definitions(registry: ModuleRegistry): Record<string, Schema> {
  const defs: Record<string, Schema> = {};
  const modules: Record<string, Schema> = {};
  for (const def of registry.modules().sort((a, b) => a.name.localeCompare(b.name))) {
    const id = `module_${def.name.replace(/[^A-Za-z0-9_]/g, '_')}`;
    defs[id] = moduleValue(def);
    for (const n of moduleNames(def)) modules[n] = { $ref: `#/definitions/${id}` };
  }
  const includes: Record<string, Schema> = {};
  for (const prefix of ['', 'ansible.builtin.', 'ansible.legacy.']) {
    includes[`${prefix}include_tasks`] = argsObject(INCLUDE_TASKS_ARGS, { file: { type: 'string' }, apply: { type: 'object' } });
    includes[`${prefix}import_tasks`] = argsObject(IMPORT_TASKS_ARGS, { file: { type: 'string' } });
    includes[`${prefix}include_role`] = { type: 'object', properties: Object.fromEntries([...INCLUDE_ROLE_ARGS].map((k) => [k, {}])), required: ['name'], additionalProperties: false };
    includes[`${prefix}import_role`] = { type: 'object', properties: Object.fromEntries([...IMPORT_ROLE_ARGS].map((k) => [k, {}])), required: ['name'], additionalProperties: false };
  }
  const taskProps: Record<string, Schema> = {};
  for (const k of new Set([...HANDLER_KEYWORDS, ...BLOCK_KEYWORDS])) taskProps[k] = keyword(k);
  for (const k of ['block', 'rescue', 'always']) taskProps[k] = { type: 'array', items: { $ref: '#/definitions/task' } };
  for (const k of LOOP_KINDS) taskProps[k] = {};
  taskProps.action = { anyOf: [{ type: 'string' }, { type: 'object' }] };
  taskProps.local_action = { anyOf: [{ type: 'string' }, { type: 'object' }] };
  taskProps.args = { type: 'object' };
  defs.task = {
    type: 'object',
    description: 'a task, handler or block',
    properties: { ...taskProps, ...includes, ...modules },
    additionalProperties: false,
  };
  defs.tasks = { type: ['array', 'null'], items: { $ref: '#/definitions/task' } };
  const roleProps: Record<string, Schema> = Object.fromEntries([...ROLE_KEYWORDS].map((k) => [k, keyword(k)]));
  defs.role = {
    anyOf: [
      { type: 'string' },
      // Keys other than the keywords are role parameters, as in Ansible.
      { type: 'object', properties: { ...roleProps, role: { type: 'string' } }, anyOf: [{ required: ['role'] }, { required: ['name'] }] },
    ],
  };
  const playProps: Record<string, Schema> = Object.fromEntries([...PLAY_KEYWORDS].map((k) => [k, keyword(k)]));
  for (const k of ['pre_tasks', 'tasks', 'post_tasks', 'handlers']) playProps[k] = { $ref: '#/definitions/tasks' };
  playProps.roles = { type: ['array', 'null'], items: { $ref: '#/definitions/role' } };
  defs.play = { type: 'object', properties: playProps, required: ['hosts'], additionalProperties: false };
  defs.import_playbook = {
    type: 'object',
    properties: { import_playbook: { type: 'string' }, 'ansible.builtin.import_playbook': { type: 'string' }, name: { type: 'string' }, vars: { type: 'object' }, when: CONDITION, tags: keyword('tags') },
    anyOf: [{ required: ['import_playbook'] }, { required: ['ansible.builtin.import_playbook'] }],
    additionalProperties: false,
  };
  return defs;
}

const HOST_VARS: Schema = {
  type: ['object', 'null'],
  properties: {
    ansible_host: { type: 'string' },
    ansible_port: { anyOf: [{ type: 'integer' }, { type: 'string' }] },
    ansible_user: { type: 'string' },
    ansible_connection: { anyOf: [{ enum: ['ssh', 'local', 'paramiko', 'smart'] }, TEMPLATE] },
    ansible_become: BOOL_OR_TEMPLATE,
    ansible_become_user: { type: 'string' },
    ansible_become_method: { type: 'string' },
    ansible_ssh_private_key_file: { type: 'string' },
    ansible_python_interpreter: { type: 'string' },
  },
  additionalProperties: true,
};

export interface EditorSchemas {
  playbook: Schema;
  tasks: Schema;
  inventory: Schema;
}

export function buildEditorSchemas(registry: ModuleRegistry = defaultRegistry()): EditorSchemas {
  const defs = definitions(registry);
  const playbook: Schema = {
    $schema: DRAFT,
    $id: 'rackplay-playbook.schema.json',
    title: 'Ansible playbook (rackplay)',
    type: 'array',
    items: { anyOf: [{ $ref: '#/definitions/play' }, { $ref: '#/definitions/import_playbook' }] },
    definitions: defs,
  };
  const tasks: Schema = {
    $schema: DRAFT,
    $id: 'rackplay-tasks.schema.json',
    title: 'Ansible task file: role tasks/handlers, included tasks (rackplay)',
    ...defs.tasks,
    definitions: defs,
  };
  const group: Schema = {
    type: ['object', 'null'],
    properties: {
      hosts: { type: ['object', 'null'], additionalProperties: { $ref: '#/definitions/host' } },
      vars: { type: ['object', 'null'] },
      children: { type: ['object', 'null'], additionalProperties: { $ref: '#/definitions/group' } },
    },
    additionalProperties: false,
  };
  const inventory: Schema = {
    $schema: DRAFT,
    $id: 'rackplay-inventory.schema.json',
    title: 'Ansible YAML inventory (rackplay)',
    type: 'object',
    additionalProperties: { $ref: '#/definitions/group' },
    definitions: { group, host: HOST_VARS },
  };
  return { playbook, tasks, inventory };
}

export const SCHEMA_FILES = { playbook: 'playbook.schema.json', tasks: 'tasks.schema.json', inventory: 'inventory.schema.json' } as const;

export async function writeEditorSchemas(dir: string, registry?: ModuleRegistry): Promise<string[]> {
  const schemas = buildEditorSchemas(registry);
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [kind, file] of Object.entries(SCHEMA_FILES) as Array<[keyof EditorSchemas, string]>) {
    const p = path.join(dir, file);
    await writeFile(p, JSON.stringify(schemas[kind], null, 2) + '\n');
    written.push(p);
  }
  return written;
}
