// Counting semaphores for the SSH transport: channels per connection and handshakes
// per run. Separate because the CLI builds one HandshakeLimiter for every host.
import os from 'node:os';

/** A counting semaphore. */
export class Limiter {
  private active = 0;
  /** The most run() calls that ran at once (the bench reports it for handshakes). */
  peak = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(readonly max: number) {
    if (!(max >= 1)) throw new Error(`limit must be at least 1, got ${max}`);
  }
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((r) => this.waiting.push(r));
    else this.active++;
    if (this.active > this.peak) this.peak = this.active;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
  get pending(): number {
    return this.waiting.length;
  }
}

/**
 * Caps SSH handshakes in progress (key exchange is CPU work on the controller),
 * separately from how many hosts run tasks at once (forks).
 */
export class HandshakeLimiter extends Limiter {
  constructor(max = Math.max(4, os.cpus().length * 4)) {
    super(max);
  }
}
