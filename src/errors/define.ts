// Factories: each builds one message of one code, and carries that code so that
// a test can check every code has one.

import { LoadError, TaskError, type ErrorAt, type TaskErrorOpts } from './classes.js';
import { LOAD_CODES, type LoadCode, type TaskCode } from './codes.js';

export interface LoadErrorFactory<A extends unknown[]> {
  /** The message's arguments, then where the error points and what to suggest. */
  (...args: [...A, ErrorAt]): LoadError;
  readonly code: LoadCode;
  /** How many message arguments come before the ErrorAt. */
  readonly arity: number;
}

/** A factory of one message of `code`; the error's exit kind comes from the table. */
export function defineLoadError<A extends unknown[]>(code: LoadCode, message: (...args: A) => string): LoadErrorFactory<A> {
  const make = (...args: [...A, ErrorAt]) => {
    const at = args[args.length - 1] as ErrorAt;
    return new LoadError(code, LOAD_CODES[code].kind, message(...(args.slice(0, -1) as A)), at);
  };
  return Object.assign(make, { code, arity: message.length });
}

export interface TaskErrorFactory<A extends unknown[]> {
  (...args: [...A, TaskErrorOpts]): TaskError;
  readonly code: TaskCode;
  readonly arity: number;
}

export function defineTaskError<A extends unknown[]>(code: TaskCode, message: (...args: A) => string): TaskErrorFactory<A> {
  const make = (...args: [...A, TaskErrorOpts]) => {
    const opts = args[args.length - 1] as TaskErrorOpts;
    return new TaskError(code, message(...(args.slice(0, -1) as A)), opts);
  };
  return Object.assign(make, { code, arity: message.length });
}
