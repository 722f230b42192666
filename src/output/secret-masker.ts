// Replaces registered secrets in everything a reporter prints.
import { pyJsonEscape, pyReprString } from './py-format.js';

export const MASK = '********';

/**
 * Secrets shorter than this are not masked. Masking a one- or two-character string would
 * replace it all over unrelated output (every "1", every "no") and the pattern of stars
 * would itself reveal the secret; such a secret protects nothing anyway.
 */
export const MIN_SECRET_LENGTH = 3;

export class SecretMasker {
  /** Every printed form of every secret, longest first so a secret containing another is masked whole. */
  private forms: string[] = [];
  private readonly known = new Set<string>();

  add(secret: string): void {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) return;
    // Stars only: masking it would match inside our own mask and print garbage.
    if (/^\*+$/.test(secret) || secret.trim() === '') return;
    if (this.known.has(secret)) return;
    this.known.add(secret);
    // The same secret may reach the screen raw, escaped inside a JSON string (a quote
    // becomes \", a newline \n), with non-ASCII escaped (the json reporter), or inside a
    // Python repr of a loop item. Mask every form.
    const forms = new Set<string>([
      secret,
      pyJsonEscape(secret, false),
      pyJsonEscape(secret, true),
      pyReprString(secret).slice(1, -1),
      JSON.stringify(secret).slice(1, -1),
    ]);
    // A multi-line secret is split by line-wise coloring and diff prefixes; its lines alone
    // are still secret when long enough to be meaningful.
    if (secret.includes('\n')) {
      for (const line of secret.split(/\r?\n/)) {
        if (line.trim().length >= MIN_SECRET_LENGTH) forms.add(line);
      }
    }
    for (const f of forms) if (f.length >= MIN_SECRET_LENGTH && !this.forms.includes(f)) this.forms.push(f);
    this.forms.sort((a, b) => b.length - a.length);
  }

  get size(): number {
    return this.known.size;
  }

  mask(text: string): string {
    if (this.forms.length === 0 || !text) return text;
    let out = text;
    for (const f of this.forms) {
      if (out.includes(f)) out = out.split(f).join(MASK);
    }
    return out;
  }

  /** A deep copy with every string (values and keys) masked, for masking before serialising. */
  maskValue<T>(value: T): T {
    if (this.forms.length === 0) return value;
    const seen = new Map<object, unknown>();
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return this.mask(v);
      if (typeof v !== 'object' || v === null) return v;
      if (v instanceof Date || Buffer.isBuffer(v) || v instanceof Uint8Array) return v;
      if (seen.has(v)) return seen.get(v);
      if (Array.isArray(v)) {
        const arr: unknown[] = [];
        seen.set(v, arr);
        for (const el of v) arr.push(walk(el));
        return arr;
      }
      const obj: Record<string, unknown> = {};
      seen.set(v, obj);
      for (const [k, x] of Object.entries(v)) obj[this.mask(k)] = walk(x);
      return obj;
    };
    return walk(value) as T;
  }
}
