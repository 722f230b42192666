// The file modules against a real directory through LocalTransport: the check-mode plan
// predicts the change, the steps make it, a second probe+plan finds nothing to do, and
// hostile names and contents arrive byte for byte without anything being executed.
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync, existsSync, lstatSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalTransport } from '../../src/transport/local.js';
import type { Transport } from '../../src/transport/types.js';
import { ModuleFailure, type ControllerContext, type ModuleDef, type ModuleResult, type Plan, type RunContext } from '../../src/modules/types.js';
import { fileModules } from '../../src/modules/file-modules.js';

const mod = (name: string): ModuleDef => fileModules.find((m) => m.name === name)!;
const CANARY = `rp-canary-${process.pid}`;
// Every kind of byte that would do something if it reached a shell unquoted.
const HOSTILE_NAME = `it's a "dir" $(touch ${CANARY}) \`touch ${CANARY}\` ;|&<>*?~ ü`;
const HOSTILE_TEXT = `q'uo"te $(touch ${CANARY}) \`touch ${CANARY}\` $HOME \\n\n-leading dash\nünïcödé ✓\n\ttab\r\nno newline at end`;

let transport: Transport;
let root: string;

/** Runs a plan's steps as the engine will: consecutive execs joined with &&, puts alone. */
async function applyPlanForTest(t: Transport, plan: Plan): Promise<void> {
  let batch: string[] = [];
  const flush = async () => {
    if (!batch.length) return;
    const r = await t.exec(batch.join(' && '));
    batch = [];
    if (r.rc !== 0) throw new Error(`step failed rc=${r.rc}: ${r.stderr}`);
  };
  for (const s of plan.steps) {
    if (s.kind === 'exec') batch.push(s.cmd);
    else {
      await flush();
      await t.put(s.path, s.content, { mode: s.mode });
    }
  }
  await flush();
}

function controller(files: string): ControllerContext {
  return {
    findFile: (_kind, p) => {
      const full = p.startsWith('/') ? p : join(files, p);
      return existsSync(full) ? full : undefined;
    },
    render: (s) => s,
    evaluate: () => undefined,
    // A stand-in renderer: {{ name }} from extraVars or the fixed vars below.
    renderFile: (p, extra) =>
      readFileSync(p, 'utf8').replace(/\{\{\s*(\w+)\s*\}\}/g, (_m, k: string) => String({ greeting: 'hi', ...(extra ?? {}) }[k] ?? '')),
  };
}

function runCtx(check = false): RunContext {
  return {
    check,
    diff: true,
    host: 'web1',
    vars: {},
    transport,
    controller: controller(join(root, 'controller')),
    exec: (cmd, opts) => transport.exec(cmd, { stdin: opts?.stdin }),
    progress: () => {},
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    reconnect: async () => {},
  };
}

/** The plan, or the module's failure as `failed` (a module fails by throwing ModuleFailure). */
async function planFor(m: ModuleDef, args: Record<string, unknown>, check: boolean): Promise<{ plan: Plan & { failed?: string } }> {
  try {
    return await planOrThrow(m, args, check);
  } catch (e) {
    if (e instanceof ModuleFailure) return { plan: { steps: [], failed: e.message } };
    throw e;
  }
}

async function planOrThrow(m: ModuleDef, args: Record<string, unknown>, check: boolean): Promise<{ plan: Plan }> {
  const full = m.prepare ? await m.prepare(args, runCtx(check)) : args;
  const script = m.probe!(full)!;
  const before = transport.stats.execs;
  const out = await transport.exec(script);
  expect(transport.stats.execs - before).toBe(1);
  expect(out.rc).toBe(0);
  const facts = m.parse!(out, full);
  return { plan: m.plan!(full, facts, { check, diff: true, host: 'web1', vars: {} }) };
}

/** check predicts a change, apply makes it, then probe+plan (and check) find nothing. */
async function converge(name: string, args: Record<string, unknown>, opts: { alwaysChanges?: boolean } = {}): Promise<Plan> {
  const m = mod(name);
  const predicted = await planFor(m, args, true);
  expect(predicted.plan.failed).toBeUndefined();
  expect(predicted.plan.steps.length).toBeGreaterThan(0);
  const real = await planFor(m, args, false);
  await applyPlanForTest(transport, real.plan);
  const again = await planFor(m, args, false);
  expect(again.plan.failed).toBeUndefined();
  if (!opts.alwaysChanges) expect(again.plan.steps).toEqual([]);
  return real.plan;
}

function modeOf(p: string): number {
  return statSync(p).mode & 0o7777;
}

