// Errors: every mistake a user can make, with a code from one table (errors/codes.ts)
// and a factory building its message (errors/load-errors-*.ts, errors/task-errors.ts).
// This file is the one import for the rest of the project.

export * from './errors/classes.js';
export * from './errors/codes.js';
export * from './errors/define.js';
export * from './errors/did-you-mean.js';
export * from './errors/load-errors-playbook.js';
export * from './errors/load-errors-input.js';
export * from './errors/load-errors-play.js';
export * from './errors/task-errors.js';
