// From parsed options to a finished run: config, inventory, playbooks (validated before
// any host is contacted), reporters, the engine, and ansible-playbook's exit code.
import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ask } from './prompt.js';
import { EXIT, formatUserError, formatUserWarning, UserError } from '../errors.js';
import { checkNotifies } from '../engine/notify-check.js';
import { runPlaybooks, tagSelected } from '../engine/run.js';
import { factCacheSettings } from '../engine/fact-cache.js';
import { expandLimit, inSlice, loadInventory, parseSlice, selectPlayHosts, type Inventory, type Slice } from '../inventory/index.js';
import { defaultRegistry } from '../modules/index.js';
import { SecretMasker, shouldUseColor } from '../output/index.js';
import { shouldUseLiveView } from '../output/live-view.js';
import { redactCommandLine } from '../output/report-json.js';
import { resolveReportSpecs } from '../output/report-spec.js';
import { createRunOutput } from '../output/run-output.js';
import { loadPlaybook } from '../playbook/index.js';
import { playRoles } from '../playbook/walk.js';
import type { Playbook, RoleInstance, TaskNode } from '../playbook/types.js';
import { Templar, lazyVars } from '../template/index.js';
import { HandshakeLimiter, openTransport } from '../transport/open.js';
import { tracedTransport } from '../transport/trace.js';
import { checkRoomForHosts } from '../transport/fd-limit.js';
import type { Transport } from '../transport/types.js';
import { ansibleBool } from '../boolean.js';
import { loadConfig } from './config.js';
import { parseExtraVars } from './extra-vars.js';
import { UsageError } from './usage-error.js';
import { setupRunVault } from '../vault/index.js';
import { vaultOptionsFrom } from './vault-command.js';

export interface CliOptions {
  inventory: string[];
  limit?: string;
  slice?: string;
  tags: string[];
  skipTags: string[];
  check?: boolean;
  diff?: boolean;
  extraVars: string[];
  forks?: string;
  verbose: number;
  listHosts?: boolean;
  listTasks?: boolean;
  listTags?: boolean;
  syntaxCheck?: boolean;
  startAtTask?: string;
  forceHandlers?: boolean;
  flushCache?: boolean;
  user?: string;
  become?: boolean;
  becomeUser?: string;
  becomeMethod?: string;
  askBecomePass?: boolean;
  timeout?: string;
  privateKey?: string;
  connection?: string;
  /** 10 when something changed or would change (failures keep their codes). */
  detailedExitcode?: boolean;
  /** FORMAT=PATH, repeatable. */
  report?: string[];
  /** No live view even on a terminal. */
  plain?: boolean;
  /** Load-time warnings (module arguments, included files) are errors. */
  strict?: boolean;
  /** The directory plays work from, instead of the playbook's own (the ad-hoc command's play). */
  playbookDir?: string;
  /** Overrides ansible.cfg's stdout_callback (the ad-hoc command's minimal / oneline). */
  stdoutCallback?: string;
}

/** This process's command line (named so as not to be confused with the modules' RunContext). */
export interface CliInvocation {
  version: string;
  /** argv after the program name, for the reports (secrets are redacted). */
  argv: string[];
}

/** How long running tasks may go on after Ctrl-C (RACKPLAY_INTERRUPT_GRACE_MS, for tests). */
const INTERRUPT_GRACE_MS = Number(process.env.RACKPLAY_INTERRUPT_GRACE_MS) > 0 ? Number(process.env.RACKPLAY_INTERRUPT_GRACE_MS) : 5000;

const splitList = (values: string[]) => values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);

