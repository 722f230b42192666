// password_hash as ansible-playbook computes it without passlib (Debian's package): crypt(3)
// with $1$ (md5_crypt), $5$ (sha256_crypt) or $6$ (sha512_crypt), written here from the
// published algorithms (Poul-Henning Kamp's MD5-crypt, Ulrich Drepper's SHA-crypt).
// bcrypt is left out: it needs Blowfish, which node's crypto does not offer.
import { createHash, randomInt } from 'node:crypto';
import { TemplateError } from './errors.js';
import { pyStr } from './python.js';
import { arg, type Filter } from './filter-support.js';

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** crypt's base64: each group of bytes as a 24-bit number, six bits at a time from the low end. */
function encode(bytes: Buffer, groups: number[][]): string {
  let out = '';
  for (const g of groups) {
    const [hi, mid, lo] = g.length === 3 ? g : g.length === 2 ? [-1, g[0], g[1]] : [-1, -1, g[0]];
    let w = ((hi < 0 ? 0 : bytes[hi]) << 16) | ((mid < 0 ? 0 : bytes[mid]) << 8) | bytes[lo];
    for (let n = g.length + 1; n > 0; n--) {
      out += ITOA64[w & 0x3f];
      w >>= 6;
    }
  }
  return out;
}

const SHA512_ORDER = [
  [0, 21, 42], [22, 43, 1], [44, 2, 23], [3, 24, 45], [25, 46, 4], [47, 5, 26], [6, 27, 48], [28, 49, 7], [50, 8, 29], [9, 30, 51], [31, 52, 10],
  [53, 11, 32], [12, 33, 54], [34, 55, 13], [56, 14, 35], [15, 36, 57], [37, 58, 16], [59, 17, 38], [18, 39, 60], [40, 61, 19], [62, 20, 41], [63],
];
const SHA256_ORDER = [[0, 10, 20], [21, 1, 11], [12, 22, 2], [3, 13, 23], [24, 4, 14], [15, 25, 5], [6, 16, 26], [27, 7, 17], [18, 28, 8], [9, 19, 29], [31, 30]];
const MD5_ORDER = [[0, 6, 12], [1, 7, 13], [2, 8, 14], [3, 9, 15], [4, 10, 5], [11]];

function repeatTo(block: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = block[i % block.length];
  return out;
}

function shaCrypt(algo: 'sha256' | 'sha512', pw: Buffer, salt: Buffer, rounds: number | undefined): string {
  const H = (...parts: Buffer[]): Buffer => createHash(algo).update(Buffer.concat(parts)).digest();
  const b = H(pw, salt, pw);
  const aParts = [pw, salt, repeatTo(b, pw.length)];
  for (let n = pw.length; n > 0; n >>= 1) aParts.push(n & 1 ? b : pw);
  let c = H(...aParts);
  const p = repeatTo(H(...Array<Buffer>(pw.length).fill(pw)), pw.length);
  const s = repeatTo(H(...Array<Buffer>(16 + c[0]).fill(salt)), salt.length);
  const r = rounds === undefined ? 5000 : Math.min(999999999, Math.max(1000, rounds));
  for (let i = 0; i < r; i++) {
    const parts = [i & 1 ? p : c];
    if (i % 3) parts.push(s);
    if (i % 7) parts.push(p);
    parts.push(i & 1 ? c : p);
    c = H(...parts);
  }
  const id = algo === 'sha512' ? '6' : '5';
  return `$${id}$${rounds === undefined ? '' : `rounds=${r}$`}${salt.toString('latin1')}$${encode(c, algo === 'sha512' ? SHA512_ORDER : SHA256_ORDER)}`;
}

function md5Crypt(pw: Buffer, salt: Buffer): string {
  const H = (...parts: Buffer[]): Buffer => createHash('md5').update(Buffer.concat(parts)).digest();
  const magic = Buffer.from('$1$');
  let fin = H(pw, salt, pw);
  const parts = [pw, magic, salt];
  for (let left = pw.length; left > 0; left -= 16) parts.push(fin.subarray(0, Math.min(16, left)));
  for (let n = pw.length; n; n >>= 1) parts.push(n & 1 ? Buffer.from([0]) : pw.subarray(0, 1));
  fin = H(...parts);
  for (let i = 0; i < 1000; i++) {
    const round = [i & 1 ? pw : fin];
    if (i % 3) round.push(salt);
    if (i % 7) round.push(pw);
    round.push(i & 1 ? fin : pw);
    fin = H(...round);
  }
  return `$1$${salt.toString('latin1')}$${encode(fin, MD5_ORDER)}`;
}

/** A salt of `size` crypt characters, as Ansible's random_salt. */
export function randomSalt(size: number): string {
  return Array.from({ length: size }, () => ITOA64[randomInt(64)]).join('');
}

/** A crypt(3) hash of `pw` with Ansible's implicit rounds (md5_crypt, sha256_crypt, sha512_crypt). */
export function cryptHash(algorithm: string, pw: string, salt: string): string {
  if (ALGORITHMS[algorithm] && salt.length > ALGORITHMS[algorithm].saltSize) throw new TemplateError('invalid salt size');
  if (algorithm === 'md5_crypt') return md5Crypt(Buffer.from(pw, 'utf8'), Buffer.from(salt));
  if (algorithm === 'sha256_crypt' || algorithm === 'sha512_crypt') return shaCrypt(algorithm === 'sha512_crypt' ? 'sha512' : 'sha256', Buffer.from(pw, 'utf8'), Buffer.from(salt), undefined);
  throw new TemplateError(`crypt.crypt does not support '${algorithm}' algorithm`);
}

export const ALGORITHMS: Record<string, { saltSize: number; implicitRounds?: number }> = {
  md5_crypt: { saltSize: 8 },
  sha256_crypt: { saltSize: 16, implicitRounds: 535000 },
  sha512_crypt: { saltSize: 16, implicitRounds: 656000 },
};
const NAMES: Record<string, string> = { md5: 'md5_crypt', blowfish: 'bcrypt', sha256: 'sha256_crypt', sha512: 'sha512_crypt' };

export const PASSWORD_FILTERS: Record<string, Filter> = {
  password_hash: (v, pos, kw) => {
    const type = pyStr(arg(pos, kw, 0, 'hashtype', 'sha512'));
    const algorithm = NAMES[type] ?? type;
    const spec = ALGORITHMS[algorithm];
    if (!spec) throw new TemplateError(`crypt.crypt does not support '${algorithm}' algorithm`);
    const saltArg = arg(pos, kw, 1, 'salt', null);
    const saltSize = Number(arg(pos, kw, 2, 'salt_size', null) ?? spec.saltSize);
    const salt = saltArg ? pyStr(saltArg) : Array.from({ length: saltSize }, () => ITOA64[randomInt(64)]).join('');
    if (/[^./0-9A-Za-z]/.test(salt)) throw new TemplateError('invalid characters in salt');
    if (salt.length > spec.saltSize) throw new TemplateError('invalid salt size');
    const roundsArg = arg(pos, kw, 3, 'rounds', null);
    // as Ansible's crypt backend: the implicit rounds of passlib are left to crypt's default
    const rounds = roundsArg === null || Number(roundsArg) === spec.implicitRounds || !Number(roundsArg) ? undefined : Number(roundsArg);
    const pw = Buffer.from(pyStr(v), 'utf8');
    if (algorithm === 'md5_crypt') return md5Crypt(pw, Buffer.from(salt));
    return shaCrypt(algorithm === 'sha512_crypt' ? 'sha512' : 'sha256', pw, Buffer.from(salt), rounds);
  },
};
