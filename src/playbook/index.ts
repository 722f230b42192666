// Public entry points of the playbook loader.
import path from 'node:path';
import type { SourcePos } from '../errors.js';
import { Loader, type LoadOptions, type RoleLoadOptions } from './loader.js';
import type { Playbook, RoleInstance, TaskNode } from './types.js';
import { readYamlFile, type DocPath } from './yaml-file.js';

export type { LoadOptions } from './loader.js';
export { validateModuleArgs, isTemplated } from './validate-args.js';
export { parseKv, splitArgs, joinArgs } from './split-args.js';
export { resolveDynamicTask } from './dynamic-action.js';
export { declaredDependencies, flattenHandlers } from './role-loader.js';
export type * from './types.js';

/** The file name of the ad-hoc command's one-task play: its task has no file of the user's behind it. */
export const ADHOC_PLAYBOOK_FILE = '__adhoc_playbook__.yml';

/** Load a playbook, with import_playbook flattened (positions keep the imported file). */
export function loadPlaybook(file: string, opts: LoadOptions): Promise<Playbook> {
  return new Loader(opts).loadPlaybook(file);
}

/**
 * Load a task file for include_tasks at run time (the path already rendered). Inside a
 * role, relative imports in the file resolve in the role's tasks/ directory.
 */
export function loadTaskFile(file: string, opts: LoadOptions & { role?: RoleInstance; pos?: SourcePos; playDir?: string; handlers?: boolean }): Promise<TaskNode[]> {
  return new Loader(opts).loadTaskFileInternal(file, { role: opts.role, pos: opts.pos, playDir: opts.playDir, dynamicParent: true, handlers: opts.handlers });
}

/** Load a role for include_role at run time (roles: and import_role go through loadRoleFrom). */
export function loadRole(
  name: string,
  opts: LoadOptions & RoleLoadOptions,
): Promise<RoleInstance> {
  const baseDir = path.resolve(opts.baseDir);
  const pos = opts.pos ?? { file: baseDir, line: 1, col: 1 };
  return new Loader(opts).loadRoleFrom(
    {
      name,
      pos,
      params: opts.params ?? {},
      keywords: { tags: [], vars: {} },
      tasksFrom: opts.tasksFrom,
      handlersFrom: opts.handlersFrom,
      varsFrom: opts.varsFrom,
      defaultsFrom: opts.defaultsFrom,
      validate: opts.rolespecValidate,
    },
    { playDir: baseDir, searchFirst: [], roleChain: [], dynamicParent: true },
  );
}

/**
 * Parse a YAML file with Ansible's YAML 1.1 rules (yes/no booleans, 0644 octal) into plain
 * data, plus the position of any node by its path in the document.
 */
export async function parseYamlFile(file: string): Promise<{ data: unknown; posOf(pathInDoc: (string | number)[]): SourcePos }> {
  const y = await readYamlFile(path.resolve(file));
  return { data: y.data, posOf: (p: DocPath) => y.posOf(p) };
}
