// The target's half of `async:`, as POSIX sh (no Python there): a launch script the
// controller sends on stdin to `/bin/sh -s` (so neither the job id nor the command
// appears on a command line), which writes the job's files under the async directory
// (umask 077), records `{"started": 1, "finished": 0}` as the job file, and starts the
// runner detached (setsid, else nohup) before it answers with the job id. The runner runs
// the command with its stdin from a file, kills it past the time limit as Ansible's
// async_wrapper does, and replaces the job file atomically (write, then rename) with the
// outcome as JSON: rc, stdout and stderr escaped byte by byte (od and awk), start and end.
import { randomInt } from 'node:crypto';
import { asyncDirWord, RAW_MARK } from '../modules/async-status.js';
import { quote } from '../transport/quote.js';

/** Ansible's job id stem (`j` and up to twelve random digits); the target appends `.<pid>`. */
export function newJobStem(): string {
  return `j${randomInt(0, 999_999_999_999)}`;
}

/**
 * When the runner kills a job: async_wrapper looks every 5 seconds, first after 5, and
 * kills once its count of `limit` has run out. A poll loop on the controller gives up
 * first (Ansible's "did not complete" message); the job dies a little later.
 */
export function killAfterSeconds(limit: number): number {
  return 5 + 5 * Math.max(1, Math.ceil(limit / 5));
}

// One line of awk per byte class; LC_ALL=C so %c prints a byte, not a character.
const JSON_STRING = `jsonstr() {
  LC_ALL=C od -An -v -b "$1" | LC_ALL=C awk '
    function oct(s,  n, i) { n = 0; for (i = 1; i <= length(s); i++) n = n * 8 + substr(s, i, 1); return n }
    { for (i = 1; i <= NF; i++) { c = oct($i)
        if (c == 34) printf "\\\\\\""; else if (c == 92) printf "\\\\\\\\"
        else if (c == 10) printf "\\\\n"; else if (c == 13) printf "\\\\r"; else if (c == 9) printf "\\\\t"
        else if (c < 32 || c == 127) printf "\\\\u%04x", c; else printf "%c", c } }'
}`;

// Python's str(datetime.now()) on the target; %N is GNU's, so without it the micros are 0.
const NOW = `now() {
  t=$(date '+%Y-%m-%d %H:%M:%S.%N' 2>/dev/null)
  case $t in
    *.[0-9][0-9][0-9][0-9][0-9][0-9]*) t=$(printf '%s' "$t" | cut -c1-26) ;;
    *) t="\${t%.*}.000000" ;;
  esac
  printf '%s' "$t"
}`;

/**
 * The runner: `sh RUN JOBFILE WORKPREFIX KILLAFTER GROUP`. Whoever makes `WORK.lock`
 * first, the finished command or the watchdog, writes the job file; GROUP=1 (started by
 * setsid) lets the watchdog kill the whole process group, the command's children too.
 */
export const RUNNER = `trap '' HUP
job=$1 w=$2 limit=$3 group=$4
${NOW}
${JSON_STRING}
start=$(now)
/bin/sh "$w.sh" < "$w.in" > "$w.out" 2> "$w.err" &
child=$!
(
  sleep "$limit"
  if mkdir "$w.lock" 2>/dev/null; then
    printf '{"msg": "Timeout exceeded", "failed": true, "child_pid": %s}' "$child" > "$job.tmp" && mv -f "$job.tmp" "$job"
    rm -rf "$w.sh" "$w.in" "$w.out" "$w.err" "$w.run" "$w.lock"
    if [ "$group" = 1 ]; then kill -9 0; else kill -9 "$child"; fi
  fi
) </dev/null >/dev/null 2>&1 &
watch=$!
wait "$child"
rc=$?
end=$(now)
if mkdir "$w.lock" 2>/dev/null; then
  kill "$watch" 2>/dev/null
  {
    printf '{"rc": %s, "start": "%s", "end": "%s", "stdout": "' "$rc" "$start" "$end"
    jsonstr "$w.out"
    printf '", "stderr": "'
    jsonstr "$w.err"
    printf '", "changed": true, "${RAW_MARK}": 1}'
  } > "$job.tmp" && mv -f "$job.tmp" "$job"
  rm -rf "$w.sh" "$w.in" "$w.out" "$w.err" "$w.run" "$w.lock"
fi
`;

export interface LaunchSpec {
  /** The job id before the target's `.<pid>`. */
  stem: string;
  /** The async directory as configured (`~/.ansible_async`). */
  dir: string;
  /** The command the module would have run in the foreground. */
  command: string;
  stdin?: string | Buffer;
  /** Seconds before the runner kills the job. */
  killAfter: number;
}

/** The script for `/bin/sh -s`: prints `RPASYNC started JID PATH` or `RPASYNC nodir PATH`. */
export function launchScript(s: LaunchSpec): string {
  const stdin = s.stdin === undefined ? '' : Buffer.isBuffer(s.stdin) ? s.stdin.toString('utf8') : s.stdin;
  return [
    'umask 077',
    `d=${asyncDirWord(s.dir)}`,
    'mkdir -p "$d" 2>/dev/null',
    `if [ ! -d "$d" ] || [ ! -w "$d" ]; then printf 'RPASYNC nodir %s\\n' "$d"; exit 0; fi`,
    `jid=${quote(s.stem)}.$$`,
    'job="$d/$jid"',
    'w="$d/.$jid"',
    `printf '%s' ${quote(s.command)} > "$w.sh"`,
    `printf '%s' ${stdin === '' ? "''" : quote(stdin)} > "$w.in"`,
    `printf '%s' ${quote(RUNNER)} > "$w.run"`,
    `printf '{"started": 1, "finished": 0, "ansible_job_id": "%s"}' "$jid" > "$job.tmp" && mv -f "$job.tmp" "$job"`,
    'if command -v setsid >/dev/null 2>&1; then',
    `  setsid /bin/sh "$w.run" "$job" "$w" ${s.killAfter} 1 </dev/null >/dev/null 2>&1 &`,
    'else',
    `  nohup /bin/sh "$w.run" "$job" "$w" ${s.killAfter} 0 </dev/null >/dev/null 2>&1 &`,
    'fi',
    `printf 'RPASYNC started %s %s\\n' "$jid" "$job"`,
    '',
  ].join('\n');
}

export type LaunchOutcome = { kind: 'started'; jid: string; path: string } | { kind: 'nodir'; path: string } | { kind: 'unknown'; output: string };

export function parseLaunch(stdout: string, stderr = ''): LaunchOutcome {
  const line = stdout.split('\n').find((l) => l.startsWith('RPASYNC '));
  const started = line && /^RPASYNC started (\S+) (.*)$/.exec(line);
  if (started) return { kind: 'started', jid: started[1], path: started[2] };
  const nodir = line && /^RPASYNC nodir (.*)$/.exec(line);
  if (nodir) return { kind: 'nodir', path: nodir[1] };
  return { kind: 'unknown', output: (stdout + stderr).trim() };
}

/** Writes stdin as the job file, atomically: a job's result that the controller finished. */
export function jobWriteScript(path: string): string {
  return `umask 077; f=${quote(path)}; cat > "$f.tmp" && mv -f "$f.tmp" "$f"`;
}

/** Removes the job file, as Ansible cleans up after a polled job. */
export function jobRemoveScript(path: string): string {
  return `rm -f -- ${quote(path)}`;
}
