// community.general.ini_file: one option (or every value of a repeated option) in one
// section of an INI file, or a whole section removed. The edit follows the collection's
// module (6.x) line for line, so a file Ansible edited is left alone here and the other way
// round: `option = value` (or `option=value` with no_extra_spaces), a commented-out option
// (`# option = x`) is replaced in place, new options go after the section's last
// non-blank, non-comment line, and a missing section is appended at the end.
//
//   - community.general.ini_file:
//       path: /etc/yum.conf
//       section: main
//       option: keepcache
//       value: "1"
import type { FromSchema } from 'json-schema-to-ts';
import type { FileFacts } from '../facts/file-probe.js';
import { COMMON_FILE_ARGS, codecFor } from './file-common.js';
import { EDIT_SCHEMA_PROPS, editModuleHooks, planEditedFile, type Edit } from './file-edit.js';
import { ModuleFailure, defineModule, type Plan, type PlanContext } from './types.js';

const schema = {
  type: 'object',
  properties: {
    path: EDIT_SCHEMA_PROPS.path,
    backup: EDIT_SCHEMA_PROPS.backup,
    section: { type: 'string' },
    option: { type: 'string' },
    value: { type: 'string' },
    values: { type: 'array', items: { type: 'string' } },
    state: { type: 'string', enum: ['absent', 'present'], default: 'present' },
    exclusive: { type: 'boolean', default: true },
    no_extra_spaces: { type: 'boolean', default: false },
    allow_no_value: { type: 'boolean', default: false },
    create: { type: 'boolean', default: true },
    ...COMMON_FILE_ARGS,
  },
  required: ['path'],
  additionalProperties: false,
} as const;

export type IniFileArgs = FromSchema<typeof schema>;

