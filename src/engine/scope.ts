// Keywords inherit from play to role to block to task, as in Ansible: the innermost
// value that is set wins for scalars, `when` conditions accumulate (all must hold),
// tags and vars accumulate outer to inner.
import type { CommonKeywords, RoleInstance } from '../playbook/types.js';

export interface Scope {
  parent?: Scope;
  keywords: Partial<CommonKeywords>;
  /** Set when this scope is a role's: role vars, defaults and params apply below it. */
  role?: RoleInstance;
  /** A block with a rescue section: failures below it are rescued, not counted. */
  rescuable?: boolean;
  /** A rescue or always section: a fatal error elsewhere does not fail a host here. */
  recovering?: boolean;
}

type ScalarKey = Exclude<keyof CommonKeywords, 'when' | 'tags' | 'vars' | 'name'>;

export function chain(scope: Scope | undefined): Scope[] {
  const out: Scope[] = [];
  for (let s = scope; s; s = s.parent) out.unshift(s);
  return out;
}

/** Innermost defined value of a scalar keyword. */
export function inherited(scope: Scope | undefined, key: ScalarKey): unknown {
  for (let s = scope; s; s = s.parent) {
    const v = s.keywords[key];
    if (v !== undefined) return v;
  }
  return undefined;
}

export function inheritedWhen(scope: Scope | undefined): unknown[] {
  return chain(scope).flatMap((s) => s.keywords.when ?? []);
}

export function inheritedTags(scope: Scope | undefined): string[] {
  return [...new Set(chain(scope).flatMap((s) => s.keywords.tags ?? []))];
}

/** Block and task vars, outer to inner (role vars are a separate layer). */
export function inheritedVars(scope: Scope | undefined): Record<string, unknown>[] {
  return chain(scope)
    .map((s) => s.keywords.vars)
    .filter((v): v is Record<string, unknown> => !!v && Object.keys(v).length > 0);
}

/** A task without notify: takes the innermost block's (import_tasks/import_role with notify: are blocks). */
export function inheritedNotify(scope: Scope | undefined): string[] {
  for (let s = scope; s; s = s.parent) {
    const n = (s.keywords as { notify?: string[] }).notify;
    if (n !== undefined) return n;
  }
  return [];
}

/** The role whose task this is: the innermost role scope. */
export function currentRole(scope: Scope | undefined): RoleInstance | undefined {
  for (let s = scope; s; s = s.parent) if (s.role) return s.role;
  return undefined;
}

/** All enclosing roles, outer to inner (for dependency defaults). */
export function rolesInScope(scope: Scope | undefined): RoleInstance[] {
  return chain(scope)
    .map((s) => s.role)
    .filter((r): r is RoleInstance => !!r);
}

/** Whether the scope is inside a rescue or always section (Ansible's dont_fail_states). */
export function isRecovering(scope: Scope | undefined): boolean {
  for (let s = scope; s; s = s.parent) if (s.recovering) return true;
  return false;
}

export function isRescuable(scope: Scope | undefined): boolean {
  for (let s = scope; s; s = s.parent) if (s.rescuable) return true;
  return false;
}

export function child(parent: Scope | undefined, keywords: Partial<CommonKeywords>, extra: Partial<Scope> = {}): Scope {
  return { parent, keywords, ...extra };
}
