import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { buildGatherScript, splitSections } from '../../src/facts/gather.js';
import { commandModule } from '../../src/modules/command.js';
import { execModules } from '../../src/modules/exec-modules.js';
import { pauseModule } from '../../src/modules/pause.js';
import { pingModule } from '../../src/modules/ping.js';
import { rawModule } from '../../src/modules/raw.js';
import { scriptModule } from '../../src/modules/script.js';
import { setupModule } from '../../src/modules/setup.js';
import { shellModule } from '../../src/modules/shell.js';
import { ModuleFailure, type ModuleDef, type ModuleResult } from '../../src/modules/types.js';
import { waitForModule } from '../../src/modules/wait-for.js';
import { LocalTransport } from '../../src/transport/local.js';
import { makeRunContext, type RunContextOptions } from '../helpers/run-context.js';

const work = mkdtempSync(join(tmpdir(), 'rackplay-exec-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Fill defaults the way ajv would, then run. */
function defaults(def: ModuleDef): Record<string, unknown> {
  const props = (def.schema.properties ?? {}) as Record<string, { default?: unknown }>;
  return Object.fromEntries(Object.entries(props).filter(([, p]) => p.default !== undefined).map(([k, p]) => [k, p.default]));
}
async function run(def: ModuleDef, args: Record<string, unknown>, opts: Partial<RunContextOptions> = {}): Promise<ModuleResult> {
  const transport = new LocalTransport('localhost');
  const ctx = makeRunContext({ transport, filesDir: work, ...opts });
  // a module fails by throwing ModuleFailure; the engine makes it this result
  return def.run!({ ...defaults(def), ...args }, ctx).catch((e: unknown) => {
    if (e instanceof ModuleFailure) return e.result();
    throw e;
  });
}

let canary: string;
beforeEach(() => {
  canary = join(work, `canary-${Math.random().toString(36).slice(2)}`);
});

describe('exec module list', () => {
  it('exports each module once with a unique name and a run()', () => {
    const names = execModules.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['command', 'shell', 'raw', 'script', 'ping', 'pause', 'wait_for', 'setup']));
    for (const m of execModules) expect(typeof m.run).toBe('function');
  });
});

