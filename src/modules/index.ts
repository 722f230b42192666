// Every module rackplay ships, and the registry the CLI uses.
import { addHostModule } from './add-host.js';
import { assertModule } from './assert.js';
import { debugModule } from './debug.js';
import { execModules } from './exec-modules.js';
import { failModule } from './fail.js';
import { fileModules } from './file-modules.js';
import { firewalldModule } from './firewalld.js';
import { groupByModule } from './group-by.js';
import { includeVarsModule } from './include-vars.js';
import { metaModule } from './meta.js';
import { miscModules } from './misc-modules.js';
import { ModuleRegistry } from './registry.js';
import { setFactModule } from './set-fact.js';
import { systemModules } from './system-modules.js';
import type { AnyModuleDef } from './types.js';
import { ufwModule } from './ufw.js';

export const controllerModules: AnyModuleDef[] = [debugModule, setFactModule, assertModule, failModule, metaModule, includeVarsModule, addHostModule, groupByModule];

// Host firewalls (issue 14): ufw and firewalld.
const firewallModules: AnyModuleDef[] = [ufwModule, firewalldModule];

export const builtinModules: AnyModuleDef[] = [...fileModules, ...execModules, ...systemModules, ...controllerModules, ...miscModules, ...firewallModules];

export function defaultRegistry(): ModuleRegistry {
  return new ModuleRegistry(builtinModules);
}
