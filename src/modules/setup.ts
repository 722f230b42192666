// ansible.builtin.setup: gathers facts with one remote sh script (src/facts/gather.ts)
// whose sections pure parsers turn into Ansible-named facts. No Python on the host. The
// engine caches the result; this module always gathers.
//
//   - name: Gather only the basics
//     ansible.builtin.setup:
//       gather_subset: ['!all', 'min']
//       filter: ['ansible_distribution*']
import type { FromSchema } from 'json-schema-to-ts';
import { collectFacts, filterFacts, GatherSubsetError, resolveSubsets, sectionsFor } from '../facts/collect.js';
import { buildGatherScript, DEFAULT_FACT_PATH, splitSections } from '../facts/gather.js';
import { newNonce } from './command-runner.js';
import { defineModule, ModuleFailure, type ModuleResult, type RunContext } from './types.js';

export type SetupArgs = FromSchema<typeof schema>;

const asList = (v: string[] | string | undefined): string[] | undefined =>
  v === undefined ? undefined : Array.isArray(v) ? v : v.split(',').map((s) => s.trim());

async function runSetup(args: SetupArgs, ctx: RunContext): Promise<ModuleResult> {
  let groups;
  try {
    groups = resolveSubsets(asList(args.gather_subset));
  } catch (e) {
    if (e instanceof GatherSubsetError) throw new ModuleFailure(e.message);
    throw e;
  }
  const nonce = newNonce();
  const factPath = args.fact_path ?? DEFAULT_FACT_PATH;
  const res = await ctx.exec(buildGatherScript(nonce, sectionsFor(groups), { factPath }), {
    timeoutMs: (args.gather_timeout ?? 10) * 1000 + 20_000,
  });
  const sections = splitSections(res.stdout, nonce);
  if (!sections.has('uname')) {
    throw new ModuleFailure(`fact gathering script failed (rc=${res.rc}): ${res.stderr.trim()}`);
  }
  const facts = filterFacts(collectFacts(sections, groups, { nonce, factPath }), asList(args.filter));
  const subsetList = asList(args.gather_subset) ?? ['all'];
  return {
    changed: false,
    ansible_facts: { ...facts, gather_subset: subsetList, module_setup: true },
  };
}

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    gather_subset: { type: ['array', 'string'], items: { type: 'string' } },
    filter: { type: ['array', 'string'], items: { type: 'string' } },
    gather_timeout: { type: 'integer', minimum: 1, default: 10 },
    fact_path: { type: 'string' },
  },
} as const;

export const setupModule = defineModule<SetupArgs>({
  name: 'setup',
  traits: { gathersFacts: true },
  summary: 'Gather facts about the host',
  checkMode: 'run',
  schema,
  run: runSetup,
});