describe('command', () => {
  it('runs a program and reports Ansible fields', async () => {
    const r = await run(commandModule, { _raw_params: 'printf "%s\\n" "a b" c' });
    expect(r).toMatchObject({ changed: true, rc: 0, stdout: 'a b\nc', stdout_lines: ['a b', 'c'], stderr: '', cmd: ['printf', '%s\\n', 'a b', 'c'] });
    expect(r.failed).toBeUndefined();
    expect(r.delta).toMatch(/^0:00:00(\.\d{6})?$/);
    expect(r.start).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
  });

  it('passes hostile words literally: no shell ever sees them', async () => {
    const hostile = [`$(touch ${canary})`, `; touch ${canary}`, `\`touch ${canary}\``, `| touch ${canary}`, `' && touch ${canary} '`];
    const viaArgv = await run(commandModule, { argv: ['printf', '%s\\n', ...hostile] });
    expect(viaArgv.stdout_lines).toEqual(hostile);
    const viaFree = await run(commandModule, { _raw_params: `echo $(touch ${canary}) ; touch ${canary} | touch ${canary} && touch ${canary}` });
    expect(viaFree.stdout).toBe(`$(touch ${canary}) ; touch ${canary} | touch ${canary} && touch ${canary}`);
    expect(existsSync(canary)).toBe(false);
  });

  it('expands environment variables in words, as Ansible does', async () => {
    const r = await run(commandModule, { _raw_params: 'echo $RP_TEST_VAR ${RP_TEST_VAR}x $RP_UNSET_VAR' }, { env: { RP_TEST_VAR: 'v 1' } });
    expect(r.stdout).toBe('v 1 v 1x $RP_UNSET_VAR');
  });

  it('fails with rc and msg on a non-zero exit', async () => {
    const r = await run(commandModule, { argv: ['sh', '-c', 'echo oops >&2; exit 3'] });
    expect(r).toMatchObject({ failed: true, changed: true, rc: 3, msg: 'non-zero return code', stderr: 'oops' });
  });

  it('reports a missing program like Ansible', async () => {
    const r = await run(commandModule, { _raw_params: 'rackplay-no-such-program --x' });
    expect(r).toMatchObject({ failed: true, rc: 2, msg: "[Errno 2] No such file or directory: b'rackplay-no-such-program'" });
  });

  it('chdir, and a missing chdir', async () => {
    expect((await run(commandModule, { _raw_params: 'pwd', chdir: work })).stdout).toBe(work);
    const r = await run(commandModule, { _raw_params: 'pwd', chdir: join(work, 'nope') });
    expect(r.failed).toBe(true);
    expect(r.msg).toBe(`Unable to change directory before execution: [Errno 2] No such file or directory: '${join(work, 'nope')}'`);
  });

  it('creates / removes decide in the same round trip', async () => {
    const marker = join(work, 'created-marker');
    const transport = new LocalTransport('localhost');
    const ctx = makeRunContext({ transport });
    const first = await commandModule.run!({ ...defaults(commandModule), argv: ['touch', marker], creates: marker }, ctx);
    expect(first.changed).toBe(true);
    expect(existsSync(marker)).toBe(true);
    const second = await commandModule.run!({ ...defaults(commandModule), argv: ['touch', canary], creates: marker }, ctx);
    expect(second).toMatchObject({ changed: false, rc: 0, msg: `Did not run command since '${marker}' exists`, stdout: `skipped, since ${marker} exists` });
    expect(existsSync(canary)).toBe(false);
    expect(transport.stats.execs).toBe(2);
    const glob = await run(commandModule, { argv: ['touch', canary], creates: join(work, 'created-*') });
    expect(glob.changed).toBe(false);
    const removes = await run(commandModule, { argv: ['touch', canary], removes: join(work, 'absent-file') });
    expect(removes).toMatchObject({ changed: false, msg: `Did not run command since '${join(work, 'absent-file')}' does not exist` });
    expect(existsSync(canary)).toBe(false);
    const relative = await run(commandModule, { argv: ['touch', canary], creates: 'created-marker', chdir: work });
    expect(relative.changed).toBe(false);
  });

  it('takes creates= from the free form as Ansible does', async () => {
    const marker = join(work, 'inline-marker');
    writeFileSync(marker, '');
    const r = await run(commandModule, { _raw_params: `touch ${canary} creates=${marker}` });
    expect(r.changed).toBe(false);
    expect(existsSync(canary)).toBe(false);
  });

  it('stdin, stdin_add_newline and strip_empty_ends', async () => {
    expect((await run(commandModule, { _raw_params: 'od -c', stdin: 'hi' })).stdout).toContain('h   i  \\n');
    expect((await run(commandModule, { _raw_params: 'od -c', stdin: 'hi', stdin_add_newline: false })).stdout).not.toContain('\\n');
    expect((await run(commandModule, { _raw_params: 'printf "x\\n\\n"', strip_empty_ends: false })).stdout).toBe('x\n\n');
  });

  it('check mode: skipped without creates/removes, predicted with them, never run', async () => {
    const plain = await run(commandModule, { argv: ['touch', canary] }, { check: true });
    expect(plain).toMatchObject({ skipped: true, changed: false, msg: 'Command would have run if not in check mode' });
    const predicted = await run(commandModule, { argv: ['touch', canary], creates: canary }, { check: true });
    expect(predicted).toMatchObject({ changed: true, msg: 'Command would have run if not in check mode' });
    expect(predicted.skipped).toBeUndefined();
    writeFileSync(join(work, 'exists-check'), '');
    const skip = await run(commandModule, { argv: ['touch', canary], creates: join(work, 'exists-check') }, { check: true });
    expect(skip).toMatchObject({ changed: false, msg: `Would not run command since '${join(work, 'exists-check')}' exists` });
    expect(existsSync(canary)).toBe(false);
  });

  it('rejects bad quoting and empty commands as task failures', async () => {
    expect(await run(commandModule, { _raw_params: 'echo "unclosed' })).toMatchObject({ failed: true, msg: 'No closing quotation' });
    expect(await run(commandModule, { _raw_params: '  ' })).toMatchObject({ failed: true, msg: 'no command given' });
    expect(await run(commandModule, { _raw_params: 'ls', argv: ['ls'] })).toMatchObject({ failed: true, msg: 'only command or argv can be given, not both' });
  });
});

