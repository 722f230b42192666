// ansible.posix.synchronize: rsync between the controller and the host, run on the
// controller as Ansible does, with Ansible's options, `cmd`, `msg`, `rc`, `stdout_lines`,
// check mode (--dry-run) and diff (the itemized list). Where Ansible gives rsync an ssh
// command line, rackplay gives it bin/rackplay-rsh.js, which relays rsync's remote end
// through the host's existing connection (src/transport/rsh-relay.ts), with the task's
// become: so no second login, and the target needs rsync and nothing else. The ssh-only
// arguments (private_key, dest_port, ssh_args, verify_host, ssh_connection_multiplexing,
// use_ssh_args) are accepted and have nothing to do. Not done: delegate_to (rsync between
// two hosts) fails clearly.
//
//   - ansible.posix.synchronize:
//       src: site/
//       dest: /srv/www
//       delete: true
//       rsync_opts: ["--exclude=.git"]
import type { FromSchema } from 'json-schema-to-ts';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { shlexSplit } from '../shlex.js';
import { quote } from '../transport/quote.js';
import { startRelay } from '../transport/rsh-relay.js';
import { readRsyncOutput, remoteTarget, rsyncCommand } from './synchronize-args.js';
import { ModuleFailure, defineModule, type ModuleResult, type RunContext } from './types.js';

const schema = {
  type: 'object',
  properties: {
    src: { type: 'string' },
    dest: { type: 'string' },
    dest_port: { type: 'integer' },
    delete: { type: 'boolean', default: false },
    private_key: { type: 'string' },
    rsync_path: { type: 'string' },
    archive: { type: 'boolean', default: true },
    checksum: { type: 'boolean', default: false },
    compress: { type: 'boolean', default: true },
    existing_only: { type: 'boolean', default: false },
    dirs: { type: 'boolean', default: false },
    recursive: { type: 'boolean' },
    links: { type: 'boolean' },
    copy_links: { type: 'boolean', default: false },
    perms: { type: 'boolean' },
    times: { type: 'boolean' },
    owner: { type: 'boolean' },
    group: { type: 'boolean' },
    set_remote_user: { type: 'boolean', default: true },
    rsync_timeout: { type: 'integer', default: 0 },
    rsync_opts: { type: 'array', items: { type: 'string' }, default: [] },
    ssh_args: { type: 'string' },
    ssh_connection_multiplexing: { type: 'boolean', default: false },
    partial: { type: 'boolean', default: false },
    verify_host: { type: 'boolean', default: false },
    delay_updates: { type: 'boolean', default: true },
    mode: { type: 'string', enum: ['pull', 'push'], default: 'push' },
    link_dest: { type: 'array', items: { type: 'string' } },
    use_ssh_args: { type: 'boolean', default: false },
  },
  required: ['src', 'dest'],
  additionalProperties: false,
} as const;

export type SynchronizeArgs = FromSchema<typeof schema>;

/** The relay script, found from this file in the sources and in the bundle alike. */
function relayScript(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'bin', 'rackplay-rsh.js');
    try {
      accessSync(candidate, constants.R_OK);
      return candidate;
    } catch {
      if (path.dirname(dir) === dir) throw new ModuleFailure('synchronize: bin/rackplay-rsh.js is missing from this rackplay installation');
    }
  }
}

/** Ansible's get_bin_path(required=True) on the controller. */
function controllerRsync(name: string): string {
  if (name.includes('/')) return name;
  const dirs = (process.env.PATH ?? '').split(':').concat(['/sbin', '/usr/sbin', '/usr/local/sbin']);
  for (const d of dirs) {
    if (!d) continue;
    try {
      accessSync(path.join(d, name), constants.X_OK);
      return path.join(d, name);
    } catch {
      /* next */
    }
  }
  throw new ModuleFailure(`Failed to find required executable "${name}" in paths: ${dirs.filter(Boolean).join(':')}`);
}

/** A controller-side path as Ansible's action resolves it: relative ones from files/. */
function localPath(p: string, ctx: RunContext): string {
  if (p.includes(':') || p.startsWith('/')) return p;
  let found = ctx.controller.findFile('files', p) ?? path.resolve(ctx.controller.taskDir ?? process.cwd(), p);
  if (p.endsWith('/') && !found.endsWith('/')) found += '/';
  return found;
}

