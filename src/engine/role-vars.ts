// The role layers of a task's variables, as Ansible's VariableManager and Role build them:
// defaults of every role in the play (roles: and import_role), then (after inventory, facts and play vars) the vars
// of every play role unless private_role_vars, then the task's own role with its
// dependency chain (the roles it is a dependency of, or was included by), then role params
// and include params above set_fact.
import { declaredDependencies } from '../playbook/index.js';
import type { Play, RoleInstance } from '../playbook/types.js';
import { includeParams, parentRoles, rolesInScope, type Scope } from './scope.js';

type Layer = Record<string, unknown>;

/** Ansible's Role.get_all_dependencies: each dependency after its own, depth first. */
function allDependencies(role: RoleInstance, seen = new Set<RoleInstance>()): RoleInstance[] {
  const out: RoleInstance[] = [];
  for (const dep of declaredDependencies(role)) {
    if (seen.has(dep)) continue;
    seen.add(dep);
    out.push(...allDependencies(dep, seen), dep);
  }
  return out;
}

/** Role.get_default_vars(dep_chain): the dependencies', the chain's, then the role's own. */
function defaultLayers(role: RoleInstance, depChain: RoleInstance[] = []): Layer[] {
  return [...allDependencies(role).map((d) => d.defaults), ...depChain.map((p) => p.defaults), role.defaults];
}

/** Role.get_vars(dep_chain, include_params=False): the chain's, the dependencies', then the role's keyword vars and vars/. */
function varLayers(role: RoleInstance, depChain: RoleInstance[] = []): Layer[] {
  const out: Layer[] = [];
  for (const p of depChain) out.push(p.keywords.vars ?? {}, p.vars);
  for (const d of allDependencies(role)) out.push(...varLayers(d));
  out.push(role.keywords.vars ?? {}, role.vars);
  return out;
}

export interface RoleLayers {
  defaults: Layer[];
  vars: Layer[];
  /** Role params, include params and the parent role names that come with them. */
  params: Layer[];
}

/** The task's role layers (`publicRoles`: those public include_roles added); `privateRoleVars` hides the other play roles' vars (ANSIBLE_PRIVATE_ROLE_VARS). */
export function roleLayers(play: Play, scope: Scope | undefined, privateRoleVars: boolean, publicRoles: RoleInstance[] = []): RoleLayers {
  const chainRoles = rolesInScope(scope);
  const role = chainRoles.at(-1);
  const depChain = chainRoles.slice(0, -1);
  const playRoles = [...play.roles, ...(play.importedRoles ?? []), ...publicRoles];
  const defaults: Layer[] = playRoles.flatMap((r) => defaultLayers(r));
  const vars: Layer[] = privateRoleVars ? [] : playRoles.flatMap((r) => varLayers(r));
  const params: Layer[] = [];
  if (role) {
    defaults.push(...defaultLayers(role, depChain));
    vars.push(...varLayers(role, depChain));
    params.push(...depChain.map((p) => p.params), role.params);
  }
  const parents = parentRoles(scope);
  // include_role inside a role also gets that role's params (IncludeRole.get_include_params).
  for (const p of [...parents].reverse()) params.push(p.params);
  params.push(...includeParams(scope));
  if (parents.length) params.push({ ansible_parent_role_names: parents.map((p) => p.name), ansible_parent_role_paths: parents.map((p) => p.path) });
  return { defaults, vars, params };
}
