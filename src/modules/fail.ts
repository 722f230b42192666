// fail: fail the host with a message (usually under a `when`).
//   - fail: msg="VT is disabled: enable it in the BIOS"
//     when: not rackplay_vt_capable
import type { FromSchema } from 'json-schema-to-ts';
import { ModuleFailure, defineModule } from './types.js';

const schema = { type: 'object', properties: { msg: { default: 'Failed as requested from task' } }, additionalProperties: false } as const;

export const failModule = defineModule<FromSchema<typeof schema>>({
  name: 'fail',
  summary: 'Fail with custom message',
  controllerOnly: true,
  checkMode: 'run',
  traits: { noAsync: true, validArgs: true },
  schema,
  async run(args) {
    // debug and fail pass whatever value they get through as msg, as Ansible does.
    throw new ModuleFailure(String(args.msg), { msg: args.msg });
  },
});
