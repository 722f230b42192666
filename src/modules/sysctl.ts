// ansible.posix.sysctl on Linux: one key in a sysctl file (default /etc/sysctl.conf),
// optionally set in the kernel right away (`sysctl_set`, `sysctl -w`) and the file
// reloaded (`reload`, `sysctl -p FILE`). As in Ansible, a written file is rewritten whole
// with its lines stripped and each key once; a `sysctl` that exits 0 but says "setting key
// ...: Invalid argument" on stderr still fails the task.
//
//   - ansible.posix.sysctl:
//       name: vm.swappiness
//       value: "10"
//       sysctl_file: /etc/sysctl.d/60-swap.conf
import type { FromSchema } from 'json-schema-to-ts';
import { FILE_PROBE_PRELUDE, factsFor, parseFileProbe, probeFile } from '../facts/file-probe.js';
import { SBIN_PATH } from '../facts/system-probe.js';
import { quote } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { ModuleFailure, defineModule, type Plan, type Step } from './types.js';

const schema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    value: { type: 'string' },
    state: { type: 'string', enum: ['present', 'absent'], default: 'present' },
    reload: { type: 'boolean', default: true },
    sysctl_set: { type: 'boolean', default: false },
    ignoreerrors: { type: 'boolean', default: false },
    sysctl_file: { type: 'string', default: '/etc/sysctl.conf' },
  },
  required: ['name'],
  additionalProperties: false,
} as const;

export type SysctlArgs = FromSchema<typeof schema>;

export interface SysctlPrepared {
  args: SysctlArgs;
  name: string;
  /** The value as Ansible compares it: booleans as 1/0, stripped. */
  value: string;
  file: string;
}

export interface SysctlFacts {
  path: string;
  haveSysctl: boolean;
  /** `sysctl -e -n NAME`'s output, undefined when it failed. */
  current?: string;
  /** The file's text ('' when it is not a regular file). */
  text: string;
}

// Ansible's BOOLEANS_TRUE / BOOLEANS_FALSE as text
const BOOL_TRUE = new Set(['y', 'yes', 'on', '1', 'true', 't', '1.0']);
const BOOL_FALSE = new Set(['n', 'no', 'off', '0', 'false', 'f', '0.0']);

export function parseSysctlValue(v: string | undefined): string {
  if (v === undefined) return '';
  const l = v.toLowerCase();
  if (BOOL_TRUE.has(l)) return '1';
  if (BOOL_FALSE.has(l)) return '0';
  return v.trim();
}

export function prepareSysctl(args: SysctlArgs): SysctlPrepared {
  // Ansible lets `value: ~` through its argument spec, then says this
  // (a null is dropped before it gets here: required_if let it through, so a missing value was null)
  if ((args.state ?? 'present') === 'present' && (args.value as unknown) == null) throw new ModuleFailure('value cannot be None');
  if (args.name === '') throw new ModuleFailure('name cannot be blank');
  if ((args.state ?? 'present') === 'present' && args.value === '') throw new ModuleFailure('value cannot be blank');
  return { args, name: args.name.trim(), value: parseSysctlValue(args.value), file: args.sysctl_file ?? '/etc/sysctl.conf' };
}

export function sysctlProbe(p: SysctlPrepared): string {
  return [
    FILE_PROBE_PRELUDE,
    "printf '@sysctl\\n'",
    "printf 'path %s\\n' \"$PATH\"",
    SBIN_PATH,
    "if command -v sysctl >/dev/null 2>&1; then printf 'sysctl yes\\n'",
    `  rp_o=$(LANG=C LC_MESSAGES=C sysctl -e -n ${quote(p.name)} 2>/dev/null; rp_r=$?; printf x; exit $rp_r) && { rp_o=\${rp_o%x}; printf 'content %d\\n' "\${#rp_o}"; printf '%s\\n' "$rp_o"; }`,
    'fi',
    probeFile('file', p.file, { follow: true, contentMax: -1 }),
    'exit 0',
  ].join('\n');
}

export function parseSysctl(out: ExecResult): SysctlFacts {
  const rec = parseFileProbe(out);
  const s = factsFor(rec, 'sysctl');
  const f = factsFor(rec, 'file');
  return {
    path: s.extra.path?.[0] ?? '',
    haveSysctl: s.extra.sysctl?.[0] === 'yes',
    current: s.content?.toString('utf8'),
    text: f.exists && f.type === 'file' ? (f.content?.toString('utf8') ?? '') : '',
  };
}

/** Python's readlines(), each stripped. */
function strippedLines(text: string): string[] {
  return (text.match(/[^\n]*\n|[^\n]+$/g) ?? []).map((l) => l.trim());
}

const isSetting = (l: string) => l.trim() !== '' && !l.trim().startsWith('#') && !l.trim().startsWith(';') && l.includes('=');

