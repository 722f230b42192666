// group_by: put the host into a group named from its variables.
//   - group_by: key=os_{{ ansible_distribution }}
import type { FromSchema } from 'json-schema-to-ts';
import { defineModule } from './types.js';

const schema = {
  type: 'object',
  properties: { key: { type: 'string' }, parents: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }], default: ['all'] } },
  required: ['key'],
  additionalProperties: false,
} as const;

export const groupByModule = defineModule<FromSchema<typeof schema>>({
  name: 'group_by',
  summary: 'Create Ansible groups based on facts',
  controllerOnly: true,
  checkMode: 'run',
  traits: { noAsync: true, validArgs: true },
  schema,
  async run(args) {
    const key = args.key;
    const parents = Array.isArray(args.parents) ? args.parents : [args.parents];
    return { changed: false, add_group: key, parent_groups: parents };
  },
});
