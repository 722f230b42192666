// Which names Ansible itself resolves to a module. rackplay implements a subset; a module
// Ansible has and rackplay lacks is not a load error (Ansible would accept the playbook and
// run the task), but a warning at load and a failure of the task if it runs. A name
// nobody knows stays an error before any host is contacted, as in ansible-playbook.
import { BUILTIN_MODULES, COLLECTION_MODULES, ROUTED_MODULES } from './ansible-module-names.js';

let routed: Map<string, string> | undefined;
let builtin: Set<string> | undefined;
const collections = new Map<string, Set<string>>();

/** The fully qualified name Ansible gives `name`, or undefined when Ansible has no such module. */
export function ansibleModuleFqcn(name: string): string | undefined {
  builtin ??= new Set(BUILTIN_MODULES.filter((n) => !n.startsWith('_')));
  routed ??= new Map(ROUTED_MODULES.map((w) => w.split('=') as [string, string]));
  const parts = name.split('.');
  if (parts.length === 1) {
    if (builtin.has(name)) return `ansible.builtin.${name}`;
    return routed.get(name);
  }
  if (parts.length !== 3) return undefined;
  const [ns, coll, short] = parts;
  if (ns === 'ansible' && (coll === 'builtin' || coll === 'legacy')) return builtin.has(short) ? `ansible.builtin.${short}` : undefined;
  const key = `${ns}.${coll}`;
  let names = collections.get(key);
  if (!names && COLLECTION_MODULES[key]) collections.set(key, (names = new Set(COLLECTION_MODULES[key])));
  return names?.has(short) ? name : undefined;
}