function sameValue(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const x = a.split(/\s+/).filter((w) => w !== '');
  const y = b.split(/\s+/).filter((w) => w !== '');
  return x.length === y.length && x.every((w, i) => w === y[i]);
}

/** The file as Ansible writes it: stripped lines, each key once, NAME set or dropped. */
export function fixLines(p: SysctlPrepared, text: string): { lines: string[]; fileValue?: string } {
  const present = (p.args.state ?? 'present') === 'present';
  const values = new Map<string, string>();
  const lines = strippedLines(text);
  for (const l of lines) {
    if (!isSetting(l)) continue;
    const eq = l.indexOf('=');
    values.set(l.slice(0, eq).trim(), l.slice(eq + 1).trim());
  }
  const checked = new Set<string>();
  const fixed: string[] = [];
  for (const l of lines) {
    if (!isSetting(l)) {
      fixed.push(l);
      continue;
    }
    const eq = l.indexOf('=');
    const k = l.slice(0, eq).trim();
    if (checked.has(k)) continue;
    checked.add(k);
    if (k !== p.name) fixed.push(`${k}=${l.slice(eq + 1).trim()}`);
    else if (present) fixed.push(`${k}=${p.value}`);
  }
  if (!checked.has(p.name) && present) fixed.push(`${p.name}=${p.value}`);
  return { lines: fixed, fileValue: values.get(p.name) };
}

/** A sysctl command that also fails on the errors sysctl reports with status 0. */
function sysctlStep(words: string, failure: string): Step {
  const bad = `^sysctl: setting key "[^"]+": (Invalid argument|Read-only file system)$`;
  return {
    kind: 'exec',
    cmd:
      `${SBIN_PATH}; rp_o=$(LANG=C LC_ALL=C LC_MESSAGES=C sysctl ${words} 2>&1); rp_r=$?; ` +
      `if [ $rp_r -ne 0 ] || printf '%s\\n' "$rp_o" | grep -Eq ${quote(bad)}; then printf '%s%s' ${quote(failure)} "$rp_o" >&2; [ -z "$rp_o" ] || echo >&2; exit 1; fi`,
    // Ansible's message is the prefix and sysctl's output, final newline included
    stderrIsMessage: true,
  };
}

export function planSysctl(p: SysctlPrepared, facts: SysctlFacts): Plan {
  const a = p.args;
  if (!facts.haveSysctl) {
    const dirs = facts.path.split(':');
    for (const d of ['/sbin', '/usr/sbin', '/usr/local/sbin']) if (!dirs.includes(d)) dirs.push(d);
    throw new ModuleFailure(`Failed to find required executable "sysctl" in paths: ${dirs.join(':')}`);
  }
  const present = (a.state ?? 'present') === 'present';
  const { lines, fileValue } = fixLines(p, facts.text);
  let changed = false;
  let writeFile = false;
  let setProc = false;
  if (fileValue === undefined) {
    if (present) changed = writeFile = true;
  } else if (fileValue && !present) {
    changed = writeFile = true;
  } else if (fileValue !== p.value) {
    changed = writeFile = true;
  } else if (a.reload ?? true) {
    if (!sameValue(facts.current, p.value)) changed = true;
  }
  if ((a.sysctl_set ?? false) && present) {
    if (facts.current === undefined) changed = true;
    else if (!sameValue(facts.current, p.value)) changed = setProc = true;
  }
  const e = a.ignoreerrors ? '-e ' : '';
  const steps: Step[] = [];
  if (setProc) {
    // Ansible quotes the value in a command line that shlex splits again: one word NAME=VALUE
    steps.push(sysctlStep(`${e}-w ${quote(`${p.name}=${p.value}`)}`, `setting ${p.name} failed: `));
  }
  if (writeFile) steps.push({ kind: 'put', path: p.file, content: Buffer.from(lines.map((l) => `${l.trim()}\n`).join('')) });
  if (changed && (a.reload ?? true)) steps.push(sysctlStep(`${e}-p ${quote(p.file)}`, 'Failed to reload sysctl: '));
  // Ansible's sysctl returns `changed` alone, without a diff
  return { steps, changed };
}

export const sysctlModule = defineModule<SysctlArgs, SysctlPrepared, SysctlFacts>({
  name: 'sysctl',
  aliases: ['ansible.posix.sysctl'],
  summary: 'Set a kernel parameter in a sysctl file, and optionally in the running kernel (ansible.posix)',
  schema,
  argAliases: { key: 'name', val: 'value' },
  constraints: { required_if: [['state', 'present', ['value']]] },
  checkMode: 'plan',
  prepare: prepareSysctl,
  probe: sysctlProbe,
  parse: parseSysctl,
  plan: planSysctl,
});
