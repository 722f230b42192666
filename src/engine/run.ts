// A run: the playbooks' plays in order over one shared RunState, then the recap. Plays
// are run by play.ts, their hosts walked by a strategy (strategy-*.ts), tasks by
// task-hosts.ts and execute.ts.
import type { HostStats } from '../output/events.js';
import type { Transport } from '../transport/types.js';
import { runPlay } from './play.js';
import { RunState, type RunOptions } from './run-state.js';

export type { RunOptions } from './run-state.js';
export { serialBatches } from './play.js';
export { tagSelected } from './tags.js';

export interface RunSummary {
  stats: Record<string, HostStats>;
  exitCode: number;
  transports: Map<string, Transport>;
}

export async function runPlaybooks(opts: RunOptions): Promise<RunSummary> {
  const rs = new RunState(opts);
  const started = Date.now();
  try {
    plays: for (const pb of opts.playbooks) {
      for (const play of pb.plays) {
        await runPlay(rs, play);
        rs.saveFacts();
        // Ansible's break_play: no later play runs either.
        if (rs.stopped || rs.interrupted) break plays;
      }
    }
  } finally {
    rs.endInterruptWatch();
    rs.saveFacts();
    await rs.closeAll();
  }
  opts.sink({ kind: 'recap', stats: Object.fromEntries(rs.stats), durationMs: Date.now() - started, customStats: rs.customStats });
  return { stats: Object.fromEntries(rs.stats), exitCode: rs.exitCode(), transports: rs.openTransports };
}
