// A task whose module is named by host variables (`action: "{{ ansible_pkg_mgr }} name=git"`)
// is parsed when each host runs it, once the name is rendered: the same argument rules as
// at load time (k=v words, a free-form remainder, a mapping), for the module it names.
import { ansibleModuleFqcn } from './ansible-modules.js';
import type { ModuleRegistry } from '../modules/registry.js';
import { CHECK_RAW_MODULES, parseKv } from './split-args.js';
import type { Task } from './types.js';

/** The task for the module `name`; throws Ansible's message when no module has that name. */
export function resolveDynamicTask(task: Task, name: string, registry: ModuleRegistry): Task {
  const def = registry.get(name);
  const fqcn = def ? undefined : ansibleModuleFqcn(name);
  if (fqcn) throw new Error(`rackplay does not implement the module '${name}'${fqcn === name ? '' : ` (${fqcn})`} yet; docs/modules.md lists the modules it has`);
  if (!def) throw new Error(`couldn't resolve module/action '${name}'. This often indicates a misspelling, missing collection, or incorrect module path.`);
  const args: Record<string, unknown> = { ...task.args };
  const raw = task.dynamicAction?.raw;
  if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') {
    const parsed = parseKv(String(raw), CHECK_RAW_MODULES.has(def.name));
    Object.assign(args, parsed.options);
    if (parsed.raw !== undefined && parsed.raw.trim() !== '') {
      if (!def.freeForm) throw new Error(`this task '${name}' has extra params, which is only allowed in modules that take free-form arguments`);
      args[def.freeForm] = parsed.raw;
    }
  } else if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    Object.assign(args, raw);
    if (typeof args._raw_params === 'string' && def.freeForm && def.freeForm !== '_raw_params') {
      args[def.freeForm] = args._raw_params;
      delete args._raw_params;
    }
  }
  const { dynamicAction: _dynamic, ...rest } = task;
  return { ...rest, action: def.name, args };
}
