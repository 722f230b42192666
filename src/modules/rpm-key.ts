// ansible.builtin.rpm_key: a public key in the rpm database, as Ansible's module does it:
// the key id from the key file (gpg --with-colons), the imported keys read back from
// `rpm -q gpg-pubkey`'s descriptions through gpg, `rpm --import` to add and `rpm --erase
// --allmatches gpg-pubkey-ID` to remove. A `key` URL is fetched on the host, as Ansible
// does, with curl or wget (validate_certs: false skips certificate checks). For a file or
// a key id, the whole look-up is one script that joins the batched probe as this module's
// guard, so a key already in place costs no exec of its own.
//
//   - ansible.builtin.rpm_key:
//       key: /etc/pki/rpm-gpg/RPM-GPG-KEY-example
//       fingerprint: EBC6 E12C 62B1 C734 026B  2122 A20E 5214 6B8D 79E6
import type { FromSchema } from 'json-schema-to-ts';
import { SBIN_PATH, haveTools, parseSections, section } from '../facts/system-probe.js';
import { quote } from '../transport/quote.js';
import { ModuleFailure, defineModule, type ModuleResult, type RunContext } from './types.js';

const schema = {
  type: 'object',
  properties: {
    key: { type: 'string' },
    state: { type: 'string', enum: ['absent', 'present'], default: 'present' },
    fingerprint: { type: 'string' },
    validate_certs: { type: 'boolean', default: true },
  },
  required: ['key'],
  additionalProperties: false,
} as const;

type Args = FromSchema<typeof schema>;

const GPG = '"$G" --no-tty --batch --with-colons --fixed-list-mode';
const PICK_GPG = 'G=gpg; command -v gpg >/dev/null 2>&1 || G=gpg2';

/** Ansible's is_keyid: a match at the start, so `deadbeef.asc` counts as a key id too. */
export const isKeyId = (key: string): boolean => /^(0x)?[0-9a-f]{8}/i.test(key);

/** Ansible's normalize_keyid. */
export function normalizeKeyId(id: string): string {
  const k = id.trim().toUpperCase();
  return k.startsWith('0X') ? k.slice(2) : k;
}

/** The look-up: tools, the key file's colons listing (when `file` is given), the imported keys. */
export function lookupScript(file: string | undefined): string {
  const lines = [SBIN_PATH, haveTools(['rpm', 'gpg', 'gpg2']), PICK_GPG];
  if (file !== undefined) lines.push(`if [ -f ${quote(file)} ]; then ${section('keyfile', `${GPG} --with-fingerprint ${quote(file)}`)}; fi`);
  // no gpg-pubkey package: no key imported (rpm -q exits 1)
  lines.push(`if rpm -q gpg-pubkey >/dev/null 2>&1; then ${section('imported', `rpm -q gpg-pubkey --qf '%{description}\\n' | ${GPG} -`)}; fi`);
  return lines.join('\n');
}

const colonField = (text: string, tag: string, field: number): string | undefined =>
  text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.startsWith(`${tag}:`))
    ?.split(':')[field];

async function runRpmKey(args: Args, ctx: RunContext): Promise<ModuleResult> {
  const key = args.key;
  const url = key.includes('://');
  const sh = (cmd: string) => ctx.exec(`${SBIN_PATH}; ${cmd}`);
  let tmp: string | undefined;
  try {
    let file: string | undefined = !isKeyId(key) || url ? key : undefined;
    if (url) {
      const k = args.validate_certs === false;
      const got = await sh(
        `f=$(mktemp) && { if command -v curl >/dev/null 2>&1; then curl -fsSL ${k ? '-k ' : ''}-o "$f" ${quote(key)}; else wget -q ${k ? '--no-check-certificate ' : ''}-O "$f" ${quote(key)}; fi; } && printf '%s\\n' "$f" || { rc=$?; rm -f "$f"; exit $rc; }`,
      );
      if (got.rc !== 0) throw new ModuleFailure(`failed to fetch key at ${key} , error was: ${got.stderr.trim() || `rc=${got.rc}`}`);
      tmp = file = got.stdout.trim();
      const head = await sh(`grep -c -- '-----BEGIN PGP PUBLIC KEY BLOCK-----' ${quote(tmp)}`);
      if (head.rc !== 0) throw new ModuleFailure(`Not a public key: ${key}`);
    }
    const script = lookupScript(file);
    const out = (!url ? await ctx.batchedGuard?.(script) : undefined) ?? (await ctx.exec(script));
    const s = parseSections(out.stdout);
    if (!s.have.rpm) throw new ModuleFailure(`Failed to find required executable "rpm" on ${ctx.host}`);
    if (!s.have.gpg && !s.have.gpg2) throw new ModuleFailure(`Failed to find required executable "gpg2" on ${ctx.host}`);
    let keyid: string;
    if (file !== undefined) {
      if (s.text.keyfile === undefined) throw new ModuleFailure(`Not a valid key ${key}`);
      if (s.rc.keyfile !== 0) throw new ModuleFailure(s.text.keyfile);
      const id = colonField(s.text.keyfile, 'pub', 4);
      if (id === undefined) throw new ModuleFailure('Unexpected gpg output');
      keyid = normalizeKeyId(id);
    } else keyid = normalizeKeyId(key);
    const importedText = s.text.imported ?? '';
    if (s.text.imported !== undefined && s.rc.imported !== 0) throw new ModuleFailure(importedText);
    const imported = importedText.split('\n').some((l) => (l.split(':')[4] ?? '').includes(keyid));
    if ((args.state ?? 'present') === 'present') {
      if (imported) return { changed: false };
      if (file === undefined) throw new ModuleFailure('When importing a key, a valid file must be given');
      if (args.fingerprint) {
        const want = args.fingerprint.replace(/ /g, '').toUpperCase();
        const has = colonField(s.text.keyfile ?? '', 'fpr', 9);
        if (has === undefined) throw new ModuleFailure('Unexpected gpg output');
        if (want !== has) throw new ModuleFailure(`The specified fingerprint, '${want}', does not match the key fingerprint '${has}'`);
      }
      if (!ctx.check) {
        const res = await sh(`rpm --import ${quote(file)}`);
        if (res.rc !== 0) throw new ModuleFailure(res.stderr);
      }
      return { changed: true };
    }
    if (!imported) return { changed: false };
    if (!ctx.check) {
      const res = await sh(`rpm --erase --allmatches ${quote(`gpg-pubkey-${keyid.slice(-8).toLowerCase()}`)}`);
      if (res.rc !== 0) throw new ModuleFailure(res.stderr);
    }
    return { changed: true };
  } finally {
    if (tmp) await ctx.exec(`rm -f ${quote(tmp)}`);
  }
}

export const rpmKeyModule = defineModule<Args>({
  name: 'rpm_key',
  summary: 'Add or remove a gpg key in the rpm database (rpm, gpg; URLs fetched on the host)',
  schema,
  checkMode: 'run',
  guard: (args) => (args.key.includes('://') ? undefined : lookupScript(isKeyId(args.key) ? undefined : args.key)),
  run: runRpmKey,
});
