// ansible.builtin.file: the state of a path (file, directory, link, hard, touch, absent)
// and its mode/owner/group. One probe describes the path, its link target, the link
// source and, with recurse, whatever in the tree differs; the plan is pure.
//
//   - ansible.builtin.file:
//       path: /srv/app/releases
//       state: directory
//       owner: app
//       mode: u=rwx,g=rx,o=
import {
  ansibleState,
  factsFor,
  formatMode,
  parseFileProbe,
  probeFile,
  probeScript,
  type FileFacts,
  type WithPreRead,
} from '../facts/file-probe.js';
import type { FromSchema } from 'json-schema-to-ts';
import { quote } from '../transport/quote.js';
import { COMMON_FILE_ARGS, dashSafe, dirname, joinPath, planAttrs, resolveMode } from './file-common.js';
import type { ExecResult } from '../transport/types.js';
import { ModuleFailure, defineModule, type Plan, type PlanContext, type Step } from './types.js';

const schema = {
  type: 'object',
  properties: {
    path: { type: 'string', minLength: 1 },
    state: { type: 'string', enum: ['absent', 'directory', 'file', 'hard', 'link', 'touch'] },
    src: { type: 'string' },
    recurse: { type: 'boolean', default: false },
    force: { type: 'boolean', default: false },
    follow: { type: 'boolean', default: true },
    modification_time: { type: 'string' },
    modification_time_format: { type: 'string', default: '%Y%m%d%H%M.%S' },
    access_time: { type: 'string' },
    access_time_format: { type: 'string', default: '%Y%m%d%H%M.%S' },
    // Ansible's internal options (its action plugins pass them): accepted as Ansible does.
    _diff_peek: { type: 'boolean' },
    _original_basename: { type: 'string' },
    ...COMMON_FILE_ARGS,
  },
  required: ['path'],
  additionalProperties: false,
} as const;

export type FileArgs = FromSchema<typeof schema>;
export type FileState = NonNullable<FileArgs['state']>;

type Facts = Record<string, FileFacts>;

/** Where a relative symlink src is looked up: beside the link, as Ansible does. */
function linkSourcePath(args: FileArgs): string {
  const src = args.src ?? '';
  return src.startsWith('/') ? src : joinPath(dirname(args.path), src);
}

function recurseProbe(args: FileArgs): string[] {
  const p = quote(dashSafe(args.path));
  const lines = [`printf '@r\\n'`, `if [ -d ${quote(args.path)} ] && [ ! -L ${quote(args.path)} ]; then`];
  if (args.mode !== undefined) lines.push(`  find ${p} ! -type l -printf 'rmode %y %m\\n' 2>/dev/null | sort -u`);
  if (args.owner) lines.push(`  printf 'rowner %s\\n' "$(find ${p} ! -type l ! -user ${quote(args.owner)} -print 2>/dev/null | wc -l)"`);
  if (args.group) lines.push(`  printf 'rgroup %s\\n' "$(find ${p} ! -type l ! -group ${quote(args.group)} -print 2>/dev/null | wc -l)"`);
  lines.push('fi');
  return lines;
}

/** chmod's own syntax for Ansible's symbolic mode: an empty "who" means a, not a-umask. */
function chmodSymbolic(spec: string): string {
  return spec
    .split(',')
    .map((c) => (/^[-+=]/.test(c) ? 'a' + c : c))
    .join(',');
}

function recurseSteps(args: FileArgs, tree: FileFacts): Step[] {
  const steps: Step[] = [];
  const p = quote(args.path);
  const modes = tree.extra.rmode ?? [];
  if (args.mode !== undefined) {
    const differs = modes.some((line) => {
      const [t, m] = line.split(' ');
      const cur = parseInt(m, 8);
      return resolveMode(args.mode, cur, t === 'd') !== cur;
    });
    if (differs) {
      const spec =
        typeof args.mode === 'number' || /^[0-7]+$/.test(String(args.mode))
          ? formatMode(resolveMode(args.mode, 0, false)!)
          : chmodSymbolic(String(args.mode));
      steps.push({ kind: 'exec', cmd: `chmod -R ${quote(spec)} -- ${p}` });
    }
  }
  if (args.owner && Number(tree.extra.rowner?.[0] ?? 0) > 0) steps.push({ kind: 'exec', cmd: `chown -R ${quote(args.owner)} -- ${p}` });
  if (args.group && Number(tree.extra.rgroup?.[0] ?? 0) > 0) steps.push({ kind: 'exec', cmd: `chgrp -R ${quote(args.group)} -- ${p}` });
  return steps;
}

