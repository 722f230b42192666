// Host name ranges as Ansible's inventory expands them: `web[01:20].example.com`,
// `db-[a:f]`, `node[1:10:2]`. A leading zero on the start pins the width (both ends
// must then have the same width). Several brackets expand left to right.

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

export class HostRangeError extends Error {
  /** 0-based offset into the pattern where the problem is */
  constructor(message: string, readonly offset: number, readonly hint?: string) {
    super(message);
  }
}

/** True if `name` has a `[x:y]` range in it (not an IPv6 literal in brackets). */
export function hasHostRange(name: string): boolean {
  return /\[[^\]]*:[^\]]*\]/.test(name) && !/^\[[0-9a-fA-F:.]+\](:\d+)?$/.test(name);
}

export function expandHostRange(pattern: string, baseOffset = 0): string[] {
  const open = pattern.indexOf('[');
  if (open < 0 || !hasHostRange(pattern)) return [pattern];
  const close = pattern.indexOf(']', open);
  if (close < 0) throw new HostRangeError(`unclosed '[' in host range '${pattern}'`, baseOffset + open);
  const head = pattern.slice(0, open);
  const body = pattern.slice(open + 1, close);
  const tail = pattern.slice(close + 1);
  const at = baseOffset + open;
  const bounds = body.split(':');
  if (bounds.length !== 2 && bounds.length !== 3) {
    throw new HostRangeError(`host range must be begin:end or begin:end:step, got '[${body}]'`, at);
  }
  const beg = bounds[0] === '' ? '0' : bounds[0];
  const end = bounds[1];
  const stepText = bounds[2] ?? '1';
  if (end === '') throw new HostRangeError(`host range '[${body}]' must specify an end value`, at);
  if (!/^[0-9]+$/.test(stepText) || Number(stepText) === 0) {
    throw new HostRangeError(`host range step must be a positive integer, got '${stepText}'`, at);
  }
  const step = Number(stepText);
  let seq: string[];
  const bi = LETTERS.indexOf(beg);
  const ei = LETTERS.indexOf(end);
  if (beg.length === 1 && end.length === 1 && bi >= 0 && ei >= 0) {
    if (bi > ei) throw new HostRangeError(`host range '[${body}]' must have begin <= end`, at);
    seq = [];
    for (let k = bi; k <= ei; k += step) seq.push(LETTERS[k]);
  } else {
    if (!/^[0-9]+$/.test(beg) || !/^[0-9]+$/.test(end)) {
      throw new HostRangeError(
        `host range '[${body}]' must be numeric (like [01:20]) or single letters (like [a:f])`,
        at,
        'a range mixes neither letters and numbers nor multi-letter bounds',
      );
    }
    const width = beg.length > 1 && beg.startsWith('0') ? beg.length : 0;
    if (width && width !== end.length) {
      throw new HostRangeError(
        `host range '[${body}]' must use equal-length begin and end when zero-padded`,
        at,
        `write it as [${beg}:${end.padStart(width, '0')}]`,
      );
    }
    const b = Number(beg);
    const e = Number(end);
    // Ansible silently yields no hosts here; that is never what the author meant.
    if (b > e) throw new HostRangeError(`host range '[${body}]' must have begin <= end`, at);
    seq = [];
    for (let k = b; k <= e; k += step) seq.push(width ? String(k).padStart(width, '0') : String(k));
  }
  const out: string[] = [];
  for (const piece of seq) {
    const name = head + piece + tail;
    // Offsets into the tail shift by the expansion; report them against the original text.
    const shift = baseOffset + close + 1 - (head.length + piece.length);
    out.push(...expandHostRange(name, shift));
  }
  return out;
}
