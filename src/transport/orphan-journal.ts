// The controller's journal of orphaned upload temps, per user@host:port. Apart from the
// transport because it is plain local file I/O, no SSH.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import nodePath from 'node:path';

/**
 * Temp files left on hosts by uploads whose connection died, kept on the controller so
 * the next connection to the same host removes them. Small: it only holds what a cut
 * connection left, and entries go as soon as a connection succeeds.
 */
function orphanJournal(): string {
  const dir = process.env.RACKPLAY_STATE_DIR ?? nodePath.join(process.env.XDG_STATE_HOME || nodePath.join(os.homedir(), '.local/state'), 'rackplay');
  return nodePath.join(dir, 'orphan-temps.json');
}

function loadJournal(): Record<string, string[]> {
  try {
    const data = JSON.parse(readFileSync(orphanJournal(), 'utf8')) as unknown;
    return data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, string[]>) : {};
  } catch {
    return {};
  }
}

function saveJournal(data: Record<string, string[]>): void {
  const file = orphanJournal();
  try {
    mkdirSync(nodePath.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(data) + '\n');
    renameSync(tmp, file);
  } catch {
    /* a controller that cannot write its state dir just cannot clean up later */
  }
}

export function readOrphans(key: string): string[] {
  const list = loadJournal()[key];
  return Array.isArray(list) ? list.filter((p) => typeof p === 'string' && p.includes('.rackplay-')) : [];
}

export function recordOrphans(key: string, temps: string[]): void {
  if (!temps.length) return;
  const data = loadJournal();
  data[key] = [...new Set([...(data[key] ?? []), ...temps])];
  saveJournal(data);
}

export function forgetOrphans(key: string, temps: string[]): void {
  const data = loadJournal();
  const left = (data[key] ?? []).filter((t) => !temps.includes(t));
  if (left.length) data[key] = left;
  else delete data[key];
  saveJournal(data);
}
