// assert: fail the host unless every expression holds.
//   - assert:
//       that: [ansible_architecture == 'x86_64']
//       fail_msg: "Xen HVM guests need a 64-bit host"
import type { FromSchema } from 'json-schema-to-ts';
import { ModuleFailure, defineModule } from './types.js';

const schema = {
  type: 'object',
  properties: {
    that: { anyOf: [{ type: 'array' }, { type: 'string' }, { type: 'boolean' }] },
    fail_msg: {},
    success_msg: { default: 'All assertions passed' },
    quiet: { type: 'boolean', default: false },
  },
  required: ['that'],
  additionalProperties: false,
} as const;

export const assertModule = defineModule<FromSchema<typeof schema>>({
  name: 'assert',
  summary: 'Asserts given expressions are true',
  controllerOnly: true,
  traits: { noAsync: true, passive: true, validArgs: true },
  checkMode: 'run',
  argAliases: { msg: 'fail_msg' },
  schema,
  async run(args, ctx) {
    // Like Ansible's assert action: the conditions as written (a list's items untemplated),
    // so a templated condition still warns and evaluates as `when:` would.
    const raw = ctx.controller.untemplatedArgs?.that;
    const useRaw = ctx.controller.condition !== undefined && Array.isArray(raw);
    const that = useRaw ? raw : args.that;
    const conds = Array.isArray(that) ? that : [that];
    for (const cond of conds) {
      let ok: boolean;
      try {
        ok = typeof cond === 'boolean' ? cond : useRaw ? ctx.controller.condition!(cond) : !!truthyValue(ctx.controller.evaluate(String(cond)));
      } catch (e) {
        throw new ModuleFailure(`The conditional check '${String(cond)}' failed. The error was: ${(e as Error).message}`);
      }
      if (!ok) {
        throw new ModuleFailure('Assertion failed', { assertion: cond, evaluated_to: false, msg: args.fail_msg ?? 'Assertion failed' });
      }
    }
    // Ansible's assert action always shows its message, even without -v.
    return args.quiet ? { changed: false } : { changed: false, msg: args.success_msg as string, _ansible_verbose_always: true };
  },
});

// Jinja2 truthiness: empty containers and strings are false.
function truthyValue(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v && typeof v === 'object') return Object.keys(v).length > 0;
  return !!v;
}
