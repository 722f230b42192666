// What the user and group modules read on the host, in one probe: the account's passwd
// entry, a summary of its shadow entry (never the hash itself: see user-db.ts), every
// group (for memberships), the groups the task names, whether the homes exist, and which
// tools there are. Everything through getent, so NSS accounts count as Ansible's pwd/grp
// calls count them.
import { createHash } from 'node:crypto';
import { SBIN_PATH, haveTools, parseSections, section } from '../facts/system-probe.js';
import { parseGroupLines, parsePasswdLine, parseShadowSummary, type GroupEntry, type PasswdEntry, type ShadowSummary } from '../facts/parsers/user-db.js';
import { quote } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { splitLines } from './command-runner.js';
import { ModuleFailure, type RunContext, type Step } from './types.js';

export interface AccountFacts {
  user?: PasswdEntry;
  shadow?: ShadowSummary;
  /** Every group `getent group` lists. */
  groups: GroupEntry[];
  /** The groups the task names (by name or gid), as getent found them; null when absent. */
  lookups: Record<string, GroupEntry | null>;
  /** Tools found, and probe answers: `usermod-append`, `home-current`, `home-wanted`, `home-parent`. */
  have: Record<string, boolean>;
  /** Major version from /etc/redhat-release (useradd's -n before RHEL 6). */
  redhatMajor?: number;
}

const TOOLS = ['useradd', 'usermod', 'userdel', 'groupadd', 'groupmod', 'groupdel', 'chpasswd', 'chage', 'md5sum'];

function flag(name: string, test: string): string {
  return `if ${test}; then echo '@@have ${name} yes'; else echo '@@have ${name} no'; fi`;
}

// Prints `entry yes`, `locked`, `length`, `digest` and the day fields of the shadow entry.
// set -f: a `*` password field must not glob when split.
function shadowSummaryScript(n: string): string {
  return [
    `l=$(getent shadow ${n} 2>/dev/null) || l=''`,
    `if [ -z "$l" ] && [ -r /etc/shadow ]; then while IFS= read -r x; do case $x in ${n}:*) l=$x;; esac; done </etc/shadow; fi`,
    `if [ -n "$l" ]; then set -f; o=$IFS; IFS=:; set -- $l; IFS=$o; echo 'entry yes'; p=$2`,
    `case $p in '!'*) echo 'locked yes';; esac; echo "length \${#p}"`,
    `while :; do case $p in '!'*) p=\${p#!};; *) break;; esac; done`,
    `printf 'digest '; printf %s "$p" | md5sum; echo "min $4"; echo "max $5"; echo "expire $8"; fi`,
  ].join('\n');
}

export interface AccountProbeSpec {
  /** The user whose entries to read (the user module), if any. */
  user?: string;
  /** Groups to look up by name or gid. */
  groups: string[];
  /** A home path the task wants (test it and its parent). */
  home?: string;
}

export function accountProbe(spec: AccountProbeSpec): string {
  const lines = [SBIN_PATH, haveTools(TOOLS), `if [ -f /etc/redhat-release ]; then ${section('redhat-release', 'cat /etc/redhat-release')}; fi`];
  if (spec.user !== undefined) {
    const n = quote(spec.user);
    lines.push(
      section('passwd', `getent passwd ${n}`),
      section('shadow', shadowSummaryScript(n)),
      `h=$(getent passwd ${n} | cut -d: -f6)`,
      flag('home-current', '[ -n "$h" ] && [ -e "$h" ]'),
      flag('usermod-append', `usermod --help 2>&1 | grep -q -- '-a, --append'`),
    );
  }
  if (spec.home !== undefined) {
    const parent = spec.home.replace(/\/+[^/]*\/*$/, '') || '/';
    lines.push(flag('home-wanted', `[ -e ${quote(spec.home)} ]`), flag('home-parent', `[ -d ${quote(parent)} ]`));
  }
  lines.push(section('groups', 'getent group'));
  spec.groups.forEach((g, i) => lines.push(section(`lookup${i}`, `getent group ${quote(g)}`)));
  return lines.join('\n');
}

export function parseAccountProbe(out: ExecResult, spec: AccountProbeSpec): AccountFacts {
  const s = parseSections(out.stdout);
  const facts: AccountFacts = { groups: parseGroupLines(s.text.groups ?? ''), lookups: {}, have: s.have };
  const release = /release\s+(\d+)/.exec(s.text['redhat-release'] ?? '');
  if (release) facts.redhatMajor = Number(release[1]);
  if (spec.user !== undefined && s.rc.passwd === 0) {
    const entry = (s.text.passwd ?? '').split('\n').map(parsePasswdLine).find((e) => e?.name === spec.user);
    if (entry) facts.user = entry;
    facts.shadow = parseShadowSummary(s.text.shadow ?? '');
  }
  spec.groups.forEach((g, i) => {
    const found = s.rc[`lookup${i}`] === 0 ? parseGroupLines(s.text[`lookup${i}`] ?? '')[0] : undefined;
    facts.lookups[g] = found ?? null;
  });
  return facts;
}

/** The digest the probe prints for a password field (without its leading `!`s). */
export function passwordDigest(field: string): string {
  return createHash('md5').update(field.replace(/^!+/, ''), 'utf8').digest('hex');
}

/**
 * Runs planned steps one by one with the task's become; the first failure fails the task
 * with its stderr as `msg`, as Ansible's fail_json(msg=err) does. Returns the commands'
 * stdout and stderr as Ansible reports them (when not empty).
 */
export async function runAccountSteps(steps: readonly Step[], ctx: RunContext, name: string, withRc: boolean): Promise<Record<string, unknown>> {
  let stdout = '';
  let stderr = '';
  for (const step of steps) {
    if (step.kind !== 'exec') throw new Error('account steps are commands');
    const r = await ctx.exec(step.cmd, { stdin: step.stdin });
    stdout += r.stdout;
    stderr += r.stderr;
    if (r.rc !== 0) throw new ModuleFailure(r.stderr, { name, ...(withRc ? { rc: r.rc } : {}) });
  }
  // the action plugin's *_lines, which Ansible adds to any result with stdout or stderr
  return { ...(stdout ? { stdout, stdout_lines: splitLines(stdout) } : {}), ...(stderr ? { stderr, stderr_lines: splitLines(stderr) } : {}) };
}
