// Ansible's `default` stdout callback (lib/ansible/plugins/callback/default.py), fed by our
// RunEvent stream. Line shapes, colors and blank lines follow that plugin and
// lib/ansible/utils/display.py so an Ansible user reads the output without thinking.
import { basename } from 'node:path';
import type { RunEvent, TaskRef } from './events.js';
import type { Reporter, ReporterOptions } from './options.js';
import { COLOR, paint, type ColorCode } from './colors.js';
import { SecretMasker } from './secret-masker.js';
import { cleanResult, dumpResult, isDebugAction, runIsVerbose } from './result-format.js';
import { formatDiff } from './diff-format.js';
import { customStatsLines, formatRecapLine } from './recap.js';
import { pyStr } from './py-format.js';
import { textWidth, wrapText } from './text.js';

type HostResult = Extract<RunEvent, { kind: 'host-result' }>;

const CENSORED_ITEM = '(censored due to no_log)';

class DefaultReporter implements Reporter {
  private readonly masker: SecretMasker;
  /** Display.columns: max(79, terminal width - 1). */
  private readonly columns: number;
  private readonly showSkipped: boolean;
  private readonly showOk: boolean;
  private readonly failedToStderr: boolean;
  private readonly writeErr: (text: string) => void;
  private lastBannerUid: string | undefined;
  private readonly bannerPrefix = new Map<string, string>();
  /** task uid + host pairs that reported loop items, so their aggregate result stays quiet. */
  private readonly loopsSeen = new Set<string>();
  private pendingIncludes: Array<{ file: string; hosts: string[]; item?: string }> = [];
  private readonly warned = new Set<string>();

  constructor(private readonly opts: ReporterOptions) {
    this.masker = opts.masker ?? new SecretMasker();
    this.columns = Math.max(79, (opts.columns ?? 80) - 1);
    this.showSkipped = opts.displaySkippedHosts ?? true;
    this.showOk = opts.displayOkHosts ?? true;
    this.failedToStderr = opts.displayFailedStderr ?? false;
    this.writeErr = opts.writeErr ?? ((t) => void process.stderr.write(t));
  }

