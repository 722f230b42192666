// ansible.builtin.group on Linux: groupadd/groupmod/groupdel as Ansible's generic Linux
// code path runs them, from one getent probe. A run asks the host again after a change,
// so `gid` in the result is the one groupadd picked. libuser (`local: true`) is not
// implemented.
//
//   - ansible.builtin.group:
//       name: docker
//       gid: 1750
import type { FromSchema } from 'json-schema-to-ts';
import { SBIN_PATH } from '../facts/system-probe.js';
import { quote } from '../transport/quote.js';
import { accountProbe, parseAccountProbe, runAccountSteps, type AccountFacts } from './user-facts.js';
import { ModuleFailure, defineModule, type ModuleResult, type PlanContext, type RunContext, type Step } from './types.js';

const schema = {
  type: 'object',
  properties: {
    state: { type: 'string', enum: ['absent', 'present'], default: 'present' },
    name: { type: 'string', minLength: 1 },
    gid: { type: 'integer' },
    system: { type: 'boolean', default: false },
    local: { type: 'boolean', default: false },
    non_unique: { type: 'boolean', default: false },
  },
  required: ['name'],
  additionalProperties: false,
} as const;

export type GroupArgs = FromSchema<typeof schema>;

export interface GroupPlan {
  steps: Step[];
  changed: boolean;
  /** Check mode on a create or a removal: Ansible returns `changed` alone. */
  bare?: boolean;
}

/** The group's own entry: getent's answer for its name (not a gid that happens to match). */
export function groupEntry(args: Pick<GroupArgs, 'name'>, facts: AccountFacts) {
  const looked = facts.lookups[args.name];
  return looked && looked.name === args.name ? looked : facts.groups.find((g) => g.name === args.name);
}

function cmd(tool: string, words: string[]): Step {
  return { kind: 'exec', cmd: `${SBIN_PATH} && ${tool} ${words.map(quote).join(' ')}` };
}

export function planGroup(args: GroupArgs, facts: AccountFacts, ctx: Pick<PlanContext, 'check'>): GroupPlan {
  const entry = groupEntry(args, facts);
  const gidWords = args.gid !== undefined ? ['-g', String(args.gid), ...(args.non_unique ? ['-o'] : [])] : [];
  if ((args.state ?? 'present') === 'absent') {
    if (!entry) return { steps: [], changed: false };
    if (ctx.check) return { steps: [], changed: true, bare: true };
    return { steps: [cmd('groupdel', [args.name])], changed: true };
  }
  if (!entry) {
    if (ctx.check) return { steps: [], changed: true, bare: true };
    return { steps: [cmd('groupadd', [...gidWords, ...(args.system ? ['-r'] : []), args.name])], changed: true };
  }
  if (args.gid === undefined || entry.gid === args.gid) return { steps: [], changed: false };
  // Ansible's group_mod reports the change in check mode without running groupmod
  return { steps: ctx.check ? [] : [cmd('groupmod', [...gidWords, args.name])], changed: true };
}

async function runGroup(args: GroupArgs, ctx: RunContext): Promise<ModuleResult> {
  if (args.local) throw new ModuleFailure("group: 'local: true' (libuser's lgroupadd/lgroupmod/lgroupdel) is not supported by rackplay");
  const spec = { groups: [args.name] };
  const facts = parseAccountProbe(await ctx.exec(accountProbe(spec)), spec);
  const plan = planGroup(args, facts, ctx);
  if (plan.bare) return { changed: true };
  const output = ctx.check ? {} : await runAccountSteps(plan.steps, ctx, args.name, false);
  const result: ModuleResult = { name: args.name, state: args.state ?? 'present', changed: plan.changed, ...output };
  const after = ctx.check || !plan.steps.length ? facts : parseAccountProbe(await ctx.exec(accountProbe(spec)), spec);
  const entry = groupEntry(args, after);
  if (entry) Object.assign(result, { system: args.system ?? false, gid: entry.gid });
  return result;
}

export const groupModule = defineModule<GroupArgs>({
  name: 'group',
  summary: 'Create, change the gid of, or remove a local group (groupadd, groupmod, groupdel)',
  schema,
  constraints: { required_if: [['non_unique', true, ['gid']]] },
  checkMode: 'run',
  run: runGroup,
});
