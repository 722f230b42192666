// Shared by the output-*.test.ts files: run events through a reporter, capture both streams.
import type { RunEvent, TaskRef, HostStats } from '../../src/output/events.js';
import type { Reporter, ReporterOptions } from '../../src/output/index.js';

export interface Captured {
  out: string;
  err: string;
}

export async function render(
  create: (o: ReporterOptions) => Reporter,
  events: RunEvent[],
  opts: Partial<ReporterOptions> = {},
): Promise<Captured> {
  const cap: Captured = { out: '', err: '' };
  const reporter = create({
    verbosity: 0,
    color: false,
    diff: false,
    check: false,
    write: (t) => {
      cap.out += t;
    },
    writeErr: (t) => {
      cap.err += t;
    },
    ...opts,
  });
  for (const e of events) reporter.handle(e);
  await reporter.close();
  return cap;
}

export function task(name: string, extra: Partial<TaskRef> = {}): TaskRef {
  return { name, action: 'command', uid: `uid-${name}`, ...extra };
}

export function stats(p: Partial<HostStats> = {}): HostStats {
  return { ok: 0, changed: 0, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0, ...p };
}

/** A banner line as Ansible's Display.banner prints it for a non-TTY (columns = 79). */
export function bannerLine(title: string, columns = 79): string {
  return `${title} ${'*'.repeat(Math.max(3, columns - title.length))}`;
}
