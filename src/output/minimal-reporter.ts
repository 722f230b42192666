// What the `ansible` ad-hoc command prints: Ansible's `minimal` callback (one
// "host | STATE => {json}" block per host, command output as "host | STATE | rc=N >>"),
// or `oneline` with -o. No banners and no recap; warnings, deprecations and errors are
// told as the default callback tells them.
import type { RunEvent } from './events.js';
import type { Reporter, ReporterOptions } from './options.js';
import { COLOR, paint, type ColorCode } from './colors.js';
import { createDefaultReporter } from './default-reporter.js';
import { SecretMasker } from './secret-masker.js';
import { cleanResult, stripInternalKeys } from './result-format.js';
import { pyJsonDumps } from './py-format.js';
import { formatDiff } from './diff-format.js';

/** C.MODULE_NO_JSON: their output is shown as text, not as a result dict. */
const NO_JSON = new Set(['command', 'shell', 'raw'].flatMap((m) => [m, `ansible.builtin.${m}`, `ansible.legacy.${m}`]));

export type AdhocStyle = 'minimal' | 'oneline';

class MinimalReporter implements Reporter {
  private readonly masker: SecretMasker;
  /** Warnings, deprecations and errors read as under the default callback. */
  private readonly told: Reporter;

  constructor(
    private readonly opts: ReporterOptions,
    private readonly style: AdhocStyle,
  ) {
    this.masker = opts.masker ?? new SecretMasker();
    this.told = createDefaultReporter({ ...opts, masker: this.masker });
  }

  handle(event: RunEvent): void {
    if (event.kind === 'warning' || event.kind === 'deprecation' || event.kind === 'error') {
      this.told.handle(event);
      return;
    }
    if (event.kind !== 'host-result' || event.loop) return;
    const r = this.masker.maskValue(cleanResult(event.result, event.task.action)) as Record<string, unknown>;
    const host = this.masker.mask(event.host);
    if (Array.isArray(r.warnings)) for (const w of r.warnings) this.told.handle({ kind: 'warning', message: String(w) });
    delete r.warnings;
    const noJson = NO_JSON.has(event.task.action);
    switch (event.status) {
      case 'ok':
      case 'changed': {
        const state = event.status === 'changed' ? 'CHANGED' : 'SUCCESS';
        const color = event.status === 'changed' ? COLOR.changed : COLOR.ok;
        if (this.opts.diff && r.diff && event.status === 'changed') {
          const text = formatDiff(r.diff, this.opts.color, (s) => this.masker.mask(s));
          if (text) this.opts.write(text.endsWith('\n') ? text : text + '\n');
        }
        this.show(noJson && !('ansible_job_id' in r) ? this.commandText(host, r, state) : `${host} | ${state} => ${this.dump(r)}`, color);
        return;
      }
      case 'failed':
        this.show(noJson && !('module_stderr' in r) ? this.commandText(host, r, 'FAILED') : `${host} | FAILED! => ${this.dump(r)}`, COLOR.error);
        return;
      case 'unreachable':
        this.show(this.style === 'oneline' ? `${host} | UNREACHABLE!: ${String(r.msg ?? '')}` : `${host} | UNREACHABLE! => ${this.dump(r)}`, COLOR.unreachable);
        return;
      case 'skipped':
        this.show(`${host} | SKIPPED`, COLOR.skip);
        return;
    }
  }

  async close(): Promise<void> {
    await this.told.close();
  }

  /** _dump_results: indent 4 (minimal) or one line (oneline), sorted keys, no internals. */
  private dump(r: Record<string, unknown>): string {
    const shown = stripInternalKeys(r) as Record<string, unknown>;
    if (this.opts.verbosity < 3) {
      delete shown.invocation;
      delete shown.diff;
    }
    delete shown.exception;
    return this.style === 'oneline' ? pyJsonDumps(shown, { indent: 0, sortKeys: true }).replace(/\n/g, '') : pyJsonDumps(shown, { indent: 4, sortKeys: true });
  }

  private commandText(host: string, r: Record<string, unknown>, state: string): string {
    const rc = r.rc ?? -1;
    const str = (k: string) => (typeof r[k] === 'string' ? (r[k] as string) : '');
    if (this.style === 'oneline') {
      const esc = (s: string) => s.replace(/\n/g, '\\n').replace(/\r/g, '\\r');
      const base = `${host} | ${state} | rc=${String(rc)} | (stdout) ${esc(str('stdout'))}`;
      return str('stderr') ? `${base} (stderr) ${esc(str('stderr'))}` : base;
    }
    return `${host} | ${state} | rc=${String(rc)} >>\n${str('stdout')}${str('stderr')}${str('msg')}\n`;
  }

  /** Display.display: a message already ending in a newline gets no second one. */
  private show(text: string, color: ColorCode): void {
    const body = text.endsWith('\n') ? text.slice(0, -1) : text;
    this.opts.write(paint(body, color, this.opts.color) + '\n');
  }
}

export function createMinimalReporter(opts: ReporterOptions, style: AdhocStyle = 'minimal'): Reporter {
  return new MinimalReporter(opts, style);
}
