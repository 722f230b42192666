// Load errors found when a play starts (its strategy, vars_files, serial, a task's
// throttle): ansible-playbook finds these only then, and stops the run with exit 1.
import { defineLoadError as def } from './define.js';

export const errBadStrategy = def('BAD_STRATEGY', (name: string) => `Invalid play strategy specified: ${name}`);
export const errVarsFileNotFound = def('VARS_FILE_NOT_FOUND', (candidates: string) => `vars file ${candidates} was not found`);
export const errBadVarsFile = def('BAD_VARS_FILE', (file: string) => `vars file ${file} must contain a dictionary of variables`);
export const errBadSerial = def('BAD_SERIAL', (spec: string) => `serial must be a number, a percentage or a list of them, got ${spec}`);
export const errBadThrottle = def('BAD_THROTTLE', (raw: string) => `Failed to convert the throttle value to an integer: ${raw}`);