export async function run(playbookArgs: string[], opts: CliOptions, invocation: CliInvocation = { version: '', argv: [] }): Promise<number> {
  const masker = new SecretMasker();
  const out = (t: string) => process.stdout.write(masker.mask(t));
  const err = (t: string) => process.stderr.write(masker.mask(t));
  // Until the run starts, nothing is under way on any host: Ctrl-C just quits, with 99.
  const quitNow = () => {
    err('\n [ERROR]: User interrupted execution\n');
    process.exit(EXIT.interrupted);
  };
  process.on('SIGINT', quitNow);
  try {
    if (playbookArgs.length === 0) throw new UsageError('the following arguments are required: playbook', { hint: 'usage: rackplay PLAYBOOK -i INVENTORY' });
    const config = loadConfig();
    // Usage errors first, then missing playbooks, as ansible-playbook checks them.
    const forks = opts.forks !== undefined ? Number(opts.forks) : config.forks;
    if (!Number.isInteger(forks) || forks < 1) throw new UsageError(`--forks must be a positive integer, got '${opts.forks}'`);
    // ansible-playbook's -T takes an int: a typo must not silently become NaN seconds.
    if (opts.timeout !== undefined && !/^\s*\d+\s*$/.test(opts.timeout)) throw new UsageError(`--timeout must be a whole number of seconds, got '${opts.timeout}'`);
    for (const p of playbookArgs) checkPlaybookFile(p);
    // Before anything is loaded: vars files, inventories and playbooks may hold vault data.
    await setupRunVault(vaultOptionsFrom(opts as unknown as Record<string, unknown>), { onSecret: (v) => masker.add(v), warn: (m) => err(`[WARNING]: ${m}\n`) });
    // Checked before anything runs: a typo in a report path should not cost a whole run.
    const reports = resolveReportSpecs({ cli: opts.report ?? [], env: process.env, configFile: config.file, cwd: process.cwd() });
    const extraVars = parseExtraVars(opts.extraVars);
    // Command-line connection options have extra-vars precedence, as in Ansible.
    if (opts.user) extraVars.ansible_user ??= opts.user;
    if (opts.privateKey) extraVars.ansible_ssh_private_key_file ??= opts.privateKey;
    if (opts.connection) extraVars.ansible_connection ??= opts.connection;
    if (opts.timeout) extraVars.ansible_timeout ??= Number(opts.timeout);
    // -b and its details are the play context's defaults, as Ansible's CLI options are: play
    // and task keywords override them, and ansible_become* variables override those.
    const cliKeywords: Record<string, unknown> = {};
    if (opts.become) cliKeywords.become = true;
    if (opts.becomeUser) cliKeywords.become_user = opts.becomeUser;
    if (opts.becomeMethod) cliKeywords.become_method = opts.becomeMethod;
    if (config.noLog) cliKeywords.no_log = true;

    const playbookPaths = playbookArgs.map((p) => path.resolve(p));
    const playbookDir = opts.playbookDir ?? path.dirname(playbookPaths[0]);
    const inventorySources = opts.inventory.length ? opts.inventory : config.inventory;
    // Ansible goes on without a source it cannot find; --strict (or INVENTORY_UNPARSED_FAILED) stops
    const unparsedFails = !!opts.strict || config.strict || ansibleBool(process.env.ANSIBLE_INVENTORY_UNPARSED_FAILED ?? 'false');
    const inventory = await loadInventory(inventorySources, { playbookDir, warnUnparsed: unparsedFails ? undefined : (m) => err(`[WARNING]: ${m}\n`) });

    const registry = defaultRegistry();
    const rolesPath = [...config.rolesPath, path.join(playbookDir, 'roles')];
    // Each problem told once, though an included file may be read again when it runs.
    // Held back until the playbooks have loaded: a load error is then the only output.
    const warned = new Set<string>();
    let heldBack: string[] | undefined = [];
    const tell = (text: string) => {
      if (warned.has(text)) return;
      warned.add(text);
      if (heldBack) heldBack.push(text);
      else err(`${text}\n`);
    };
    const warn = (problem: UserError) => tell(formatUserWarning(problem));
    const deprecate = (message: string) => tell(`[DEPRECATION WARNING]: ${message}`);
    const templar = new Templar({ searchPaths: () => [playbookDir] });
    // import_role names, roles: entries and loop_var templated from the play's vars or extra vars
    // vars whose values are templates themselves are rendered when used, as Ansible's are
    const renderStatic = (template: string, _pos: unknown, vars: Record<string, unknown>) => templar.render(template, lazyVars([vars, extraVars], templar));
    const loadOptions = { registry, rolesPath, libraryPath: config.libraryPath, warn, deprecate, renderStatic, strict: !!opts.strict || config.strict, ...(opts.playbookDir ? { playDir: playbookDir } : {}) };
    const playbooks: Playbook[] = [];
    for (const p of playbookPaths) playbooks.push(await loadPlaybook(p, loadOptions));
    checkNotifies(playbooks, config.errorOnMissingHandler ? undefined : warn);
    for (const text of heldBack) err(`${text}\n`);
    heldBack = undefined;

    const tags = splitList(opts.tags);
    const skipTags = splitList(opts.skipTags);
    if (opts.syntaxCheck) {
      for (const p of playbookArgs) out(`\nplaybook: ${p}\n`);
      return EXIT.ok;
    }
    const limit = opts.limit ? expandLimit(opts.limit) : undefined;
    const slice = opts.slice !== undefined ? parseSlice(opts.slice) : undefined;
    if (opts.listHosts || opts.listTasks || opts.listTags) {
      out(listing(playbooks, playbookArgs, inventory, templar, extraVars, { limit, slice }, { hosts: !!opts.listHosts, tasks: !!opts.listTasks, tags: !!opts.listTags }, tags, skipTags));
      return EXIT.ok;
    }

    // One connection per host for the whole run: room for them before contacting any.
    const targets = inSlice(selectPlayHosts(inventory, 'all', limit), slice).length + 1;
    checkRoomForHosts(targets);

    let becomePassword: string | undefined;
    if (opts.askBecomePass || config.becomeAskPass) {
      becomePassword = await ask('BECOME password: ', { hidden: true, output: process.stderr });
      masker.add(becomePassword);
    }

    const reporterOptions = {
      verbosity: opts.verbose,
      color: shouldUseColor(process.stdout, process.env),
      diff: !!opts.diff,
      check: !!opts.check,
      write: out,
      writeErr: err,
      columns: process.stdout.columns,
      displaySkippedHosts: config.displaySkippedHosts,
      displayOkHosts: config.displayOkHosts,
      displayFailedStderr: config.displayFailedStderr,
      showTaskPathOnFailure: config.showTaskPathOnFailure,
      showCustomStats: config.showCustomStats,
      checkModeMarkers: config.checkModeMarkers,
      masker,
    };
    const output = createRunOutput({
      reporter: reporterOptions,
      stdoutCallback: opts.stdoutCallback ?? config.stdoutCallback,
      live: shouldUseLiveView({ isTTY: !!process.stdout.isTTY, env: process.env, plain: !!opts.plain, stdoutCallback: opts.stdoutCallback ?? config.stdoutCallback, verbosity: opts.verbose }),
      detailedExitcode: !!opts.detailedExitcode,
      reports,
      meta: { version: invocation.version, commandLine: redactCommandLine(invocation.argv) },
    });
    output.handle({ kind: 'playbook-start', path: playbookArgs[0], check: !!opts.check, diff: !!opts.diff, plays: playbooks[0]?.plays.length, ...(slice ? { slice } : {}) });

    // First Ctrl-C: no new task starts, running ones get a grace period, the recap is
    // printed, exit 99. A second Ctrl-C quits at once.
    const interrupt = new AbortController();
    const onSigint = () => {
      if (interrupt.signal.aborted) quitNow();
      err(`\n [ERROR]: User interrupted execution: no new tasks start; running ones get ${INTERRUPT_GRACE_MS / 1000} s to finish (Ctrl-C again to quit now)\n`);
      interrupt.abort();
    };
    process.removeListener('SIGINT', quitNow);
    process.on('SIGINT', onSigint);
    // Handshakes are CPU-heavy: cap them separately from forks.
    const handshakeLimiter = new HandshakeLimiter();
    // For the benchmark (bench/): what the run cost in remote operations.
    const statsFile = process.env.RACKPLAY_STATS_FILE;
    const firstExec: { ms?: number } = {};
    // bin/rackplay.js writes its code cache after a run that got this far: it then holds the
    // code playbook runs use, not only the option parsing of --version.
    (globalThis as Record<symbol, unknown>)[Symbol.for('rackplay.ranPlaybook')] = true;
    const summary = await runPlaybooks({
      playbooks,
      inventory,
      inventorySources,
      registry,
      templar,
      loadOptions,
      limit,
      slice,
      tags,
      skipTags,
      check: !!opts.check,
      diff: !!opts.diff,
      extraVars,
      forks,
      verbosity: opts.verbose,
      startAtTask: opts.startAtTask,
      forceHandlers: !!opts.forceHandlers || config.forceHandlers,
      errorOnMissingHandler: config.errorOnMissingHandler,
      gathering: config.gathering,
      factCache: factCacheSettings(),
      flushCache: !!opts.flushCache,
      becomePassword,
      cliKeywords,
      sink: (e) => output.handle(e),
      openTransport: async (host, vars) => {
        const t = await openTransport(host, vars, { hostKeyChecking: config.hostKeyChecking, timeoutS: config.timeout, remoteUser: config.remoteUser, handshakeLimiter });
        if (statsFile) noteFirstExec(t, firstExec);
        return opts.verbose >= 3 ? tracedTransport(t, (command) => output.handle({ kind: 'exec-trace', host, command })) : t;
      },
      addSecret: (s) => masker.add(s),
      // vars_prompt asks only on a terminal, as Ansible does
      promptVar: process.stdin.isTTY ? (msg, hidden) => ask(msg, { hidden }) : undefined,
      interrupt: interrupt.signal,
      interruptGraceMs: INTERRUPT_GRACE_MS,
    }).finally(() => process.removeListener('SIGINT', onSigint));
    const exitCode = interrupt.signal.aborted ? (await output.finish(EXIT.interrupted), EXIT.interrupted) : await output.finish(summary.exitCode);
    if (statsFile) writeTransportStats(statsFile, summary.transports.values(), firstExec.ms, handshakeLimiter.peak);
    return exitCode;
  } catch (e) {
    if (e instanceof UserError) {
      err(formatUserError(e) + '\n');
      if (opts.verbose >= 3 && e.stack) err(e.stack + '\n');
      return e.exitCode;
    }
    throw e;
  } finally {
    process.removeListener('SIGINT', quitNow);
  }
}

