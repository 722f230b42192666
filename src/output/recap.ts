// The PLAY RECAP line, formatted as Ansible's default callback v2_playbook_on_stats with
// lib/ansible/utils/color.py's hostcolor ("%-26s" host) and colorize ("%s=%-4s" fields,
// colored only when non-zero).
import { emptyStats, type HostStats, type RunEvent } from './events.js';
import { COLOR, paint, type ColorCode } from './colors.js';
import { pyJsonDumps } from './py-format.js';

const HOST_WIDTH = 26;

function field(lead: string, num: number, color: ColorCode, enabled: boolean): string {
  const s = `${lead}=${String(num).padEnd(4)}`;
  return num !== 0 ? paint(s, color, enabled) : s;
}

export function formatRecapLine(host: string, s: HostStats, color: boolean): string {
  const pad = ' '.repeat(Math.max(0, HOST_WIDTH - [...host].length));
  let hostPart = host;
  if (color) {
    const c = s.failed !== 0 || s.unreachable !== 0 ? COLOR.error : s.changed !== 0 ? COLOR.changed : COLOR.ok;
    hostPart = paint(host, c, true);
  }
  return [
    `${hostPart}${pad} :`,
    field('ok', s.ok, COLOR.ok, color),
    field('changed', s.changed, COLOR.changed, color),
    field('unreachable', s.unreachable, COLOR.unreachable, color),
    field('failed', s.failed, COLOR.error, color),
    field('skipped', s.skipped, COLOR.skip, color),
    field('rescued', s.rescued, COLOR.ok, color),
    field('ignored', s.ignored, COLOR.warn, color),
  ].join(' ');
}

/**
 * Per-host counters from a finished event stream, counted as Ansible's strategy does: a
 * changed result is also ok, an ignored failure or ignored unreachable is ok + ignored,
 * loop items are not counted (only the aggregated result is). `rescued` cannot be derived
 * from events and stays 0: prefer the engine's `recap` stats when there is one.
 */
export function hostStatsFromEvents(events: Iterable<RunEvent>): Record<string, HostStats> {
  const stats: Record<string, HostStats> = {};
  for (const ev of events) {
    if (ev.kind !== 'host-result' || ev.item !== undefined) continue;
    const s = (stats[ev.host] ??= emptyStats());
    switch (ev.status) {
      case 'ok':
        s.ok++;
        break;
      case 'changed':
        s.ok++;
        s.changed++;
        break;
      case 'skipped':
        s.skipped++;
        break;
      case 'failed':
        if (ev.ignored) {
          s.ok++;
          s.ignored++;
          if (ev.result.changed === true) s.changed++;
        } else s.failed++;
        break;
      case 'unreachable':
        if (ev.ignored) {
          s.ok++;
          s.ignored++;
        } else s.unreachable++;
        break;
    }
  }
  return stats;
}

/**
 * The lines under CUSTOM STATS (set_stats with show_custom_stats): each host's totals, then
 * the run's, as one-line JSON the way the default callback flattens its indented dump.
 * Undefined when there are none.
 */
export function customStatsLines(custom: Record<string, Record<string, unknown>> | undefined): string[] | undefined {
  if (!custom || !Object.keys(custom).length) return undefined;
  const dump = (v: unknown) => pyJsonDumps(v, { indent: 1, sortKeys: true }).replace(/\n/g, '');
  const lines = Object.keys(custom)
    .filter((h) => h !== '_run')
    .sort()
    .map((h) => `\t${h}: ${dump(custom[h])}`);
  if (custom._run) lines.push('', `\tRUN: ${dump(custom._run)}`);
  lines.push('');
  return lines;
}
