// lookup('password', 'PATH [length=N] [chars=...] [encrypt=ALGO] [seed=S]'): a random
// password kept in a file on the controller, made and read as Ansible's password lookup
// does, so a file Ansible wrote reads back the same here and the other way round:
//   - the file's first line (right-stripped) is the password, or `PASSWORD salt=SALT
//     [ident=IDENT]` once an encrypted form was asked for; a missing file is created
//     (directories 0700, the file 0600) with a new password;
//   - /dev/null makes a new password each time and stores nothing;
//   - seed= gives the password Python's Random gives for that seed (python-random.ts);
//   - encrypt= returns the crypt(3) hash of the password with the stored salt.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseKv } from '../playbook/split-args.js';
import { LookupFailure } from './errors.js';
import { ALGORITHMS, cryptHash } from './filters-password.js';
import { pyStr, truthy, type Dict } from './python.js';
import { pyChoice, pyRandom } from './python-random.js';
import type { Lookup } from './lookup-types.js';

const VALID = new Set(['length', 'encrypt', 'chars', 'ident', 'seed']);
const LETTERS_LOWER = 'abcdefghijklmnopqrstuvwxyz';
const LETTERS_UPPER = LETTERS_LOWER.toUpperCase();
const DIGITS = '0123456789';
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
// Python's string module constants a chars spec may name
const CHAR_SETS: Record<string, string> = {
  ascii_letters: LETTERS_LOWER + LETTERS_UPPER,
  ascii_lowercase: LETTERS_LOWER,
  ascii_uppercase: LETTERS_UPPER,
  digits: DIGITS,
  hexdigits: DIGITS + 'abcdefABCDEF',
  octdigits: '01234567',
  punctuation: PUNCTUATION,
  whitespace: ' \t\n\r\x0b\x0c',
  printable: DIGITS + LETTERS_LOWER + LETTERS_UPPER + PUNCTUATION + ' \t\n\r\x0b\x0c',
};
const SALT_CHARS = LETTERS_LOWER + LETTERS_UPPER + DIGITS + './';

interface Params {
  relpath: string;
  length: number;
  encrypt?: string;
  ident?: string;
  seed?: unknown;
  chars: string[];
}

function parseTerm(term: string, kw: Dict): Params {
  const space = term.indexOf(' ');
  let relpath = space < 0 ? term : term.slice(0, space);
  const params: Dict = {};
  if (space >= 0) {
    const parsed = parseKv(term.slice(space + 1), false);
    Object.assign(params, parsed.options);
    if (parsed.raw !== undefined && parsed.raw !== '') {
      relpath = `${relpath} ${parsed.raw}`;
      if (!term.startsWith(relpath)) throw new LookupFailure('Unrecognized value after key=value parameters given to password lookup');
    }
  }
  const invalid = Object.keys(params).filter((k) => !VALID.has(k));
  if (invalid.length) throw new LookupFailure(`Unrecognized parameter(s) given to password lookup: ${invalid.join(', ')}`);
  const pick = (k: string) => (k in params ? params[k] : kw[k]);
  let chars = pick('chars') ?? ['ascii_letters', 'digits', '.,:-_'];
  if (typeof chars === 'string') {
    const list: string[] = chars.includes(',,') ? [','] : [];
    list.push(...chars.replace(/,,/g, ',').split(',').filter((c) => c !== ''));
    chars = list;
  }
  const encrypt = pick('encrypt');
  const ident = pick('ident');
  return {
    relpath,
    length: Number(pick('length') ?? 20),
    encrypt: truthy(encrypt) ? pyStr(encrypt) : undefined,
    ident: truthy(ident) ? pyStr(ident) : undefined,
    seed: pick('seed') ?? undefined,
    chars: (chars as unknown[]).map((c) => pyStr(c)),
  };
}

function candidateChars(specs: string[]): string[] {
  return [...specs.map((s) => CHAR_SETS[s] ?? s).join('').replace(/["']/g, '')];
}

/** `PASSWORD salt=SALT ident=IDENT`, split from the right as Ansible's _parse_content does. */
function parseContent(content: string): { password: string; salt?: string; ident?: string } {
  const sep = content.lastIndexOf(' salt=');
  if (sep < 0) return { password: content };
  const rem = content.slice(sep + ' salt='.length);
  const password = content.slice(0, sep);
  if (!rem) return { password };
  const id = rem.lastIndexOf(' ident=');
  return id < 0 ? { password, salt: rem } : { password, salt: rem.slice(0, id), ident: rem.slice(id + ' ident='.length) };
}

export const passwordLookup: Lookup = (ctx, terms, kw) =>
  terms.map((t) => {
    const p = parseTerm(pyStr(t), kw);
    const base = ctx.searchPaths[ctx.searchPaths.length - 1] ?? process.cwd();
    const file = path.resolve(base, p.relpath);
    const devNull = file === '/dev/null';
    const chars = candidateChars(p.chars);
    let content = !devNull && existsSync(file) ? readFileSync(file, 'utf8').replace(/\s+$/, '') : undefined;
    let changed = false;
    let { password, salt, ident } = content === undefined ? { password: '', salt: undefined, ident: undefined } : parseContent(content);
    if (content === undefined) {
      const r = pyRandom(p.seed);
      password = Array.from({ length: p.length }, () => pyChoice(r, chars)).join('');
      changed = true;
    }
    if (p.encrypt && !salt) {
      const size = ALGORITHMS[p.encrypt]?.saltSize ?? 8;
      const r = pyRandom(undefined);
      salt = Array.from({ length: size }, () => pyChoice(r, [...SALT_CHARS])).join('');
      changed = true;
    }
    if (p.ident && ident && p.ident !== ident) throw new LookupFailure(`The ident parameter provided (${p.ident}) does not match the stored one (${ident}).`);
    ident ??= p.ident;
    if (changed && !devNull) {
      content = p.encrypt || salt ? `${password} salt=${salt}${ident ? ` ident=${ident}` : ''}` : password;
      mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      writeFileSync(file, `${content}\n`, { mode: 0o600 });
      chmodSync(file, 0o600);
    }
    return p.encrypt ? cryptHash(p.encrypt, password, salt!) : password;
  });
