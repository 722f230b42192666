// What the apt module asks the host, in one script: which tools there are, the apt cache's
// age, the names a wildcard matches (filtered by the shell's own `case`, so the whole
// package list never crosses the wire), dpkg's status of every named package,
// `apt-cache policy` for their candidates and version tables, which of them apt marked
// as automatically installed, what installed packages provide (virtual names), the
// fields of local .deb files and of their dependencies, and for upgrade/autoremove/
// autoclean what `apt-get --simulate` says, so a run with nothing to do sends nothing else.
import { SBIN_PATH, haveTools, parseSections, section } from '../facts/system-probe.js';
import { quote, quoteArgv } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';

export const APT_LISTS_PATH = '/var/lib/apt/lists';
export const APT_STAMP_PATH = '/var/lib/apt/periodic/update-success-stamp';

/** The environment Ansible's apt module runs apt-get with (its best parsable locale). */
export const APT_ENV = 'DEBIAN_FRONTEND=noninteractive DEBIAN_PRIORITY=critical LANG=C.utf8 LC_ALL=C.utf8 LC_MESSAGES=C.utf8 LC_CTYPE=C.utf8';

/** What the probe must ask about, from the arguments. */
export interface AptQuery {
  /** Literal package names (without `=version`). */
  names: string[];
  /** Names with fnmatch wildcards, to expand on the host. */
  patterns: string[];
  /** Local .deb files. */
  debs: string[];
  /** Installing (policy, auto marks, provides) rather than removing. */
  install: boolean;
  defaultRelease?: string;
  /** argv (after apt-get/aptitude) of a read-only simulation whose output decides the task. */
  simulate?: { tool: 'apt-get' | 'aptitude'; argv: string[] };
}

export interface DpkgStatus {
  /** dpkg's want/eflag/status words (`install ok installed`). */
  status: string;
  version: string;
}

export interface PolicyEntry {
  installed?: string;
  candidate?: string;
  /** Every version apt knows, highest first (as apt-cache policy lists them). */
  versions: string[];
}

export interface DebInfo {
  file: string;
  fields: Record<string, string>;
  error?: string;
}

export interface AptFacts {
  have: Record<string, boolean>;
  aptGetPath: string;
  aptitudePath: string;
  /** mtime of the update stamp or of the lists directory (0: neither), and the host's clock. */
  cacheMtime: number;
  now: number;
  matches: Record<string, string[]>;
  dpkg: Record<string, DpkgStatus>;
  policy: Record<string, PolicyEntry>;
  auto: Set<string>;
  /** Virtual name → installed packages that provide it. */
  providers: Record<string, string[]>;
  debs: DebInfo[];
  simulation?: { rc: number; out: string };
}

const DPKG_FORMAT = `'\${Package}\\t\${Status}\\t\${Version}\\n'`;

/** A wildcard pattern as a shell `case` pattern: only what a package name and a glob may hold. */
function casePattern(p: string): string {
  if (!/^[A-Za-z0-9.+\-_*?[\]!:]+$/.test(p)) throw new Error(`invalid package pattern: ${p}`);
  return p;
}

function depNames(file: string): string {
  return `{ dpkg-deb -f ${quote(file)} Pre-Depends; dpkg-deb -f ${quote(file)} Depends; } | tr ',|' '\\n\\n' | sed -e 's/(.*//' -e 's/\\[.*//' -e 's/:any//' -e 's/[[:space:]]//g' | grep -v '^$'`;
}

export function aptProbe(q: AptQuery): string {
  const lines = [SBIN_PATH, haveTools(['apt-get', 'aptitude', 'apt-mark', 'apt-cache', 'dpkg', 'dpkg-query', 'dpkg-deb'])];
  lines.push(section('paths', 'command -v apt-get; command -v aptitude; true'));
  lines.push(section('cache-time', `if [ -e ${APT_STAMP_PATH} ]; then stat -c %Y ${APT_STAMP_PATH}; elif [ -e ${APT_LISTS_PATH} ]; then stat -c %Y ${APT_LISTS_PATH}; else echo 0; fi; date +%s`));
  lines.push(`set -- ${quoteArgv(q.names)}`);
  for (const p of q.patterns) {
    const m = `apt-cache pkgnames 2>/dev/null | while IFS= read -r n; do case "$n" in ${p.includes(':') ? '' : '*:*) ;; '}${casePattern(p)}) printf '%s\\n' "$n";; esac; done | sort -u`;
    lines.push(`m=$(${m})`, section(`match:${p}`, 'printf "%s\\n" "$m"'), 'set -- "$@" $m');
  }
  // a .deb's own package and its dependencies are asked about with the named packages
  q.debs.forEach((f, i) => {
    lines.push(section(`deb:${i}`, `for f in Package Version Architecture Pre-Depends Depends; do printf '%s: ' "$f"; dpkg-deb -f ${quote(f)} "$f"; done`));
    lines.push(`set -- "$@" $(dpkg-deb -f ${quote(f)} Package 2>/dev/null) $(${depNames(f)})`);
  });
  const release = q.defaultRelease ? ` -o ${quote('APT::Default-Release=' + q.defaultRelease)}` : '';
  lines.push(`if [ $# -gt 0 ]; then ${section('dpkg', `dpkg-query -W -f=${DPKG_FORMAT} "$@"`)}; fi`);
  if (q.install) {
    lines.push(`if [ $# -gt 0 ]; then ${section('policy', `apt-cache${release} policy "$@"`)}; ${section('auto', 'apt-mark showauto "$@"')}; fi`);
    lines.push(section('provides', `dpkg-query -W -f='\${Status}\\t\${Package}\\t\${Provides}\\n' | grep ' installed	.*	.'`));
  }
  if (q.simulate) lines.push(section('simulate', `${APT_ENV} ${q.simulate.tool} ${quoteArgv(q.simulate.argv)}`));
  return lines.join('\n');
}

