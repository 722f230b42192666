// The error classes. A LoadError is a mistake in the user's input found before any
// host is contacted (playbook, roles, inventory, vault, options): the run never
// starts, and the CLI prints it in Ansible's layout (message, then where) plus a hint, never with
// a stack trace (unless -vvv), mapped to ansible-playbook's exit codes. A TaskError
// fails one task on one host and the run goes on, so it is never thrown past the engine.

import { readFileSync } from 'node:fs';
import type { LoadCode, TaskCode, UserErrorKind } from './codes.js';

export type { UserErrorKind };

export interface SourcePos {
  file: string;
  /** 1-based */
  line: number;
  /** 1-based */
  col: number;
}

export const EXIT = {
  ok: 0,
  error: 1,
  hostFailed: 2,
  /** Ansible also uses 4 for parser errors in playbooks, roles and inventories. */
  unreachable: 4,
  parse: 4,
  badOptions: 5,
  interrupted: 99,
  unexpected: 250,
} as const;

/**
 * The base of every error the user caused. Code outside the loaders still builds
 * these directly with a message; new code throws a LoadError from a factory of
 * src/errors/, which carries a code as well.
 */
export class UserError extends Error {
  readonly kind: UserErrorKind;
  readonly pos?: SourcePos;
  readonly hint?: string;
  /** Set by LoadError; undefined for errors built without a code. */
  declare readonly code?: LoadCode;
  constructor(message: string, opts: { pos?: SourcePos; hint?: string; kind?: UserErrorKind } = {}) {
    super(message);
    this.name = 'UserError';
    this.kind = opts.kind ?? 'parse';
    this.pos = opts.pos;
    this.hint = opts.hint;
  }
  get exitCode(): number {
    return this.kind === 'options' ? EXIT.badOptions : this.kind === 'parse' ? EXIT.parse : EXIT.error;
  }
}

/** Where a load error points and what to suggest; the message comes from the factory. */
export interface ErrorAt {
  pos?: SourcePos;
  hint?: string;
}

export class LoadError extends UserError {
  declare readonly code: LoadCode;
  constructor(code: LoadCode, kind: UserErrorKind, message: string, at: ErrorAt = {}) {
    super(message, { ...at, kind });
    this.name = 'LoadError';
    Object.defineProperty(this, 'code', { value: code, enumerable: true });
  }
}

export interface TaskErrorOpts {
  pos?: SourcePos;
  /** Extra fields for the task result, e.g. `rc`, `stderr` or `exception`. */
  result?: Record<string, unknown>;
}

/**
 * One task failed on one host. The engine turns it into a failed task result
 * (`failed: true`, `msg`, plus `result`), never into a crashed run.
 */
export class TaskError extends Error {
  readonly code: TaskCode;
  readonly pos?: SourcePos;
  /** Extra fields for the task result, e.g. `rc`, `stderr` or `exception`. */
  readonly result?: Record<string, unknown>;
  constructor(code: TaskCode, message: string, opts: TaskErrorOpts = {}) {
    super(message);
    this.name = 'TaskError';
    this.code = code;
    this.pos = opts.pos;
    this.result = opts.result;
  }
}

export function formatPos(pos: SourcePos | undefined): string {
  return pos ? `${pos.file}:${pos.line}:${pos.col}` : '';
}

/** A problem the run goes on after (Ansible finds it only when the task runs). */
export function formatUserWarning(err: UserError): string {
  const where = formatPos(err.pos);
  let text = `[WARNING]: ${where ? where + ': ' : ''}${err.message}`;
  if (err.hint) text += `\n  hint: ${err.hint}`;
  return text;
}

/**
 * Ansible's layout (AnsibleError.message with YAML_POSITION_DETAILS): the message first, so
 * scripts grepping `ERROR! <message>` match, then where it is and the offending line, then our
 * hint. The code stays on the object (and in JSON output), not in this text.
 */
export function formatUserError(err: UserError): string {
  let text = `ERROR! ${err.message}`;
  if (err.pos) text += `\n\n${positionDetails(err.pos)}`;
  if (err.hint) text += `\n  hint: ${err.hint}`;
  return text;
}

function positionDetails(pos: SourcePos): string {
  let text = `The error appears to be in '${pos.file}': line ${pos.line}, column ${pos.col}, but may\n` +
    'be elsewhere in the file depending on the exact syntax problem.\n';
  const lines = sourceLines(pos.file);
  if (!lines || lines.length === 0) return text.slice(0, -1);
  // Like Ansible: past the end means the last line, and blank lines step back to real content.
  let n = Math.min(pos.line - 1, lines.length - 1);
  while (n > 0 && !lines[n]!.trim()) n--;
  const target = lines[n]!;
  // Encrypted content is never echoed (Ansible's show_content=False for vault data).
  if (!target.trim() || target.includes('$ANSIBLE_VAULT')) return text.slice(0, -1);
  const prev = n > 0 ? lines[n - 1]! : '';
  text += `\nThe offending line appears to be:\n\n${prev.trimEnd()}\n${target.trimEnd()}\n${' '.repeat(Math.max(0, pos.col - 1))}^ here`;
  return text;
}

function sourceLines(file: string): string[] | undefined {
  try {
    return readFileSync(file, 'utf8').split('\n');
  } catch {
    return undefined;
  }
}
