// Name → module lookup, with Ansible's FQCNs (ansible.builtin.x, ansible.legacy.x) and
// per-module aliases resolved to one definition.
import type { AnyModuleDef } from './types.js';

export class ModuleRegistry {
  private readonly byName = new Map<string, AnyModuleDef>();

  constructor(defs: readonly AnyModuleDef[]) {
    for (const def of defs) this.register(def);
  }

  /**
   * Adds a module. A library module (found by the loader in a library/ directory) answers
   * to its name and ansible.legacy.NAME only: ansible.builtin names Ansible's own.
   */
  register(def: AnyModuleDef): void {
    for (const n of [def.name, ...(def.aliases ?? [])]) {
      this.byName.set(n, def);
      if (!n.includes('.')) {
        if (!def.libraryFile) this.byName.set(`ansible.builtin.${n}`, def);
        this.byName.set(`ansible.legacy.${n}`, def);
      }
    }
  }

  get(name: string): AnyModuleDef | undefined {
    return this.byName.get(name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Every name a playbook may use, for "did you mean" hints. */
  names(): string[] {
    return [...this.byName.keys()];
  }

  /** One entry per module. */
  modules(): AnyModuleDef[] {
    return [...new Set(this.byName.values())];
  }
}