export function parseDpkgLines(text: string): Record<string, DpkgStatus> {
  const out: Record<string, DpkgStatus> = {};
  for (const line of text.split('\n')) {
    const [name, status, version] = line.split('\t');
    if (version === undefined || !name) continue;
    // a package known for several architectures: the installed one counts
    if (out[name] && / installed$/.test(out[name].status)) continue;
    out[name] = { status, version };
  }
  return out;
}

export function parsePolicy(text: string): Record<string, PolicyEntry> {
  const out: Record<string, PolicyEntry> = {};
  let cur: PolicyEntry | undefined;
  for (const line of text.split('\n')) {
    const head = /^(\S+):$/.exec(line);
    if (head) {
      cur = { versions: [] };
      out[head[1]] = cur;
      continue;
    }
    if (!cur) continue;
    const field = /^ {2}(Installed|Candidate): (.*)$/.exec(line);
    if (field) {
      const v = field[2] === '(none)' ? undefined : field[2];
      if (field[1] === 'Installed') cur.installed = v;
      else cur.candidate = v;
      continue;
    }
    const ver = /^(?: \*\*\*| {4}) (\S+) (-?\d+)$/.exec(line);
    if (ver && !cur.versions.includes(ver[1])) cur.versions.push(ver[1]);
  }
  return out;
}

function parseProvides(text: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const line of text.split('\n')) {
    const [, pkg, provides] = line.split('\t');
    if (!provides) continue;
    for (const p of provides.split(',')) {
      const name = p.trim().split(/[\s(]/)[0];
      if (name) (out[name] ??= []).includes(pkg) || out[name].push(pkg);
    }
  }
  return out;
}

export function parseAptProbe(out: ExecResult, q: AptQuery): AptFacts {
  const s = parseSections(out.stdout);
  const [aptGetPath = '', aptitudePath = ''] = (s.text.paths ?? '').split('\n').filter((l) => l.startsWith('/'));
  const [mtime = '0', now = '0'] = (s.text['cache-time'] ?? '').trim().split('\n');
  const matches: Record<string, string[]> = {};
  for (const p of q.patterns) matches[p] = (s.text[`match:${p}`] ?? '').split('\n').filter((l) => l !== '');
  const debs = q.debs.map((file, i): DebInfo => {
    const text = s.text[`deb:${i}`] ?? '';
    const fields: Record<string, string> = {};
    for (const line of text.split('\n')) {
      const m = /^(Package|Version|Architecture|Pre-Depends|Depends): (.*)$/.exec(line);
      if (m) fields[m[1]] = m[2].trim();
    }
    return s.rc[`deb:${i}`] === 0 && fields.Package ? { file, fields } : { file, fields, error: text.trim() };
  });
  const dpkg = parseDpkgLines(s.text.dpkg ?? '');
  return {
    have: s.have,
    aptGetPath: aptGetPath || '/usr/bin/apt-get',
    aptitudePath,
    cacheMtime: Number(mtime) || 0,
    now: Number(now) || 0,
    matches,
    dpkg,
    policy: parsePolicy(s.text.policy ?? ''),
    auto: new Set((s.text.auto ?? '').split('\n').filter((l) => /^\S+$/.test(l))),
    providers: parseProvides(s.text.provides ?? ''),
    debs,
    // the section lost apt-get's last newline
    simulation: s.text.simulate !== undefined ? { rc: s.rc.simulate, out: s.text.simulate === '' ? '' : s.text.simulate + '\n' } : undefined,
  };
}
