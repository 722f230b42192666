// Ansible's `json` stdout callback (lib/ansible/plugins/callback/json.py): nothing while the
// run goes, then one document: plays -> tasks -> per-host results, and per-host stats with
// Ansible's key names (`failures`, not `failed`). Printed sorted and indented by 4 with
// non-ASCII escaped, as that plugin's json.dumps(indent=4, sort_keys=True) does.
import type { RunEvent, TaskRef } from './events.js';
import type { Reporter, ReporterOptions } from './options.js';
import { SecretMasker } from './secret-masker.js';
import { pyJsonDumps } from './py-format.js';

interface JsonTask {
  task: { name: string; id: string; action: string; path?: string; duration: { start: string; end?: string } };
  hosts: Record<string, Record<string, unknown>>;
}
interface JsonPlay {
  play: { name: string; id: string; duration: { start: string; end?: string } };
  tasks: JsonTask[];
}

/** Like Ansible's current_time(): UTC ISO timestamp with a Z. */
function stamp(d: Date): string {
  return d.toISOString();
}

class JsonReporter implements Reporter {
  private readonly plays: JsonPlay[] = [];
  private stats: Record<string, Record<string, number>> = {};
  private custom: Record<string, Record<string, unknown>> = {};
  private readonly masker: SecretMasker;
  private readonly now: () => Date;
  private written = false;
  private playCount = 0;

  constructor(private readonly opts: ReporterOptions) {
    this.masker = opts.masker ?? new SecretMasker();
    this.now = opts.now ?? (() => new Date());
  }

  private currentPlay(): JsonPlay {
    let play = this.plays[this.plays.length - 1];
    if (!play) {
      // A result before any play-start (should not happen): keep it rather than drop it.
      play = this.newPlay('');
      this.plays.push(play);
    }
    return play;
  }

  private newPlay(name: string): JsonPlay {
    this.playCount++;
    return { play: { name, id: `play-${this.playCount}`, duration: { start: stamp(this.now()) } }, tasks: [] };
  }

  private startTask(task: TaskRef): void {
    const t: JsonTask = {
      task: { name: task.name, id: task.uid, action: task.action, duration: { start: stamp(this.now()) } },
      hosts: {},
    };
    if (task.path) t.task.path = task.path;
    this.currentPlay().tasks.push(t);
  }

  handle(event: RunEvent): void {
    switch (event.kind) {
      case 'play-start':
        this.plays.push(this.newPlay(event.name || event.pattern));
        return;
      case 'task-start':
      case 'handler-start':
        this.startTask(event.task);
        return;
      case 'host-result': {
        // The json callback records only whole-task results; loop items live in `results`.
        if (event.item !== undefined || event.itemLabel !== undefined) return;
        const play = this.currentPlay();
        let task = play.tasks.find((t) => t.task.id === event.task.uid);
        if (!task) {
          this.startTask(event.task);
          task = play.tasks[play.tasks.length - 1]!;
        }
        // As TaskResult.clean_copy + _record_task_result: failed/skipped flags only when true.
        const r: Record<string, unknown> = { ...event.result };
        delete r.failed;
        delete r.skipped;
        if (!('changed' in r)) r.changed = false;
        if (event.status === 'failed') r.failed = true;
        if (event.status === 'skipped') r.skipped = true;
        if (event.status === 'unreachable') r.unreachable = true;
        r.action = event.task.action;
        task.hosts[event.host] = r;
        const end = stamp(this.now());
        task.task.duration.end = end;
        play.play.duration.end = end;
        return;
      }
      case 'recap': {
        if (this.opts.showCustomStats) this.custom = event.customStats ?? {};
        this.stats = {};
        for (const host of Object.keys(event.stats).sort()) {
          const s = event.stats[host]!;
          this.stats[host] = {
            changed: s.changed,
            failures: s.failed,
            ignored: s.ignored,
            ok: s.ok,
            rescued: s.rescued,
            skipped: s.skipped,
            unreachable: s.unreachable,
          };
        }
        return;
      }
      case 'warning':
      case 'deprecation':
      case 'error': {
        // stdout must stay one JSON document; messages go to stderr.
        const prefix = event.kind === 'warning' ? '[WARNING]: ' : event.kind === 'error' ? 'ERROR! ' : '[DEPRECATION WARNING]: ';
        const writeErr = this.opts.writeErr ?? ((t: string) => void process.stderr.write(t));
        writeErr(this.masker.mask(prefix + event.message) + '\n');
        return;
      }
      default:
        return;
    }
  }

  async close(): Promise<void> {
    if (this.written) return;
    this.written = true;
    const doc = {
      custom_stats: Object.fromEntries(Object.entries(this.custom).filter(([h]) => h !== '_run')),
      global_custom_stats: this.custom._run ?? {},
      plays: this.plays,
      stats: this.stats,
    };
    const text = pyJsonDumps(this.masker.maskValue(doc), { indent: 4, sortKeys: true, ensureAscii: true });
    this.opts.write(this.masker.mask(text) + '\n');
  }
}

export function createJsonReporter(opts: ReporterOptions): Reporter {
  return new JsonReporter(opts);
}