describe('shell', () => {
  it('interprets pipes and variables, reports cmd as the string', async () => {
    const r = await run(shellModule, { _raw_params: 'echo one two | wc -w; echo "$RP_X"', chdir: work }, { env: { RP_X: 'x y' } });
    expect(r).toMatchObject({ changed: true, rc: 0, stdout_lines: ['2', 'x y'], cmd: 'echo one two | wc -w; echo "$RP_X"' });
  });

  it('executable chooses the shell', async () => {
    const r = await run(shellModule, { _raw_params: 'echo "$BASH_VERSION" | cut -c1', executable: '/bin/bash' });
    expect(r.stdout).toMatch(/^\d$/);
  });

  it('removes and check mode', async () => {
    const r = await run(shellModule, { _raw_params: `touch ${canary}`, removes: join(work, 'nothing-*') });
    expect(r.changed).toBe(false);
    const c = await run(shellModule, { _raw_params: `touch ${canary}` }, { check: true });
    expect(c.skipped).toBe(true);
    expect(existsSync(canary)).toBe(false);
  });

  it('fails on exit status', async () => {
    expect(await run(shellModule, { _raw_params: 'exit 7' })).toMatchObject({ failed: true, rc: 7, msg: 'non-zero return code' });
  });
});

describe('raw', () => {
  it('keeps output as is, fails on rc, is skipped in check mode', async () => {
    expect(await run(rawModule, { _raw_params: 'printf "a\\n\\n"' })).toMatchObject({ changed: true, rc: 0, stdout: 'a\n\n', stdout_lines: ['a', ''] });
    expect(await run(rawModule, { _raw_params: 'exit 4' })).toMatchObject({ failed: true, rc: 4, msg: 'non-zero return code' });
    expect(await run(rawModule, { _raw_params: `touch ${canary}` }, { check: true })).toMatchObject({ skipped: true });
    expect(existsSync(canary)).toBe(false);
  });
});

describe('script', () => {
  const leftovers = () => readdirSync('/tmp').filter((f) => f.startsWith('.rackplay-rp'));

  it('uploads, runs with shell-quoted args in two round trips, and removes the copy', async () => {
    writeFileSync(join(work, 'hello.sh'), '#!/bin/sh\necho "args:$#"; for a in "$@"; do echo "[$a]"; done; pwd\n');
    const before = leftovers().length;
    const transport = new LocalTransport('localhost');
    const ctx = makeRunContext({ transport, filesDir: work });
    const r = await scriptModule.run!({ _raw_params: `hello.sh one "two words" '$HOME'`, chdir: '/' }, ctx);
    expect(r).toMatchObject({ changed: true, rc: 0, stdout_lines: ['args:3', '[one]', '[two words]', '[$HOME]', '/'] });
    expect(transport.stats.execs + transport.stats.puts).toBe(2);
    expect(leftovers().length).toBe(before);
  });

  it('creates skips, check mode does not run, rc fails, missing script fails', async () => {
    writeFileSync(join(work, 'touch.sh'), `#!/bin/sh\ntouch ${canary}\nexit 5\n`);
    writeFileSync(join(work, 'exists'), '');
    expect(await run(scriptModule, { _raw_params: 'touch.sh', creates: join(work, 'exists') })).toMatchObject({
      skipped: true, changed: false, msg: `${join(work, 'exists')} exists, matching creates option`,
    });
    // check mode: skipped unless creates/removes let the guard decide (Ansible's script action)
    expect(await run(scriptModule, { _raw_params: 'touch.sh' }, { check: true })).toEqual({ changed: false, skipped: true, msg: 'Check mode is not supported for this task.' });
    expect(await run(scriptModule, { _raw_params: 'touch.sh', creates: join(work, 'absent') }, { check: true })).toEqual({ changed: true });
    // creates/removes are checked before the local file is looked for
    expect(await run(scriptModule, { _raw_params: 'nope.sh', creates: join(work, 'exists') })).toMatchObject({ skipped: true });
    expect(await run(scriptModule, { _raw_params: 'nope.sh', removes: join(work, 'absent') }, { check: true })).toMatchObject({ skipped: true });
    expect(existsSync(canary)).toBe(false);
    expect(await run(scriptModule, { _raw_params: 'touch.sh' })).toMatchObject({ failed: true, rc: 5, msg: 'non-zero return code' });
    expect(existsSync(canary)).toBe(true);
    expect(await run(scriptModule, { _raw_params: 'nope.sh' })).toMatchObject({ failed: true });
  });
});

