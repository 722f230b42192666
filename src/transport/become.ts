// Privilege escalation in one place. The password travels on stdin (sudo -S), so it
// never appears on a command line (`ps` on the host) nor in any log.
import { quote } from './quote.js';
import type { BecomeSpec } from './types.js';

export const SUDO_PROMPT = '[rackplay-sudo-password]';

/** Wrap a shell command so it runs as the become user. */
export function wrapBecome(command: string, become: BecomeSpec | undefined): string {
  if (!become) return command;
  const flags = become.flags ? ` ${become.flags}` : '';
  if (become.method === 'su') {
    return `su${flags} ${quote(become.user)} -c ${quote(command)}`;
  }
  // -n without a password so a missing password fails at once instead of hanging
  // (-S -n, as Ansible's sudo plugin writes it: with -n sudo never reads a password)
  const auth = become.password !== undefined ? `-S -p ${quote(SUDO_PROMPT)}` : '-S -n';
  return `sudo -H ${auth}${flags} -u ${quote(become.user)} /bin/sh -c ${quote(command)}`;
}

/** Remove sudo's prompt from stderr so it does not show up in task output. */
export function stripSudoPrompt(stderr: string): string {
  return stderr.split(SUDO_PROMPT).join('');
}

/**
 * A shell script that writes its stdin to `path` atomically with `mode`: a temp file in
 * the same directory, then mv over the destination. Used by transports that have no
 * better way (local with become, SSH without SFTP).
 * With `size`, the temp file must hold exactly that many bytes before it is moved: a
 * connection cut mid-upload ends `cat` with a normal EOF, and a short file must not
 * replace the destination. `tmp` names the temp file (default: one named after the shell's PID).
 */
export function atomicWriteScript(path: string, mode?: string, opts: { size?: number; tmp?: string } = {}): string {
  const q = quote(path);
  const parts = ['umask 022', 'cat > "$T"'];
  // wc -c pads its count with spaces on some systems: compare numerically.
  // The temp file goes before the message: with the connection gone, writing to stderr
  // may kill the shell (SIGPIPE).
  if (opts.size !== undefined) parts.push(`[ "$(wc -c < "$T")" -eq ${Math.floor(opts.size)} ] || { rm -f "$T"; echo 'short write: the upload was cut off' >&2; false; }`);
  // Like Ansible's atomic_move: a replaced file keeps its owner, group and mode unless
  // a mode is asked for. (--reference is GNU coreutils, present on SL4 and Debian.)
  parts.push(`{ [ ! -e ${q} ] || { chown --reference=${q} "$T" 2>/dev/null; chmod --reference=${q} "$T"; } || true; }`);
  if (mode) parts.push(`chmod ${quote(mode)} "$T"`);
  parts.push(`mv -f "$T" ${q}`);
  // $$ (the shell's PID) stays outside the quotes so it expands.
  const tmp = opts.tmp !== undefined ? quote(opts.tmp) : `${quote(tempPrefix(path))}$$.tmp`;
  return `T=${tmp} && { ${parts.join(' && ')}; } || { rc=$?; rm -f "$T"; exit $rc; }`;
}

/** Where rackplay's temp files for `path` live: `.NAME.rackplay-` + a suffix, next to it. */
export function tempPrefix(path: string): string {
  const slash = path.lastIndexOf('/');
  const dir = slash > 0 ? path.slice(0, slash) : slash === 0 ? '/' : '.';
  const base = path.slice(slash + 1);
  return `${dir === '/' ? '' : dir}/.${base}.rackplay-`;
}
