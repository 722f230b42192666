// meta: engine actions (flush_handlers, end_play, end_host...). The engine carries them
// out itself; this definition exists so playbooks validate. META_ACTIONS is the one list:
// the schema accepts exactly these, and the engine's table of meta actions is typed by
// MetaAction, so it cannot miss one.
//   - meta: flush_handlers
import type { FromSchema } from 'json-schema-to-ts';
import { defineModule } from './types.js';

export const META_ACTIONS = ['flush_handlers', 'refresh_inventory', 'noop', 'clear_facts', 'clear_host_errors', 'end_play', 'end_host', 'end_batch', 'reset_connection', 'end_role'] as const;

export type MetaAction = (typeof META_ACTIONS)[number];

const schema = {
  type: 'object',
  properties: { _raw_params: { type: 'string', enum: META_ACTIONS } },
  required: ['_raw_params'],
  additionalProperties: false,
} as const;

export const metaModule = defineModule<FromSchema<typeof schema>>({
  name: 'meta',
  summary: 'Execute Ansible actions',
  controllerOnly: true,
  traits: { engineAction: true },
  checkMode: 'run',
  freeForm: '_raw_params',
  schema,
  async run(args) {
    return { changed: false, _meta: args._raw_params };
  },
});