beforeAll(async () => {
  transport = new LocalTransport('web1');
  root = mkdtempSync(join(tmpdir(), 'rackplay-files-'));
  mkdirSync(join(root, HOSTILE_NAME));
  mkdirSync(join(root, 'controller', 'site', 'css'), { recursive: true });
  writeFileSync(join(root, 'controller', 'app.conf'), HOSTILE_TEXT);
  writeFileSync(join(root, 'controller', 'site', 'index.html'), '<h1>hi</h1>\n');
  writeFileSync(join(root, 'controller', 'site', 'css', 'a.css'), 'a{}\n');
  writeFileSync(join(root, 'controller', 'motd.j2'), 'say {{ greeting }} to {{ template_destpath }}\r\n');
});

afterAll(async () => {
  // Nothing in any name or content ran as a command.
  expect(existsSync(CANARY)).toBe(false);
  expect(existsSync(join(root, CANARY))).toBe(false);
  rmSync(root, { recursive: true, force: true });
});

describe('copy', () => {
  it('writes hostile content byte-exact into a hostile directory, then is idempotent', async () => {
    const dest = join(root, HOSTILE_NAME, '-leading dash.txt');
    await converge('copy', { dest, content: HOSTILE_TEXT, mode: '0640', backup: false, force: true });
    expect(readFileSync(dest, 'utf8')).toBe(HOSTILE_TEXT);
    expect(modeOf(dest)).toBe(0o640);
  });

  it('changes content with a backup and keeps the mode', async () => {
    const dest = join(root, HOSTILE_NAME, 'backup me');
    writeFileSync(dest, 'old\n', { mode: 0o600 });
    const plan = await converge('copy', { dest, content: 'new\n', backup: true, force: true });
    const backup = plan.result?.backup_file as string;
    expect(readFileSync(backup, 'utf8')).toBe('old\n');
    expect(readFileSync(dest, 'utf8')).toBe('new\n');
    expect(modeOf(dest)).toBe(0o600);
  });

  it('copies a controller file into a directory and sets owner/group', async () => {
    const dir = join(root, 'etc');
    mkdirSync(dir);
    await converge('copy', { src: 'app.conf', dest: dir, owner: 'nobody', group: 'nogroup', backup: false, force: true, remote_src: false, local_follow: true });
    const st = statSync(join(dir, 'app.conf'));
    expect(readFileSync(join(dir, 'app.conf'), 'utf8')).toBe(HOSTILE_TEXT);
    expect([st.uid, st.gid]).toEqual([65534, 65534]);
  });

  it('copies a tree (no trailing slash: the directory itself)', async () => {
    const dest = join(root, 'www');
    await converge('copy', { src: 'site', dest, directory_mode: '0750', backup: false, force: true, remote_src: false, local_follow: true });
    expect(readFileSync(join(dest, 'site', 'css', 'a.css'), 'utf8')).toBe('a{}\n');
    expect(modeOf(join(dest, 'site', 'css'))).toBe(0o750);
  });

  it('validate: a passing check installs, a failing one leaves the file and no temp behind', async () => {
    const dest = join(root, HOSTILE_NAME, 'validated');
    writeFileSync(dest, 'v1\n', { mode: 0o604 });
    await converge('copy', { dest, content: 'v2 ok\n', validate: 'grep -q ok %s', backup: false, force: true });
    expect(readFileSync(dest, 'utf8')).toBe('v2 ok\n');
    expect(modeOf(dest)).toBe(0o604);
    const { plan } = await planFor(mod('copy'), { dest, content: 'v3 bad\n', validate: 'grep -q ok %s', backup: false, force: true }, false);
    await expect(applyPlanForTest(transport, plan)).rejects.toThrow(/failed to validate/);
    expect(readFileSync(dest, 'utf8')).toBe('v2 ok\n');
    expect(existsSync(join(root, HOSTILE_NAME, '.validated.rackplay-validate'))).toBe(false);
  });
});

describe('template', () => {
  it('renders on the controller, normalises newlines, and is idempotent', async () => {
    const dest = join(root, HOSTILE_NAME, 'motd');
    await converge('template', { src: 'motd.j2', dest, mode: 0o644, backup: false, force: true, newline_sequence: '\n' });
    expect(readFileSync(dest, 'utf8')).toBe(`say hi to ${dest}\n`);
  });
});

