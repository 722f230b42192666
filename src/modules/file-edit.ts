// What lineinfile, blockinfile and replace share: they read the whole file in the probe,
// compute the new text on the controller, and write it back only when it differs.
import { parseFileProbe, probeFile, probeScript, type FileFacts } from '../facts/file-probe.js';
import { quote } from '../transport/quote.js';
import {
  backupName,
  backupStep,
  contentDiff,
  dictDiff,
  dirname,
  failedPlan,
  planAttrs,
  resolveMode,
  writeSteps,
  type BackupStamp,
  type CommonFileArgs,
} from './file-common.js';
import type { ExecResult } from '../transport/types.js';
import type { FileDiff, ModuleDef, Plan, PlanContext, Step } from './types.js';

export interface EditArgs extends CommonFileArgs {
  path: string;
  backup: boolean;
  validate?: string;
  _stamp?: BackupStamp;
}

export const EDIT_SCHEMA_PROPS = {
  path: { type: 'string', minLength: 1 },
  backup: { type: 'boolean', default: false },
  validate: { type: 'string' },
} as const;

/** The probe for an edited file: follow links (the real file is edited), whole content. */
export function probeEdited(path: string): string {
  return probeScript([probeFile('p', path, { follow: true, contentMax: -1, realpath: true })]);
}

export function parseEdited(out: ExecResult): FileFacts {
  return parseFileProbe(out).p ?? { exists: false, extra: {} };
}

/**
 * The module hooks the editing modules share: a backup stamp taken on the controller
 * (so plan stays pure), the whole-file probe, and a plan whose PlanFailure becomes a
 * failed plan.
 */
export function editModuleHooks<A extends EditArgs>(
  plan: (args: A, facts: FileFacts, ctx: PlanContext) => Plan,
): Pick<ModuleDef<A, FileFacts>, 'prepare' | 'probe' | 'parse' | 'plan'> {
  return {
    prepare: (args) => ({ ...args, _stamp: args._stamp ?? { pid: process.pid, time: Date.now() } }),
    probe: (args) => probeEdited(args.path),
    parse: (out) => parseEdited(out),
    plan(args, facts, ctx) {
      try {
        return plan(args, facts, ctx);
      } catch (e) {
        return failedPlan(e);
      }
    },
  };
}

/**
 * The plan for writing `after` (undefined: content unchanged) to the file described by
 * `f`, then fixing its attributes. `msg` is the module's message for the content change;
 * Ansible appends the attribute change to it.
 */
export function planEditedFile(
  args: EditArgs,
  f: FileFacts,
  after: Buffer | undefined,
  msg: string,
  ctx: PlanContext,
  extra: Record<string, unknown> = {},
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
      const name = backupName(target, args._stamp);
      steps.push(backupStep(target, name));
      result.backup_file = name;
    }
    const mode = resolveMode(args.mode, f.exists ? f.mode : 0o644, false);
    steps.push(...writeSteps(target, after, { mode, validate: args.validate, existing: f }));
    attrs = planAttrs(target, f.exists ? f : undefined, { owner: args.owner, group: args.group });
    if (ctx.diff) {
      const d = contentDiff(args.path, f.exists ? f.content : undefined, after);
      diffs.push({ ...d, before_header: `${args.path} (content)`, after_header: `${args.path} (content)` });
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
