// ansible.builtin.apt_repository: adds or removes one source line in /etc/apt/sources.list
// or a sources.list.d/*.list file named as Ansible names it, then runs apt-get update (with
// Ansible's retries; on failure the files are put back). One read of every sources file
// (this module's guard, so it joins the batched probe); the edit is apt-repository-
// sources.ts, pure. A `ppa:` line is expanded with the host's codename, but adding one
// needs launchpad.net for its signing key: rackplay fails instead of fetching it.
//
//   - ansible.builtin.apt_repository:
//       repo: deb [trusted=yes] http://apt.example.com/debian bookworm main
//       filename: example
import type { FromSchema } from 'json-schema-to-ts';
import { SBIN_PATH, haveTools, parseSections, section } from '../facts/system-probe.js';
import { quote } from '../transport/quote.js';
import { APT_ENV } from './apt-facts.js';
import { DEFAULT_SOURCES, SOURCE_PARTS, addSource, dumpSources, expandPpa, loadSources, removeSource } from './apt-repository-sources.js';
import { splitLines } from './command-runner.js';
import { ModuleFailure, defineModule, type FileDiff, type ModuleResult, type RunContext } from './types.js';

const schema = {
  type: 'object',
  properties: {
    repo: { type: 'string' },
    state: { type: 'string', enum: ['absent', 'present'], default: 'present' },
    mode: { type: ['string', 'integer'] },
    update_cache: { type: 'boolean', default: true },
    update_cache_retries: { type: 'integer', default: 5 },
    update_cache_retry_max_delay: { type: 'integer', default: 12 },
    filename: { type: 'string' },
    install_python_apt: { type: 'boolean', default: true },
    validate_certs: { type: 'boolean', default: true },
    codename: { type: 'string' },
  },
  required: ['repo'],
  additionalProperties: false,
} as const;

type Args = FromSchema<typeof schema>;

function probeScript(): string {
  return [
    SBIN_PATH,
    haveTools(['apt-get', 'apt-key', 'gpg', 'base64']),
    section('codename', '. /etc/os-release 2>/dev/null; echo "${VERSION_CODENAME:-}"'),
    section('files', `for f in ${DEFAULT_SOURCES} ${SOURCE_PARTS}/*.list; do if [ -f "$f" ]; then printf '%s ' "$f"; base64 < "$f" | tr -d '\\n'; echo; fi; done`),
  ].join('\n');
}

/** `mode` as Ansible's file mode: an int is decimal of the octal, a string is octal. */
function octalMode(mode: string | number | undefined): string {
  if (mode === undefined) return '0644';
  if (typeof mode === 'number') return mode.toString(8).padStart(4, '0');
  if (!/^[0-7]{3,4}$/.test(mode)) throw new ModuleFailure(`apt_repository: mode ${mode} is not an octal mode (rackplay takes octal modes only)`);
  return mode;
}

async function writeFile(ctx: RunContext, path: string, content: string, mode: string): Promise<void> {
  const dir = path.slice(0, path.lastIndexOf('/')) || '/';
  const base = path.slice(path.lastIndexOf('/') + 1);
  const r = await ctx.exec(
    `umask 022; mkdir -p ${quote(dir)} && t=$(mktemp ${quote(`${dir}/.${base}-XXXXXX`)}) && cat > "$t" && { if [ -e ${quote(path)} ]; then chmod --reference=${quote(path)} "$t"; else chmod ${mode} "$t"; fi; } && mv -f "$t" ${quote(path)}`,
    { stdin: content },
  );
  if (r.rc !== 0) throw new ModuleFailure(r.stderr.trim() || `cannot write ${path}`);
}

async function removeFile(ctx: RunContext, path: string): Promise<void> {
  await ctx.exec(`rm -f ${quote(path)}`);
}

async function runAptRepository(args: Args, ctx: RunContext): Promise<ModuleResult> {
  if (!args.repo) throw new ModuleFailure("Please set argument 'repo' to a non-empty value");
  const script = probeScript();
  const out = (await ctx.batchedGuard?.(script)) ?? (await ctx.exec(script));
  const s = parseSections(out.stdout);
  if (!s.have['apt-get']) throw new ModuleFailure('Module apt_repository is not supported on target.');
  if (!s.have['apt-key'] && !s.have.gpg) throw new ModuleFailure('Either apt-key or gpg binary is required, but neither could be found');
  const files: Record<string, string> = {};
  for (const line of splitLines(s.text.files ?? '')) {
    const i = line.indexOf(' ');
    if (i > 0) files[line.slice(0, i)] = Buffer.from(line.slice(i + 1), 'base64').toString('utf8');
  }
  const codename = args.codename ?? (s.text.codename ?? '').trim();
  const sources = loadSources(files);
  const before = dumpSources(sources);
  const newFiles = new Set<string>();
  const state = args.state ?? 'present';
  let repo = args.repo;
  if (repo.startsWith('ppa:')) {
    const line = expandPpa(repo, codename);
    const present = Object.values(before).some((text) => text.split('\n').includes(line));
    if (state === 'present' && !present) throw new ModuleFailure(`apt_repository: adding ${repo} needs launchpad.net (the PPA's signing key); rackplay does not fetch it`);
    repo = line;
  }
  if (state === 'present') {
    if (!args.repo.startsWith('ppa:')) addSource(sources, repo, args.filename, newFiles);
  } else removeSource(sources, repo);
  const after = dumpSources(sources);
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const changed = names.some((f) => before[f] !== after[f]);
  const diff: FileDiff[] = changed && ctx.diff ? names.map((f) => ({ before: before[f] ?? '', after: after[f] ?? '', before_header: f in before ? f : '/dev/null', after_header: f in after ? f : '/dev/null' })) : [];
  const result: ModuleResult = { changed, repo: args.repo, state, diff: diff.length ? diff : ({} as FileDiff) };
  if (!changed || ctx.check) return result;
  const mode = octalMode(args.mode);
  const changedFiles = names.filter((f) => before[f] !== after[f]);
  for (const f of changedFiles) {
    if (after[f] === undefined) await removeFile(ctx, f);
    else await writeFile(ctx, f, after[f], newFiles.has(f) ? mode : '0644');
  }
  if (args.update_cache ?? true) {
    const retries = args.update_cache_retries ?? 5;
    const maxDelay = args.update_cache_retry_max_delay ?? 12;
    const jitter = Math.floor(Math.random() * 1001) / 1000;
    let err = '';
    for (let i = 0; i < retries; i++) {
      const r = await ctx.exec(`${SBIN_PATH} && ${APT_ENV} apt-get update -q`);
      if (r.rc === 0) return result;
      err = splitLines(r.stderr)
        .filter((l) => /^[EW]: /.test(l))
        .map((l) => l.replace(/^([EW]): /, '$1:'))
        .join(', ');
      const delay = 2 ** i + jitter;
      await ctx.sleep(1000 * (delay > maxDelay ? maxDelay + jitter : delay));
    }
    // Ansible's revert_sources_list: new files go, the others get their old text back
    for (const f of changedFiles) {
      if (before[f] === undefined) await removeFile(ctx, f);
      else await writeFile(ctx, f, before[f], '0644');
    }
    throw new ModuleFailure(`Failed to update apt cache: ${err || 'unknown reason'}`);
  }
  return result;
}

export const aptRepositoryModule = defineModule<Args>({
  name: 'apt_repository',
  summary: 'Add or remove an apt source line (sources.list.d files named as Ansible names them)',
  schema,
  argAliases: { 'update-cache': 'update_cache' },
  checkMode: 'run',
  guard: () => probeScript(),
  run: runAptRepository,
});