/** A playbook that is not there is a plain error (exit 1) in ansible-playbook, not a parse error. */
function checkPlaybookFile(p: string): void {
  let isFile: boolean;
  try {
    isFile = statSync(p).isFile();
  } catch {
    throw new UserError(`the playbook: ${p} could not be found`, { kind: 'error' });
  }
  if (!isFile) throw new UserError(`the playbook: ${p} does not appear to be a file`, { kind: 'error' });
}

/** Records, once per run, when the first remote command was sent (ms since the process started). */
function noteFirstExec(t: Transport, first: { ms?: number }): void {
  const exec = t.exec.bind(t);
  t.exec = (command, opts) => {
    first.ms ??= Math.round(process.uptime() * 1000);
    return exec(command, opts);
  };
}

/** Sums the transports' counters into a JSON file (RACKPLAY_STATS_FILE). */
export function writeTransportStats(file: string, transports: Iterable<Transport>, firstExecMs?: number, handshakesPeak?: number): void {
  const total = { hosts: 0, execs: 0, puts: 0, gets: 0, connects: 0, firstExecMs: firstExecMs ?? null, handshakesPeak: handshakesPeak ?? null };
  for (const t of transports) {
    total.hosts++;
    total.execs += t.stats.execs;
    total.puts += t.stats.puts;
    total.gets += t.stats.gets;
    total.connects += t.stats.connects;
  }
  writeFileSync(file, JSON.stringify(total) + '\n');
}

