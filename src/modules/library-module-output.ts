// Reading what a library module printed, as Ansible's action base does: junk lines around
// the JSON object are dropped (_filter_non_json_lines), output that is no JSON object is a
// MODULE FAILURE with the raw output, and keys a module may not set are removed
// (remove_internal_keys).
import type { ExecResult } from '../transport/types.js';
import type { ModuleResult } from './types.js';
import { pyText } from './library-module-source.js';

// Python's str.splitlines() boundaries.
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

function splitLines(s: string): string[] {
  const lines = s.split(LINE_BREAK);
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export class NoJsonError extends Error {}

/**
 * The JSON part of a module's output: from the first line starting with `{` (or `[`
 * unless objectsOnly) to the last line ending with the matching bracket. Trailing
 * non-blank junk gives a warning in Ansible's words. Throws NoJsonError without one.
 */
export function filterNonJsonLines(data: string, objectsOnly = false): { json: string; warnings: string[] } {
  const all = splitLines(data);
  let start = -1;
  let endChar = '';
  for (let i = 0; i < all.length; i++) {
    const line = all[i].trim();
    if (line.startsWith('{')) {
      endChar = '}';
    } else if (!objectsOnly && line.startsWith('[')) {
      endChar = ']';
    } else continue;
    start = i;
    break;
  }
  if (start < 0) throw new NoJsonError('No start of json char found');
  const lines = all.slice(start);
  let end = lines.length - 1;
  while (end >= 0 && !lines[end].trim().endsWith(endChar)) end--;
  if (end < 0) throw new NoJsonError('No end of json char found');
  const trailing = lines.slice(end + 1);
  const warnings = trailing.some((l) => l.trim()) ? [`Module invocation had junk after the JSON data: ${trailing.join('\n')}`] : [];
  return { json: lines.slice(0, end + 1).join('\n'), warnings };
}

function moduleFailure(res: ExecResult, interpreter: readonly string[]): ModuleResult {
  const out: ModuleResult = { failed: true, _ansible_parsed: false, module_stdout: res.stdout, module_stderr: res.stderr };
  if (res.stderr.startsWith('Traceback')) out.exception = res.stderr;
  else if (res.stdout.startsWith('Traceback')) out.exception = res.stdout;
  let msg = 'MODULE FAILURE';
  if (interpreter.length) {
    const word = interpreter.join(' ').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const missing = new RegExp(`${word}: (?:No such file or directory|not found)`);
    if (missing.test(res.stderr) || missing.test(res.stdout)) msg = 'The module failed to execute correctly, you probably need to set the interpreter.';
  }
  out.msg = `${msg}\nSee stdout/stderr for the exact error`;
  out.rc = res.rc;
  return out;
}

/**
 * The task result from a library module's run: its JSON object, cleaned as Ansible cleans
 * it, and the warnings Ansible shows while reading it (not part of the result).
 */
export function parseModuleOutput(res: ExecResult, interpreter: readonly string[]): { result: ModuleResult; warnings: string[] } {
  let data: unknown;
  let warnings: string[] = [];
  try {
    const filtered = filterNonJsonLines(res.stdout, true);
    warnings = filtered.warnings;
    data = JSON.parse(filtered.json);
  } catch {
    return { result: moduleFailure(res, interpreter), warnings };
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) return { result: moduleFailure(res, interpreter), warnings };
  const result = data as ModuleResult;
  for (const key of Object.keys(result)) {
    if (key.startsWith('_ansible_') || key === 'add_host' || key === 'add_group') {
      warnings.push(`Removed unexpected internal key in module return: ${key} = ${pyText(result[key])}`);
      delete result[key];
    }
  }
  for (const key of ['warnings', 'deprecations'] as const) {
    const v = result[key];
    if (key in result && (!v || (Array.isArray(v) && !v.length))) delete result[key];
  }
  const facts = result.ansible_facts;
  if (facts && typeof facts === 'object') {
    for (const k of Object.keys(facts)) if (k.startsWith('discovered_interpreter_') || k.startsWith('ansible_discovered_interpreter_')) delete facts[k];
  }
  // a `results` that is no list would be taken for a loop's results
  if ('results' in result && !Array.isArray(result.results)) {
    result.ansible_module_results = result.results;
    delete result.results;
    warnings.push("Found internal 'results' key in module return, renamed to 'ansible_module_results'.");
  }
  if ('stdout' in result && !('stdout_lines' in result)) result.stdout_lines = splitLines(typeof result.stdout === 'string' ? result.stdout : '');
  if ('stderr' in result && !('stderr_lines' in result)) result.stderr_lines = splitLines(typeof result.stderr === 'string' ? result.stderr : '');
  return { result, warnings };
}
