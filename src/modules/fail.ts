// fail: fail the host with a message (usually under a `when`).
//   - fail: msg="VT is disabled: enable it in the BIOS"
//     when: not rackplay_vt_capable
import type { ModuleDef } from './types.js';

export const failModule: ModuleDef<{ msg: unknown }> = {
  name: 'fail',
  summary: 'Fail with custom message',
  controllerOnly: true,
  checkMode: 'run',
  schema: { type: 'object', properties: { msg: { default: 'Failed as requested from task' } }, additionalProperties: false },
  async run(args) {
    // debug and fail pass any value through as msg, as Ansible does.
    return { failed: true, changed: false, msg: args.msg as string };
  },
};
