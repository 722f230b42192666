import type { RunEvent } from './events.js';
import type { SecretMasker } from './secret-masker.js';

export interface ReporterOptions {
  /** 0 = normal, 1..4 for -v..-vvvv. */
  verbosity: number;
  color: boolean;
  /** --diff: show `diff` of changed results. A host-result's own `diff` flag overrides it. */
  diff: boolean;
  check: boolean;
  /** stdout */
  write: (text: string) => void;
  /** stderr, for warnings, deprecations and errors. Defaults to process.stderr. */
  writeErr?: (text: string) => void;
  /** Terminal width; default 80. Banners fill max(79, columns - 1) like Ansible's Display. */
  columns?: number;
  /** ansible.cfg display_skipped_hosts (default true). */
  displaySkippedHosts?: boolean;
  /** ansible.cfg display_ok_hosts (default true). */
  displayOkHosts?: boolean;
  /** ansible.cfg display_failed_stderr (default false): failure lines go to stderr. */
  displayFailedStderr?: boolean;
  /** ansible.cfg show_task_path_on_failure (default false): "task path:" before a failure below -vv. */
  showTaskPathOnFailure?: boolean;
  /** ansible.cfg show_custom_stats (default false): set_stats totals after the recap. */
  showCustomStats?: boolean;
  /** ansible.cfg check_mode_markers (default false): a DRY RUN banner, and " [CHECK MODE]" on the banners of what runs in check mode. */
  checkModeMarkers?: boolean;
  /** Every line printed passes through it. */
  masker?: SecretMasker;
  /** Clock for timestamps in the json reporter (tests). */
  now?: () => Date;
}

export interface Reporter {
  handle(event: RunEvent): void;
  close(): Promise<void>;
}
