// Open files for one persistent SSH connection per host: a run over many hosts needs more
// than the common soft limit of 1024. Node raises its soft limit to the hard one when it
// starts, so what is left to do is to check, before contacting any host, that the limit
// holds the run's connections, and otherwise stop with what to change: failing hosts one
// by one with EMFILE halfway through the run would be worse.
import { readFileSync } from 'node:fs';
import { errFileLimit } from '../errors.js';

export interface FileLimit {
  soft: number;
  hard: number;
}

/** Descriptors a run holds besides its connections: stdio, the code cache, reports, children's pipes. */
export const FD_RESERVE = 64;

/** The `Max open files` line of /proc/PID/limits; undefined when unreadable. */
export function parseFileLimit(limitsText: string): FileLimit | undefined {
  const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(limitsText);
  if (!m) return undefined;
  const n = (s: string) => (s === 'unlimited' ? Infinity : Number(s));
  const soft = n(m[1]!);
  const hard = n(m[2]!);
  return Number.isNaN(soft) || Number.isNaN(hard) ? undefined : { soft, hard };
}

/** This process's limit; undefined where there is no /proc (not Linux). */
function ownLimit(): FileLimit | undefined {
  try {
    return parseFileLimit(readFileSync('/proc/self/limits', 'utf8'));
  } catch {
    return undefined;
  }
}

/** Throws a load error, saying what to change, when `hosts` connections would not fit. */
export function checkRoomForHosts(hosts: number, limit: FileLimit | undefined = ownLimit()): void {
  const needed = hosts + FD_RESERVE;
  if (!limit || limit.soft >= needed) return;
  throw errFileLimit(hosts, needed, limit.soft, {
    hint:
      limit.hard >= needed
        ? `raise the limit with \`ulimit -n ${needed}\` in the shell that starts rackplay, or run the hosts in slices (--slice K/N)`
        : 'raise the hard limit (ulimit -Hn; LimitNOFILE= for a systemd service; nofile in /etc/security/limits.conf), or run the hosts in slices (--slice K/N)',
  });
}