describe('file', () => {
  const cases: Array<{ name: string; setup?: (p: string) => void; args: (p: string) => Record<string, unknown>; check: (p: string) => void; always?: boolean }> = [
    {
      name: 'nested directory with mode applied to each new level',
      args: (p) => ({ path: join(p, 'a b', '-c'), state: 'directory', mode: '0750' }),
      check: (p) => {
        expect(modeOf(join(p, 'a b'))).toBe(0o750);
        expect(modeOf(join(p, 'a b', '-c'))).toBe(0o750);
      },
    },
    {
      name: 'symbolic mode on an existing file',
      setup: (p) => writeFileSync(join(p, 'f'), 'x', { mode: 0o600 }),
      args: (p) => ({ path: join(p, 'f'), mode: 'g+r,o=r' }),
      check: (p) => expect(modeOf(join(p, 'f'))).toBe(0o644),
    },
    {
      name: 'touch then preserve times',
      args: (p) => ({ path: join(p, 'touched'), state: 'touch', modification_time: 'preserve', access_time: 'preserve' }),
      check: (p) => expect(statSync(join(p, 'touched')).isFile()).toBe(true),
    },
    {
      name: 'symlink, relative src with a hostile name',
      setup: (p) => writeFileSync(join(p, "tar'get $(x)"), 'x'),
      args: (p) => ({ path: join(p, 'lnk'), src: "tar'get $(x)", state: 'link' }),
      check: (p) => expect(readlinkSync(join(p, 'lnk'))).toBe("tar'get $(x)"),
    },
    {
      name: 'hard link',
      setup: (p) => writeFileSync(join(p, 'h-src'), 'x'),
      args: (p) => ({ path: join(p, 'h-dst'), src: join(p, 'h-src'), state: 'hard' }),
      check: (p) => expect(statSync(join(p, 'h-dst')).ino).toBe(statSync(join(p, 'h-src')).ino),
    },
    {
      name: 'absent removes a tree',
      setup: (p) => mkdirSync(join(p, 'gone', 'deep'), { recursive: true }),
      args: (p) => ({ path: join(p, 'gone'), state: 'absent' }),
      check: (p) => expect(existsSync(join(p, 'gone'))).toBe(false),
    },
    {
      name: 'recurse sets mode and owner through a tree',
      setup: (p) => {
        mkdirSync(join(p, 'tree', 'sub'), { recursive: true });
        writeFileSync(join(p, 'tree', 'sub', 'f'), 'x', { mode: 0o600 });
      },
      args: (p) => ({ path: join(p, 'tree'), state: 'directory', recurse: true, mode: 'u=rwX,g=rX,o=', owner: 'nobody' }),
      check: (p) => {
        expect(modeOf(join(p, 'tree', 'sub'))).toBe(0o750);
        expect(modeOf(join(p, 'tree', 'sub', 'f'))).toBe(0o640);
        expect(statSync(join(p, 'tree', 'sub', 'f')).uid).toBe(65534);
      },
    },
  ];
  const defaults = { recurse: false, force: false, follow: true, modification_time_format: '%Y%m%d%H%M.%S', access_time_format: '%Y%m%d%H%M.%S' };
  for (const c of cases) {
    it(c.name, async () => {
      const p = join(root, HOSTILE_NAME, 'file-' + c.name.replace(/\W+/g, '_'));
      mkdirSync(p);
      c.setup?.(p);
      await converge('file', { ...defaults, ...c.args(p) }, { alwaysChanges: c.always });
      c.check(p);
    });
  }

  it('touch without preserve always reports a change', async () => {
    const p = join(root, 'touch-always');
    writeFileSync(p, '');
    const { plan } = await planFor(mod('file'), { ...defaults, path: p, state: 'touch' }, true);
    expect(plan.steps.length).toBeGreaterThan(0);
  });

  it('state=file on a missing path fails like Ansible', async () => {
    const { plan } = await planFor(mod('file'), { ...defaults, path: join(root, 'missing') }, true);
    expect(plan.failed).toBe(`file (${join(root, 'missing')}) is absent, cannot continue`);
  });
});

