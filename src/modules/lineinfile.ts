// ansible.builtin.lineinfile: make sure one line is (or is not) in a file, with Ansible's
// exact rules for regexp/search_string matches, insertafter/insertbefore and backrefs.
// The probe returns the whole file; the edit is computed here and written back only
// when the text changes.
//
//   - ansible.builtin.lineinfile:
//       path: /etc/selinux/config
//       regexp: '^SELINUX='
//       line: SELINUX=enforcing
import type { FromSchema } from 'json-schema-to-ts';
import type { FileFacts } from '../facts/file-probe.js';
import { COMMON_FILE_ARGS, codecFor, readLines, requireEditable } from './file-common.js';
import { EDIT_SCHEMA_PROPS, editModuleHooks, planEditedFile, type Edit } from './file-edit.js';
import { compilePythonRegex, expandPythonTemplate } from './python-regex.js';
import { ModuleFailure, defineModule, type Plan, type PlanContext } from './types.js';

const schema = {
  type: 'object',
  properties: {
    ...EDIT_SCHEMA_PROPS,
    state: { type: 'string', enum: ['present', 'absent'], default: 'present' },
    regexp: { type: 'string' },
    search_string: { type: 'string' },
    line: { type: 'string' },
    insertafter: { type: 'string' },
    insertbefore: { type: 'string' },
    backrefs: { type: 'boolean', default: false },
    create: { type: 'boolean', default: false },
    firstmatch: { type: 'boolean', default: false },
    ...COMMON_FILE_ARGS,
  },
  required: ['path'],
  additionalProperties: false,
} as const;

export type LineinfileArgs = FromSchema<typeof schema>;

const stripEol = (s: string) => s.replace(/[\r\n]+$/, '');

function present(args: LineinfileArgs, lines: string[], conv: (s: string) => string): { lines: string[]; msg: string } {
  const line = conv(args.line!);
  const insertafter = args.insertafter ?? (args.insertbefore === undefined ? 'EOF' : undefined);
  const insertbefore = args.insertbefore;
  const re = args.regexp !== undefined ? compilePythonRegex(conv(args.regexp)) : undefined;
  const search = args.search_string !== undefined ? conv(args.search_string) : undefined;
  let ins: RegExp | undefined;
  if (insertafter !== undefined && insertafter !== 'BOF' && insertafter !== 'EOF') ins = compilePythonRegex(conv(insertafter));
  else if (insertbefore !== undefined && insertbefore !== 'BOF') ins = compilePythonRegex(conv(insertbefore));

  // index0: the line the regexp/search_string (or the exact line) matched;
  // index1: where insertafter/insertbefore points.
  let index0 = -1;
  let index1 = -1;
  let match: RegExpExecArray | boolean | null = null;
  if (re) {
    for (let i = 0; i < lines.length; i++) {
      const m = re.exec(lines[i]);
      if (m) {
        index0 = i;
        match = m;
        if (args.firstmatch) break;
      }
    }
  }
  if (search !== undefined) {
    for (let i = 0; i < lines.length; i++) {
      if (lines[i].includes(search)) {
        index0 = i;
        match = true;
        if (args.firstmatch) break;
      }
    }
  }
  if (!match) {
    for (let i = 0; i < lines.length; i++) {
      if (stripEol(lines[i]) === line) {
        index0 = i;
      } else if (ins && ins.exec(lines[i])) {
        if (insertafter !== undefined) {
          index1 = i + 1;
          if (args.firstmatch) break;
        }
        if (insertbefore !== undefined) {
          index1 = i;
          if (args.firstmatch) break;
        }
      }
    }
  }

  const out = [...lines];
  const endsWithEol = (s: string) => s.endsWith('\n') || s.endsWith('\r');
  if (index0 !== -1) {
    let newLine = args.backrefs && match && match !== true ? expandPythonTemplate(line, match) : line;
    if (!newLine.endsWith('\n')) newLine += '\n';
    if (out[index0] !== newLine) {
      out[index0] = newLine;
      return { lines: out, msg: 'line replaced' };
    }
    return { lines: out, msg: '' };
  }
  if (args.backrefs) return { lines: out, msg: '' };
  if (insertbefore === 'BOF' || insertafter === 'BOF') {
    out.unshift(line + '\n');
    return { lines: out, msg: 'line added' };
  }
  if (insertafter === 'EOF' || index1 === -1) {
    if (out.length && !endsWithEol(out[out.length - 1])) out.push('\n');
    out.push(line + '\n');
    return { lines: out, msg: 'line added' };
  }
  if (insertafter !== undefined) {
    if (out.length === index1) {
      if (stripEol(out[index1 - 1]) !== line) {
        out.push(line + '\n');
        return { lines: out, msg: 'line added' };
      }
      return { lines: out, msg: '' };
    }
    if (stripEol(out[index1]) !== line) {
      out.splice(index1, 0, line + '\n');
      return { lines: out, msg: 'line added' };
    }
    return { lines: out, msg: '' };
  }
  out.splice(index1, 0, line + '\n');
  return { lines: out, msg: 'line added' };
}

