import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HandshakeLimiter, Limiter } from '../../src/transport/ssh.js';

describe('Limiter', () => {
  it('never runs more than max tasks at once and runs them all', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 5 }), fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 30 }), async (max, delays) => {
        const lim = new Limiter(max);
        let active = 0;
        let peak = 0;
        const results = await Promise.all(
          delays.map((d, i) =>
            lim.run(async () => {
              active++;
              peak = Math.max(peak, active);
              await new Promise((r) => setTimeout(r, d));
              active--;
              return i;
            }),
          ),
        );
        expect(results).toEqual(delays.map((_, i) => i));
        expect(peak).toBeLessThanOrEqual(max);
        if (delays.length >= max) expect(peak).toBe(max);
      }),
      { numRuns: 30 },
    );
  });

  it('frees its slot when a task throws', async () => {
    const lim = new Limiter(1);
    await expect(lim.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await lim.run(async () => 'next')).toBe('next');
  });

  it('rejects a limit below one; the handshake limiter has a sane default', () => {
    expect(() => new Limiter(0)).toThrow();
    expect(new HandshakeLimiter().max).toBeGreaterThanOrEqual(4);
  });
});
