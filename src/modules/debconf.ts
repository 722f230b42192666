// ansible.builtin.debconf: one debconf answer for a package, read with `debconf-show` and
// set with `debconf-set-selections` (the answer goes on stdin, never on a command line).
//
//   - ansible.builtin.debconf:
//       name: tzdata
//       question: tzdata/Areas
//       vtype: select
//       value: Europe
import type { FromSchema } from 'json-schema-to-ts';
import { SBIN_PATH } from '../facts/system-probe.js';
import { quote } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { ModuleFailure, defineModule, type FileDiff } from './types.js';

const schema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    question: { type: 'string' },
    vtype: { type: 'string', enum: ['boolean', 'error', 'multiselect', 'note', 'password', 'seen', 'select', 'string', 'text', 'title'] },
    value: { type: 'string' },
    unseen: { type: 'boolean', default: false },
  },
  required: ['name'],
  additionalProperties: false,
} as const;

type Args = FromSchema<typeof schema>;

/** debconf-show's `* question: value` lines, as Ansible's get_selections reads them. */
export function parseDebconfShow(out: string): Record<string, string> {
  const selections: Record<string, string> = {};
  for (const line of out.split('\n')) {
    if (line === '') continue;
    const i = line.indexOf(':');
    if (i < 0) throw new ModuleFailure(`debconf: cannot read the line '${line}' of debconf-show`);
    selections[line.slice(0, i).replace(/^\*+|\*+$/g, '').trim()] = line.slice(i + 1).trim();
  }
  return selections;
}

export const debconfModule = defineModule<Args, Args, Record<string, string>>({
  name: 'debconf',
  summary: 'Set one debconf answer of a package (debconf-show, debconf-set-selections)',
  schema,
  argAliases: { pkg: 'name', selection: 'question', setting: 'question', answer: 'value' },
  constraints: { required_together: [['question', 'vtype', 'value']] },
  checkMode: 'plan',
  probe: ({ name }) => `${SBIN_PATH}; command -v debconf-show >/dev/null 2>&1 || { echo 'Failed to find required executable "debconf-show"' >&2; exit 127; }; debconf-show ${quote(name)}`,
  parse: (out: ExecResult) => {
    if (out.rc !== 0) throw new ModuleFailure(out.stderr);
    return parseDebconfShow(out.stdout);
  },
  plan: ({ name, question, vtype, value, unseen }, prev, ctx) => {
    if (question === undefined) return { steps: [], result: { msg: '', current: prev } };
    if (vtype === undefined || value === undefined) throw new ModuleFailure('when supplying a question you must supply a valid vtype and value');
    // Ansible lowercases a boolean only when comparing it with an existing answer
    const exists = question in prev;
    const want = exists && vtype === 'boolean' ? value.toLowerCase() : value;
    const changed = !exists || want !== (vtype === 'boolean' ? prev[question].toLowerCase() : prev[question]);
    if (!changed) return { steps: [], result: { msg: '', current: prev } };
    const setValue = vtype === 'boolean' && want === 'True' ? 'true' : vtype === 'boolean' && want === 'False' ? 'false' : want;
    const previous = exists ? { [question]: prev[question] } : { ...prev, [question]: '' };
    const current = { [question]: want };
    const diff = ctx.diff ? ({ before: previous, after: { ...previous, ...current } } as unknown as FileDiff) : undefined;
    return {
      steps: [{ kind: 'exec', cmd: `${SBIN_PATH}; debconf-set-selections${unseen ? ' -u' : ''}`, stdin: [name, question, vtype, setValue].join(' ') }],
      result: { msg: '', current, previous, ...(ctx.diff ? {} : { diff: {} }) },
      diff,
    };
  },
});
