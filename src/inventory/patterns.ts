// Host patterns (`hosts:` of a play, `--limit`), as Ansible's InventoryManager
// evaluates them: split on `,` (or on `:` when there is no comma), run plain
// patterns first, then `&` intersections, then `!` exclusions; each part may be
// a host, a group, a glob, a `~regex`, with an optional `[i]` / `[a:b]` subscript.

import { readFileSync, statSync } from 'node:fs';
import { errLimitFileMissing, errLimitFileNotFile, errPatternRegex } from '../errors.js';
import { fnmatchRegExp } from '../fnmatch.js';
import { LOCALHOST_NAMES } from './localhost.js';

/**
 * What patterns are evaluated against: an Inventory. Only this much of it, so that the
 * inventory (whose select() uses this file) and this file do not import each other.
 */
export interface HostPatternSource {
  readonly hosts: ReadonlyMap<string, unknown>;
  readonly groups: ReadonlyMap<string, unknown>;
  /** The group's hosts, its children's included, in inventory order. */
  groupHosts(group: string): string[];
}

export interface SelectOptions {
  /** `--limit`: patterns the result is restricted to; `@file` reads one pattern per line. */
  limit?: string | string[];
}

// A single host (with optional port) or an IPv6 address must not be split on ':'.
function isSingleAddress(p: string): boolean {
  if (/^[^:\[\]\s,]+:\d+$/.test(p)) return true;
  if (/^\[[0-9a-fA-F:.]+\](:\d+)?$/.test(p)) return true;
  if (/^[0-9a-fA-F]*:[0-9a-fA-F:.]*:[0-9a-fA-F:.]*$/.test(p) && (p.match(/:/g)?.length ?? 0) >= 2) return true;
  return false;
}

export function splitHostPattern(pattern: string | string[]): string[] {
  if (Array.isArray(pattern)) return pattern.flatMap((p) => splitHostPattern(String(p)));
  let parts: string[];
  if (pattern.includes(',')) parts = pattern.split(',');
  else if (isSingleAddress(pattern.trim())) parts = [pattern];
  else parts = pattern.match(/(?:[^\s:\[\]]|\[[^\]]*\])+/g) ?? [];
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

function orderPatterns(patterns: string[]): string[] {
  const regular = patterns.filter((p) => p[0] !== '&' && p[0] !== '!');
  const and = patterns.filter((p) => p[0] === '&');
  const not = patterns.filter((p) => p[0] === '!');
  return [...(regular.length ? regular : ['all']), ...and, ...not];
}

function compilePattern(pattern: string): RegExp {
  if (pattern[0] !== '~') return fnmatchRegExp(pattern);
  // Python's re.match anchors only at the start.
  const source = pattern.slice(1).replace(/\(\?P</g, '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>');
  try {
    return new RegExp(`^(?:${source})`);
  } catch (e) {
    throw errPatternRegex(pattern, (e as Error).message, {
      hint: 'a pattern starting with ~ is a regular expression matched against host and group names',
    });
  }
}

type Subscript = { start: number; end?: number };

function splitSubscript(pattern: string): [string, Subscript | undefined] {
  if (pattern[0] === '~') return [pattern, undefined];
  const m = /^(.+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]*))\]$/s.exec(pattern);
  if (!m) return [pattern, undefined];
  if (m[2] !== undefined) return [m[1], { start: Number(m[2]) }];
  return [m[1], { start: Number(m[3]), end: m[5] === '' ? -1 : Number(m[5]) }];
}

function applySubscript(hosts: string[], sub: Subscript | undefined): string[] {
  if (!hosts.length || !sub) return hosts;
  const { start } = sub;
  let { end } = sub;
  // Ansible tests `if end:`, so `[x:0]` behaves like `[x]`.
  if (end) {
    if (end === -1) end = hosts.length - 1;
    const s = start < 0 ? Math.max(0, hosts.length + start) : start;
    return hosts.slice(s, end + 1);
  }
  const idx = start < 0 ? hosts.length + start : start;
  // Ansible 2.14 reports "No hosts matched" rather than failing here.
  return idx >= 0 && idx < hosts.length ? [hosts[idx]] : [];
}

function hasGlobChars(p: string): boolean {
  return p[0] === '~' || /[.?*[]/.test(p);
}

function enumerateMatches(inv: HostPatternSource, pattern: string): string[] {
  const re = compilePattern(pattern);
  const results: string[] = [];
  const matchingGroups = [...inv.groups.keys()].filter((g) => re.test(g));
  for (const g of matchingGroups) results.push(...inv.groupHosts(g));
  if (!matchingGroups.length || hasGlobChars(pattern)) {
    for (const h of inv.hosts.keys()) if (re.test(h)) results.push(h);
  }
  if (!results.length && LOCALHOST_NAMES.has(pattern)) results.push(pattern);
  return results;
}

function matchOne(inv: HostPatternSource, pattern: string): string[] {
  const bare = pattern[0] === '&' || pattern[0] === '!' ? pattern.slice(1) : pattern;
  const [expr, sub] = splitSubscript(bare);
  return applySubscript(dedupe(enumerateMatches(inv, expr)), sub);
}

function dedupe(names: string[]): string[] {
  return [...new Set(names)];
}

function evaluate(inv: HostPatternSource, patterns: string[]): string[] {
  let hosts: string[] = [];
  for (const p of orderPatterns(patterns)) {
    if (inv.hosts.has(p)) {
      if (!hosts.includes(p)) hosts.push(p);
      continue;
    }
    const that = matchOne(inv, p);
    if (p[0] === '!') {
      const drop = new Set(that);
      hosts = hosts.filter((h) => !drop.has(h));
    } else if (p[0] === '&') {
      const keep = new Set(that);
      hosts = hosts.filter((h) => keep.has(h));
    } else {
      const have = new Set(hosts);
      for (const h of that) if (!have.has(h)) hosts.push(h);
    }
  }
  return hosts;
}

/** `--limit` text to patterns; `@file` entries are replaced by the file's lines. */
export function expandLimit(limit: string | string[]): string[] {
  const out: string[] = [];
  for (const item of splitHostPattern(limit)) {
    if (item[0] !== '@') {
      out.push(item);
      continue;
    }
    const file = item.slice(1);
    const st = (() => {
      try {
        return statSync(file);
      } catch {
        return null;
      }
    })();
    if (!st) throw errLimitFileMissing(file, { hint: 'use --limit @PATH with an existing file of host patterns, one per line' });
    if (!st.isFile()) throw errLimitFileNotFile(file, {});
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const t = line.trim();
      if (t) out.push(t);
    }
  }
  return out;
}

export function selectHosts(inv: HostPatternSource, pattern: string | string[], opts?: SelectOptions): string[] {
  if (opts?.limit !== undefined) return selectPlayHosts(inv, pattern, expandLimit(opts.limit));
  return dedupe(evaluate(inv, splitHostPattern(pattern)));
}

/**
 * The hosts a play runs on: its `hosts:` pattern, restricted by `--limit` (already
 * expanded by expandLimit). An empty limit restricts nothing, as Ansible's `if self._subset`.
 */
export function selectPlayHosts(inv: HostPatternSource, pattern: string | string[], limit?: readonly string[]): string[] {
  const hosts = selectHosts(inv, pattern);
  if (!limit?.length) return hosts;
  const allowed = new Set(selectHosts(inv, [...limit]));
  return hosts.filter((h) => allowed.has(h));
}
