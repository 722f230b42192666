// Every script reaches the host on stdin, never on a command line. Any user of a host can
// read every process's argv (/proc/PID/cmdline, `ps`), so a script in argv shows its
// framing nonces, its environment values and whatever it compares against while it runs;
// with the script on stdin, the command line each exec shows is one of a few constants
// (below), the same for every task, host and run.
//
// The shell reads the script with `cat` when nothing else follows it on stdin; when data
// follows (a file being written, a config for curl), the script's byte count comes first
// and `dd bs=1` reads exactly that many bytes, leaving the data for the script's commands.
//
// With a sudo password, the password line goes first (sudo -S reads it), then a sync line:
// the shell skips lines until the sync line, so if sudo did not ask for the password
// (NOPASSWD, a cached ticket) the password is skipped too instead of run as a command.
import { wrapBecome } from './become.js';
import type { BecomeSpec } from './types.js';

const SYNC = '#rackplay-stdin';

/** The command lines the host sees; exported for the test that checks nothing else shows. */
// The x keeps the script's trailing newlines, which $(...) would strip (a here-document
// that ends the script needs its last newline).
export const READ_ALL = '__rp_s=$(cat; printf x) && eval "${__rp_s%x}"';
export const READ_COUNTED = 'IFS= read -r __rp_n && __rp_s=$(dd bs=1 count="$__rp_n" 2>/dev/null; printf x) && eval "${__rp_s%x}"';
const SKIP_TO_SYNC = `while IFS= read -r __rp_l && [ "$__rp_l" != '${SYNC}' ]; do :; done; `;

export interface Launch {
  /** What to run with /bin/sh -c: constant but for the become wrapper. */
  command: string;
  stdin: Buffer;
}

/** How to run `script` (with `data` on its stdin) as `become`'s user. */
export function launchScript(script: string, become: BecomeSpec | undefined, data?: string | Buffer): Launch {
  const password = become?.method === 'sudo' && become.password !== undefined ? become.password : undefined;
  const body = Buffer.from(script);
  const parts: Buffer[] = [];
  if (password !== undefined) parts.push(Buffer.from(`${password}\n${SYNC}\n`));
  if (data === undefined) parts.push(body);
  else parts.push(Buffer.from(`${body.length}\n`), body, Buffer.isBuffer(data) ? data : Buffer.from(data));
  const read = data === undefined ? READ_ALL : READ_COUNTED;
  return { command: wrapBecome((password !== undefined ? SKIP_TO_SYNC : '') + read, become), stdin: Buffer.concat(parts) };
}
