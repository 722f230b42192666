// The messages of task errors: each fails one task on one host (the engine turns
// it into a failed result), never the run. Factories take the message's values,
// then `{ pos, result }`.

import { defineTaskError as def } from './define.js';

export const errModuleFailed = def('MODULE_FAILED', (detail: string) => detail);
export const errTemplate = def('TEMPLATE_ERROR', (where: string, detail: string) => `template error while templating ${where}: ${detail}`);
export const errUndefinedVariable = def('UNDEFINED_VARIABLE', (detail: string) => `The task includes an option with an undefined variable. ${detail}`);
export const errConditional = def('CONDITIONAL_ERROR', (condition: string, detail: string) => `The conditional check '${condition}' failed. The error was: ${detail}`);
export const errLoop = def('LOOP_ERROR', (got: string) => `Invalid data passed to 'loop', it requires a list, got this instead: ${got}.`);
export const errTaskArgs = def('BAD_TASK_ARGS', (detail: string) => detail);
export const errMissingFile = def('MISSING_FILE', (file: string) => `Could not find or access '${file}' on the Ansible Controller.`);
