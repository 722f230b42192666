// What lineinfile, blockinfile and replace share: they read the whole file in the probe,
// compute the new text on the controller, and write it back only when it differs.
import { parseFileProbe, probeFile, probeScript, type FileFacts } from '../facts/file-probe.js';
import { quote } from '../transport/quote.js';
import type { FromSchema } from 'json-schema-to-ts';
import {
  COMMON_FILE_ARGS,
  backupName,
  backupStep,
  contentDiff,
  dictDiff,
  dirname,
  makeBackupStamp,
  planAttrs,
  resolveMode,
  writeSteps,
  type BackupStamp,
} from './file-common.js';
import type { ExecResult } from '../transport/types.js';
import type { FileDiff, ModuleCalls, ParseCall, Plan, PlanContext, PrepareCall, Step } from './types.js';

export const EDIT_SCHEMA_PROPS = {
  path: { type: 'string', minLength: 1 },
  backup: { type: 'boolean', default: false },
  validate: { type: 'string' },
} as const;

const EDIT_SCHEMA = { type: 'object', properties: { ...EDIT_SCHEMA_PROPS, ...COMMON_FILE_ARGS }, required: ['path'], additionalProperties: false } as const;

/** The arguments lineinfile, blockinfile and replace share. */
export type EditArgs = FromSchema<typeof EDIT_SCHEMA>;

/** What an editing module's prepare() makes: its arguments and the stamp for a backup name. */
export interface Edit<A extends EditArgs> {
  args: A;
  stamp: BackupStamp;
}

/** The probe for an edited file: follow links (the real file is edited), whole content. */
export function probeEdited(path: string): string {
  return probeScript([probeFile('p', path, { follow: true, contentMax: -1, realpath: true })]);
}

export function parseEdited(out: ExecResult): FileFacts {
  return parseFileProbe(out).p ?? { exists: false, extra: {} };
}

/**
 * The module hooks the editing modules share: a backup stamp taken on the controller
 * (so plan stays pure) and the whole-file probe.
 */
export function editModuleHooks<A extends EditArgs>(
  plan: (edit: Edit<A>, facts: FileFacts, ctx: PlanContext) => Plan,
): Pick<ModuleCalls<A, Edit<A>, FileFacts>, 'probe' | 'plan'> & PrepareCall<A, Edit<A>> & ParseCall<Edit<A>, FileFacts> {
  return {
    prepare: (args) => ({ args, stamp: makeBackupStamp() }),
    probe: (edit) => probeEdited(edit.args.path),
    parse: (out) => parseEdited(out),
    plan,
  };
}

/**
 * The plan for writing `after` (undefined: content unchanged) to the file described by
 * `f`, then fixing its attributes. `msg` is the module's message for the content change;
 * Ansible appends the attribute change to it.
 */
export function planEditedFile(
  { args, stamp }: Edit<EditArgs>,
  f: FileFacts,
  after: Buffer | undefined,
  msg: string,
  ctx: PlanContext,
  extra: Record<string, unknown> = {},
  /** replace's diff headers are the bare path; lineinfile's and blockinfile's add " (content)". */
  opts: { bareHeader?: boolean } = {},
): Plan {
  const steps: Step[] = [];
  const diffs: FileDiff[] = [];
  const target = f.exists && f.realpath ? f.realpath : args.path;
  const result: Record<string, unknown> = { ...extra };
  let changed = false;
  let attrs;
  if (after !== undefined) {
    changed = true;
    if (!f.exists) steps.push({ kind: 'exec', cmd: `mkdir -p -- ${quote(dirname(target))}` });
    if (args.backup && f.exists) {
      const name = backupName(target, stamp);
      steps.push(backupStep(target, name));
      result.backup_file = name;
    }
    const mode = resolveMode(args.mode, f.exists ? f.mode : 0o644, false);
    steps.push(...writeSteps(target, after, { mode, validate: args.validate, existing: f }));
    attrs = planAttrs(target, f.exists ? f : undefined, { owner: args.owner, group: args.group });
    if (ctx.diff) {
      const d = contentDiff(args.path, f.exists ? f.content : undefined, after);
      const header = opts.bareHeader ? args.path : `${args.path} (content)`;
      diffs.push({ ...d, before_header: header, after_header: header });
    }
  } else {
    attrs = planAttrs(target, f, args);
  }
  steps.push(...attrs.steps);
  if (f.exists && Object.keys(attrs.after).length) {
    const d = dictDiff(args.path, attrs.before, attrs.after);
    diffs.push({ ...d, before_header: `${args.path} (file attributes)`, after_header: `${args.path} (file attributes)` });
    if (f.exists && attrs.steps.length) {
      msg = (changed ? `${msg} and ` : '') + 'ownership, perms or SE linux context changed';
      changed = true;
    }
  }
  result.msg = msg;
  return { steps, diff: diffs.length ? diffs : undefined, result };
}
