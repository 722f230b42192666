// add_host: add a host (and groups) to the in-memory inventory for later plays. Runs
// once per task, not per host, as Ansible's add_host does.
//   - add_host: name=guest01 groups=windows ansible_host=10.0.0.21
import type { FromSchema } from 'json-schema-to-ts';
import { ModuleFailure, defineModule } from './types.js';

const schema = {
  type: 'object',
  properties: { name: { type: 'string' }, groups: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] } },
  required: ['name'],
  additionalProperties: true,
} as const;

export const addHostModule = defineModule<FromSchema<typeof schema>>({
  name: 'add_host',
  summary: 'Add a host (and alternatively a group) to the in-memory inventory',
  controllerOnly: true,
  traits: { noAsync: true, bypassHostLoop: true },
  checkMode: 'run',
  argAliases: { host: 'name', hostname: 'name', group: 'groups', groupname: 'groups' },
  schema,
  async run(args, ctx) {
    // free-form text the loader let through (`add_host: somehost`): Ansible's action refuses it, in its words
    if ('_raw_params' in args) throw new ModuleFailure("Invalid raw parameters passed, requires a dictonary/mapping got a  <class 'str'>");
    const { name, groups, ...hostVars } = args;
    let hostName = String(name);
    const portMatch = /^([^:\[\]]+):(\d+)$/.exec(hostName) ?? /^\[([^\]]+)\]:(\d+)$/.exec(hostName);
    if (portMatch) {
      hostName = portMatch[1];
      // Ansible's add_host sets the port under its old name
      hostVars.ansible_ssh_port = Number(portMatch[2]);
    }
    const written = groups === undefined || groups === '' ? [] : Array.isArray(groups) ? groups.map(String) : String(groups).split(',');
    const groupList: string[] = [];
    for (const g of written) if (!groupList.includes(g)) groupList.push(g.trim());
    // The engine's applyInventoryChanges decides for good when the inventory takes the host,
    // as Ansible's strategy does; the result already says what it will find, because a
    // changed_when that reads this task's own register sees it (ansible-playbook agrees).
    return { changed: wouldChange(ctx.vars, hostName, groupList, hostVars), add_host: { host_name: hostName, groups: groupList, host_vars: hostVars } };
  },
});

/** Whether the inventory, as the task's vars show it, lacks the host, a group of it, or a var value. */
function wouldChange(vars: Readonly<Record<string, unknown>>, host: string, groups: string[], hostVars: Record<string, unknown>): boolean {
  const inventoryGroups = (vars.groups ?? {}) as Record<string, unknown>;
  const all = Array.isArray(inventoryGroups.all) ? (inventoryGroups.all as unknown[]) : [];
  if (!all.includes(host)) return true;
  if (groups.some((g) => !(Array.isArray(inventoryGroups[g]) && (inventoryGroups[g] as unknown[]).includes(host)))) return true;
  const known = ((vars.hostvars ?? {}) as Record<string, Record<string, unknown> | undefined>)[host];
  try {
    return Object.entries(hostVars).some(([k, v]) => JSON.stringify(known?.[k]) !== JSON.stringify(v));
  } catch {
    return true;
  }
}
