// ansible.builtin.user on Linux: useradd/usermod/userdel and chage, as Ansible's generic
// Linux code path runs them, planned by user-plan.ts from one probe (user-facts.ts). A run
// asks the host again after changing it, so uid, group, home and shell in the result are
// what the host now says (useradd picks the uid). The password hash goes to `chpasswd -e`
// on stdin, never into a command line. BSD, macOS, Solaris, AIX and BusyBox paths are not
// implemented; neither is libuser (`local: true`) or ssh key generation.
//
//   - ansible.builtin.user:
//       name: deploy
//       shell: /bin/bash
//       groups: [wheel]
//       append: true
//       password: "{{ deploy_hash }}"
import type { FromSchema } from 'json-schema-to-ts';
import { accountProbe, parseAccountProbe, runAccountSteps, type AccountFacts, type AccountProbeSpec } from './user-facts.js';
import { planUser, type UserArgs } from './user-plan.js';
import { ModuleFailure, defineModule, type ModuleResult, type RunContext } from './types.js';

const schema = {
  type: 'object',
  properties: {
    state: { type: 'string', enum: ['absent', 'present'], default: 'present' },
    name: { type: 'string', minLength: 1 },
    uid: { type: 'integer' },
    non_unique: { type: 'boolean', default: false },
    group: { type: 'string' },
    groups: { type: 'array', items: { type: 'string' } },
    comment: { type: 'string' },
    home: { type: 'string' },
    shell: { type: 'string' },
    password: { type: 'string' },
    login_class: { type: 'string' },
    password_expire_max: { type: 'integer' },
    password_expire_min: { type: 'integer' },
    hidden: { type: 'boolean' },
    seuser: { type: 'string' },
    force: { type: 'boolean', default: false },
    remove: { type: 'boolean', default: false },
    create_home: { type: 'boolean', default: true },
    skeleton: { type: 'string' },
    system: { type: 'boolean', default: false },
    move_home: { type: 'boolean', default: false },
    append: { type: 'boolean', default: false },
    generate_ssh_key: { type: 'boolean' },
    ssh_key_bits: { type: 'integer', default: 0 },
    ssh_key_type: { type: 'string', default: 'rsa' },
    ssh_key_file: { type: 'string' },
    ssh_key_comment: { type: 'string' },
    ssh_key_passphrase: { type: 'string' },
    update_password: { type: 'string', enum: ['always', 'on_create'], default: 'always' },
    expires: { type: 'number' },
    password_lock: { type: 'boolean' },
    local: { type: 'boolean' },
    profile: { type: 'string' },
    authorization: { type: 'string' },
    role: { type: 'string' },
    umask: { type: 'string' },
  },
  required: ['name'],
  additionalProperties: false,
} as const;

type Args = FromSchema<typeof schema>;

function specOf(args: UserArgs): AccountProbeSpec {
  return { user: args.name, groups: [...(args.group !== undefined ? [args.group] : []), ...(args.groups ?? []).flatMap((g) => g.split(',').map((x) => x.trim()))].filter((g) => g !== ''), home: args.home };
}

/** Ansible's refusals before it looks at the host, and what rackplay does not do. */
function checkArgs(args: Args): void {
  if (args.umask !== undefined && args.local) throw new ModuleFailure("'umask' can not be used with 'local'");
  if (args.local) throw new ModuleFailure("user: 'local: true' (libuser's luseradd/lusermod/luserdel) is not supported by rackplay");
  if (args.generate_ssh_key) throw new ModuleFailure("user: 'generate_ssh_key' is not supported by rackplay");
}

function entryFields(facts: AccountFacts): Record<string, unknown> {
  const u = facts.user;
  if (!u) return {};
  return { uid: u.uid, group: u.gid, comment: u.gecos, home: u.home, shell: u.shell };
}

async function runUser(args: Args, ctx: RunContext): Promise<ModuleResult> {
  checkArgs(args);
  const spec = specOf(args);
  const facts = parseAccountProbe(await ctx.exec(accountProbe(spec)), spec);
  const plan = planUser(args, facts, ctx);
  const warnings = plan.warnings.length ? { warnings: plan.warnings } : {};
  if (plan.bare) return { changed: true, ...warnings };
  const output = ctx.check ? {} : await runAccountSteps(plan.steps, ctx, args.name, true);
  const result: ModuleResult = { ...plan.result, changed: plan.changed, ...output, ...warnings };
  if ((args.state ?? 'present') === 'present') {
    const after = ctx.check || !plan.steps.length ? facts : parseAccountProbe(await ctx.exec(accountProbe(spec)), spec);
    Object.assign(result, entryFields(after));
    if (args.groups !== undefined) result.groups = args.groups.join(',');
  }
  return result;
}

export const userModule = defineModule<Args>({
  name: 'user',
  summary: 'Create, change or remove a local user account (useradd, usermod, userdel, chage)',
  schema,
  argAliases: { user: 'name', createhome: 'create_home' },
  checkMode: 'run',
  traits: { noLogArgs: ['password'] },
  run: runUser,
});