  handle(event: RunEvent): void {
    if (event.kind !== 'include') this.flushIncludes();
    switch (event.kind) {
      case 'playbook-start':
        if (event.check && this.opts.checkModeMarkers) this.banner('DRY RUN');
        if (this.opts.verbosity > 1) {
          this.banner(`PLAYBOOK: ${basename(event.path)}`);
          // ansible-playbook -vv says how many plays the playbook has (tests count on it).
          if (event.plays !== undefined) this.display(`${event.plays} plays in ${event.path}`);
        }
        return;
      case 'play-start': {
        const name = (event.name || event.pattern || '').trim();
        this.lastBannerUid = undefined;
        const marker = this.checkMarker(event.checkMode);
        this.banner(name ? `PLAY [${name}]${marker}` : `PLAY${marker}`);
        return;
      }
      case 'no-hosts':
        this.display('skipping: no hosts matched', COLOR.skip);
        return;
      case 'task-start':
        this.taskStart(event.task, 'TASK');
        return;
      case 'handler-start':
        this.taskStart(event.task, 'RUNNING HANDLER');
        return;
      case 'host-result':
        this.hostResult(event);
        return;
      case 'include': {
        // Ansible prints one line per included file, listing the hosts that include it.
        // An include in a loop: one line per file and item.
        // an include's ok result shows its banner even with ok or skipped hosts hidden (the
        // default callback's v2_runner_on_ok for a TaskInclude)
        if (event.task) this.ensureBanner(event.task);
        const item = event.item === undefined ? undefined : pyStr(this.masker.maskValue(event.item));
        const same = this.pendingIncludes.find((p) => p.file === event.file && p.item === item);
        if (!same) this.pendingIncludes.push({ file: event.file, hosts: [event.host], item });
        else if (!same.hosts.includes(event.host)) same.hosts.push(event.host);
        return;
      }
      case 'warning':
        this.warning(event.message, event.scope);
        return;
      case 'exec-trace':
        // the connection plugins' display.vvv("EXEC ...", host=...)
        if (this.opts.verbosity >= 3) this.display(`<${event.host}> EXEC /bin/sh -c '${this.masker.mask(event.command).replace(/'/g, `'"'"'`)}'`);
        return;
      case 'meta-message':
        // strategy/__init__.py _execute_meta: display.vv(f"META: {header}").
        if (this.opts.verbosity >= 2) this.display(`META: ${this.masker.mask(event.message)}`);
        return;
      case 'deprecation':
        this.deprecation(event.message, event);
        return;
      case 'recap': {
        this.banner('PLAY RECAP');
        for (const host of Object.keys(event.stats).sort()) {
          this.display(formatRecapLine(this.masker.mask(host), event.stats[host]!, this.opts.color));
        }
        this.display('');
        const custom = this.opts.showCustomStats ? customStatsLines(event.customStats) : undefined;
        if (custom) {
          this.banner('CUSTOM STATS: ');
          for (const line of custom) this.display(line);
        }
        if (this.opts.check && this.opts.checkModeMarkers) this.banner('DRY RUN');
        return;
      }
      case 'error':
        this.display(`ERROR! ${event.message}`, COLOR.error, true);
        return;
      case 'retry':
        // Ansible's default callback: v2_runner_retry.
        this.display(`FAILED - RETRYING: [${this.masker.mask(event.host)}]: ${this.masker.mask(event.task.name)} (${event.retriesLeft} retries left).`, COLOR.debug);
        return;
      case 'async': {
        // Ansible's default callback: v2_runner_on_async_poll / _ok / _failed
        const on = `on ${this.masker.mask(event.host)}: jid=${event.jid}`;
        const poll = ` started=${String(event.started)} finished=${String(event.finished)}`;
        this.display(event.stage === 'poll' ? `ASYNC POLL ${on}${poll}` : `ASYNC ${event.stage === 'ok' ? 'OK' : 'FAILED'} ${on}`, COLOR.debug);
        return;
      }
      case 'host-progress':
      case 'play-end':
        return;
    }
  }

  async close(): Promise<void> {
    this.flushIncludes();
  }

  // --- Display primitives -------------------------------------------------------------

  /** Display.display: one trailing newline, color applied line by line, secrets masked first. */
  private display(text: string, color?: ColorCode, stderr = false): void {
    let msg = this.masker.mask(text);
    if (msg.endsWith('\n')) msg = msg.slice(0, -1);
    const out = paint(msg, color, this.opts.color) + '\n';
    if (stderr) this.writeErr(out);
    else this.opts.write(out);
  }

  /** " [CHECK MODE]" for a play or task in check mode (its keyword, else --check), when markers are on. */
  private checkMarker(keyword: boolean | undefined): string {
    return this.opts.checkModeMarkers && (keyword ?? this.opts.check) ? ' [CHECK MODE]' : '';
  }

  /** Display.banner: a blank line, then the title padded with at least 3 stars. */
  private banner(title: string): void {
    const msg = this.masker.mask(title).trim();
    const stars = '*'.repeat(Math.max(3, this.columns - textWidth(msg)));
    this.display(`\n${msg} ${stars}`);
  }

  private warning(message: string, scope = ''): void {
    const text = wrapText(this.masker.mask(`[WARNING]: ${message}`), this.columns).join('\n') + '\n';
    if (this.warned.has(`${scope}\u0000${text}`)) return;
    this.warned.add(`${scope}\u0000${text}`);
    this.display(text, COLOR.warn, true);
  }

  /** Display.get_deprecation_message + Display.deprecated. */
  private deprecation(message: string, meta: { version?: string; date?: string; collectionName?: string }): void {
    let msg = message.trim();
    if (msg && !['!', '?', '.'].includes(msg[msg.length - 1]!)) msg += '.';
    const when = meta.date
      ? `in a release after ${meta.date}.`
      : meta.version
        ? `in version ${meta.version}.`
        : 'in a future release.';
    const parts = [
      `[DEPRECATION WARNING]: ${msg}`,
      'This feature will be removed',
      meta.collectionName ? `from ${meta.collectionName}` : '',
      when,
      'Deprecation warnings can be disabled by setting deprecation_warnings=False in ansible.cfg.',
    ].filter(Boolean);
    const text = wrapText(this.masker.mask(parts.join(' ')), this.columns).join('\n');
    if (this.warned.has(text)) return;
    this.warned.add(text);
    this.display(text, COLOR.deprecate, true);
  }

  private flushIncludes(): void {
    for (const inc of this.pendingIncludes) {
      this.display(`included: ${inc.file} for ${inc.hosts.join(', ')}${inc.item === undefined ? '' : ` => (item=${inc.item})`}`, COLOR.included);
    }
    this.pendingIncludes = [];
  }

  // --- Tasks ----------------------------------------------------------------------------

  private taskStart(task: TaskRef, prefix: string): void {
    this.bannerPrefix.set(task.uid, prefix);
    // With ok or skipped hosts hidden, the banner waits for a result worth showing.
    if (this.showSkipped && this.showOk) this.printTaskBanner(task);
  }

  private printTaskBanner(task: TaskRef): void {
    const prefix = this.bannerPrefix.get(task.uid) ?? (task.handler ? 'RUNNING HANDLER' : 'TASK');
    this.banner(`${prefix} [${task.name.trim()}]${this.checkMarker(task.checkMode)}`);
    if (this.opts.verbosity >= 2 && task.path) this.display(`task path: ${task.path}`, COLOR.debug);
    this.lastBannerUid = task.uid;
  }

  private ensureBanner(task: TaskRef): void {
    if (this.lastBannerUid !== task.uid) this.printTaskBanner(task);
  }

  /** CallbackBase._handle_exception: a failed result's exception, its last line unless -vvv. */
  private handleException(r: Record<string, unknown>): void {
    if (!('exception' in r)) return;
    const text = String(r.exception);
    let msg = 'An exception occurred during task execution. ';
    if (this.opts.verbosity < 3) {
      msg += `To see the full traceback, use -vvv. The error was: ${text.trim().split('\n').pop()}`;
    } else {
      msg = `The full traceback is:\n${text}`;
      delete r.exception;
    }
    this.display(msg, COLOR.error, this.failedToStderr);
  }

  /** CallbackBase._handle_warnings: a result's warnings go to stderr before its line. */
  private handleWarnings(r: Record<string, unknown>): void {
    if (Array.isArray(r.warnings)) for (const w of r.warnings) this.warning(String(w));
    delete r.warnings;
    if (Array.isArray(r.deprecations)) {
      for (const d of r.deprecations) {
        if (typeof d === 'object' && d !== null) {
          const o = d as Record<string, unknown>;
          this.deprecation(String(o.msg ?? ''), {
            version: o.version === undefined ? undefined : String(o.version),
            date: o.date === undefined ? undefined : String(o.date),
            collectionName: o.collection_name === undefined ? undefined : String(o.collection_name),
          });
        } else this.deprecation(String(d), {});
      }
    }
    delete r.deprecations;
  }

  private hostLabel(ev: HostResult): string {
    return ev.delegatedTo && ev.delegatedTo !== ev.host ? `${ev.host} -> ${ev.delegatedTo}` : ev.host;
  }

  private dump(r: Record<string, unknown>): string {
    return dumpResult(this.masker.maskValue(r), this.opts.verbosity);
  }

  private showDiff(ev: HostResult, r: Record<string, unknown>, changed: boolean): void {
    if (!(ev.diff ?? this.opts.diff) || !changed || !r.diff) return;
    const text = formatDiff(r.diff, this.opts.color, (s) => this.masker.mask(s));
    if (!text) return;
    this.ensureBanner(ev.task);
    // Already masked and colored line by line; written as Display.display would.
    this.opts.write(text.endsWith('\n') ? text : text + '\n');
  }

  private hostResult(ev: HostResult): void {
    const key = `${ev.task.uid}\u0000${ev.host}`;
    const r = cleanResult(ev.result, ev.task.action);
    // debug marks only what it returned itself: a task that failed before it ran (a bad
    // keyword, an undefined variable, an invalid option) is shown on one line.
    const debugRan = ev.status !== 'skipped' && (ev.status !== 'failed' || 'failed_when_result' in ev.result);
    // A censored result (no_log) keeps none of it, so it is shown as any other.
    if (isDebugAction(ev.task.action) && debugRan && !('_ansible_verbose_always' in r) && typeof ev.result.censored !== 'string') {
      r._ansible_verbose_always = true;
    }
    if (ev.item !== undefined || ev.itemLabel !== undefined) {
      this.loopsSeen.add(key);
      this.itemResult(ev, r);
      return;
    }
    const failedLike = ev.status === 'failed' || ev.status === 'unreachable';
    // Ansible cleans a failed or skipped result before looking for its items; debug's
    // cleaning keeps only msg, so such a debug loop gets its own line ("One or more items failed").
    const ownLine = (failedLike || ev.status === 'skipped') && isDebugAction(ev.task.action) && !Array.isArray(r.results);
    if (ownLine) this.loopsSeen.delete(key);
    else if (ev.loop || (this.loopsSeen.has(key) && Array.isArray(r.results))) {
      // Ansible's _process_items: the items were already shown one by one.
      this.loopsSeen.delete(key);
      if (failedLike && ev.ignored) {
        this.ensureBanner(ev.task);
        this.display('...ignoring', COLOR.skip);
      }
      // v2_runner_on_skipped names the host after the items; ok and failed loops do not
      if (ev.status !== 'skipped') return;
    }
    const label = this.hostLabel(ev);
    switch (ev.status) {
      case 'ok':
      case 'changed': {
        const changed = ev.status === 'changed';
        if (!changed && !this.showOk) return;
        this.ensureBanner(ev.task);
        this.showDiff(ev, r, changed);
        this.handleWarnings(r);
        let msg = `${ev.status}: [${label}]`;
        if (runIsVerbose(r, this.opts.verbosity)) msg += ` => ${this.dump(r)}`;
        this.display(msg, changed ? COLOR.changed : COLOR.ok);
        return;
      }
      case 'skipped': {
        if (!this.showSkipped) return;
        this.ensureBanner(ev.task);
        let msg = `skipping: [${ev.host}]`;
        if (runIsVerbose(r, this.opts.verbosity)) msg += ` => ${this.dump(r)}`;
        this.display(msg, COLOR.skip);
        return;
      }
      case 'failed':
        this.ensureBanner(ev.task);
        this.handleException(r);
        this.handleWarnings(r);
        if (this.opts.verbosity < 2 && this.opts.showTaskPathOnFailure && ev.task.path) this.display(`task path: ${ev.task.path}`, COLOR.debug);
        this.display(`fatal: [${label}]: FAILED! => ${this.dump(r)}`, COLOR.error, this.failedToStderr);
        if (ev.ignored) this.display('...ignoring', COLOR.skip);
        return;
      case 'unreachable':
        this.ensureBanner(ev.task);
        this.display(`fatal: [${label}]: UNREACHABLE! => ${this.dump(r)}`, COLOR.unreachable, this.failedToStderr);
        if (ev.ignored) this.display('...ignoring', COLOR.skip);
        return;
    }
  }

  /**
   * CallbackBase._get_item_label, printed with Python's "%s". A censored item result keeps
   * neither its item nor its label in 2.14 (TaskResult.clean_copy), so it shows None.
   */
  private itemLabel(ev: HostResult, r: Record<string, unknown>): string {
    if (typeof ev.result.censored === 'string') return 'None';
    if (r._ansible_no_log === true) return CENSORED_ITEM;
    const value = '_ansible_item_label' in r ? r._ansible_item_label : (ev.itemLabel ?? ev.item);
    return pyStr(this.masker.maskValue(value));
  }

  private itemResult(ev: HostResult, r: Record<string, unknown>): void {
    const label = this.hostLabel(ev);
    const item = this.itemLabel(ev, r);
    switch (ev.status) {
      case 'ok':
      case 'changed': {
        const changed = ev.status === 'changed';
        if (!changed && !this.showOk) return;
        this.ensureBanner(ev.task);
        this.showDiff(ev, r, changed);
        let msg = `${ev.status}: [${label}] => (item=${item})`;
        if (runIsVerbose(r, this.opts.verbosity)) msg += ` => ${this.dump(r)}`;
        this.display(msg, changed ? COLOR.changed : COLOR.ok);
        return;
      }
      case 'skipped': {
        if (!this.showSkipped) return;
        this.ensureBanner(ev.task);
        // The trailing space is Ansible's own ("... => (item=%s) ").
        let msg = `skipping: [${ev.host}] => (item=${item}) `;
        if (runIsVerbose(r, this.opts.verbosity)) msg += ` => ${this.dump(r)}`;
        this.display(msg, COLOR.skip);
        return;
      }
      case 'failed':
      case 'unreachable':
        // Ansible reports an unreachable item through v2_runner_item_on_failed too.
        this.ensureBanner(ev.task);
        this.handleException(r);
        this.handleWarnings(r);
        this.display(`failed: [${label}] (item=${item}) => ${this.dump(r)}`, COLOR.error, this.failedToStderr);
        return;
    }
  }
}

export function createDefaultReporter(opts: ReporterOptions): Reporter {
  return new DefaultReporter(opts);
}