describe('lineinfile / blockinfile / replace', () => {
  const edit = { backup: false, create: false, firstmatch: false, backrefs: false, state: 'present' };

  it('lineinfile replaces by regexp, inserts after, removes, creates', async () => {
    const p = join(root, HOSTILE_NAME, 'sshd config');
    writeFileSync(p, '#PermitRootLogin yes\nPort 22\n');
    await converge('lineinfile', { ...edit, path: p, regexp: '^#?PermitRootLogin', line: "PermitRootLogin no # $(touch x) 'q'" });
    await converge('lineinfile', { ...edit, path: p, insertafter: '^Port', line: '-Listen 0.0.0.0' });
    await converge('lineinfile', { ...edit, path: p, regexp: '^Port (\\d\\d)$', line: 'Port \\g<1>0', backrefs: true });
    expect(readFileSync(p, 'utf8')).toBe("PermitRootLogin no # $(touch x) 'q'\nPort 220\n-Listen 0.0.0.0\n");
    await converge('lineinfile', { ...edit, path: p, state: 'absent', regexp: '^-Listen' });
    expect(readFileSync(p, 'utf8')).toBe("PermitRootLogin no # $(touch x) 'q'\nPort 220\n");
    const created = join(root, 'new-dir', 'created.conf');
    await converge('lineinfile', { ...edit, path: created, line: 'ü=1', create: true, mode: '0600' });
    expect(readFileSync(created, 'utf8')).toBe('ü=1\n');
    expect(modeOf(created)).toBe(0o600);
  });

  it('lineinfile edits the target of a symlink and keeps the link', async () => {
    const target = join(root, 'real.conf');
    const link = join(root, 'link.conf');
    writeFileSync(target, 'a\n');
    symlinkSync(target, link);
    await converge('lineinfile', { ...edit, path: link, line: 'b' });
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('a\nb\n');
  });

  it('blockinfile inserts, updates and removes a hostile block', async () => {
    const p = join(root, HOSTILE_NAME, 'block');
    writeFileSync(p, 'top\n');
    const bi = { backup: false, create: false, state: 'present', marker: '# {mark} MANAGED', marker_begin: 'BEGIN', marker_end: 'END', append_newline: false, prepend_newline: false };
    await converge('blockinfile', { ...bi, path: p, block: HOSTILE_TEXT });
    expect(readFileSync(p, 'utf8')).toBe(`top\n# BEGIN MANAGED\n${HOSTILE_TEXT}\n# END MANAGED\n`);
    await converge('blockinfile', { ...bi, path: p, block: 'two' });
    expect(readFileSync(p, 'utf8')).toBe('top\n# BEGIN MANAGED\ntwo\n# END MANAGED\n');
    await converge('blockinfile', { ...bi, path: p, block: 'two', state: 'absent' });
    expect(readFileSync(p, 'utf8')).toBe('top\n');
  });

  it('replace with Python groups, between after/before', async () => {
    const p = join(root, HOSTILE_NAME, 'hosts');
    writeFileSync(p, 'a old.example.com\n[x]\nb old.example.com\n[y]\nc old.example.com\n');
    await converge('replace', { backup: true, path: p, after: '\\[x\\]', before: '\\[y\\]', regexp: '(?P<pre>\\s)old\\.', replace: '\\g<pre>new.' });
    expect(readFileSync(p, 'utf8')).toBe('a old.example.com\n[x]\nb new.example.com\n[y]\nc old.example.com\n');
  });
});

describe('stat / slurp / fetch', () => {
  it('stat describes a file and a dangling-safe symlink in one exec', async () => {
    const p = join(root, HOSTILE_NAME, 'stat me');
    writeFileSync(p, 'abc', { mode: 0o640 });
    const { plan } = await planFor(mod('stat'), { path: p, follow: false, get_checksum: true, checksum_algorithm: 'sha1' }, false);
    expect(plan.steps).toEqual([]);
    expect(plan.result?.stat).toMatchObject({ exists: true, isreg: true, mode: '0640', size: 3, checksum: 'a9993e364706816aba3e25717850c26c9cd0d89d', pw_name: 'root' });
    const l = join(root, HOSTILE_NAME, 'stat link');
    symlinkSync(p, l);
    const link = await planFor(mod('stat'), { path: l, follow: false, get_checksum: true, checksum_algorithm: 'sha1' }, false);
    expect(link.plan.result?.stat).toMatchObject({ islnk: true, lnk_target: p, lnk_source: p });
    const missing = await planFor(mod('stat'), { path: join(root, 'nope'), follow: false, get_checksum: true, checksum_algorithm: 'sha1' }, false);
    expect(missing.plan.result?.stat).toEqual({ exists: false });
  });

  it('slurp returns binary content exactly', async () => {
    const p = join(root, HOSTILE_NAME, 'bin');
    const bytes = Buffer.from([0, 1, 2, 10, 255, 254, 10, 10]);
    writeFileSync(p, bytes);
    const { plan } = await planFor(mod('slurp'), { src: p }, false);
    expect(Buffer.from(plan.result?.content as string, 'base64').equals(bytes)).toBe(true);
  });

  it('fetch copies to dest/host/path and then reports no change', async () => {
    const p = join(root, HOSTILE_NAME, 'remote.log');
    writeFileSync(p, HOSTILE_TEXT);
    const dest = join(root, 'fetched');
    const args = { src: p, dest, flat: false, fail_on_missing: true, validate_checksum: true };
    const first = (await mod('fetch').run!(args, runCtx())) as ModuleResult;
    expect(first.changed).toBe(true);
    const local = join(dest, 'web1', p);
    expect(readFileSync(local, 'utf8')).toBe(HOSTILE_TEXT);
    const second = (await mod('fetch').run!(args, runCtx())) as ModuleResult;
    expect(second.changed).toBe(false);
    await expect(mod('fetch').run!({ ...args, src: join(root, 'nope') }, runCtx())).rejects.toThrow(ModuleFailure);
  });
});