describe('ping and pause', () => {
  it('ping answers pong or the data; crash fails as a module that died does', async () => {
    expect(await run(pingModule, {})).toEqual({ changed: false, ping: 'pong' });
    expect(await run(pingModule, { data: 'hello' })).toMatchObject({ ping: 'hello' });
    const crash = await run(pingModule, { data: 'crash' });
    expect(crash).toMatchObject({ failed: true, changed: false, rc: 1, module_stdout: '', msg: 'MODULE FAILURE\nSee stdout/stderr for the exact error' });
    expect(String(crash.module_stderr)).toMatch(/Exception: boom\n$/);
  });

  it('pause waits and reports like Ansible', async () => {
    // A timer due well before the pause ends must have fired by the time it returns.
    let earlier = false;
    const timer = setTimeout(() => (earlier = true), 100);
    const r = await run(pauseModule, { seconds: 0.3 });
    clearTimeout(timer);
    expect(earlier).toBe(true);
    expect(r.stdout).toMatch(/^Paused for 0\.3\d? seconds$/);
    expect(r).toMatchObject({ changed: false, rc: 0, delta: 0 });
    const prompt = await run(pauseModule, { prompt: 'Continue?' });
    expect(prompt.warnings).toEqual(['Not waiting for response to prompt as stdin is not interactive']);
  });
});

describe('wait_for', () => {
  const servers: Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));
  function listen(banner?: string): Promise<number> {
    return new Promise((resolve) => {
      const srv = createServer((sock) => {
        if (banner) sock.write(banner);
        sock.on('error', () => {});
        setTimeout(() => sock.destroy(), 3000);
      });
      servers.push(srv);
      srv.listen(0, '127.0.0.1', () => resolve((srv.address() as { port: number }).port));
    });
  }
  async function closedPort(): Promise<number> {
    const port = await listen();
    const srv = servers.pop()!;
    await new Promise((r) => srv.close(r));
    return port;
  }

  it('sees an open port, matches a banner with groups, and times out on a closed one', async () => {
    const port = await listen();
    expect(await run(waitForModule, { port, timeout: 5 })).toMatchObject({ changed: false, state: 'started', port, elapsed: 0 });
    const sshPort = await listen('SSH-2.0-OpenSSH_9.2p1 Debian\r\n');
    const m = await run(waitForModule, { port: sshPort, search_regex: 'OpenSSH_(?P<ver>[0-9.]+)', timeout: 5 });
    expect(m).toMatchObject({ match_groups: ['9.2'], match_groupdict: { ver: '9.2' } });
    const closed = await closedPort();
    const t = await run(waitForModule, { port: closed, timeout: 1, sleep: 1 });
    expect(t).toMatchObject({ failed: true, msg: `Timeout when waiting for 127.0.0.1:${closed}` });
    expect(await run(waitForModule, { port: closed, state: 'stopped', timeout: 3 })).toMatchObject({ state: 'stopped' });
  });

  it('waits for a file to appear and contain a pattern, and for one to go', async () => {
    const file = join(work, 'later.log');
    setTimeout(() => writeFileSync(file, 'starting\nready on port 8080\n'), 600);
    const r = await run(waitForModule, { path: file, search_regex: 'port (\\d+)', timeout: 5 });
    expect(r).toMatchObject({ path: file, match_groups: ['8080'] });
    expect(await run(waitForModule, { path: file, search_regex: 'never', timeout: 1 })).toMatchObject({
      failed: true, msg: `Timeout when waiting for search string never in ${file}`,
    });
    expect(await run(waitForModule, { path: file, state: 'absent', timeout: 1, msg: 'custom' })).toMatchObject({ failed: true, msg: 'custom' });
    rmSync(file);
    expect(await run(waitForModule, { path: file, state: 'absent', timeout: 2 })).toMatchObject({ state: 'absent' });
  });

  it('rejects argument combinations as Ansible does', async () => {
    expect(await run(waitForModule, { path: '/x', port: 22 })).toMatchObject({ failed: true, msg: 'port and path parameter can not both be passed to wait_for' });
    expect(await run(waitForModule, { path: '/x', state: 'stopped' })).toMatchObject({ failed: true });
  });

  it('drained with no connections returns at once', async () => {
    const port = await listen();
    expect(await run(waitForModule, { port, state: 'drained', timeout: 3 })).toMatchObject({ state: 'drained' });
  });
});

