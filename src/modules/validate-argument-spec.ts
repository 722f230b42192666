// ansible.builtin.validate_argument_spec: checks variables (and `provided_arguments`)
// against an argument spec on the controller, with Ansible's messages. The role loader
// puts one before the tasks of a role whose meta/argument_specs.yml names its entry point.
//
//   - ansible.builtin.validate_argument_spec:
//       argument_spec:
//         port: {type: int, required: true}
//         mode: {type: str, choices: [fast, safe], default: safe}
//       provided_arguments:
//         port: 8080
import type { FromSchema } from 'json-schema-to-ts';
import { pyRepr } from '../output/py-format.js';
import { validateArgumentSpec, type ArgumentSpec } from './argument-spec.js';
import { isDict, markYamlOrigin, pyClass } from './argument-spec-types.js';
import { ModuleFailure, defineModule, type RunContext } from './types.js';

const schema = {
  type: 'object',
  properties: {
    argument_spec: {},
    provided_arguments: {},
    validate_args_context: {},
  },
  additionalProperties: false,
} as const;

export type ValidateArgumentSpecArgs = FromSchema<typeof schema>;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The task's variables named in the spec, templated (get_args_from_task_vars). */
function argsFromVars(spec: ArgumentSpec, ctx: RunContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(spec)) {
    if (!(name in ctx.vars)) continue;
    const raw = ctx.vars[name];
    out[name] = markYamlOrigin(raw, IDENTIFIER.test(name) ? ctx.controller.evaluate(name) : raw);
  }
  return out;
}

export const validateArgumentSpecModule = defineModule<ValidateArgumentSpecArgs>({
  name: 'validate_argument_spec',
  summary: 'Validate role argument specs or variables against a spec',
  controllerOnly: true,
  checkMode: 'run',
  traits: { noAsync: true },
  schema,
  async run(args, ctx) {
    const context = args.validate_args_context ?? {};
    if (args.argument_spec === undefined) throw new ModuleFailure(`"argument_spec" arg is required in args: ${pyRepr(args)}`);
    const spec = args.argument_spec;
    const rawProvided = ctx.controller.untemplatedArgs?.provided_arguments;
    const provided = markYamlOrigin(rawProvided, args.provided_arguments ?? {});
    if (!isDict(spec)) throw new ModuleFailure(`Incorrect type for argument_spec, expected dict and got ${pyClass(spec)}`);
    if (!isDict(provided)) throw new ModuleFailure(`Incorrect type for provided_arguments, expected dict and got ${pyClass(provided)}`);
    const outcome = validateArgumentSpec(spec as ArgumentSpec, { ...argsFromVars(spec as ArgumentSpec, ctx), ...(provided as Record<string, unknown>) });
    if (outcome.errors.length) {
      throw new ModuleFailure(`Validation of arguments failed:\n${outcome.errors.join('\n')}`, {
        validate_args_context: context,
        argument_spec_data: spec,
        argument_errors: outcome.errors,
      });
    }
    return { changed: false, msg: 'The arg spec validation passed', validate_args_context: context };
  },
});
