// ansible.builtin.getent: one NSS database (or one key of it) as facts, getent_<database>:
// each line's first field → the rest of its fields (a list of lists when a key repeats).
// passwd, shadow, group and gshadow split on ':', anything else on whitespace, as in
// Ansible. Read-only, so it runs in check mode too.
//
//   - ansible.builtin.getent:
//       database: passwd
//       key: root
//   - ansible.builtin.debug:
//       var: ansible_facts.getent_passwd.root
import type { FromSchema } from 'json-schema-to-ts';
import { SBIN_PATH } from '../facts/system-probe.js';
import { quote } from '../transport/quote.js';
import { splitLines } from './command-runner.js';
import { ModuleFailure, defineModule, type ModuleResult, type RunContext } from './types.js';

const schema = {
  type: 'object',
  properties: {
    database: { type: 'string', minLength: 1 },
    key: { type: 'string' },
    service: { type: 'string' },
    split: { type: 'string' },
    fail_key: { type: 'boolean', default: true },
  },
  required: ['database'],
  additionalProperties: false,
} as const;

export type GetentArgs = FromSchema<typeof schema>;

const COLON = ['passwd', 'shadow', 'group', 'gshadow'];

/** getent's lines as Ansible's module files them. */
export function getentTree(out: string, split: string | undefined): Record<string, unknown> {
  const tree: Record<string, unknown> = {};
  const seen: Record<string, number> = {};
  for (const line of splitLines(out)) {
    // Python's str.split(None): runs of whitespace, no empty ends
    const record = split === undefined ? line.trim().split(/\s+/).filter((f) => f !== '') : line.split(split);
    const [first = '', ...rest] = record;
    if (seen[first]) {
      if (seen[first] === 1) tree[first] = [tree[first]];
      (tree[first] as unknown[]).push(rest);
      seen[first]++;
    } else {
      tree[first] = rest;
      seen[first] = 1;
    }
  }
  return tree;
}

async function runGetent(args: GetentArgs, ctx: RunContext): Promise<ModuleResult> {
  const words = [args.database, ...(args.key !== undefined ? [args.key] : []), ...(args.service !== undefined ? ['-s', args.service] : [])];
  const r = await ctx.exec(`${SBIN_PATH} && getent ${words.map(quote).join(' ')}`);
  const split = args.split ?? (COLON.includes(args.database) ? ':' : undefined);
  const dbtree = `getent_${args.database}`;
  if (r.rc === 0) return { changed: false, ansible_facts: { [dbtree]: getentTree(r.stdout, split) } };
  if (r.rc === 2) {
    const msg = 'One or more supplied key could not be found in the database.';
    if (!args.fail_key) return { changed: false, ansible_facts: { [dbtree]: { [args.key ?? 'null']: null } }, msg };
    throw new ModuleFailure(msg);
  }
  throw new ModuleFailure(r.rc === 1 ? 'Missing arguments, or database unknown.' : r.rc === 3 ? 'Enumeration not supported on this database.' : 'Unexpected failure!');
}

export const getentModule = defineModule<GetentArgs>({
  name: 'getent',
  summary: 'Read an NSS database (passwd, group, shadow, hosts...) into getent_DATABASE facts',
  schema,
  checkMode: 'run',
  run: runGetent,
});
