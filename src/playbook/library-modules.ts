// Modules from library/ directories: Ansible's module path beyond its own modules. The
// playbook's library/, then each role's library/ as the roles load, then ANSIBLE_LIBRARY
// (ansible.cfg `library`). A name the registry does not know is looked up there, and a
// file found becomes a module of the registry (src/modules/library-module.ts).
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ModuleRegistry } from '../modules/registry.js';
import { libraryModule } from '../modules/library-module.js';

/** The file for module `name` in `dirs`: `name` itself or `name.ext`, first directory first. */
export function findLibraryModule(name: string, dirs: readonly string[]): string | undefined {
  for (const dir of dirs) {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      continue;
    }
    const hit = [name, ...entries.filter((e) => e.startsWith(`${name}.`) && !/\.py[co]$/.test(e) && e.slice(name.length + 1).indexOf('.') < 0).sort()].find((e) => {
      const p = path.join(dir, e);
      return existsSync(p) && statSync(p).isFile();
    });
    if (hit) return path.join(dir, hit);
  }
  return undefined;
}

/**
 * Whether `name` names a module: one the registry holds, or a library module found now
 * (and registered). ansible.legacy.NAME finds NAME; other dotted names are never looked up.
 */
export function resolveModuleName(registry: ModuleRegistry, name: string, dirs: () => readonly string[]): boolean {
  if (registry.has(name)) return true;
  const short = name.startsWith('ansible.legacy.') ? name.slice('ansible.legacy.'.length) : name;
  if (!short || short.includes('.') || short.includes('/')) return false;
  const file = findLibraryModule(short, dirs());
  if (!file) return false;
  registry.register(libraryModule(short, file));
  return true;
}
