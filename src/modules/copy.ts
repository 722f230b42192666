// ansible.builtin.copy: files from the controller (or `content:`) to the host, compared by
// sha1 so an unchanged file costs one probe and nothing else. prepare() reads the source
// on the controller; the probe reports each destination's checksum, mode and owner (and
// small contents for --diff); plan() is pure.
//
//   - ansible.builtin.copy:
//       src: nginx.conf
//       dest: /etc/nginx/nginx.conf
//       owner: root
//       mode: '0644'
//       backup: true
//       validate: nginx -t -c %s
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join as joinLocal } from 'node:path';
import {
  factsFor,
  formatMode,
  parseFileProbe,
  probeFile,
  probeKind,
  probeScript,
  type FileFacts,
} from '../facts/file-probe.js';
import type { FromSchema } from 'json-schema-to-ts';
import { pyJsonDumps, pyStr } from '../template/index.js';
import { quote } from '../transport/quote.js';
import {
  COMMON_FILE_ARGS,
  MAX_DIFF_BYTES,
  backupName,
  backupStep,
  basename,
  contentDiff,
  dictDiff,
  dirname,
  joinPath,
  makeBackupStamp,
  planAttrs,
  resolveMode,
  writeSteps,
  type BackupStamp,
} from './file-common.js';
import { ModuleFailure, defineModule, type FileDiff, type Plan, type PlanContext, type RunContext, type Step } from './types.js';
import { decryptFileContent } from '../vault/context.js';

/** One file prepared on the controller. `rel` is '' for a single-file copy. */
export interface PreparedFile {
  rel: string;
  content: Buffer;
  /** Permission bits of the controller file, for mode: preserve. */
  srcMode?: number;
}

export const COPY_SCHEMA_PROPS = {
  dest: { type: 'string', minLength: 1 },
  src: { type: 'string' },
  backup: { type: 'boolean', default: false },
  force: { type: 'boolean', default: true },
  validate: { type: 'string' },
  follow: { type: 'boolean', default: false },
  ...COMMON_FILE_ARGS,
} as const;

const schema = {
  type: 'object',
  properties: {
    ...COPY_SCHEMA_PROPS,
    content: {},
    directory_mode: { type: ['string', 'integer'] },
    remote_src: { type: 'boolean', default: false },
    local_follow: { type: 'boolean', default: true },
    decrypt: { type: 'boolean', default: true },
    checksum: { type: 'string' },
  },
  required: ['dest'],
  additionalProperties: false,
} as const;

export type CopyArgs = FromSchema<typeof schema>;

/** What prepare() reads on the controller for copy (and template). */
export interface CopyPrepared {
  args: CopyArgs;
  /** The files to write, relative to the destination root (none with remote_src). */
  files: PreparedFile[];
  /** The directories (relative, '' = root) of a recursive copy; undefined for one file. */
  dirs?: string[];
  /** The name a single file gets inside a destination directory. */
  basename?: string;
  stamp: BackupStamp;
}

type Facts = Record<string, FileFacts>;

export function sha1(b: Buffer): string {
  return createHash('sha1').update(b).digest('hex');
}

function md5(b: Buffer): string {
  return createHash('md5').update(b).digest('hex');
}

/** A src missing on the controller; the message ends with the hint rackplay always gave. */
export function notOnController(src: string, dir: 'files' | 'templates'): ModuleFailure {
  return new ModuleFailure(
    `Could not find or access '${src}' on the Ansible Controller. (hint: Put it in the role's ${dir}/ directory or next to the playbook, or give an absolute path.)`,
  );
}

