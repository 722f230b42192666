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
    // Whether anything changes is decided when the inventory takes the host (the engine's
    // applyInventoryChanges), as Ansible's strategy decides it after the action.
    return { changed: false, add_host: { host_name: hostName, groups: groupList, host_vars: hostVars } };
  },
});
