// Ansible's linear strategy: hosts advance in lockstep; each piece of work runs on every
// host waiting at it, in parallel up to forks; hosts ahead in the play wait for the rest.
// A fatal failure (any_errors_fatal, run_once) fails every host not in a rescue or always
// section, and if that failed any, no later batch or play runs; max_fail_percentage ends
// the play at once.
import { itemKey } from './play-walk.js';
import { isRecovering } from './scope.js';
import type { TaskOutcome } from './task-common.js';
import { runItem, type Strategy, type StrategyContext } from './strategy.js';
import { stopsHost } from './results.js';
import type { BatchEnd } from './run-state.js';

export const linearStrategy: Strategy = {
  perHost: false,
  async run(c: StrategyContext): Promise<BatchEnd> {
    const { rs, walk, pv, play } = c;
    const batch = pv.batch;
    let playEnded = false;
    let broke = false;
    const recovering = (h: string) => {
      const next = walk.pending.get(h);
      return !!next && 'scope' in next && isRecovering(next.scope);
    };
    while (walk.pending.size > 0 && !rs.interrupted) {
      walk.dropEnded();
      const first = walk.earliest(batch);
      if (!first) break;
      const item = walk.pending.get(first)!;
      const key = itemKey(item);
      const group = batch.filter((h) => walk.pending.has(h) && itemKey(walk.pending.get(h)!) === key);
      const r = await runItem(c, item, group, { perHost: false, lookahead: true });
      if (r.endPlay) playEnded = true;
      if (!r.outcomes || item.kind === 'rescued') continue;
      let anyFatal = false;
      for (const h of group) {
        // Ansible checks after the host moved on: a failure that took it into a rescue or an
        // always section is not fatal (yet: its iterator does not count it as failed there).
        const s = rs.state(h);
        const o = r.outcomes.get(h);
        if (o && stopsHost(o) && (s.failed || s.unreachable) && !recovering(h) && fatalOnError(o)) anyFatal = true;
      }
      if (anyFatal) {
        for (const h of batch) {
          if (!walk.pending.has(h) || recovering(h)) continue;
          walk.fail(h);
          broke = true;
        }
        if (broke) rs.playBroken = true;
      }
      const maxFail = play.max_fail_percentage;
      const failedCount = batch.filter((h) => rs.state(h).failed || rs.state(h).unreachable).length;
      if (maxFail !== undefined && (failedCount / batch.length) * 100 > Number(maxFail)) {
        rs.playBroken = true;
        for (const h of batch) rs.state(h).ended = true;
        playEnded = true;
        walk.stopAll();
      }
    }
    return broke || (rs.playBroken && playEnded) ? 'break' : playEnded ? 'end-play' : 'continue';
  },
};

/** any_errors_fatal (inherited from block and play), or run_once, unless ignore_errors. */
function fatalOnError(o: TaskOutcome): boolean {
  const kw = o.keywords;
  return !!kw && (kw.anyErrorsFatal || kw.runOnce) && !kw.ignoreErrors;
}