describe('setup on this machine', () => {
  it('gathers typed facts for Debian', async () => {
    const r = await run(setupModule, {});
    const f = r.ansible_facts!;
    expect(r.changed).toBe(false);
    expect(f.ansible_distribution).toBe('Debian');
    expect(f.ansible_os_family).toBe('Debian');
    expect(f.ansible_distribution_major_version).toBe(execFileSync('sh', ['-c', '. /etc/os-release; echo $VERSION_ID']).toString().trim());
    expect(f.ansible_system).toBe('Linux');
    expect(f.ansible_kernel).toBe(execFileSync('uname', ['-r']).toString().trim());
    expect(f.ansible_pkg_mgr).toBe('apt');
    expect(typeof f.ansible_memtotal_mb).toBe('number');
    expect(f.ansible_memtotal_mb as number).toBeGreaterThan(0);
    expect(f.ansible_processor_vcpus as number).toBeGreaterThan(0);
    expect(Array.isArray(f.ansible_processor)).toBe(true);
    expect(Array.isArray(f.ansible_interfaces)).toBe(true);
    expect(f.ansible_interfaces).toContain('lo');
    expect(f.ansible_user_id).toBe(execFileSync('id', ['-un']).toString().trim());
    expect(typeof f.ansible_user_uid).toBe('number');
    expect((f.ansible_env as Record<string, string>).HOME).toBe(process.env.HOME);
    const dt = f.ansible_date_time as Record<string, string>;
    expect(Math.abs(Number(dt.epoch) - Date.now() / 1000)).toBeLessThan(30);
    expect(f.ansible_selinux).toHaveProperty('status');
    expect(typeof f.rackplay_vt_capable).toBe('boolean');
    expect(f.module_setup).toBe(true);
  });

  it('honours gather_subset and filter', async () => {
    const min = (await run(setupModule, { gather_subset: ['min'] })).ansible_facts!;
    expect(min).toHaveProperty('ansible_distribution');
    expect(min).not.toHaveProperty('ansible_processor');
    expect(min).not.toHaveProperty('ansible_interfaces');
    const filtered = (await run(setupModule, { filter: ['ansible_distribution*'] })).ansible_facts!;
    const names = Object.keys(filtered).filter((k) => k.startsWith('ansible_'));
    expect(names.length).toBeGreaterThan(2);
    expect(names.every((k) => k.startsWith('ansible_distribution'))).toBe(true);
    expect(await run(setupModule, { gather_subset: ['bogus'] })).toMatchObject({ failed: true });
  });

  it('reads local facts from fact_path: JSON, INI and executable', async () => {
    const dir = join(work, 'facts.d');
    execFileSync('mkdir', ['-p', dir]);
    writeFileSync(join(dir, 'app.fact'), '{"version": "1.2", "ports": [80, 443]}');
    writeFileSync(join(dir, 'site.fact'), '[site]\nRole = db\n');
    writeFileSync(join(dir, 'dyn.fact'), '#!/bin/sh\necho "{\\"pid\\": $$}"\n', { mode: 0o755 });
    writeFileSync(join(dir, 'ignored.txt'), 'x');
    const local = (await run(setupModule, { gather_subset: ['min'], fact_path: dir })).ansible_facts!.ansible_local as Record<string, any>;
    expect(Object.keys(local).sort()).toEqual(['app', 'dyn', 'site']);
    expect(local.app).toEqual({ version: '1.2', ports: [80, 443] });
    expect(local.site).toEqual({ site: { role: 'db' } });
    expect(typeof local.dyn.pid).toBe('number');
    const none = (await run(setupModule, { gather_subset: ['min'], fact_path: join(work, 'no-such-dir') })).ansible_facts!;
    expect(none.ansible_local).toEqual({});
  });

  it('the gather script gives the same sections under dash and bash --posix', () => {
    const script = buildGatherScript('N0NCE', undefined);
    const names = (sh: string[]) => [...splitSections(execFileSync(sh[0], [...sh.slice(1), '-c', script]).toString(), 'N0NCE').keys()];
    expect(names(['dash'])).toEqual(names(['bash', '--posix']));
  });
});
