// Controller-side file lookups and rendering for modules, with Ansible's search order:
// the role's files/ (or templates/, vars/, tasks/) directory, the role itself, the
// including task file's directory, then the playbook directory and its files/.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ControllerContext } from '../modules/types.js';
import type { RoleInstance } from '../playbook/types.js';
import type { Templar } from '../template/index.js';
import { templateVars } from '../template/template-vars.js';
import { overlay } from './vars.js';
import { allTrue } from './task-common.js';
import { decryptFileContent } from '../vault/context.js';

export interface ControllerScope {
  templar: Templar;
  vars: Record<string, unknown>;
  role?: RoleInstance;
  playbookDir: string;
  /** Directory of the file that defined the task. */
  taskDir: string;
  /** The task comes from no file of the user's (the ad-hoc command's play). */
  noDataSource?: boolean;
  untemplatedArgs?: Record<string, unknown>;
  warn?(message: string): void;
}

export function searchPaths(kind: string, s: Pick<ControllerScope, 'role' | 'playbookDir' | 'taskDir'>): string[] {
  const dirs: string[] = [];
  if (s.role) dirs.push(path.join(s.role.path, kind), s.role.path);
  dirs.push(path.join(s.taskDir, kind), s.taskDir, path.join(s.playbookDir, kind), s.playbookDir);
  return [...new Set(dirs)];
}

export function makeControllerContext(s: ControllerScope): ControllerContext {
  const findFile = (kind: 'files' | 'templates' | 'vars' | 'tasks', p: string): string | undefined => {
    if (path.isAbsolute(p)) return existsSync(p) ? p : undefined;
    for (const dir of searchPaths(kind, s)) {
      const full = path.join(dir, p);
      if (existsSync(full)) return full;
    }
    return undefined;
  };
  return {
    findFile,
    taskDir: s.noDataSource ? undefined : s.taskDir,
    render: (t, extra) => s.templar.renderString(t, extra ? overlay(s.vars, extra) : s.vars),
    evaluate: (e, extra) => s.templar.evaluate(e, extra ? overlay(s.vars, extra) : s.vars),
    condition: (cond) => allTrue(s.templar, [cond], s.vars, s.warn).ok,
    untemplatedArgs: s.untemplatedArgs,
    renderFile: (p, extra) => {
      // a vault-encrypted template is decrypted first, as Ansible's template action does
      const source = decryptFileContent(readFileSync(p), p).toString('utf8');
      const vars = { ...templateVars(p, p), ...extra };
      return s.templar.renderString(source, overlay(s.vars, vars));
    },
  };
}
