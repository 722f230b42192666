// Test helpers for the file modules: probe output built byte for byte as the shell prints
// it (so every table row goes through the real parser), and a model of what a plan's
// steps do to one file's facts, to check that the finished state plans no steps.
import { createHash } from 'node:crypto';
import { parseFileProbe, type FileFacts } from '../../src/facts/file-probe.js';
import { ModuleFailure, type Plan, type PlanContext } from '../../src/modules/types.js';

export interface RawFile {
  type?: 'file' | 'directory' | 'link';
  mode?: number;
  uid?: number;
  gid?: number;
  owner?: string;
  group?: string;
  content?: string | Buffer;
  /** Leave the content out of the probe (too large / not asked). */
  noContent?: boolean;
  size?: number;
  nlink?: number;
  inode?: number;
  dev?: number;
  link?: string;
  real?: string;
  mtime?: number;
  extra?: string[];
}

const TYPE_HEX: Record<string, number> = { file: 0o100000, directory: 0o040000, link: 0o120000 };

export function rec(tag: string, f: RawFile | 'absent'): Buffer {
  const parts: Buffer[] = [Buffer.from(`@${tag}\n`)];
  if (f === 'absent') {
    parts.push(Buffer.from('absent\n'));
    return Buffer.concat(parts);
  }
  const type = f.type ?? 'file';
  const content = f.content === undefined ? undefined : Buffer.from(f.content);
  const raw = (TYPE_HEX[type] | (f.mode ?? (type === 'directory' ? 0o755 : 0o644))).toString(16);
  const size = f.size ?? content?.length ?? 4096;
  parts.push(
    Buffer.from(
      `stat ${raw} ${f.uid ?? 0} ${f.gid ?? 0} ${size} 1700000000 ${f.mtime ?? 1700000000} 1700000000 ${f.nlink ?? 1} ${f.inode ?? 42} ${f.dev ?? 2049} ${f.owner ?? 'root'} ${f.group ?? 'root'}\n`,
    ),
  );
  parts.push(Buffer.from('acc rw-\n'));
  if (f.link !== undefined) parts.push(Buffer.from(`link ${Buffer.byteLength(f.link)}\n${f.link}\n`));
  if (f.real !== undefined) parts.push(Buffer.from(`real ${Buffer.byteLength(f.real)}\n${f.real}\n`));
  if (content && type === 'file') {
    // As the probe prints it: the checksum itself only when the content is left out.
    if (f.noContent) parts.push(Buffer.from(`sum ${createHash('sha1').update(content).digest('hex')}\n`));
    else parts.push(Buffer.from('sumof sha1sum\n'), Buffer.from(`content ${content.length}\n`), content, Buffer.from('\n'));
  }
  for (const e of f.extra ?? []) parts.push(Buffer.from(e + '\n'));
  return Buffer.concat(parts);
}

export function probeOut(...records: Buffer[]): Record<string, FileFacts> {
  return parseFileProbe(Buffer.concat(records));
}

export const planCtx: PlanContext = { check: true, diff: true, host: 'web1', vars: {} };

/** The content a plan puts at `path` (directly or through a validate temp), if any. */
export function putContent(plan: Plan): Buffer | undefined {
  const puts = plan.steps.filter((s) => s.kind === 'put');
  return puts.length ? (puts[puts.length - 1] as { content: Buffer }).content : undefined;
}

/**
 * What the steps do to one file, as a raw description for rec(): puts replace content
 * (and set the mode when given), chmod/chown/chgrp change attributes.
 */
export function finish(before: RawFile | 'absent', plan: Plan): RawFile {
  const f: RawFile = before === 'absent' ? { type: 'file', mode: 0o644, owner: 'root', group: 'root' } : { ...before };
  for (const s of plan.steps) {
    if (s.kind === 'put') {
      f.content = s.content;
      f.size = s.content.length;
      if (s.mode) f.mode = parseInt(s.mode, 8);
      continue;
    }
    for (const m of s.cmd.matchAll(/chmod (?:-R )?([0-7]{4}) /g)) f.mode = parseInt(m[1], 8);
    for (const m of s.cmd.matchAll(/chown (?:-R |-h )?(\S+) --/g)) {
      const v = m[1].replace(/'/g, '');
      if (/^\d+$/.test(v)) f.uid = Number(v);
      else f.owner = v;
    }
    for (const m of s.cmd.matchAll(/chgrp (?:-R |-h )?(\S+) --/g)) {
      const v = m[1].replace(/'/g, '');
      if (/^\d+$/.test(v)) f.gid = Number(v);
      else f.group = v;
    }
  }
  return f;
}

/**
 * The plan, or the ModuleFailure its planner threw as `failed`, so that table rows can
 * expect either.
 */
export function planned(plan: () => Plan): Plan & { failed?: string } {
  try {
    return plan();
  } catch (e) {
    if (e instanceof ModuleFailure) return { steps: [], failed: e.message };
    throw e;
  }
}
