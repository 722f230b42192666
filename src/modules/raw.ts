// ansible.builtin.raw: sends the string to the host's shell as it is, with no module
// machinery. Ansible uses it to bootstrap hosts without Python; every rackplay module
// needs only a shell, so here it differs from shell in having no creates/chdir and in
// keeping the output unstripped. Skipped in check mode, as in Ansible.
//
//   - name: Bootstrap a bare host
//     ansible.builtin.raw: test -e /usr/bin/yum && echo has-yum
import { quote } from '../transport/quote.js';
import { commandResult } from './command-runner.js';
import type { FromSchema } from 'json-schema-to-ts';
import { defineModule, type ModuleResult, type RunContext } from './types.js';

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['_raw_params'],
  properties: {
    _raw_params: { type: 'string', minLength: 1 },
    executable: { type: 'string' },
  },
} as const;

export type RawArgs = FromSchema<typeof schema>;

async function runRaw(args: RawArgs, ctx: RunContext): Promise<ModuleResult> {
  if (ctx.check) return { skipped: true, changed: false };
  const line = args.executable ? `exec ${quote(args.executable)} -c ${quote(args._raw_params)}` : args._raw_params;
  const res = await ctx.exec(line);
  return commandResult(res);
}

export const rawModule = defineModule<RawArgs>({
  name: 'raw',
  summary: 'Send a command line to the host shell as it is',
  freeForm: '_raw_params',
  checkMode: 'skip',
  checkSkipMessage: () => undefined,
  traits: { noAsync: true, runsNoModule: true },
  schema,
  run: runRaw,
});
