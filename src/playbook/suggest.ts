// "Did you mean" for keywords and module names. Like didYouMean in errors.ts, but a swap of
// two neighbouring letters (`wehn`) counts as one edit, and ties go to the candidate that
// shares more letters with the word (`taks` → `tasks` rather than `tags`).

function osaDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

function sharedLetters(a: string, b: string): number {
  const counts = new Map<string, number>();
  for (const c of b) counts.set(c, (counts.get(c) ?? 0) + 1);
  let n = 0;
  for (const c of a) {
    const k = counts.get(c) ?? 0;
    if (k > 0) {
      n++;
      counts.set(c, k - 1);
    }
  }
  return n;
}

export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  const w = word.toLowerCase();
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestDist = Infinity;
  let bestShared = -1;
  for (const c of candidates) {
    const lc = c.toLowerCase();
    const dist = osaDistance(w, lc);
    const shared = sharedLetters(w, lc);
    if (dist < bestDist || (dist === bestDist && shared > bestShared)) {
      best = c;
      bestDist = dist;
      bestShared = shared;
    }
  }
  return bestDist <= limit ? best : undefined;
}
