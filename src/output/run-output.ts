// Everything a run writes, behind one sink: the terminal (live view or Ansible's lines),
// the drift summary after PLAY RECAP in check mode, the report files, and the exit code
// with --detailed-exitcode.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import { createDefaultReporter } from './default-reporter.js';
import { computeDrift, detailedExitCode, formatDriftSummary } from './drift.js';
import type { RunEvent } from './events.js';
import { createJsonReporter } from './json-reporter.js';
import { createLiveViewReporter } from './live-view.js';
import { createMinimalReporter, type AdhocStyle } from './minimal-reporter.js';
import type { Reporter, ReporterOptions } from './options.js';
import { renderHtmlReport } from './report-html.js';
import { buildRunReport, renderJsonReport, type RunReport } from './report-json.js';
import { renderJunitReport } from './report-junit.js';
import type { ReportSpec } from './report-spec.js';
import { RunRecorder } from './run-record.js';
import { SecretMasker } from './secret-masker.js';

export interface RunOutputOptions {
  reporter: ReporterOptions;
  /** ansible.cfg stdout_callback: `default` or `json`. */
  stdoutCallback?: string;
  /** Draw the live view (decided by shouldUseLiveView). */
  live?: boolean;
  detailedExitcode?: boolean;
  reports?: ReportSpec[];
  meta: { version: string; commandLine: string[] };
  now?: () => Date;
}

export interface RunOutput {
  handle(event: RunEvent): void;
  /** Stops the terminal output, writes the reports; returns the process exit code. */
  finish(baseExitCode: number): Promise<number>;
  readonly recorder: RunRecorder;
  /** The report as written (set by finish). */
  report?: RunReport;
}

export function renderReport(spec: ReportSpec, report: RunReport, masker?: SecretMasker): string {
  switch (spec.format) {
    case 'json':
      return renderJsonReport(report, masker);
    case 'junit':
      return renderJunitReport(report, masker);
    case 'html':
      return renderHtmlReport(report, masker);
  }
}

class Output implements RunOutput {
  readonly recorder: RunRecorder;
  report?: RunReport;
  private readonly terminal: Reporter;
  private readonly masker: SecretMasker;
  private readonly jsonStdout: boolean;
  /** The ad-hoc command's callbacks print neither a recap nor a drift summary. */
  private readonly adhoc: boolean;
  private finished = false;

  constructor(private readonly o: RunOutputOptions) {
    this.masker = o.reporter.masker ?? new SecretMasker();
    const ro = { ...o.reporter, masker: this.masker };
    this.jsonStdout = o.stdoutCallback === 'json';
    this.adhoc = o.stdoutCallback === 'minimal' || o.stdoutCallback === 'oneline';
    this.terminal = this.jsonStdout
      ? createJsonReporter(ro)
      : this.adhoc
        ? createMinimalReporter(ro, o.stdoutCallback as AdhocStyle)
        : o.live
          ? createLiveViewReporter(ro)
          : createDefaultReporter(ro);
    this.recorder = new RunRecorder({ check: ro.check, diff: ro.diff, now: o.now });
  }

  handle(event: RunEvent): void {
    this.recorder.handle(event);
    this.terminal.handle(event);
  }

  async finish(baseExitCode: number): Promise<number> {
    if (this.finished) throw new Error('run output finished twice');
    this.finished = true;
    await this.terminal.close();
    const record = this.recorder.finish();
    const drift = computeDrift(record);
    const ro = this.o.reporter;
    const sawRecap = Object.keys(record.recap).length > 0;
    if (record.check && !this.jsonStdout && !this.adhoc && sawRecap) {
      ro.write(this.masker.mask(formatDriftSummary(drift, { color: ro.color, diff: ro.diff, columns: ro.columns, mask: (s) => this.masker.mask(s) })));
    }
    const exitCode = this.o.detailedExitcode ? detailedExitCode(baseExitCode, drift) : baseExitCode;
    const specs = this.o.reports ?? [];
    if (specs.length) {
      this.report = buildRunReport(record, { ...this.o.meta, exitCode, detailedExitcode: !!this.o.detailedExitcode });
      for (const spec of specs) {
        const text = renderReport(spec, this.report, this.masker);
        try {
          await mkdir(path.dirname(spec.path), { recursive: true });
          await writeFile(spec.path, text);
        } catch (e) {
          throw new UserError(`cannot write the ${spec.format} report to ${spec.path}: ${(e as Error).message}`, {
            kind: 'error',
            hint: 'check that the directory is writable, or give another path with --report',
          });
        }
      }
    }
    return exitCode;
  }
}

export function createRunOutput(opts: RunOutputOptions): RunOutput {
  return new Output(opts);
}
