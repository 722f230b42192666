// Ansible's terminal colors (constants.COLOR_CODES and the COLOR_* defaults in
// lib/ansible/config/base.yml) and its rules for when to use them (lib/ansible/utils/color.py).
import { ansibleBool } from '../boolean.js';

const SGR = {
  green: '0;32',
  yellow: '0;33',
  cyan: '0;36',
  red: '0;31',
  brightRed: '1;31',
  purple: '0;35',
  brightPurple: '1;35',
  darkGray: '1;30',
  blue: '0;34',
} as const;

/** Ansible's role names for colors, mapped to their default SGR codes. */
export const COLOR = {
  ok: SGR.green,
  changed: SGR.yellow,
  skip: SGR.cyan,
  error: SGR.red,
  unreachable: SGR.brightRed,
  warn: SGR.brightPurple,
  deprecate: SGR.purple,
  debug: SGR.darkGray,
  verbose: SGR.blue,
  included: SGR.cyan,
  diffAdd: SGR.green,
  diffRemove: SGR.red,
  diffLines: SGR.cyan,
} as const;

export type ColorCode = (typeof COLOR)[keyof typeof COLOR];

/**
 * Like Ansible's stringc: every line is wrapped on its own, so a multi-line result stays
 * colored when a pager or CI log splits it into lines.
 */
export function paint(text: string, color: ColorCode | undefined, enabled: boolean): string {
  if (!enabled || !color) return text;
  return text
    .split('\n')
    .map((line) => `\u001b[${color}m${line}\u001b[0m`)
    .join('\n');
}

/**
 * Color when stdout is a terminal that can show it. Order follows Ansible's color.py, where
 * forcing wins over disabling: ANSIBLE_FORCE_COLOR (and Node's FORCE_COLOR, unless it is
 * "0"/"false") turns color on; ANSIBLE_NOCOLOR or NO_COLOR (any non-empty value, per
 * no-color.org, which Ansible honors since 2.11) turn it off; otherwise a TTY whose TERM is
 * not "dumb".
 */
export function shouldUseColor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv): boolean {
  if (ansibleBool(env.ANSIBLE_FORCE_COLOR)) return true;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    const f = force.trim().toLowerCase();
    if (f === '0' || f === 'false') return false;
    return true;
  }
  if (ansibleBool(env.ANSIBLE_NOCOLOR)) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (!stream.isTTY) return false;
  if (env.TERM === 'dumb') return false;
  return true;
}
