// Every module rackplay ships, and the registry the CLI uses.
import { addHostModule } from './add-host.js';
import { archiveModule } from './archive.js';
import { assertModule } from './assert.js';
import { debugModule } from './debug.js';
import { dnfModule } from './dnf.js';
import { rpmKeyModule } from './rpm-key.js';
import { execModules } from './exec-modules.js';
import { failModule } from './fail.js';
import { fileModules } from './file-modules.js';
import { firewalldModule } from './firewalld.js';
import { groupByModule } from './group-by.js';
import { includeVarsModule } from './include-vars.js';
import { localeGenModule } from './locale-gen.js';
import { metaModule } from './meta.js';
import { miscModules } from './misc-modules.js';
import { modprobeModule } from './modprobe.js';
import { ModuleRegistry } from './registry.js';
import { sebooleanModule } from './seboolean.js';
import { setFactModule } from './set-fact.js';
// issue 14: rsync and Subversion
import { subversionModule } from './subversion.js';
import { synchronizeModule } from './synchronize.js';
import { systemModules } from './system-modules.js';
import type { AnyModuleDef } from './types.js';
import { ufwModule } from './ufw.js';

export const controllerModules: AnyModuleDef[] = [debugModule, setFactModule, assertModule, failModule, metaModule, includeVarsModule, addHostModule, groupByModule];

// issue 14: archive, locale_gen, modprobe, seboolean
export const issue14Modules: AnyModuleDef[] = [archiveModule, localeGenModule, modprobeModule, sebooleanModule];

// dnf and rpm_key (issue 14)
const rpmModules: AnyModuleDef[] = [dnfModule, rpmKeyModule];

// Host firewalls (issue 14): ufw and firewalld.
const firewallModules: AnyModuleDef[] = [ufwModule, firewalldModule];

export const builtinModules: AnyModuleDef[] = [...fileModules, ...execModules, ...systemModules, ...controllerModules, ...miscModules, ...issue14Modules, ...rpmModules, ...firewallModules, synchronizeModule, subversionModule];

export function defaultRegistry(): ModuleRegistry {
  return new ModuleRegistry(builtinModules);
}
