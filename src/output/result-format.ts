// What of a task result Ansible shows, and how. Mirrors, in order:
//   - TaskResult.clean_copy (lib/ansible/executor/task_result.py): callbacks never see the
//     `failed`/`skipped` flags, internal `_ansible_*` keys are stripped,
//   - TaskExecutor: a result without `changed` reports `"changed": false`,
//   - CallbackBase._clean_results: debug shows only its msg (or only the variable),
//   - CallbackBase._dump_results: invocation and diff hidden below -vvv, exception always
//     hidden, keys sorted, indent 4 at -vvv or for "verbose always" results (debug).
import type { ModuleResult } from '../modules/types.js';
import { pyJsonDumps } from './py-format.js';

export const DEBUG_ACTIONS = new Set(['debug', 'ansible.builtin.debug', 'ansible.legacy.debug']);
const DEBUG_ALLOWED_KEYS = new Set(['msg', 'exception', 'warnings', 'deprecations']);
const HIDE_IN_DEBUG = ['changed', 'failed', 'skipped', 'invocation', 'skip_reason'];

export function isDebugAction(action: string): boolean {
  return DEBUG_ACTIONS.has(action);
}

/** Ansible's strip_internal_keys: drop `_ansible_*` keys at every depth. */
export function stripInternalKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripInternalKeys);
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Date || Buffer.isBuffer(value) || value instanceof Uint8Array) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k.startsWith('_ansible_')) continue;
    out[k] = stripInternalKeys(v);
  }
  return out;
}

/**
 * The result as a callback receives it: a shallow copy without failed/skipped, `changed`
 * defaulted, debug's extra keys removed. Internal keys stay (they steer the display).
 */
export function cleanResult(result: ModuleResult, action: string): Record<string, unknown> {
  const r: Record<string, unknown> = { ...result };
  delete r.failed;
  delete r.skipped;
  if (!('changed' in r)) r.changed = false;
  if (isDebugAction(action)) {
    if ('msg' in r) {
      for (const k of Object.keys(r)) if (!DEBUG_ALLOWED_KEYS.has(k) && !k.startsWith('_')) delete r[k];
    } else {
      for (const k of HIDE_IN_DEBUG) delete r[k];
    }
  }
  return r;
}

/** Ansible's _run_is_verbose. */
export function runIsVerbose(result: Record<string, unknown>, verbosity: number, minVerbosity = 0): boolean {
  return (verbosity > minVerbosity || result._ansible_verbose_always === true) && result._ansible_verbose_override !== true;
}

/** Ansible's _dump_results with the json result_format. */
export function dumpResult(result: Record<string, unknown>, verbosity: number): string {
  const indent = result._ansible_verbose_always === true || verbosity > 2 ? 4 : undefined;
  const shown = stripInternalKeys(result) as Record<string, unknown>;
  if (verbosity < 3) {
    delete shown.invocation;
    delete shown.diff;
  }
  delete shown.exception;
  return pyJsonDumps(shown, { indent, sortKeys: true });
}
