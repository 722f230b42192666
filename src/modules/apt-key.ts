// ansible.builtin.apt_key: a key in apt's keyring through apt-key, as Ansible drives it:
// the key id from `id` or from the key itself (`gpg --with-colons`), the keyring listed
// before and after, `apt-key add` from a file, inline data (on stdin) or a URL (fetched on
// the host with curl or wget), `apt-key adv --recv` from a keyserver. With an `id`, the
// listing is this module's guard, so an already-present key costs no exec of its own.
//
//   - ansible.builtin.apt_key:
//       url: https://apt.example.com/key.asc
//       id: 0123456789ABCDEF0123456789ABCDEF01234567
import type { FromSchema } from 'json-schema-to-ts';
import { SBIN_PATH } from '../facts/system-probe.js';
import { quote } from '../transport/quote.js';
import { ModuleFailure, defineModule, type ModuleResult, type RunContext } from './types.js';

const schema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    url: { type: 'string' },
    data: { type: 'string' },
    file: { type: 'string' },
    keyring: { type: 'string' },
    validate_certs: { type: 'boolean', default: true },
    keyserver: { type: 'string' },
    state: { type: 'string', enum: ['absent', 'present'], default: 'present' },
  },
  additionalProperties: false,
} as const;

type Args = FromSchema<typeof schema>;

const LANG = 'LANG=C.utf8 LC_ALL=C.utf8 LC_MESSAGES=C.utf8';
const FORCED_ENV = { LANG: 'C.utf8', LC_ALL: 'C.utf8', LC_MESSAGES: 'C.utf8' };
const ERROR_NO_ERROR = 'apt-key did not return an error, but %s (check that the id is correct and *not* a subkey)';

/** Ansible's parse_output_for_keys: key ids of the pub/sub lines (long listing or colons). */
export function parseKeys(output: string, short = false): string[] {
  const found: string[] = [];
  for (const line of output.split('\n')) {
    if (!(line.startsWith('pub') || line.startsWith('sub')) || line.includes('expired')) continue;
    const tokens = line.trim().split(/\s+/);
    const code = tokens[1]?.split('/');
    if (code && code.length === 2) found.push(code[1]);
    else {
      const colons = line.split(':');
      if (colons.length > 4) found.push(colons[4]);
    }
  }
  return short ? found.map((k) => k.slice(-8)) : found;
}

/** Ansible's parse_key_id: [short id, fingerprint for comparison, id for --recv]. */
export function parseKeyId(id: string): [string, string, string] {
  if (!/^\s*(0[xX])?[0-9a-fA-F]+\s*$/.test(id)) throw new Error('invalid');
  let k = id.trim().toUpperCase();
  if (k.startsWith('0X')) k = k.slice(2);
  if (k.length !== 8 && k.length !== 16 && k.length <= 16) throw new Error('invalid');
  return [k.slice(-8), k.length > 16 ? k.slice(-16) : k, k];
}

const listCmd = (keyring: string | undefined) => `apt-key ${keyring ? `--keyring ${keyring} ` : ''}adv --list-public-keys --keyid-format=long`;

function guardScript(args: Args): string | undefined {
  return args.id ? `${SBIN_PATH}; ${LANG} ${listCmd(args.keyring && quote(args.keyring))}` : undefined;
}

