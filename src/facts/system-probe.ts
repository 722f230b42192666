// Helpers shared by the system modules (package, service, selinux, LVM, iptables, xen):
// probes print named sections so one exec can ask several tools at once, and every
// script first makes the admin tools findable. SL4's sudo keeps the login user's PATH,
// which has no /sbin, so chkconfig, service, lvs and iptables would look absent.
// The sbin directories go last so a PATH set through `environment:` still wins.
import { quote } from '../transport/quote.js';

export const SBIN_PATH = 'PATH="$PATH:/sbin:/usr/sbin:/usr/local/sbin"; export PATH';

/** A probe line that prints `@@name` and then the output of `body` (stdout and stderr). */
export function section(name: string, body: string): string {
  return `echo ${quote('@@' + name)}; { ${body}\n} 2>&1; echo "@@rc $?"`;
}

/** Prints `@@have tool yes|no` for each tool. */
export function haveTools(tools: readonly string[]): string {
  return tools.map((t) => `if command -v ${t} >/dev/null 2>&1; then echo '@@have ${t} yes'; else echo '@@have ${t} no'; fi`).join('\n');
}

export interface ProbeSections {
  /** Output of each section, by name (the last one wins when repeated). */
  text: Record<string, string>;
  /** Exit status of each section's body. */
  rc: Record<string, number>;
  /** Which tools `haveTools` found. */
  have: Record<string, boolean>;
}

/** Splits probe output made with section() and haveTools(). */
export function parseSections(stdout: string): ProbeSections {
  const out: ProbeSections = { text: {}, rc: {}, have: {} };
  let current: string | undefined;
  let lines: string[] = [];
  for (const line of stdout.split('\n')) {
    const have = /^@@have (\S+) (yes|no)$/.exec(line);
    if (have) {
      out.have[have[1]] = have[2] === 'yes';
      continue;
    }
    const rc = /^([\s\S]*)@@rc (\d+)$/.exec(line);
    if (rc && current !== undefined) {
      // output without a final newline runs into the marker
      if (rc[1] !== '') lines.push(rc[1]);
      out.text[current] = lines.join('\n');
      out.rc[current] = Number(rc[2]);
      current = undefined;
      lines = [];
      continue;
    }
    const start = /^@@(\S+)$/.exec(line);
    if (start && current === undefined) {
      current = start[1];
      lines = [];
      continue;
    }
    if (current !== undefined) lines.push(line);
  }
  return out;
}

/** Ansible's list-or-comma-string arguments, flattened and trimmed. */
export function listArg(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.flatMap((v) => String(v).split(',')).map((s) => s.trim()).filter((s) => s !== '');
}
