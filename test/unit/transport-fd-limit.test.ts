// Room for one connection per host (src/transport/fd-limit.ts): the limit read from
// /proc/PID/limits, and a load error saying what to change when the hosts do not fit.
import { describe, expect, it } from 'vitest';
import { LoadError } from '../../src/errors.js';
import { checkRoomForHosts, FD_RESERVE, parseFileLimit } from '../../src/transport/fd-limit.js';

const limits = (soft: string, hard: string) => `Limit                     Soft Limit           Hard Limit           Units\nMax processes             95712                95712                processes\nMax open files            ${soft}                 ${hard}                files\n`;

function thrown(f: () => void): LoadError | undefined {
  try {
    f();
  } catch (e) {
    return e as LoadError;
  }
  return undefined;
}

describe('parseFileLimit', () => {
  it.each([
    [limits('1024', '524288'), { soft: 1024, hard: 524288 }],
    [limits('unlimited', 'unlimited'), { soft: Infinity, hard: Infinity }],
    ['Max cpu time  unlimited unlimited seconds\n', undefined],
  ])('reads %#', (text, want) => {
    expect(parseFileLimit(text)).toEqual(want);
  });
});

describe('checkRoomForHosts', () => {
  it('lets a run through when its connections fit', () => {
    expect(thrown(() => checkRoomForHosts(1024 - FD_RESERVE, { soft: 1024, hard: 1024 }))).toBeUndefined();
    expect(thrown(() => checkRoomForHosts(100_000, { soft: Infinity, hard: Infinity }))).toBeUndefined();
  });

  it('stops one that does not fit with a FILE_LIMIT load error saying what to change', () => {
    const hard = thrown(() => checkRoomForHosts(3000, { soft: 2048, hard: 2048 }))!;
    expect(hard).toBeInstanceOf(LoadError);
    expect(hard.code).toBe('FILE_LIMIT');
    expect(hard.message).toBe('3000 hosts need about 3064 open files, one connection each, but this process may open only 2048');
    expect(hard.hint).toMatch(/ulimit -Hn.*--slice K\/N/);
    // A soft limit below a hard one that would do: `ulimit -n` is enough.
    expect(thrown(() => checkRoomForHosts(3000, { soft: 1024, hard: 65536 }))!.hint).toMatch(/^raise the limit with `ulimit -n 3064`/);
  });
});
