// Checks once, before any test file loads, that this machine has what the lab and the CLI
// tests need, and fails with one line naming what to install. Without it a newcomer gets
// cryptic failures deep inside the lab (spawn ENOENT, sshd that never answers).
// Optional tools (ansible-playbook, xmllint, chromium, script) are not checked here: the
// tests that need them are skipped visibly, their reason in the title.
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** A command on PATH, or an absolute path, and the Debian package that brings it. */
const REQUIRED: [string, string][] = [
  ['/usr/sbin/sshd', 'openssh-server'],
  ['/usr/lib/openssh/sftp-server', 'openssh-sftp-server'],
  ['ssh-keygen', 'openssh-client'],
  ['sudo', 'sudo'],
  ['make', 'make'],
  ['unshare', 'util-linux'],
  ['nsenter', 'util-linux'],
  ['chroot', 'coreutils'],
  ['tar', 'tar'],
  ['ps', 'procps'],
  ['pgrep', 'procps'],
];

function found(cmd: string): boolean {
  const candidates = cmd.startsWith('/') ? [cmd] : (process.env.PATH ?? '').split(':').filter(Boolean).map((d) => path.join(d, cmd));
  return candidates.some((f) => {
    try {
      accessSync(f, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The one line to print, or undefined when everything is there. */
export function missingPrerequisites(required: [string, string][] = REQUIRED, isRoot = process.getuid?.() === 0): string | undefined {
  const missing = required.filter(([cmd]) => !found(cmd));
  const packages = [...new Set(missing.map(([, pkg]) => pkg))];
  const parts: string[] = [];
  if (missing.length) parts.push(`missing ${missing.map(([cmd]) => cmd).join(', ')}: apt-get install -y ${packages.join(' ')}`);
  if (!isRoot) parts.push('run the tests as root (the lab starts sshd hosts in namespaces)');
  return parts.length ? `rackplay tests cannot run: ${parts.join('; ')}` : undefined;
}

export default function setup(): void {
  const problem = missingPrerequisites();
  if (!problem) return;
  // One line, no stack trace: the message is the whole story.
  process.stderr.write(`\n${problem}\n\n`);
  process.exit(1);
}
