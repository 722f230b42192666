// ansible.builtin.gather_facts as a task: Ansible's action runs the facts modules
// (FACTS_MODULES, `smart`: setup) with the task's arguments and returns their facts. rackplay's one facts module is setup; `parallel` only chooses how
// Ansible would run several facts modules, so with one it changes nothing.
//
//   - name: Refresh the network facts
//     ansible.builtin.gather_facts:
//       gather_subset: ['!all', 'network']
import type { FromSchema } from 'json-schema-to-ts';
import { setupModule, type SetupArgs } from './setup.js';
import { ModuleFailure, defineModule, type ModuleResult } from './types.js';

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    parallel: { type: 'boolean' },
    gather_subset: { type: ['array', 'string'], items: { type: 'string' } },
    filter: { type: ['array', 'string'], items: { type: 'string' } },
    gather_timeout: { type: 'integer', minimum: 1, default: 10 },
    fact_path: { type: 'string' },
  },
} as const;

export type GatherFactsArgs = FromSchema<typeof schema>;

const FACTS_MODULE = 'ansible.legacy.setup';

export const gatherFactsModule = defineModule<GatherFactsArgs>({
  name: 'gather_facts',
  summary: 'Gathers facts about remote hosts',
  checkMode: 'run',
  traits: { noAsync: true },
  schema,
  async run(args, ctx) {
    const { parallel: _parallel, ...setupArgs } = args;
    let res: ModuleResult;
    try {
      res = await setupModule.run!(setupArgs as SetupArgs, ctx);
    } catch (e) {
      if (!(e instanceof ModuleFailure)) throw e;
      return {
        ansible_facts: {},
        failed: true,
        msg: `The following modules failed to execute: ${FACTS_MODULE}\n`,
        failed_modules: { [FACTS_MODULE]: e.result() },
        // Ansible's way to keep -v from printing every fact
        _ansible_verbose_override: true,
      };
    }
    return {
      ansible_facts: res.ansible_facts ?? {},
      warnings: res.warnings ?? [],
      deprecations: res.deprecations ?? [],
      _ansible_verbose_override: true,
    };
  },
});
