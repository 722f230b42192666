// Ansible's free strategy: each host walks the play on its own, as fast as it can, up to
// `forks` hosts running a task at once; throttle limits one task across hosts. Handlers
// run per host at its flush points. host_pinned behaves the same here: a host keeps its
// one connection either way.
import pLimit, { type LimitFunction } from 'p-limit';
import { child } from './scope.js';
import { resolveTaskKeywords } from './task-keywords.js';
import { runItem, type Strategy, type StrategyContext } from './strategy.js';
import { throttleOf } from './task-hosts.js';
import type { BatchEnd } from './run-state.js';

export const freeStrategy: Strategy = {
  perHost: true,
  async run(c: StrategyContext): Promise<BatchEnd> {
    const { rs, walk, pv, play } = c;
    const slots = pLimit(Math.max(1, rs.o.forks));
    const throttles = new Map<string, LimitFunction>();
    let playEnded = false;
    if (play.max_fail_percentage !== undefined) {
      rs.o.sink({ kind: 'warning', message: 'Using max_fail_percentage with the free strategy is not supported, as tasks are executed independently on each host' });
    }
    const drive = async (h: string) => {
      while (walk.pending.has(h) && !rs.interrupted) {
        const s = rs.state(h);
        if (s.ended || s.unreachable) {
          walk.stop(h);
          break;
        }
        const item = walk.pending.get(h)!;
        if (item.kind !== 'task' || rs.o.registry.get(item.task.action)?.traits?.engineAction) {
          if ((await runItem(c, item, [h], { perHost: true })).endPlay) playEnded = true;
          continue;
        }
        const { task, scope } = item;
        const vars = rs.vars.forTask(h, pv, child(scope, task));
        if (anyErrorsFatal(() => resolveTaskKeywords(rs.o.templar, task, scope, vars, rs.o.becomePassword).anyErrorsFatal)) {
          rs.o.sink({ kind: 'warning', message: 'Using any_errors_fatal with the free strategy is not supported, as tasks are executed independently on each host' });
        }
        const throttle = throttleOf(task, scope, (v) => rs.o.templar.render(v, vars));
        let gate: LimitFunction | undefined;
        if (throttle > 0) {
          gate = throttles.get(task.uid);
          if (!gate) throttles.set(task.uid, (gate = pLimit(throttle)));
        }
        const runOne = () => slots(() => runItem(c, item, [h], { perHost: true }));
        await (gate ? gate(runOne) : runOne());
      }
    };
    await Promise.all(pv.batch.filter((h) => walk.pending.has(h)).map(drive));
    return playEnded ? 'end-play' : 'continue';
  },
};

/** A keyword that does not render is reported when the task runs, not here. */
function anyErrorsFatal(resolve: () => boolean): boolean {
  try {
    return resolve();
  } catch {
    return false;
  }
}