/** Parse Ansible's default time format (%Y%m%d%H%M.%S), which is also touch -t's. */
function touchStamp(value: string, format: string): { stamp: string; epoch: number } {
  if (format !== '%Y%m%d%H%M.%S') throw new ModuleFailure(`only the default time format %Y%m%d%H%M.%S is supported, got ${format}`);
  // strptime's %S takes one digit too ("202001011200.0"); touch -t wants two
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})\.(\d{1,2})$/.exec(value);
  if (!m) throw new ModuleFailure(`Error while obtaining timestamp for time ${value} using format ${format}`);
  const [, y, mo, d, h, mi, s] = m.map(Number);
  return { stamp: `${value.slice(0, 12)}.${String(s).padStart(2, '0')}`, epoch: Math.floor(new Date(y, mo - 1, d, h, mi, s).getTime() / 1000) };
}

/** The touch steps for modification_time/access_time, and Ansible's mtime/atime diff entries. */
function timeChange(args: FileArgs, facts: FileFacts | undefined, isTouch: boolean): { steps: Step[]; before: Record<string, unknown>; after: Record<string, unknown> } {
  const steps: Step[] = [];
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  const p = quote(args.path);
  const def = isTouch ? 'now' : 'preserve';
  for (const [flag, key, value, format, current] of [
    ['-m', 'mtime', args.modification_time ?? def, args.modification_time_format, facts?.mtime],
    ['-a', 'atime', args.access_time ?? def, args.access_time_format, facts?.atime],
  ] as const) {
    if (value === 'preserve') continue;
    if (value === 'now') {
      steps.push({ kind: 'exec', cmd: `touch ${flag} -- ${p}` });
      before[key] = current;
      after[key] = Date.now() / 1000;
      continue;
    }
    const t = touchStamp(value, format);
    if (current === t.epoch) continue;
    steps.push({ kind: 'exec', cmd: `touch ${flag} -t ${t.stamp} -- ${p}` });
    before[key] = current;
    after[key] = t.epoch;
  }
  return { steps, before, after };
}

function timeSteps(args: FileArgs, facts: FileFacts | undefined, isTouch: boolean): Step[] {
  return timeChange(args, facts, isTouch).steps;
}

function fileResult(args: FileArgs, state: string, f: FileFacts | undefined, mode: number | undefined): Record<string, unknown> {
  const r: Record<string, unknown> = { path: args.path, state };
  if (mode !== undefined) r.mode = formatMode(mode);
  const owner = args.owner ?? f?.owner;
  const group = args.group ?? f?.group;
  if (owner !== undefined) r.owner = owner;
  if (group !== undefined) r.group = group;
  if (f?.exists) {
    r.uid = args.owner && /^\d+$/.test(args.owner) ? Number(args.owner) : args.owner && args.owner !== f.owner ? undefined : f.uid;
    r.gid = args.group && /^\d+$/.test(args.group) ? Number(args.group) : args.group && args.group !== f.group ? undefined : f.gid;
    r.size = f.size;
  }
  if (args.src !== undefined) r.src = args.src;
  return r;
}

/** mkdir for each missing component, applying the requested attributes to each new one. */
function makeDirSteps(args: FileArgs): Step[] {
  const parts: string[] = [];
  const abs = args.path.startsWith('/');
  const comps = args.path.split('/').filter((c) => c !== '');
  let acc = '';
  for (const c of comps) {
    acc = acc === '' ? (abs ? `/${c}` : c) : `${acc}/${c}`;
    if (c === '.' || c === '..') continue;
    const attrs = planAttrs(acc, undefined, args, { isDir: true });
    const q = quote(acc);
    const then = attrs.steps.map((s) => (s.kind === 'exec' ? s.cmd : '')).filter(Boolean).join(' && ') || ':';
    // Another host (or process) may create the same directory between the test and the
    // mkdir: a directory that exists afterwards is success, as in Ansible.
    parts.push(`{ [ -d ${q} ] || if mkdir -- ${q}; then ${then}; else [ -d ${q} ]; fi; }`);
  }
  return [{ kind: 'exec', cmd: parts.join(' && ') }];
}

