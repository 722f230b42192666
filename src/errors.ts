// One error type for every mistake a user can make in their input. The CLI prints
// these as `file:line:col: message` plus a hint, never with a stack trace (unless -vvv),
// and maps them to ansible-playbook's exit codes.

export interface SourcePos {
  file: string;
  /** 1-based */
  line: number;
  /** 1-based */
  col: number;
}

export const EXIT = {
  ok: 0,
  error: 1,
  hostFailed: 2,
  /** Ansible also uses 4 for parser errors in playbooks, roles and inventories. */
  unreachable: 4,
  parse: 4,
  badOptions: 5,
  interrupted: 99,
  unexpected: 250,
} as const;

export type UserErrorKind = 'parse' | 'options' | 'error';

export class UserError extends Error {
  readonly kind: UserErrorKind;
  readonly pos?: SourcePos;
  readonly hint?: string;
  constructor(message: string, opts: { pos?: SourcePos; hint?: string; kind?: UserErrorKind } = {}) {
    super(message);
    this.name = 'UserError';
    this.kind = opts.kind ?? 'parse';
    this.pos = opts.pos;
    this.hint = opts.hint;
  }
  get exitCode(): number {
    return this.kind === 'options' ? EXIT.badOptions : this.kind === 'parse' ? EXIT.parse : EXIT.error;
  }
}

export function formatPos(pos: SourcePos | undefined): string {
  return pos ? `${pos.file}:${pos.line}:${pos.col}` : '';
}

export function formatUserError(err: UserError): string {
  const where = formatPos(err.pos);
  let text = `ERROR! ${where ? where + ': ' : ''}${err.message}`;
  if (err.hint) text += `\n  hint: ${err.hint}`;
  return text;
}

/** Levenshtein distance, for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/** The closest candidate within a small distance, or undefined. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDist = Infinity;
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDist) {
      best = c;
      bestDist = d;
    }
  }
  return bestDist <= limit ? best : undefined;
}
