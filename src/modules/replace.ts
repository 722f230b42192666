// ansible.builtin.replace: Python re.sub over a whole file (or the part between `after`
// and `before`), with Python's regex and replacement syntax.
//
//   - ansible.builtin.replace:
//       path: /etc/hosts
//       regexp: '(\s+)old\.example\.com(\s+.*)?$'
//       replace: '\1new.example.com\2'
import type { FromSchema } from 'json-schema-to-ts';
import type { FileFacts } from '../facts/file-probe.js';
import { COMMON_FILE_ARGS, codecFor } from './file-common.js';
import { EDIT_SCHEMA_PROPS, editModuleHooks, planEditedFile, type Edit } from './file-edit.js';
import { compilePythonRegex, pythonSubn } from './python-regex.js';
import { ModuleFailure, defineModule, type Plan, type PlanContext } from './types.js';

const schema = {
  type: 'object',
  properties: {
    ...EDIT_SCHEMA_PROPS,
    regexp: { type: 'string' },
    replace: { type: 'string', default: '' },
    after: { type: 'string' },
    before: { type: 'string' },
    encoding: { type: 'string', enum: ['utf-8', 'utf8', 'UTF-8'], default: 'utf-8' },
    ...COMMON_FILE_ARGS,
  },
  required: ['path', 'regexp'],
  additionalProperties: false,
} as const;

export type ReplaceArgs = FromSchema<typeof schema>;

export function planReplace(edit: Edit<ReplaceArgs>, f: FileFacts, ctx: PlanContext): Plan {
  const { args } = edit;
  if (f.exists && f.type === 'directory') throw new ModuleFailure(`Path ${args.path} is a directory !`, { rc: 256 });
  if (!f.exists) throw new ModuleFailure(`Path ${args.path} does not exist !`, { rc: 257 });
  if (f.content === undefined) throw new ModuleFailure(`Could not read ${args.path}`);
  const codec = codecFor(f.content);
  const conv = codec.fromTask;
  const contents = codec.decode(f.content);
  let pattern = '';
  // Python truthiness: an empty after/before is no bound.
  if (args.after && args.before) pattern = `${args.after}(?P<subsection>.*?)${args.before}`;
  else if (args.after) pattern = `${args.after}(?P<subsection>.*)`;
  else if (args.before) pattern = `(?P<subsection>.*)${args.before}`;
  let section = contents;
  let start = 0;
  let end = contents.length;
  if (pattern) {
    const sectionRe = compilePythonRegex(conv(pattern), { dotall: true });
    const m = new RegExp(sectionRe.source, sectionRe.flags + 'd').exec(contents);
    if (!m) {
      return { steps: [], result: { rc: 0, msg: `Pattern for before/after params did not match the given file: ${pattern}` } };
    }
    section = m.groups!.subsection;
    start = m.indices!.groups!.subsection[0];
    end = start + section.length;
  }
  const re = compilePythonRegex(conv(args.regexp), { multiline: true }, true);
  const [replaced, count] = pythonSubn(re, conv(args.replace), section);
  // Ansible's replace reports rc 0 on success (res_args starts as dict(rc=0)).
  if (count === 0 || replaced === section) return planEditedFile(edit, f, undefined, '', ctx, { rc: 0 });
  const after = contents.slice(0, start) + replaced + contents.slice(end);
  return planEditedFile(edit, f, codec.encode(after), `${count} replacements made`, ctx, { rc: 0 }, { bareHeader: true });
}

export const replaceModule = defineModule<ReplaceArgs, Edit<ReplaceArgs>, FileFacts>({
  name: 'replace',
  summary: 'Replace all instances of a particular string in a file using a back-referenced regular expression',
  checkMode: 'plan',
  argAliases: { dest: 'path', destfile: 'path', name: 'path' },
  schema,
  ...editModuleHooks(planReplace),
});
