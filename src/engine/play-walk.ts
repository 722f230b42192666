// The hosts of one serial batch walking the play: each host's walk (host-iterator.ts) and
// the piece of work it waits at. Strategies pick what runs next from here and resume each
// host with its outcome.
import type { Play, Task } from '../playbook/types.js';
import { comparePositions, HostFailure, walkPlay, type Outcome, type PlayPosition, type WorkItem } from './host-iterator.js';
import type { RunState } from './run-state.js';
import type { Scope } from './scope.js';
import { tagSelected } from './tags.js';
import { taskRef } from './task-common.js';

export class PlayWalk {
  private readonly walks = new Map<string, ReturnType<typeof walkPlay>>();
  /** What each host waits at; a host that finished its walk is not here. */
  readonly pending = new Map<string, WorkItem>();

  constructor(
    private readonly rs: RunState,
    play: Play,
    playScope: Scope,
    batch: string[],
  ) {
    const o = rs.o;
    const selected = (tags: string[]) => tagSelected(tags, o.tags, o.skipTags);
    const started = (task: Task) => {
      if (!rs.startAtReached && (task.name === o.startAtTask || taskRef(task, undefined).name === o.startAtTask)) rs.startAtReached = true;
      return rs.startAtReached;
    };
    for (const h of batch) {
      const s = rs.state(h);
      if (s.failed || s.unreachable) continue;
      this.walks.set(h, walkPlay(play, playScope, { selected, started, rolesRun: new Set(), stillFailed: () => rs.state(h).failed }));
      this.advance(h, undefined);
    }
  }

  /** Resume a host's walk with the outcome of what it waited at. */
  advance(host: string, outcome: Outcome | undefined): void {
    this.resume(host, (walk) => walk.next(outcome));
  }

  /**
   * Fail the host where it waits, as Ansible's mark_host_failed does: its walk goes to the
   * enclosing rescue or always, or ends.
   */
  fail(host: string): void {
    this.rs.state(host).failed = true;
    this.rs.failedHosts.add(host);
    this.resume(host, (walk) => walk.throw(new HostFailure()));
  }

  private resume(host: string, step: (walk: ReturnType<typeof walkPlay>) => IteratorResult<WorkItem, void>): void {
    const walk = this.walks.get(host)!;
    try {
      let r = step(walk);
      while (!r.done && r.value.kind === 'rescued') {
        this.rs.stat(host).rescued++;
        this.rs.state(host).failed = false;
        r = walk.next(undefined);
      }
      if (r.done) this.pending.delete(host);
      else this.pending.set(host, r.value);
    } catch (e) {
      this.pending.delete(host);
      if (!(e instanceof HostFailure)) throw e;
    }
  }

  /** The host walks no further (it ended, was unreachable, or the play broke off). */
  stop(host: string): void {
    this.walks.get(host)?.return(undefined);
    this.pending.delete(host);
  }

  stopAll(): void {
    for (const h of [...this.pending.keys()]) this.stop(h);
  }

  /** The host (first in `order` on a tie) waiting at the earliest point in the play. */
  earliest(order: string[]): string | undefined {
    let best: string | undefined;
    let bestAt: PlayPosition | undefined;
    for (const h of order) {
      const item = this.pending.get(h);
      if (!item) continue;
      const at = 'at' in item ? item.at : [];
      if (bestAt === undefined || comparePositions(at, bestAt) < 0) [best, bestAt] = [h, at];
    }
    return best;
  }

  /** Stop the hosts that ended (meta end_host/end_play) or became unreachable. */
  dropEnded(): void {
    for (const h of [...this.pending.keys()]) {
      const s = this.rs.state(h);
      // A failed host still runs what its walk yields (rescue/always).
      if (s.ended || s.unreachable) this.stop(h);
    }
  }
}

/** Work items are the same piece of work when they are the same task, include or flush point. */
export function itemKey(item: WorkItem): string {
  switch (item.kind) {
    case 'task':
      return `t:${item.task.uid}`;
    case 'include':
      return `i:${item.include.uid}`;
    case 'flush':
      return `f:${item.at.join('.')}`;
    default:
      return item.kind;
  }
}
