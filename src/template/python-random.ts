// Python's random.Random (CPython 3.11): the Mersenne Twister, its seeding from an int or a
// string, and the few methods Ansible's filters and lookups call. A seeded `random`,
// `shuffle` or password lookup must give the value Ansible gives for the same seed: users
// spread cron minutes with `59 | random(seed=inventory_hostname)`, and a switch of tool must
// not show up as drift on every host. Without a seed, the system's CSPRNG is used.
import { createHash, randomInt } from 'node:crypto';

const N = 624;
const M = 397;

export interface PyRandom {
  /** A random int in [0, n), n > 0 (Python's _randbelow). */
  below(n: number): number;
}

class MersenneTwister implements PyRandom {
  private mt = new Uint32Array(N);
  private index = N + 1;

  constructor(key: number[]) {
    this.initByArray(key);
  }

  private initGenrand(s: number): void {
    const mt = this.mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.index = N;
  }

  private initByArray(key: number[]): void {
    const mt = this.mt;
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = ((mt[i] ^ Math.imul(prev, 1664525)) + key[j] + j) >>> 0;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = ((mt[i] ^ Math.imul(prev, 1566083941)) - i) >>> 0;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
    }
    mt[0] = 0x80000000;
  }

  private next32(): number {
    const mt = this.mt;
    if (this.index >= N) {
      for (let kk = 0; kk < N; kk++) {
        const y = (mt[kk] & 0x80000000) | (mt[(kk + 1) % N] & 0x7fffffff);
        mt[kk] = (mt[(kk + M) % N] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0)) >>> 0;
      }
      this.index = 0;
    }
    let y = mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** getrandbits(k) for k <= 32 (enough for any list or range a template builds). */
  private bits(k: number): number {
    if (k <= 0) return 0;
    if (k > 32) throw new RangeError('ranges wider than 2**32 are not supported with a seed');
    return this.next32() >>> (32 - k);
  }

  below(n: number): number {
    if (n > 0xffffffff) throw new RangeError('ranges wider than 2**32 are not supported with a seed');
    const k = 32 - Math.clz32(n); // n.bit_length()
    let r = this.bits(k);
    while (r >= n) r = this.bits(k);
    return r;
  }
}

const systemRandom: PyRandom = { below: (n) => randomInt(n) };

/** The 32-bit words (least significant first) of a non-negative integer, as CPython seeds with. */
function keyWords(n: bigint): number[] {
  if (n === 0n) return [0];
  const words: number[] = [];
  while (n > 0n) {
    words.push(Number(n & 0xffffffffn));
    n >>= 32n;
  }
  return words;
}

/** random.Random(seed); SystemRandom when there is no seed. */
export function pyRandom(seed: unknown): PyRandom {
  if (seed === undefined || seed === null) return systemRandom;
  let n: bigint;
  if (typeof seed === 'bigint') n = seed < 0n ? -seed : seed;
  else if (typeof seed === 'number' && Number.isInteger(seed)) n = BigInt(Math.abs(seed));
  else if (typeof seed === 'boolean') n = seed ? 1n : 0n;
  else {
    // version 2 seeding of a str: its UTF-8 bytes followed by their SHA-512, as one big-endian int
    const bytes = Buffer.from(String(seed), 'utf8');
    const all = Buffer.concat([bytes, createHash('sha512').update(bytes).digest()]);
    n = BigInt(`0x${all.toString('hex')}`);
  }
  return new MersenneTwister(keyWords(n));
}

/** random.choice */
export function pyChoice<T>(r: PyRandom, items: readonly T[]): T {
  return items[r.below(items.length)];
}

/** random.randrange(start, stop, step), with Python's errors. */
export function pyRandrange(r: PyRandom, start: number, stop: number, step: number): number {
  const width = stop - start;
  if (step === 1) {
    if (width > 0) return start + r.below(width);
    throw new RangeError(`empty range for randrange() (${start}, ${stop}, ${width})`);
  }
  if (step === 0) throw new RangeError('zero step for randrange()');
  const n = step > 0 ? Math.floor((width + step - 1) / step) : Math.floor((width + step + 1) / step);
  if (n <= 0) throw new RangeError('empty range for randrange()');
  return start + step * r.below(n);
}

/** random.shuffle, in place. */
export function pyShuffle<T>(r: PyRandom, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = r.below(i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
