// ansible.builtin.blockinfile: keep a marked block of lines in a file (insert, update in
// place between its markers, or remove), with Ansible's marker and insert rules.
//
//   - ansible.builtin.blockinfile:
//       path: /etc/ssh/sshd_config
//       marker: '# {mark} rackplay: sftp jail'
//       block: |
//         Match Group sftp
//           ChrootDirectory %h
import type { FromSchema } from 'json-schema-to-ts';
import type { FileFacts } from '../facts/file-probe.js';
import { COMMON_FILE_ARGS, codecFor, splitLinesKeepEnds } from './file-common.js';
import { EDIT_SCHEMA_PROPS, editModuleHooks, planEditedFile, type Edit } from './file-edit.js';
import { compilePythonRegex } from './python-regex.js';
import { ModuleFailure, defineModule, type Plan, type PlanContext } from './types.js';

const schema = {
  type: 'object',
  properties: {
    ...EDIT_SCHEMA_PROPS,
    state: { type: 'string', enum: ['present', 'absent'], default: 'present' },
    marker: { type: 'string', default: '# {mark} ANSIBLE MANAGED BLOCK' },
    block: { type: 'string', default: '' },
    insertafter: { type: 'string' },
    insertbefore: { type: 'string' },
    create: { type: 'boolean', default: false },
    marker_begin: { type: 'string', default: 'BEGIN' },
    marker_end: { type: 'string', default: 'END' },
    append_newline: { type: 'boolean', default: false },
    prepend_newline: { type: 'boolean', default: false },
    ...COMMON_FILE_ARGS,
  },
  required: ['path'],
  additionalProperties: false,
} as const;

export type BlockinfileArgs = FromSchema<typeof schema>;

/** The new text, or the same text when nothing changes. */
export function applyBlock(args: BlockinfileArgs, original: string | undefined, conv: (s: string) => string): string {
  const lines = original === undefined ? [] : splitLinesKeepEnds(original);
  const present = args.state === 'present';
  let insertafter = args.insertafter;
  const insertbefore = args.insertbefore;
  if (insertafter === undefined && insertbefore === undefined) insertafter = 'EOF';
  let insertre: RegExp | undefined;
  let multiline = false;
  const insertPattern = insertafter !== undefined && insertafter !== 'EOF' ? insertafter : insertbefore !== undefined && insertbefore !== 'BOF' ? insertbefore : undefined;
  if (insertPattern !== undefined) {
    insertre = compilePythonRegex(conv(insertPattern));
    multiline = /\(\?[aiLsux]*m[aiLsux]*\)/.test(insertPattern);
    if (multiline) insertre = compilePythonRegex(conv(insertPattern), { multiline: true });
  }
  const marker = conv(args.marker);
  const marker0 = marker.split('{mark}').join(conv(args.marker_begin)) + '\n';
  const marker1 = marker.split('{mark}').join(conv(args.marker_end)) + '\n';
  let blocklines: string[] = [];
  if (present && args.block) {
    let block = conv(args.block);
    if (!block.endsWith('\n')) block += '\n';
    blocklines = [marker0, ...splitLinesKeepEnds(block), marker1];
  }
  let n0: number | undefined;
  let n1: number | undefined;
  lines.forEach((l, i) => {
    if (l === marker0) n0 = i;
    if (l === marker1) n1 = i;
  });
  if (n0 === undefined || n1 === undefined) {
    n0 = undefined;
    if (insertre) {
      if (multiline) {
        const m = insertre.exec(original ?? '');
        if (m) {
          const upto = insertafter !== undefined ? m.index + m[0].length : m.index;
          n0 = ((original ?? '').slice(0, upto).match(/\n/g) ?? []).length;
        }
      } else {
        lines.forEach((l, i) => {
          if (insertre!.exec(l)) n0 = i;
        });
      }
      // After the line holding the match's end (multiline) or the last matching line.
      if (n0 === undefined) n0 = lines.length;
      else if (insertafter !== undefined) n0 += 1;
    } else if (insertbefore !== undefined) n0 = 0;
    else n0 = lines.length;
  } else if (n0 < n1) {
    lines.splice(n0, n1 - n0 + 1);
  } else {
    lines.splice(n1, n0 - n1 + 1);
    n0 = n1;
  }
  if (n0 > 0 && !lines[n0 - 1].endsWith('\n')) lines[n0 - 1] += '\n';
  if (args.prepend_newline && present && n0 !== 0 && lines[n0 - 1] !== '\n') {
    lines.splice(n0, 0, '\n');
    n0 += 1;
  }
  lines.splice(n0, 0, ...blocklines);
  if (args.append_newline && present) {
    const after = n0 + blocklines.length;
    if (after < lines.length && lines[after] !== '\n') lines.splice(after, 0, '\n');
  }
  return lines.join('');
}

export function planBlockinfile(edit: Edit<BlockinfileArgs>, f: FileFacts, ctx: PlanContext): Plan {
  const { args } = edit;
  if (f.exists && f.type === 'directory') throw new ModuleFailure(`Path ${args.path} is a directory !`);
  if (!f.exists && !args.create && args.state === 'present') throw new ModuleFailure(`Path ${args.path} does not exist !`);
  if (!f.exists && args.state === 'absent') return { steps: [], result: { msg: `File ${args.path} not present` } };
  if (f.exists && f.content === undefined) throw new ModuleFailure(`Could not read ${args.path}`);
  const codec = codecFor(f.content);
  const original = f.exists ? codec.decode(f.content!) : undefined;
  const result = applyBlock(args, original, codec.fromTask);
  let msg = '';
  if (original === result) msg = '';
  else if (original === undefined) msg = 'File created';
  else if (args.state === 'absent' || !args.block) msg = 'Block removed';
  else msg = 'Block inserted';
  return planEditedFile(edit, f, original === result ? undefined : codec.encode(result), msg, ctx);
}

export const blockinfileModule = defineModule<BlockinfileArgs, Edit<BlockinfileArgs>, FileFacts>({
  name: 'blockinfile',
  summary: 'Insert/update/remove a text block surrounded by marker lines',
  checkMode: 'plan',
  argAliases: { dest: 'path', destfile: 'path', name: 'path', content: 'block' },
  schema,
  constraints: { mutually_exclusive: [['insertbefore', 'insertafter']] },
  ...editModuleHooks(planBlockinfile),
});
