// Reporters turn the RunEvent stream into what users see.
export type { Reporter, ReporterOptions } from './options.js';
export { createDefaultReporter } from './default-reporter.js';
export { createJsonReporter } from './json-reporter.js';
export { shouldUseColor } from './colors.js';
export { formatRecapLine, hostStatsFromEvents } from './recap.js';
export { SecretMasker, MASK, MIN_SECRET_LENGTH } from './secret-masker.js';
export { formatDiff } from './diff-format.js';
export type { RunEvent, HostStats, TaskRef, HostStatus, EventSink } from './events.js';
export { emptyStats } from './events.js';