/**
 * Ansible's file diff, in every result (shown with --diff): the path, its state before and
 * after when it changes, and the attributes that change.
 */
function stateDiff(path: string, state: string, prev: string, before: Record<string, unknown> = {}, after: Record<string, unknown> = {}) {
  const states = prev === state ? [{}, {}] : [{ state: prev }, { state }];
  return { before: { path, ...states[0], ...before }, after: { path, ...states[1], ...after } };
}

/** What a directory about to be removed holds (its probe's listing), as Ansible lists it with --diff. */
const dirContents = new WeakMap<Facts, { directories: string[]; files: string[]; peek?: boolean }>();
const CONTENT_MARK = '@@content\n';

function pathContent(facts: Facts): { directories: string[]; files: string[] } {
  return dirContents.get(facts) ?? { directories: [], files: [] };
}

function parseWithContent(out: ExecResult): Facts {
  const buf = out.stdoutBytes;
  const at = buf.indexOf(CONTENT_MARK);
  if (at < 0 || (at > 0 && buf[at - 1] !== 0x0a)) return parseFileProbe(out);
  const facts = parseFileProbe(buf.subarray(0, at), (out as WithPreRead).preread);
  const listing: { directories: string[]; files: string[]; peek?: boolean } = { directories: [], files: [] };
  for (const line of buf.subarray(at + CONTENT_MARK.length).toString('utf8').split('\n')) {
    if (line.startsWith('d ')) listing.directories.push(line.slice(2));
    else if (line.startsWith('f ')) listing.files.push(line.slice(2));
    else if (line.startsWith('peek ')) {
      // the first 8 KiB with and without NUL bytes: a difference means binary
      const [all, text] = line.slice(5).trim().split(/\s+/);
      listing.peek = all !== text;
    }
  }
  dirContents.set(facts, listing);
  return facts;
}

