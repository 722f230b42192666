// Terminal text helpers: display width and Python's textwrap.wrap, which Ansible uses to
// wrap [WARNING] and [DEPRECATION WARNING] messages to the terminal width.

const WIDE_RANGES: Array<[number, number]> = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f900, 0x1f9ff],
  [0x20000, 0x3fffd],
];

/** Columns a string takes on a terminal (Ansible's get_text_width): wide CJK = 2, combining marks = 0. */
export function textWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) continue;
    if (/\p{M}/u.test(ch) || cp === 0x200b) continue;
    width += WIDE_RANGES.some(([lo, hi]) => cp >= lo && cp <= hi) ? 2 : 1;
  }
  return width;
}

/**
 * Python's textwrap.wrap(text, width) with its defaults: whitespace characters become
 * spaces, lines break between words, whitespace at line edges is dropped, and a word longer
 * than the width is split. (Breaking after hyphens is not reproduced.)
 */
export function wrapText(text: string, width: number): string[] {
  const normalised = text.replace(/\t/g, '        ').replace(/[\n\r\v\f]/g, ' ');
  const chunks = normalised.split(/( +)/).filter((c) => c !== '');
  const lines: string[] = [];
  let cur: string[] = [];
  let curLen = 0;
  const flush = (): void => {
    while (cur.length > 0 && cur[cur.length - 1]!.trim() === '') {
      curLen -= cur.pop()!.length;
    }
    if (cur.length > 0) lines.push(cur.join(''));
    cur = [];
    curLen = 0;
  };
  const queue = [...chunks];
  while (queue.length > 0) {
    let chunk = queue.shift()!;
    const isSpace = chunk.trim() === '';
    if (isSpace && cur.length === 0 && lines.length > 0) continue;
    if (curLen + chunk.length <= width) {
      cur.push(chunk);
      curLen += chunk.length;
      continue;
    }
    if (!isSpace && chunk.length > width) {
      const room = Math.max(1, width - curLen);
      cur.push(chunk.slice(0, room));
      curLen += room;
      chunk = chunk.slice(room);
      queue.unshift(chunk);
      flush();
      continue;
    }
    flush();
    if (!isSpace) {
      cur.push(chunk);
      curLen = chunk.length;
    }
  }
  flush();
  return lines;
}