async function runAptKey(args: Args, ctx: RunContext): Promise<ModuleResult> {
  const tools = await ctx.exec(`${SBIN_PATH}; for t in apt-key gpg; do command -v $t >/dev/null 2>&1 || echo $t; done`);
  const missing = tools.stdout.trim().split('\n').filter(Boolean)[0];
  if (missing) throw new ModuleFailure(`Failed to find required executable "${missing}" on ${ctx.host}`);
  const sh = (cmd: string, stdin?: string) => ctx.exec(`${SBIN_PATH}; ${LANG} ${cmd}`, stdin === undefined ? {} : { stdin });
  const fetchCmd = (url: string) => {
    const k = args.validate_certs === false;
    return `{ if command -v curl >/dev/null 2>&1; then curl -fsSL ${k ? '-k ' : ''}${quote(url)}; else wget -qO- ${k ? '--no-check-certificate ' : ''}${quote(url)}; fi; }`;
  };
  const state = args.state ?? 'present';
  const keyring = args.keyring === undefined ? undefined : quote(args.keyring);
  const r: ModuleResult = { changed: false };
  let id = args.id;
  let data = args.data;
  if (!id) {
    if (args.keyserver) throw new ModuleFailure('Missing key_id, required with keyserver.');
    if (args.url) {
      const got = await sh(fetchCmd(args.url));
      if (got.rc !== 0) throw new ModuleFailure(`error getting key id from url: ${args.url}`);
      data = got.stdout;
    }
    if (args.file || data) {
      const res = args.file ? await sh(`gpg --with-colons ${quote(args.file)}`) : await sh('gpg --with-colons -', data);
      if (res.rc !== 0) throw new ModuleFailure(`Unable to extract key from '${args.file ? args.file : 'inline data'}'`, { stdout: res.stdout, stderr: res.stderr });
      id = parseKeys(res.stdout)[0];
    }
  }
  r.id = id ?? null;
  let short: string;
  let fingerprint: string;
  try {
    [short, fingerprint, id] = parseKeyId(id ?? '');
  } catch {
    throw new ModuleFailure('Invalid key_id', { ...r });
  }
  Object.assign(r, { short_id: short, fp: fingerprint, key_id: id });
  const shortFormat = id.length === 8;
  const list = async () => {
    const script = `${SBIN_PATH}; ${LANG} ${listCmd(keyring)}`;
    const res = (args.id ? await ctx.batchedGuard?.(script) : undefined) ?? (await ctx.exec(script));
    if (res.rc !== 0) throw new ModuleFailure('Unable to list public keys', { cmd: listCmd(args.keyring), rc: res.rc, stdout: res.stdout, stderr: res.stderr });
    return parseKeys(res.stdout, shortFormat);
  };
  const keys = await list();
  r.before = keys;
  const has = (ks: string[]) => (shortFormat ? ks.includes(short) : ks.includes(fingerprint));
  const kr = keyring ? `--keyring ${keyring} ` : '';
  if (state === 'present' && !has(keys)) {
    r.changed = true;
    if (ctx.check) return r;
    let res;
    if (args.file) res = await sh(`apt-key ${kr}add ${quote(args.file)}`);
    else if (args.keyserver) {
      const cmd = `/usr/bin/apt-key ${args.keyring ? `--keyring ${args.keyring} ` : ''}adv --no-tty --keyserver ${args.keyserver} --recv ${id}`;
      for (let i = 0; i < 5; i++) if ((res = await sh(`apt-key ${kr}adv --no-tty --keyserver ${quote(args.keyserver)} --recv ${quote(id)}`)).rc === 0) break;
      if (res && res.rc !== 0) {
        if (res.rc === 2 && res.stdout.includes('not found on keyserver')) throw new ModuleFailure(`Key ${id} not found on keyserver ${args.keyserver}`, { cmd, forced_environment: FORCED_ENV });
        throw new ModuleFailure(`Error fetching key ${id} from keyserver: ${args.keyserver}`, { cmd, forced_environment: FORCED_ENV, rc: res.rc, stdout: res.stdout, stderr: res.stderr });
      }
      res = undefined;
    } else if (data !== undefined) res = await sh(`apt-key ${kr}add -`, data);
    else if (args.url) res = await sh(`${fetchCmd(args.url)} | apt-key ${kr}add -`);
    else throw new ModuleFailure('No key to add ... how did i get here?!?!', { ...r });
    if (res && res.rc !== 0) throw new ModuleFailure(args.file ? `Unable to add a key from file ${args.file}` : 'Unable to add a key from binary data', { rc: res.rc, stdout: res.stdout, stderr: res.stderr });
    r.after = await list();
    if (!has(r.after as string[])) throw new ModuleFailure(ERROR_NO_ERROR.replace('%s', 'failed to add the key'), { ...r });
  } else if (state === 'absent' && keys.includes(fingerprint)) {
    r.changed = true;
    if (ctx.check) return r;
    const res = await sh(`apt-key ${kr}del ${quote(short)}`);
    if (res.rc !== 0) throw new ModuleFailure(`Unable to remove a key with id ${short}`, { rc: res.rc, key_id: short, stdout: res.stdout, stderr: res.stderr });
    r.after = await list();
    if ((r.after as string[]).includes(fingerprint)) throw new ModuleFailure(ERROR_NO_ERROR.replace('%s', 'the key was not removed'), { ...r });
  }
  return r;
}

export const aptKeyModule = defineModule<Args>({
  name: 'apt_key',
  summary: "Add or remove a key in apt's keyring (apt-key, gpg; URLs fetched on the host)",
  schema,
  constraints: { mutually_exclusive: [['data', 'file', 'keyserver', 'url']] },
  checkMode: 'run',
  guard: guardScript,
  run: runAptKey,
});
