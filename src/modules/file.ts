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
} from '../facts/file-probe.js';
import type { FromSchema } from 'json-schema-to-ts';
import { quote } from '../transport/quote.js';
import { COMMON_FILE_ARGS, dashSafe, dictDiff, dirname, joinPath, planAttrs, resolveMode } from './file-common.js';
import { ModuleFailure, defineModule, type Plan, type Step } from './types.js';

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

function timeSteps(args: FileArgs, facts: FileFacts | undefined, isTouch: boolean): Step[] {
  const steps: Step[] = [];
  const p = quote(args.path);
  const def = isTouch ? 'now' : 'preserve';
  for (const [flag, value, format, current] of [
    ['-m', args.modification_time ?? def, args.modification_time_format, facts?.mtime],
    ['-a', args.access_time ?? def, args.access_time_format, facts?.atime],
  ] as const) {
    if (value === 'preserve') continue;
    if (value === 'now') {
      steps.push({ kind: 'exec', cmd: `touch ${flag} -- ${p}` });
      continue;
    }
    const t = touchStamp(value, format);
    if (current !== t.epoch) steps.push({ kind: 'exec', cmd: `touch ${flag} -t ${t.stamp} -- ${p}` });
  }
  return steps;
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

function planFile(args: FileArgs, facts: Facts): Plan {
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

  if ((state === 'link' || state === 'hard') && !args.src) throw new ModuleFailure(`src is required for state=${state}`);
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
        diff: dictDiff(args.path, { state: prev }, { state: 'absent' }),
        result: { path: args.path, state: 'absent' },
      };
    }
    case 'file': {
      if (followedState === 'absent') throw new ModuleFailure(`file (${args.path}) is absent, cannot continue`);
      if (followedState !== 'file' && followedState !== 'hard') {
        throw new ModuleFailure(`file (${args.path}) is ${followedState}, cannot continue`);
      }
      const attrs = planAttrs(args.path, followed, args);
      const steps = [...attrs.steps, ...timeSteps(args, followed, false)];
      return {
        steps,
        diff: steps.length ? dictDiff(args.path, attrs.before, attrs.after) : undefined,
        result: fileResult(args, 'file', followed, attrs.mode),
      };
    }
    case 'directory': {
      if (followedState === 'absent') {
        return {
          steps: [...makeDirSteps(args), ...timeSteps(args, undefined, false)],
          diff: dictDiff(args.path, { state: 'absent' }, { state: 'directory' }),
          result: fileResult(args, 'directory', undefined, resolveMode(args.mode, 0o755, true) ?? 0o755),
        };
      }
      if (followedState !== 'directory') throw new ModuleFailure(`${args.path} already exists as a ${followedState}`);
      const attrs = planAttrs(args.path, followed, args, { isDir: true });
      const steps = [...attrs.steps, ...(args.recurse ? recurseSteps(args, factsFor(facts, 'r')) : []), ...timeSteps(args, followed, false)];
      return {
        steps,
        diff: steps.length ? dictDiff(args.path, attrs.before, attrs.after) : undefined,
        result: fileResult(args, 'directory', followed, attrs.mode),
      };
    }
    case 'link': {
      const src = args.src!;
      const s = factsFor(facts, 's');
      if (prev === 'link' && p.linkTarget === src) {
        const attrs = planAttrs(args.path, p, { owner: args.owner, group: args.group }, { noDeref: true });
        return {
          steps: attrs.steps,
          diff: attrs.steps.length ? dictDiff(args.path, attrs.before, attrs.after) : undefined,
          result: fileResult(args, 'link', p, undefined),
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
      const attrs = planAttrs(args.path, undefined, { owner: args.owner, group: args.group }, { noDeref: true });
      steps.push(...attrs.steps);
      const before: Record<string, unknown> = { state: prev };
      if (prev === 'link') before.src = p.linkTarget;
      return {
        steps,
        diff: dictDiff(args.path, before, { state: 'link', src }),
        result: fileResult(args, 'link', undefined, undefined),
      };
    }
    case 'hard': {
      const src = args.src!;
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
      return {
        steps,
        diff: steps.length ? dictDiff(args.path, same ? attrs.before : { state: prev }, same ? attrs.after : { state: 'hard', src }) : undefined,
        result: fileResult(args, 'hard', s, attrs.mode),
      };
    }
    case 'touch': {
      const steps: Step[] = [];
      // A new file gets the times asked for (the default, preserve, leaves touch's now).
      if (followedState === 'absent') steps.push({ kind: 'exec', cmd: `touch -- ${q}` }, ...timeSteps(args, undefined, false));
      else steps.push(...timeSteps(args, followed, true));
      const attrs = planAttrs(args.path, followedState === 'absent' ? undefined : followed, args, { isDir: followedState === 'directory' });
      steps.push(...attrs.steps);
      const resultState = followedState === 'absent' ? 'file' : followedState;
      return {
        steps,
        diff: steps.length ? dictDiff(args.path, { state: followedState, ...attrs.before }, { state: 'touch', ...attrs.after }) : undefined,
        result: fileResult(args, resultState === 'hard' ? 'file' : resultState, followedState === 'absent' ? undefined : followed, attrs.mode ?? (followedState === 'absent' ? 0o644 : undefined)),
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
    return probeScript(lines);
  },
  parse(out) {
    return parseFileProbe(out);
  },
  plan: planFile,
});
