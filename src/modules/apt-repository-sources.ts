// Ansible's SourcesList for apt_repository, on the files' text: every line of
// /etc/apt/sources.list and sources.list.d/*.list parsed as Ansible parses it (enabled,
// valid deb/deb-src, source, comment), edits made the same way (its quirks included: a
// removal pops by original line number while iterating), and dumped as Ansible writes them.
import { ModuleFailure } from './types.js';

export const DEFAULT_SOURCES = '/etc/apt/sources.list';
export const SOURCE_PARTS = '/etc/apt/sources.list.d';
const VALID = ['deb', 'deb-src'];

interface Line {
  n: number;
  valid: boolean;
  enabled: boolean;
  source: string;
  comment: string;
}

export type Sources = Map<string, Line[]>;

class InvalidSource extends Error {}

function parseLine(raw: string, strict = false): Omit<Line, 'n'> {
  let line = raw.trim();
  let enabled = true;
  let comment = '';
  if (line.startsWith('#')) {
    enabled = false;
    line = line.slice(1);
  }
  const i = line.indexOf('#');
  if (i > 0) {
    comment = line.slice(i + 1).trim();
    line = line.slice(0, i);
  }
  let source = line.trim();
  let valid = false;
  if (source) {
    const chunks = source.split(/\s+/);
    if (VALID.includes(chunks[0])) {
      valid = true;
      source = chunks.join(' ');
    }
  }
  if (strict && (!valid || !enabled)) throw new InvalidSource(line);
  return { valid, enabled, source, comment };
}

/** Lines as Python's file iteration gives them (each keeps its newline; the last may lack one). */
function pyLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

export function loadSources(files: Record<string, string>): Sources {
  const out: Sources = new Map();
  for (const [file, text] of Object.entries(files)) out.set(file, pyLines(text).map((l, n) => ({ n, ...parseLine(l) })));
  return out;
}

export function dumpSources(s: Sources): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [file, lines] of s) {
    if (!lines.length) continue;
    out[file] = lines.map((l) => `${l.enabled ? '' : '# '}${l.source}${l.comment ? ` # ${l.comment}` : ''}\n`).join('');
  }
  return out;
}

/** Ansible's _suggest_filename: the first word after the type and options, cleaned up. */
export function suggestFilename(line: string, filename: string | undefined): string {
  let l = line.replace(/\[[^\]]+\]/g, '').replace(/\w+:\/\//g, '');
  const parts = l.split(/\s+/).filter((p) => p !== '' && !VALID.includes(p));
  if (parts[0]?.includes('@')) parts[0] = parts[0].split('@').slice(1).join('@');
  l = parts.slice(0, 1).join(' ');
  const base = filename ?? l.replace(/[^a-zA-Z0-9]/g, ' ').split(/\s+/).filter((w) => w !== '').join('_');
  return `${base}.list`;
}

function expandPath(file: string): string {
  return file.includes('/') ? file : `${SOURCE_PARTS}/${file}`;
}

/** The one-line source of a `ppa:owner/name` for this codename. */
export function expandPpa(line: string, codename: string): string {
  const ppa = line.split(':')[1] ?? '';
  const [owner, name = 'ppa'] = ppa.split('/');
  return `deb http://ppa.launchpad.net/${owner}/${name}/ubuntu ${codename} main`;
}

function* valid(s: Sources): Generator<[string, Line]> {
  for (const [file, lines] of s) for (const l of lines) if (l.valid) yield [file, l];
}

/** Adds `line` (or enables it where it is commented out); returns the new files' names. */
export function addSource(s: Sources, line: string, filename: string | undefined, newFiles: Set<string>): void {
  const source = strictSource(line);
  const file = suggestFilename(source, filename);
  let found = false;
  for (const [, l] of valid(s)) {
    if (l.source === source) {
      l.enabled = true;
      found = true;
    }
  }
  if (found) return;
  const path = expandPath(file);
  if (!s.has(path)) s.set(path, []);
  const lines = s.get(path)!;
  lines.push({ n: lines.length, valid: true, enabled: true, source, comment: '' });
  newFiles.add(path);
}

/** Removes the enabled lines equal to `line`, with Ansible's pop-while-iterating. */
export function removeSource(s: Sources, line: string): void {
  const source = strictSource(line);
  for (const lines of s.values()) {
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i];
      if (l.valid && l.source === source && l.enabled && l.n < lines.length) lines.splice(l.n, 1);
    }
  }
}

export function strictSource(line: string): string {
  try {
    return parseLine(line, true).source;
  } catch (e) {
    if (e instanceof InvalidSource) throw new ModuleFailure(`Invalid repository string: ${e.message}`);
    throw e;
  }
}