function planFile(args: FileArgs, facts: Facts, ctx: PlanContext): Plan {
  // Ansible's diff peek (for its action plugins) only says whether the file looks binary.
  if (args._diff_peek !== undefined) return { steps: [], result: { path: args.path, changed: false, appears_binary: !!dirContents.get(facts)?.peek } };
  const p = factsFor(facts, 'p');
  const t = factsFor(facts, 't');
  const prev = ansibleState(p);
  const followed = args.follow && prev === 'link' ? t : p;
  const followedState = ansibleState(followed);
  let state: FileState;
  if (args.state) state = args.state;
  else if (prev === 'absent') state = args.recurse ? 'directory' : 'file';
  else if (followedState === 'directory') state = 'directory';
  else if (prev === 'link' && !args.follow) state = 'link';
  else state = 'file';

  // Without src only an existing link of the kind asked for can be kept (its attributes set).
  if (state === 'link' && !args.src && prev !== 'link') throw new ModuleFailure('src is required for creating new symlinks');
  if (state === 'hard' && !args.src && prev !== 'hard') throw new ModuleFailure('src is required for creating new hardlinks');
  if (args.src !== undefined && state !== 'link' && state !== 'hard') {
    throw new ModuleFailure(`src option requires state to be 'link' or 'hard'`);
  }
  if (args.recurse && state !== 'directory') throw new ModuleFailure('recurse option requires state to be directory');

  const q = quote(args.path);
  switch (state) {
    case 'absent': {
      if (prev === 'absent') return { steps: [], result: { path: args.path, state: 'absent' } };
      const cmd = prev === 'directory' ? `rm -rf -- ${q}` : `rm -f -- ${q}`;
      return {
        steps: [{ kind: 'exec', cmd }],
        result: { path: args.path, state: 'absent', diff: stateDiff(args.path, 'absent', prev, ctx.diff && prev === 'directory' ? { path_content: pathContent(facts) } : {}) },
      };
    }
    case 'file': {
      if (followedState !== 'file' && followedState !== 'hard') {
        throw new ModuleFailure(`file (${args.path}) is ${followedState}, cannot continue`, { path: args.path, state: followedState });
      }
      const attrs = planAttrs(args.path, followed, args);
      const times = timeChange(args, followed, false);
      const steps = [...attrs.steps, ...times.steps];
      return {
        steps,
        result: {
          ...fileResult(args, 'file', followed, attrs.mode),
          diff: stateDiff(args.path, 'file', followedState === 'hard' ? 'file' : followedState, { ...attrs.before, ...times.before }, { ...attrs.after, ...times.after }),
        },
      };
    }
    case 'directory': {
      if (followedState === 'absent') {
        return {
          steps: [...makeDirSteps(args), ...timeSteps(args, undefined, false)],
          result: { ...fileResult(args, 'directory', undefined, resolveMode(args.mode, 0o755, true) ?? 0o755), diff: stateDiff(args.path, 'directory', 'absent') },
        };
      }
      if (followedState !== 'directory') throw new ModuleFailure(`${args.path} already exists as a ${followedState}`);
      const attrs = planAttrs(args.path, followed, args, { isDir: true });
      const times = timeChange(args, followed, false);
      const steps = [...attrs.steps, ...(args.recurse ? recurseSteps(args, factsFor(facts, 'r')) : []), ...times.steps];
      return {
        steps,
        result: { ...fileResult(args, 'directory', followed, attrs.mode), diff: stateDiff(args.path, 'directory', 'directory', { ...attrs.before, ...times.before }, { ...attrs.after, ...times.after }) },
      };
    }
    case 'link': {
      const src = args.src ?? p.linkTarget ?? '';
      const s = factsFor(facts, 's');
      // With follow (the default) the attributes are the link target's, as Ansible sets them
      // through the link; a dangling link gets none, with Ansible's warning.
      const linkAttrs = (target: FileFacts | undefined, linkFacts: FileFacts | undefined) => {
        if (!args.follow) return { ...planAttrs(args.path, linkFacts, { owner: args.owner, group: args.group }, { noDeref: true }), warnings: [] };
        if (target?.exists) return { ...planAttrs(args.path, target, args), warnings: [] };
        return { steps: [], before: {}, after: {}, warnings: ['Cannot set fs attributes on a non-existent symlink target. follow should be set to False to avoid this.'] };
      };
      if (prev === 'link' && p.linkTarget === src) {
        const attrs = linkAttrs(t, p);
        return {
          steps: attrs.steps,
          result: { ...fileResult(args, 'link', p, undefined), diff: stateDiff(args.path, 'link', 'link', attrs.before, attrs.after), ...(attrs.warnings.length ? { warnings: attrs.warnings } : {}) },
        };
      }
      if (!args.force && !s.exists) {
        throw new ModuleFailure(`src file does not exist, use "force=yes" if you really want to create the link: ${linkSourcePath(args)}`);
      }
      const steps: Step[] = [];
      if (prev === 'absent') steps.push({ kind: 'exec', cmd: `ln -s -- ${quote(src)} ${q}` });
      else if (prev === 'link') steps.push({ kind: 'exec', cmd: `ln -sfn -- ${quote(src)} ${q}` });
      else if (!args.force) throw new ModuleFailure(`refusing to convert from ${prev} to symlink for ${args.path}`);
      else if (prev === 'directory') steps.push({ kind: 'exec', cmd: `rmdir -- ${q} && ln -s -- ${quote(src)} ${q}` });
      else steps.push({ kind: 'exec', cmd: `rm -f -- ${q} && ln -s -- ${quote(src)} ${q}` });
      const attrs = linkAttrs(s, undefined);
      steps.push(...attrs.steps);
      const linkChange = prev === 'link' ? [{ src: p.linkTarget }, { src }] : [{}, {}];
      return {
        steps,
        result: {
          ...fileResult(args, 'link', undefined, undefined),
          diff: stateDiff(args.path, 'link', prev, { ...linkChange[0], ...attrs.before }, { ...linkChange[1], ...attrs.after }),
          ...(attrs.warnings.length ? { warnings: attrs.warnings } : {}),
        },
      };
    }
    case 'hard': {
      if (!args.src) {
        const attrs = planAttrs(args.path, p, args);
        return { steps: attrs.steps, result: { ...fileResult(args, 'hard', p, attrs.mode), diff: stateDiff(args.path, 'hard', 'hard', attrs.before, attrs.after) } };
      }
      const src = args.src;
      const s = factsFor(facts, 's');
      if (!s.exists) throw new ModuleFailure(`src does not exist: ${src}`);
      const same = p.exists && s.inode === p.inode && s.dev === p.dev;
      const steps: Step[] = [];
      if (!same) {
        if (prev === 'absent') steps.push({ kind: 'exec', cmd: `ln -- ${quote(src)} ${q}` });
        else if (prev === 'directory') throw new ModuleFailure(`refusing to convert from directory to hard for ${args.path}`);
        else if (!args.force) {
          throw new ModuleFailure(prev === 'hard' ? 'Cannot link, different hard link exists at destination' : `Cannot link, ${prev} exists at destination`);
        } else steps.push({ kind: 'exec', cmd: `ln -f -- ${quote(src)} ${q}` });
      }
      // Once linked, the path is the source's inode: its attributes are the source's.
      const attrs = planAttrs(args.path, s, args);
      steps.push(...attrs.steps);
      const linkChange = prev === 'link' ? [{ src: p.linkTarget }, { src }] : [{}, {}];
      return {
        steps,
        result: { ...fileResult(args, 'hard', s, attrs.mode), diff: stateDiff(args.path, 'hard', prev, { ...linkChange[0], ...attrs.before }, { ...linkChange[1], ...attrs.after }) },
      };
    }
    case 'touch': {
      const steps: Step[] = [];
      // A new file gets the times asked for (the default, preserve, leaves touch's now).
      const times = followedState === 'absent' ? timeChange(args, undefined, false) : timeChange(args, followed, true);
      if (followedState === 'absent') steps.push({ kind: 'exec', cmd: `touch -- ${q}` });
      steps.push(...times.steps);
      const attrs = planAttrs(args.path, followedState === 'absent' ? undefined : followed, args, { isDir: followedState === 'directory' });
      const attrCmds = attrs.steps.map((st) => (st.kind === 'exec' ? st.cmd : '')).filter(Boolean);
      // A file it created goes again when its attributes cannot be set, as Ansible removes it.
      if (followedState === 'absent' && attrCmds.length) steps.push({ kind: 'exec', cmd: `{ ${attrCmds.join(' && ')}; } || { rm -f -- ${q}; false; }` });
      else steps.push(...attrs.steps);
      const resultState = followedState === 'absent' ? 'file' : followedState;
      return {
        steps,
        result: {
          ...fileResult(args, resultState === 'hard' ? 'file' : resultState, followedState === 'absent' ? undefined : followed, attrs.mode ?? (followedState === 'absent' ? 0o644 : undefined)),
          diff: stateDiff(args.path, 'touch', followedState, { ...attrs.before, ...times.before }, { ...attrs.after, ...times.after }),
        },
      };
    }
  }
}

