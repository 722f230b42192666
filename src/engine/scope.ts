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
  /**
   * A dynamic include's vars (include_tasks, include_role, 2.14's include:): Ansible applies
   * them twice, as task vars and again as include params, above set_fact and role params.
   */
  includeParams?: Record<string, unknown>;
  /** include_role inside a role: that role (Ansible's _parent_role, for ansible_parent_role_names). */
  parentRole?: RoleInstance;
  /** A roles: entry's or dependency's keywords: their vars are role vars, not task vars. */
  roleEntry?: boolean;
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
    .filter((s) => !s.roleEntry)
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

/**
 * All enclosing roles, outer to inner: Ansible's dependency chain (the roles that depend on
 * the current one, or include it) and the current role last.
 */
export function rolesInScope(scope: Scope | undefined): RoleInstance[] {
  const out: RoleInstance[] = [];
  for (const s of chain(scope)) if (s.role && !sameRole(s.role, out.at(-1))) out.push(s.role);
  return out;
}

/**
 * The same role entry: include_role gives each host a copy with its own params, and an
 * import_tasks block inside it still names the loaded role.
 */
function sameRole(a: RoleInstance, b: RoleInstance | undefined): boolean {
  return !!b && (a === b || (a.path === b.path && a.tasks === b.tasks));
}

/**
 * The roles that included or imported the current one, innermost first (Ansible's
 * IncludeRole.get_include_params). A dependency is not included, so it adds nothing.
 */
export function parentRoles(scope: Scope | undefined): RoleInstance[] {
  const out: RoleInstance[] = [];
  let prev: RoleInstance | undefined;
  for (const s of chain(scope)) {
    if (s.parentRole) out.unshift(s.parentRole);
    if (!s.role || sameRole(s.role, prev)) continue;
    // import_role arrives as a block carrying the role; an imported role's dependencies do too.
    const kw = s.keywords as { kind?: string; role?: RoleInstance };
    if (prev && kw.kind === 'block' && kw.role === s.role && !prev.dependencies.includes(s.role)) out.unshift(prev);
    prev = s.role;
  }
  return out;
}

/** Include params of the dynamic includes around a task, outer to inner. */
export function includeParams(scope: Scope | undefined): Record<string, unknown>[] {
  return chain(scope).flatMap((s) => {
    if (s.includeParams) return [s.includeParams];
    const kw = s.keywords as { includeParamVars?: Record<string, unknown> };
    return kw.includeParamVars ? [kw.includeParamVars] : [];
  });
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