// a section name nobody writes: stands for "before the first section" when none is given
const FAKE_SECTION = 'ad01e11446efb704fcdbdb21f2c43757423d91c5';
const BLANK_OR_COMMENT = /^[ \t]*([#;].*)?$/;

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
/** The option on a line, commented out or not; group 6 is its value (Python's re.match). */
const matchOpt = (option: string, line: string) => new RegExp(`^[#;]?( |\\t)*(${escapeRe(option)})( |\\t)*(=|$)( |\\t)*(.*)`).exec(line.replace(/\n$/, ''));
const matchActiveOpt = (option: string, line: string) => new RegExp(`^( |\\t)*(${escapeRe(option)})( |\\t)*(=|$)( |\\t)*(.*)`).exec(line.replace(/\n$/, ''));

/** The new lines and message, as do_ini computes them; `changed` false means the file stays. */
export function editIni(text: string, args: IniFileArgs): { text: string; changed: boolean; msg: string } {
  const values: string[] = [];
  for (const v of args.value !== undefined ? [args.value] : (args.values ?? [])) if (!values.includes(v)) values.push(v);
  const option = args.option;
  const lines: string[] = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  let changed = false;
  if (lines.length === 0) lines.push('\n');
  if (!lines[lines.length - 1].endsWith('\n')) {
    lines[lines.length - 1] += '\n';
    changed = true;
  }
  lines.unshift(`[${FAKE_SECTION}]`);
  lines.push('[');
  const section = args.section ? args.section : FAKE_SECTION;
  let within = false;
  let start = 0;
  let end = 0;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].startsWith(`[${section}]`)) {
      within = true;
      start = i;
    } else if (lines[i].startsWith('[') && within) {
      end = i;
      break;
    }
  }
  const before = lines.slice(0, start);
  let sect = lines.slice(start, end);
  const after = lines.slice(end);
  const done = sect.map(() => false);
  let msg = 'OK';
  const fmt = (o: string, v: string) => (args.no_extra_spaces ? `${o}=${v}\n` : `${o} = ${v}\n`);
  const update = (i: number, line: string) => {
    if (sect[i] !== line) {
      changed = true;
      msg = 'option changed';
    }
    sect[i] = line;
    done[i] = true;
  };
  let noValuePresent = false;
  if (args.state === 'present' && option) {
    for (let i = 0; i < sect.length; i++) {
      const m = matchOpt(option, sect[i]);
      if (!m) continue;
      if (values.length && values.includes(m[6])) {
        if (!m[6] && args.allow_no_value) {
          update(i, `${option}\n`);
          noValuePresent = true;
        } else update(i, fmt(option, m[6]));
        values.splice(values.indexOf(m[6]), 1);
      } else if (!values.length && args.allow_no_value) {
        update(i, `${option}\n`);
        noValuePresent = true;
        break;
      }
    }
  }
  if (args.state === 'present' && option && args.exclusive && !args.allow_no_value) {
    if (values.length) {
      for (let i = 0; i < sect.length; i++) {
        if (!done[i] && matchOpt(option, sect[i])) {
          update(i, fmt(option, values.shift()!));
          if (!values.length) break;
        }
      }
    }
    for (let i = sect.length - 1; i > 0; i--) {
      if (!done[i] && matchOpt(option, sect[i])) {
        sect.splice(i, 1);
        done.splice(i, 1);
        changed = true;
        msg = 'option changed';
      }
    }
  }
  if (args.state === 'present') {
    for (let i = sect.length; i > 0; i--) {
      if (BLANK_OR_COMMENT.test(sect[i - 1].replace(/\n$/, ''))) continue;
      if (option && values.length) {
        sect.splice(i, 0, ...values.map((v) => fmt(option, v)));
        msg = 'option added';
        changed = true;
      } else if (option && !values.length && args.allow_no_value && !noValuePresent) {
        sect.splice(i, 0, `${option}\n`);
        msg = 'option added';
        changed = true;
      }
      break;
    }
  }
  if (args.state === 'absent') {
    if (option) {
      const kept = args.exclusive
        ? sect.filter((l) => !matchActiveOpt(option, l))
        : values.length
          ? sect.filter((l) => !(matchActiveOpt(option, l) && values.includes(matchActiveOpt(option, l)![6])))
          : sect;
      if (kept.length !== sect.length) {
        changed = true;
        msg = 'option changed';
        sect = kept;
      }
    } else if (sect.length) {
      sect = [];
      msg = 'section removed';
      changed = true;
    }
  }
  const out = [...before, ...sect, ...after].slice(1, -1);
  if (!within && args.state === 'present') {
    out.push(`[${section}]\n`);
    msg = 'section and option added';
    if (option && values.length) out.push(...values.map((v) => fmt(option, v)));
    else if (option && args.allow_no_value) out.push(`${option}\n`);
    else msg = 'only section added';
    changed = true;
  }
  return { text: out.join(''), changed, msg };
}

export function planIniFile(edit: Edit<IniFileArgs>, f: FileFacts, ctx: PlanContext): Plan {
  const { args } = edit;
  if (args.state === 'present' && !args.allow_no_value && args.value === undefined && !args.values?.length) {
    throw new ModuleFailure("Parameter 'value(s)' must be defined if state=present and allow_no_value=False.");
  }
  if (!f.exists && !args.create) throw new ModuleFailure(`Destination ${args.path} does not exist!`, { rc: 257 });
  if (f.exists && f.type === 'directory') throw new ModuleFailure(`Destination ${args.path} is a directory`);
  const codec = codecFor(f.content);
  // the module reads with utf-8-sig: a byte order mark is not part of the first line
  const before = f.exists ? codec.decode(f.content!).replace(/^\uFEFF/, '') : '';
  const { text, changed, msg } = editIni(before, args);
  return planEditedFile(edit, f, changed ? Buffer.from(text, 'utf8') : undefined, msg, ctx, { path: args.path });
}

export const iniFileModule = defineModule<IniFileArgs, Edit<IniFileArgs>, FileFacts>({
  name: 'ini_file',
  aliases: ['community.general.ini_file'],
  summary: 'Tweak settings in INI files',
  checkMode: 'plan',
  argAliases: { dest: 'path' },
  schema,
  constraints: { mutually_exclusive: [['value', 'values']] },
  ...editModuleHooks(planIniFile),
});