export const fileModule = defineModule<FileArgs, FileArgs, Facts>({
  name: 'file',
  summary: 'Manage files and file properties',
  checkMode: 'plan',
  argAliases: { dest: 'path', name: 'path' },
  schema,
  probe(args) {
    // What a link points to matters only when the path is a link: no second stat otherwise.
    const lines = [probeFile('p', args.path), `if [ -L ${quote(args.path)} ]; then ${probeFile('t', args.path, { follow: true })}; fi`];
    if (args.src !== undefined) {
      lines.push(args.state === 'hard' ? probeFile('s', args.src) : probeFile('s', linkSourcePath(args), { follow: true }));
    }
    if (args.recurse) lines.push(...recurseProbe(args));
    if (args._diff_peek !== undefined) {
      const head = `head -c 8192 -- ${quote(args.path)} 2>/dev/null`;
      lines.push(`printf '${CONTENT_MARK.replace('\n', '\\n')}'; printf 'peek %s %s\\n' "$(${head} | wc -c)" "$(${head} | tr -d '\\000' | wc -c)"`);
    } else if (args.state === 'absent') {
      // last: parseWithContent takes everything after the mark as the listing
      const q = quote(args.path);
      lines.push(`if [ -d ${q} ] && [ ! -L ${q} ]; then printf '${CONTENT_MARK.replace('\n', '\\n')}'; find ${quote(dashSafe(args.path))} -mindepth 1 \\( -type d -printf 'd %p\\n' -o -printf 'f %p\\n' \\) 2>/dev/null; fi`);
    }
    return probeScript(lines);
  },
  parse: parseWithContent,
  plan: planFile,
});
