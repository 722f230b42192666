// ansible.builtin.assemble: one file from a directory of fragments, on the host
// (remote_src: true, the default) or on the controller (remote_src: false). The probe
// brings the fragments' names and bytes and the destination's checksum; the controller
// joins them as Ansible does and compares by sha1, so an unchanged file costs one probe.
// As in Ansible, check mode is not supported (the task is skipped), and only the
// controller side shows a --diff.
//
//   - ansible.builtin.assemble:
//       src: /etc/someapp/fragments
//       dest: /etc/someapp/someapp.conf
//       delimiter: '### fragment ###'
//       regexp: '\.conf$'
//       mode: '0644'
//       validate: /usr/sbin/someapp -t -c %s
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { FromSchema } from 'json-schema-to-ts';
import { factsFor, formatMode, parseFileProbe, probeFile, probeKind, probeScript, type FileFacts } from '../facts/file-probe.js';
import { quote } from '../transport/quote.js';
import { decryptFileContent } from '../vault/context.js';
import { assembleFragments, type Fragment } from './assemble-fragments.js';
import { notOnController, sha1 } from './copy.js';
import {
  COMMON_FILE_ARGS,
  MAX_DIFF_BYTES,
  backupName,
  backupStep,
  contentDiff,
  makeBackupStamp,
  planAttrs,
  resolveMode,
  writeSteps,
  type BackupStamp,
} from './file-common.js';
import { ModuleFailure, defineModule, type FileDiff, type Plan, type PlanContext, type RunContext, type Step } from './types.js';

const schema = {
  type: 'object',
  properties: {
    src: { type: 'string' },
    dest: { type: 'string' },
    delimiter: { type: 'string' },
    backup: { type: 'boolean', default: false },
    remote_src: { type: 'boolean', default: true },
    regexp: { type: 'string' },
    ignore_hidden: { type: 'boolean', default: false },
    validate: { type: 'string' },
    decrypt: { type: 'boolean', default: true },
    follow: { type: 'boolean', default: false },
    ...COMMON_FILE_ARGS,
  },
  additionalProperties: false,
} as const;

export type AssembleArgs = FromSchema<typeof schema>;

export interface AssemblePrepared {
  args: AssembleArgs;
  /** Check mode: Ansible's action skips the task before anything else. */
  skip?: boolean;
  /** remote_src: false: the fragments read on the controller, and the directory they came from. */
  local?: { dir: string; fragments: Fragment[] };
  stamp: BackupStamp;
}

type Facts = Record<string, FileFacts>;

export const CHECK_MODE_SKIP = 'check mode is not supported for this task.';

function readLocalFragments(dir: string, decrypt: boolean): Fragment[] {
  return readdirSync(dir).map((name) => {
    const path = `${dir}/${name}`;
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st?.isFile()) return { name };
    const raw = readFileSync(path);
    return { name, content: decrypt ? decryptFileContent(raw, path) : raw };
  });
}

export function prepareAssemble(args: AssembleArgs, ctx: RunContext): AssemblePrepared {
  const stamp = makeBackupStamp();
  if (ctx.check) return { args, skip: true, stamp };
  if (args.src === undefined || args.dest === undefined || args.src === null || args.dest === null) throw new ModuleFailure('src and dest are required');
  if (args.remote_src) return { args, stamp };
  const found = ctx.controller.findFile('files', args.src);
  if (!found) throw notOnController(args.src, 'files');
  if (!statSync(found, { throwIfNoEntry: false })?.isDirectory()) throw new ModuleFailure(`Source (${found}) is not a directory`);
  return { args, local: { dir: found, fragments: readLocalFragments(found, args.decrypt) }, stamp };
}

/**
 * Each entry of the source directory as two records: `N<i>` carries its name (in the
 * length-delimited `real` field, so any byte survives) and `E<i>` its file facts and
 * bytes, links followed as Python's os.path.isfile follows them.
 */
export function probeAssemble(p: AssemblePrepared): string | undefined {
  if (p.skip) return undefined;
  const lines: string[] = [];
  if (!p.local) {
    const s = quote(p.args.src!);
    lines.push(
      probeKind('s', p.args.src!),
      `if [ -d ${s} ]; then`,
      '  rp_i=0',
      `  for rp_e in ${s}/* ${s}/.*; do`,
      '    rp_b=${rp_e##*/}',
      '    case $rp_b in .|..) continue ;; esac',
      '    [ -e "$rp_e" ] || [ -L "$rp_e" ] || continue',
      `    printf '@N%d\\nreal %d\\n%s\\n' "$rp_i" "\${#rp_b}" "$rp_b"`,
      '    rp_f "E$rp_i" "$rp_e" L - -1 -',
      '    rp_i=$((rp_i + 1))',
      '  done',
      'fi',
    );
  }
  lines.push(probeFile('d', p.args.dest!, { follow: true, checksum: 'sha1', contentMax: MAX_DIFF_BYTES }));
  // who a new file will belong to, for the owner and group Ansible reports after writing it
  lines.push(`[ -e ${quote(p.args.dest!)} ] || printf '@u\\nwho %s %s %s %s\\n' "$(id -u)" "$(id -un)" "$(id -g)" "$(id -gn)"`);
  return probeScript(lines);
}