function walk(root: string, rel: string, files: PreparedFile[], dirs: string[], follow: boolean): void {
  dirs.push(rel);
  for (const name of readdirSync(joinLocal(root, rel)).sort()) {
    const r = rel ? `${rel}/${name}` : name;
    const full = joinLocal(root, r);
    const st = statSync(full, { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isDirectory()) walk(root, r, files, dirs, follow);
    else if (st.isFile()) files.push({ rel: r, content: readFileSync(full), srcMode: st.mode & 0o7777 });
  }
}

/** Controller side of copy: read `src` (a file or a tree) or take `content`. */
export function prepareCopy(args: CopyArgs, ctx: RunContext): CopyPrepared {
  const out: CopyPrepared = { args, files: [], stamp: makeBackupStamp() };
  // Ansible's copy action checks these two itself, with these words, before the module's
  // argument_spec runs.
  if (args.src !== undefined && args.content !== undefined) throw new ModuleFailure('src and content are mutually exclusive');
  if (args.content !== undefined) {
    const c = args.content;
    // As Ansible's copy action: a dict or list as json.dumps writes it, anything else as Python's str().
    const text = typeof c === 'string' ? c : typeof c === 'object' && c !== null ? pyJsonDumps(c, { ensureAscii: true }) : pyStr(c);
    out.files = [{ rel: '', content: Buffer.from(text, 'utf8') }];
    return out;
  }
  if (args.src === undefined) throw new ModuleFailure('src (or content) is required');
  if (args.remote_src) return out;
  const found = ctx.controller.findFile('files', args.src);
  if (!found) throw notOnController(args.src, 'files');
  const st = statSync(found, { throwIfNoEntry: false });
  if (!st) throw notOnController(args.src, 'files');
  if (st.isDirectory()) {
    const files: PreparedFile[] = [];
    const dirs: string[] = [];
    walk(found, '', files, dirs, args.local_follow);
    if (args.decrypt !== false) for (const f of files) f.content = decryptFileContent(f.content, joinLocal(found, f.rel));
    out.files = files;
    // "dir/" copies the contents; "dir" copies the directory itself into dest.
    out.dirs = dirs;
    out.basename = args.src.endsWith('/') ? undefined : basename(args.src);
    return out;
  }
  // decrypt (default true): a vault-encrypted source is copied as its plaintext, as in Ansible
  const raw = readFileSync(found);
  out.files = [{ rel: '', content: args.decrypt === false ? raw : decryptFileContent(raw, found), srcMode: st.mode & 0o7777 }];
  out.basename = basename(args.src);
  return out;
}

function treeRoot(p: CopyPrepared): string {
  return p.basename ? joinPath(p.args.dest, p.basename) : p.args.dest;
}

export function probeCopy(p: CopyPrepared): string {
  const { args } = p;
  const lines: string[] = [];
  if (p.dirs) {
    p.dirs.forEach((rel, i) => lines.push(probeFile(`D${i}`, rel ? joinPath(treeRoot(p), rel) : treeRoot(p), { follow: true })));
    p.files.forEach((f, i) => lines.push(probeFile(`F${i}`, joinPath(treeRoot(p), f.rel), { follow: true, checksum: 'sha1' })));
    return probeScript(lines);
  }
  const wanted = { follow: true, checksum: 'sha1' as const, contentMax: MAX_DIFF_BYTES };
  if (args.remote_src && args.src !== undefined) lines.push(probeFile('r', args.src, { follow: true, checksum: 'sha1' }));
  const base = p.basename ?? (args.remote_src && args.src ? basename(args.src) : undefined);
  lines.push(probeFile('d', args.dest, wanted));
  if (base && args.content === undefined) lines.push(probeFile('n', joinPath(args.dest, base), wanted));
  lines.push(probeKind('pd', dirname(args.dest)));
  return probeScript(lines);
}

function wantedMode(args: CopyArgs, existing: FileFacts | undefined, srcMode: number | undefined): number | undefined {
  if (args.mode === 'preserve') return srcMode;
  return resolveMode(args.mode, existing?.exists ? existing.mode : 0o644, false);
}

/** Copy from a path on the host itself (remote_src): cp into a temp, then rename. */
function remoteCopySteps(src: string, target: string, mode: number | undefined, validate: string | undefined): Step[] {
  const tmp = joinPath(dirname(target), `.${basename(target)}.rackplay-copy`);
  const t = quote(tmp);
  const d = quote(target);
  const parts = [
    `cp -- ${quote(src)} ${t}`,
    `{ [ ! -e ${d} ] || { chown --reference=${d} -- ${t} 2>/dev/null; chmod --reference=${d} -- ${t}; } || true; }`,
  ];
  if (mode !== undefined) parts.push(`chmod ${formatMode(mode)} -- ${t}`);
  if (validate) {
    if (!validate.includes('%s')) throw new ModuleFailure(`validate must contain %s: ${validate}`);
    parts.push(`{ ( ${validate.split('%s').join(t)}\n) || { echo "failed to validate" >&2; false; }; }`);
  }
  parts.push(`mv -f -- ${t} ${d}`);
  return [{ kind: 'exec', cmd: `{ ${parts.join(' && ')}; } || { rp_rc=$?; rm -f -- ${t}; exit $rp_rc; }` }];
}

function planSingle(p: CopyPrepared, facts: Facts, ctx: PlanContext): Plan {
  const { args } = p;
  const d = factsFor(facts, 'd');
  const pd = factsFor(facts, 'pd');
  const steps: Step[] = [];
  let target = args.dest;
  let tf = d;
  const isContent = args.content !== undefined;
  const remote = args.remote_src && !isContent;
  const base = p.basename ?? (remote && args.src ? basename(args.src) : undefined);
  if (isContent && (args.dest.endsWith('/') || d.type === 'directory')) throw new ModuleFailure('can not use content with a dir as dest');
  if (args.dest.endsWith('/') || d.type === 'directory') {
    target = joinPath(args.dest, base!);
    tf = factsFor(facts, 'n');
    if (!d.exists) steps.push({ kind: 'exec', cmd: `mkdir -p -- ${quote(args.dest)}` });
  } else if ((!pd.exists || pd.type !== 'directory') && !(ctx.check && !remote)) {
    // In check mode Ansible's copy and template actions predict a change from the checksums
    // alone, before the module could notice the missing directory (an earlier task in the
    // same --check run would have created it).
    throw new ModuleFailure(`Destination directory ${dirname(args.dest)} does not exist`);
  }
  if (tf.exists && tf.type === 'directory') throw new ModuleFailure(`Destination ${target} is a directory`);

  let content: Buffer | undefined;
  let sum: string;
  let srcMode: number | undefined;
  if (remote) {
    const r = factsFor(facts, 'r');
    if (!r.exists) throw new ModuleFailure(`Source ${args.src} not found`);
    if (r.type === 'directory') throw new ModuleFailure('remote_src with a directory src is not supported yet');
    if (!r.checksum) throw new ModuleFailure(`Source ${args.src} not readable`);
    sum = r.checksum;
    srcMode = r.mode;
  } else {
    const f = p.files[0];
    if (!f) throw new ModuleFailure('copy: nothing to copy (prepare did not run)');
    content = f.content;
    sum = sha1(content);
    srcMode = f.srcMode;
  }

  const result: Record<string, unknown> = { dest: target, checksum: sum, state: 'file' };
  if (content) {
    result.md5sum = md5(content);
    result.size = content.length;
  }
  if (tf.exists && !args.force) {
    return { steps: [], result: { ...result, msg: 'file already exists' } };
  }

  const diffs: FileDiff[] = [];
  const mode = wantedMode(args, tf, srcMode);
  let attrs;
  if (!tf.exists || tf.checksum !== sum) {
    let backup: string | undefined;
    if (args.backup && tf.exists) {
      backup = backupName(target, p.stamp);
      steps.push(backupStep(target, backup));
      result.backup_file = backup;
    }
    if (remote) steps.push(...remoteCopySteps(args.src!, target, mode, args.validate));
    else steps.push(...writeSteps(target, content!, { mode, validate: args.validate, existing: tf }));
    attrs = planAttrs(target, tf.exists ? tf : undefined, { owner: args.owner, group: args.group });
    if (ctx.diff && content) {
      const before = tf.exists ? (tf.content ?? (tf.size !== undefined && tf.size > MAX_DIFF_BYTES ? null : undefined)) : undefined;
      diffs.push(contentDiff(target, before, content));
    }
  } else {
    attrs = planAttrs(target, tf, { mode, owner: args.owner, group: args.group });
  }
  steps.push(...attrs.steps);
  if (Object.keys(attrs.after).length && tf.exists) diffs.push(dictDiff(target, attrs.before, attrs.after));
  const finalMode = mode ?? (tf.exists ? tf.mode : 0o644);
  if (finalMode !== undefined) result.mode = formatMode(finalMode);
  result.owner = args.owner ?? tf.owner;
  result.group = args.group ?? tf.group;
  if (tf.exists && (!args.owner || args.owner === tf.owner)) result.uid = tf.uid;
  if (tf.exists && (!args.group || args.group === tf.group)) result.gid = tf.gid;
  return { steps, diff: diffs.length === 1 ? diffs[0] : diffs.length ? diffs : undefined, result };
}

function planTree(p: CopyPrepared, dirs: string[], facts: Facts): Plan {
  const { args } = p;
  const steps: Step[] = [];
  const root = treeRoot(p);
  dirs.forEach((rel, i) => {
    const path = rel ? joinPath(root, rel) : root;
    const f = factsFor(facts, `D${i}`);
    if (f.exists && f.type !== 'directory') throw new ModuleFailure(`${path} exists and is not a directory`);
    if (!f.exists) {
      steps.push({ kind: 'exec', cmd: `mkdir -p -- ${quote(path)}` });
      const dirMode = resolveMode(args.directory_mode, 0o755, true);
      steps.push(...planAttrs(path, undefined, { mode: dirMode, owner: args.owner, group: args.group }, { isDir: true }).steps);
    } else {
      steps.push(...planAttrs(path, f, { owner: args.owner, group: args.group }, { isDir: true }).steps);
    }
  });
  p.files.forEach((file, i) => {
    const path = joinPath(root, file.rel);
    const f = factsFor(facts, `F${i}`);
    if (f.exists && f.type === 'directory') throw new ModuleFailure(`Destination ${path} is a directory`);
    if (f.exists && !args.force) return;
    const mode = wantedMode(args, f, file.srcMode);
    if (!f.exists || f.checksum !== sha1(file.content)) {
      if (args.backup && f.exists) steps.push(backupStep(path, backupName(path, p.stamp)));
      steps.push(...writeSteps(path, file.content, { mode, validate: args.validate, existing: f }));
      steps.push(...planAttrs(path, f.exists ? f : undefined, { owner: args.owner, group: args.group }).steps);
    } else {
      steps.push(...planAttrs(path, f, { mode, owner: args.owner, group: args.group }).steps);
    }
  });
  return { steps, result: { dest: root, src: args.src } };
}

export function planCopy(p: CopyPrepared, facts: Facts, ctx: PlanContext): Plan {
  return p.dirs ? planTree(p, p.dirs, facts) : planSingle(p, facts, ctx);
}

export const copyModule = defineModule<CopyArgs, CopyPrepared, Facts>({
  name: 'copy',
  summary: 'Copy files to remote locations',
  checkMode: 'plan',
  traits: { noAsync: true },
  argAliases: { thirsty: 'force' },
  schema,
  prepare: prepareCopy,
  probe: probeCopy,
  parse(out) {
    return parseFileProbe(out);
  },
  plan: planCopy,
});
