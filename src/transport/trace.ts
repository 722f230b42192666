// A transport that tells how each command is run on the host, for `-vvv` ("<host> EXEC
// /bin/sh -c '...'", as Ansible's connection plugins show it): the become wrapper in full
// (sudo and its flags, the user), the command itself as `<command>`. The command is left
// out because it may hold what a no_log task must not show (a shell task's own words).
import { wrapBecome } from './become.js';
import { observeTransport } from './observe.js';
import type { Transport } from './types.js';

export function tracedTransport(t: Transport, trace: (command: string) => void): Transport {
  return observeTransport(t, { exec: (_command, opts) => trace(wrapBecome('<command>', opts?.become)) });
}