/** The source directory's entries from the probe records. */
export function remoteFragments(facts: Facts): Fragment[] {
  const out: Fragment[] = [];
  for (let i = 0; facts[`N${i}`]; i++) {
    const e = factsFor(facts, `E${i}`);
    const name = facts[`N${i}`].realpath ?? '';
    if (!e.exists || e.type !== 'file') out.push({ name });
    else if (e.content === undefined) out.push({ name, unreadable: true });
    else out.push({ name, content: e.content });
  }
  return out;
}

function md5(b: Buffer): string {
  return createHash('md5').update(b).digest('hex');
}

export function planAssemble(p: AssemblePrepared, facts: Facts, ctx: PlanContext): Plan {
  if (p.skip) return { steps: [], result: { skipped: true, msg: CHECK_MODE_SKIP } };
  const { args } = p;
  const dest = args.dest!;
  let fragments: Fragment[];
  if (p.local) fragments = p.local.fragments;
  else {
    const s = factsFor(facts, 's');
    if (!s.exists) throw new ModuleFailure(`Source (${args.src}) does not exist`);
    if (s.type !== 'directory') throw new ModuleFailure(`Source (${args.src}) is not a directory`);
    fragments = remoteFragments(facts);
  }
  const content = assembleFragments(fragments, {
    delimiter: args.delimiter,
    regexp: args.regexp,
    ignoreHidden: args.ignore_hidden,
    side: p.local ? 'controller' : 'host',
  });
  if (args.validate && !args.validate.includes('%s')) throw new ModuleFailure(`validate must contain %s: ${args.validate}`);
  const d = factsFor(facts, 'd');
  if (d.exists && d.type === 'directory') throw new ModuleFailure(`Destination ${dest} is a directory`);
  const sum = sha1(content);
  const steps: Step[] = [];
  const diffs: FileDiff[] = [];
  const result: Record<string, unknown> = {};
  const mode = resolveMode(args.mode, d.exists ? d.mode : 0o644, false);
  const attrArgs = { owner: args.owner, group: args.group };
  let attrs;
  // Ansible's controller side compares the checksum of the temp file's *path*, so it always
  // hands the file to copy, whose result and content diff it returns.
  const differs = !d.exists || d.checksum !== sum;
  if (differs) {
    if (args.backup && d.exists) {
      const backup = backupName(dest, p.stamp);
      steps.push(backupStep(dest, backup));
      result.backup_file = backup;
    }
    steps.push(...writeSteps(dest, content, { mode, validate: args.validate, existing: d }));
    attrs = planAttrs(dest, d.exists ? d : undefined, attrArgs);
  } else {
    attrs = planAttrs(dest, d, { mode, ...attrArgs });
  }
  if (ctx.diff && p.local) {
    const before = d.exists ? (d.content ?? (d.size !== undefined && d.size > MAX_DIFF_BYTES ? null : undefined)) : undefined;
    const diff = contentDiff(dest, before, content);
    // Ansible's diff of a new file names no before
    if (!d.exists) delete diff.before_header;
    diffs.push(diff);
  }
  steps.push(...attrs.steps);
  Object.assign(result, fileResult(p, facts, content, sum, mode));
  return { steps, diff: diffs.length ? diffs[0] : undefined, result };
}

/**
 * The return values: the module's on the host (src, dest, checksum, md5sum, msg), copy's
 * when the controller side wrote the file, file's (path) when it did not; each with the
 * destination's state, owner, group, mode and size.
 */
function fileResult(p: AssemblePrepared, facts: Facts, content: Buffer, sum: string, mode: number | undefined): Record<string, unknown> {
  const { args } = p;
  const d = factsFor(facts, 'd');
  const r: Record<string, unknown> = { dest: args.dest, checksum: sum, md5sum: md5(content) };
  if (!p.local) Object.assign(r, { src: args.src, msg: 'OK' });
  const finalMode = mode ?? (d.exists ? d.mode : 0o644);
  // [uid, owner, gid, group] of the existing file, or of whoever will create it
  const who = d.exists ? [d.uid, d.owner, d.gid, d.group] : (factsFor(facts, 'u').extra.who?.[0]?.split(' ') ?? []);
  Object.assign(r, { state: 'file', mode: finalMode === undefined ? undefined : formatMode(finalMode), size: content.length });
  if (args.owner) Object.assign(r, { owner: args.owner }, args.owner === who[1] ? { uid: Number(who[0]) } : {});
  else if (who[1] !== undefined) Object.assign(r, { owner: who[1], uid: Number(who[0]) });
  if (args.group) Object.assign(r, { group: args.group }, args.group === who[3] ? { gid: Number(who[2]) } : {});
  else if (who[3] !== undefined) Object.assign(r, { group: who[3], gid: Number(who[2]) });
  return r;
}

export const assembleModule = defineModule<AssembleArgs, AssemblePrepared, Facts>({
  name: 'assemble',
  summary: 'Assemble configuration files from fragments',
  // Ansible's action skips the task in check mode; prepare() and plan() say so themselves.
  checkMode: 'run',
  traits: { noAsync: true },
  schema,
  prepare: prepareAssemble,
  probe: probeAssemble,
  parse(out) {
    return parseFileProbe(out);
  },
  plan: planAssemble,
});
