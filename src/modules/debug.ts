// debug: print a message or a variable's value, on the controller.
//   - debug: msg="{{ inventory_hostname }} has {{ ansible_memtotal_mb }} MB"
//   - debug: var=ansible_distribution
import type { FromSchema } from 'json-schema-to-ts';
import { defineModule } from './types.js';

const schema = {
  type: 'object',
  properties: {
    msg: { default: 'Hello world!' },
    var: { type: 'string' },
    verbosity: { type: 'integer', default: 0, minimum: 0 },
  },
  additionalProperties: false,
} as const;

export const debugModule = defineModule<FromSchema<typeof schema>>({
  name: 'debug',
  summary: 'Print statements during execution',
  controllerOnly: true,
  traits: { noAsync: true, passive: true, factsLayer: 'none', validArgs: true },
  checkMode: 'run',
  schema,
  async run(args, ctx) {
    const verbosity = Number(ctx.vars.ansible_verbosity ?? 0);
    if (args.verbosity > verbosity) return { changed: false, skipped: true, skipped_reason: 'Verbosity threshold not met.' };
    if (args.var !== undefined) {
      let value: unknown;
      try {
        value = ctx.controller.evaluate(args.var);
        if (value === undefined) value = 'VARIABLE IS NOT DEFINED!';
      } catch (e) {
        // only an undefined variable is shown; any other template error fails the task, as in Ansible's debug action
        if (!/is undefined|has no attribute|has no element/.test((e as Error).message)) throw e;
        value = 'VARIABLE IS NOT DEFINED!';
      }
      return { changed: false, [args.var]: value };
    }
    // msg may be a list or a dict: shown as Ansible shows it
    return { changed: false, msg: args.msg as string };
  },
});