function absent(args: LineinfileArgs, lines: string[], conv: (s: string) => string): { lines: string[]; found: number } {
  const re = args.regexp !== undefined ? compilePythonRegex(conv(args.regexp)) : undefined;
  const search = args.search_string !== undefined ? conv(args.search_string) : undefined;
  const line = args.line !== undefined ? conv(args.line) : undefined;
  const kept = lines.filter((l) => {
    if (re) return !re.test(l);
    if (search !== undefined) return !l.includes(search);
    return stripEol(l) !== line;
  });
  return { lines: kept, found: lines.length - kept.length };
}

/** Ansible warns (module.warn) when regexp or search_string is empty: it matches every line. */
function emptyPatternWarning(args: LineinfileArgs): string | undefined {
  if (args.regexp !== '' && args.search_string !== '') return undefined;
  const name = args.regexp === '' ? 'regular expression' : 'search string';
  let msg =
    `The ${name} is an empty string, which will match every line in the file. ` +
    'This may have unintended consequences, such as replacing the last line in the file rather than appending.';
  if (args.regexp === '') msg += " If this is desired, use '^' to match every line in the file and avoid this warning.";
  return msg;
}

export function planLineinfile(edit: Edit<LineinfileArgs>, f: FileFacts, ctx: PlanContext): Plan {
  const warning = emptyPatternWarning(edit.args);
  const plan = planLineinfileState(edit, f, ctx);
  return warning ? { ...plan, result: { ...plan.result, warnings: [warning] } } : plan;
}

function planLineinfileState(edit: Edit<LineinfileArgs>, f: FileFacts, ctx: PlanContext): Plan {
  const { args } = edit;
  if (f.exists && f.type === 'directory') throw new ModuleFailure(`Path ${args.path} is a directory !`, { rc: 256 });
  const codec = codecFor(f.content);
  const conv = codec.fromTask;
  if (args.state === 'absent') {
    if (args.regexp === undefined && args.search_string === undefined && args.line === undefined) {
      throw new ModuleFailure('one of line, search_string, or regexp is required with state=absent');
    }
    if (!f.exists) return { steps: [], result: { msg: 'file not present', found: 0, backup: '' } };
    const problem = requireEditable(args.path, f, false);
    if (problem) throw new ModuleFailure(problem);
    const text = codec.decode(f.content!);
    const { lines, found } = absent(args, readLines(text), conv);
    const after = found ? codec.encode(lines.join('')) : undefined;
    const plan = planEditedFile(edit, f, after, found ? `${found} line(s) removed` : '', ctx, { found });
    return withBackupKey(plan);
  }
  if (args.backrefs && args.regexp === undefined) throw new ModuleFailure('regexp is required with backrefs=true');
  if (args.line === undefined) throw new ModuleFailure('line is required with state=present');
  const problem = requireEditable(args.path, f, args.create);
  if (problem) throw new ModuleFailure(problem);
  const before = f.exists ? codec.decode(f.content!) : '';
  const { lines, msg } = present(args, readLines(before), conv);
  const text = lines.join('');
  const after = msg ? codec.encode(text) : undefined;
  return withBackupKey(planEditedFile(edit, f, after, msg, ctx));
}

/** lineinfile names its backup `backup` (blockinfile and replace say backup_file). */
function withBackupKey(plan: Plan): Plan {
  const r = { ...(plan.result ?? {}) };
  r.backup = r.backup_file ?? '';
  delete r.backup_file;
  return { ...plan, result: r };
}

export const lineinfileModule = defineModule<LineinfileArgs, Edit<LineinfileArgs>, FileFacts>({
  name: 'lineinfile',
  summary: 'Manage lines in text files',
  checkMode: 'plan',
  argAliases: { dest: 'path', destfile: 'path', name: 'path', regex: 'regexp', value: 'line' },
  schema,
  constraints: {
    mutually_exclusive: [
      ['insertbefore', 'insertafter'],
      ['regexp', 'search_string'],
      ['backrefs', 'search_string'],
    ],
  },
  ...editModuleHooks(planLineinfile),
});