function listing(
  playbooks: Playbook[],
  names: string[],
  inventory: Inventory,
  templar: Templar,
  extraVars: Record<string, unknown>,
  select: { limit: string[] | undefined; slice: Slice | undefined },
  what: { hosts: boolean; tasks: boolean; tags: boolean },
  only: string[],
  skip: string[],
): string {
  let text = '';
  playbooks.forEach((pb, i) => {
    text += `\nplaybook: ${names[i]}\n`;
    pb.plays.forEach((play, n) => {
      const pattern = templar.render(play.hosts, extraVars) as string | string[];
      const shown = Array.isArray(pattern) ? pattern.join(',') : pattern;
      // an unnamed play is named after its hosts, as Ansible names it
      text += `\n  play #${n + 1} (${shown}): ${play.name ?? shown}\tTAGS: [${play.tags.join(', ')}]\n`;
      if (what.hosts) {
        const hosts = inSlice(selectPlayHosts(inventory, pattern, select.limit), select.slice);
        text += `    pattern: ${JSON.stringify(Array.isArray(pattern) ? pattern : [pattern]).replace(/"/g, "'")}\n    hosts (${hosts.length}):\n`;
        for (const h of hosts) text += `      ${h}\n`;
      }
      const tasks: { name: string; tags: string[] }[] = [];
      // Ansible templates tags with the play's variables before listing and selecting them.
      const playVars = { ...(play.vars ?? {}), ...extraVars };
      const rendered = (tags: string[]): string[] =>
        tags.flatMap((t) => {
          if (!templar.isTemplated(t)) return [t];
          try {
            const v = templar.render(t, playVars);
            return Array.isArray(v) ? v.map(String) : [String(v)];
          } catch {
            return [t];
          }
        });
      const walk = (nodes: TaskNode[], inherited: string[], role?: RoleInstance) => {
        for (const n of nodes) {
          const tags = [...new Set([...inherited, ...rendered(n.tags)])];
          if (n.kind === 'block') {
            walk(n.block, tags, role);
            walk(n.rescue, tags, role);
            walk(n.always, tags, role);
          } else {
            // ansible-playbook lists a named task as `role : name` (include_role: its name
            // alone) and an unnamed one by its action, without the role
            const r = n.kind === 'include' && n.action === 'include_role' ? undefined : n.role?.name ?? role?.name;
            const name = n.name === undefined ? n.actionAsWritten ?? n.action : r ? `${r} : ${n.name}` : n.name;
            tasks.push({ name, tags });
          }
        }
      };
      walk(play.pre_tasks, play.tags);
      // A dependency's tasks carry the tags of the roles that pulled it in.
      for (const { role, via } of playRoles(play)) walk(role.tasks, [...new Set([...play.tags, ...via.flatMap((r) => r.keywords.tags), ...role.keywords.tags])], role);
      walk(play.tasks, play.tags);
      walk(play.post_tasks, play.tags);
      const selected = tasks.filter((t) => tagSelected(t.tags, only, skip));
      if (what.tasks) {
        text += `    tasks:\n`;
        for (const t of selected) text += `      ${t.name}\tTAGS: [${[...t.tags].sort().join(', ')}]\n`;
      }
      if (what.tags) {
        const all = [...new Set(selected.flatMap((t) => t.tags))].sort();
        text += `      TASK TAGS: [${all.join(', ')}]\n`;
      }
    });
  });
  return text;
}