function runLocal(argv: string[], env: Record<string, string>): Promise<{ rc: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // the relay is a node process of its own: none of this one's NODE_OPTIONS (an inspector, a loader)
    const { NODE_OPTIONS: _ignored, ...inherited } = process.env;
    const child = spawn(argv[0], argv.slice(1), { env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ rc: code ?? (signal ? 128 + 9 : 1), stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

async function runSynchronize(args: SynchronizeArgs, ctx: RunContext): Promise<ModuleResult> {
  if (ctx.transport.host !== ctx.host) {
    throw new ModuleFailure(`synchronize with delegate_to is not supported by rackplay: it runs rsync on the controller, to or from the task's host (${ctx.host}), through its connection`);
  }
  if (args.src.startsWith('rsync://') && args.dest.startsWith('rsync://')) throw new ModuleFailure('either src or dest must be a localhost', { rc: 1 });
  const rsync = controllerRsync(String(ctx.vars.ansible_rsync_path || 'rsync'));
  const remote = ctx.transport.streams === true;
  let src: string;
  let dest: string;
  if (!remote) {
    // a local host (ansible_connection=local): both ends are paths on this machine
    src = localPath(args.src, ctx);
    dest = localPath(args.dest, ctx);
  } else {
    const host = String(ctx.vars.ansible_host ?? ctx.host);
    const user = args.set_remote_user && ctx.vars.ansible_user ? String(ctx.vars.ansible_user) : undefined;
    if (args.mode === 'pull') {
      src = remoteTarget(host, args.src, user);
      dest = localPath(args.dest, ctx);
    } else {
      src = localPath(args.src, ctx);
      dest = remoteTarget(host, args.dest, user);
    }
  }
  const warnings: string[] = [];
  if (args.rsync_opts.includes('')) {
    warnings.push(
      'The empty string is present in rsync_opts which will cause rsync to transfer the current working directory. If this is intended, use "." instead to get rid of this warning. If this is unintended, check for problems in your playbook leading to empty string in rsync_opts.',
    );
  }
  // a random marker: a file name cannot forge an itemized line
  const marker = `<<CHANGED-${randomBytes(6).toString('hex')}>>`;
  const missing = `rackplay-no-rsync-${randomBytes(6).toString('hex')}`;
  const rsh = remote ? `${quote(process.execPath)} ${quote(relayScript())}` : undefined;
  const cmd = rsyncCommand({ ...args, src, dest }, { rsync, check: ctx.check, rsh, marker });
  let rsyncMissing = false;
  const relay = remote
    ? await startRelay({
        transport: ctx.transport,
        become: ctx.become,
        // without rsync_path the remote command starts with `rsync`: say so when it is missing
        wrap: (command) => (args.rsync_path ? command : `command -v rsync >/dev/null 2>&1 || { echo ${missing} >&2; exit 127; }; ${command}`),
        onDone: (_command, rc, stderr) => {
          if (rc === 127 && stderr.includes(missing)) rsyncMissing = true;
        },
      })
    : undefined;
  let r: { rc: number; stdout: string; stderr: string };
  try {
    r = await runLocal(shlexSplit(cmd), { ...ctx.env, ...relay?.env });
  } finally {
    await relay?.close();
  }
  if (rsyncMissing) {
    throw new ModuleFailure(`rsync is not installed on ${ctx.host}: synchronize needs rsync on the host as well as on the controller`, { rc: 127, cmd });
  }
  if (r.rc !== 0) throw new ModuleFailure(r.stderr, { rc: r.rc, cmd });
  const out = readRsyncOutput(r.stdout, marker, !!args.link_dest?.length);
  return {
    changed: out.changed,
    msg: out.msg,
    rc: 0,
    cmd,
    stdout_lines: out.lines,
    ...(ctx.diff ? { diff: { prepared: out.msg } as never } : {}),
    ...(warnings.length ? { warnings } : {}),
  };
}

export const synchronizeModule = defineModule<SynchronizeArgs>({
  name: 'synchronize',
  aliases: ['ansible.posix.synchronize'],
  summary: 'rsync between the controller and the host, through the host\'s connection',
  schema,
  checkMode: 'run',
  run: runSynchronize,
});
