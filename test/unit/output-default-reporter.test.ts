// Expected texts are written from Ansible's sources, not from our output:
//   lib/ansible/plugins/callback/default.py   (line shapes, which result shows JSON)
//   lib/ansible/plugins/callback/__init__.py  (_dump_results, _clean_results, _get_item_label)
//   lib/ansible/utils/display.py              (banner: "\n<msg> <stars>", columns = max(79, tty-1))
//   lib/ansible/executor/task_result.py       (clean_copy drops failed/skipped before callbacks)
import { describe, expect, it } from 'vitest';
import { createDefaultReporter } from '../../src/output/index.js';
import type { RunEvent } from '../../src/output/events.js';
import { bannerLine, render, stats, task } from './output-helpers.js';

const play = (name: string, pattern = 'all'): RunEvent => ({ kind: 'play-start', name, hosts: ['web1'], pattern });
const run = (events: RunEvent[], opts = {}) => render(createDefaultReporter, events, opts);

describe('default reporter: banners', () => {
  it('pads PLAY/TASK banners with stars to 80 columns when not on a TTY, each preceded by a blank line', async () => {
    const t = task('Install nginx');
    const { out } = await run([play('webservers'), { kind: 'task-start', task: t }]);
    // display.py banner(): star_len = columns - len(msg); columns = max(79, 0 - 1) = 79.
    expect(out).toBe(`\n${bannerLine('PLAY [webservers]')}\n\n${bannerLine('TASK [Install nginx]')}\n`);
    for (const line of out.split('\n').filter(Boolean)) expect(line.length).toBe(80);
  });

  it('uses terminal width - 1 on wide terminals and never fewer than 3 stars', async () => {
    const long = 'x'.repeat(200);
    const { out } = await run([play('p'), { kind: 'task-start', task: task(long) }], { columns: 121 });
    expect(out).toContain(`\nPLAY [p] ${'*'.repeat(120 - 'PLAY [p]'.length)}\n`);
    expect(out).toContain(`\nTASK [${long}] ***\n`);
  });

  it('names an unnamed play after its host pattern and prints RUNNING HANDLER for handlers', async () => {
    const h = task('restart nginx', { handler: true });
    const { out } = await run([play('', 'web'), { kind: 'handler-start', task: h }]);
    expect(out).toBe(`\n${bannerLine('PLAY [web]')}\n\n${bannerLine('RUNNING HANDLER [restart nginx]')}\n`);
  });

  it('prints the task path from -vv (default.py: verbosity >= 2) and the PLAYBOOK banner', async () => {
    const t = task('x', { path: '/p/site.yml:12' });
    const events: RunEvent[] = [
      { kind: 'playbook-start', path: '/p/site.yml', check: false, diff: false },
      play('p'),
      { kind: 'task-start', task: t },
    ];
    expect((await run(events, { verbosity: 1 })).out).not.toContain('task path');
    const { out } = await run(events, { verbosity: 2 });
    expect(out).toBe(
      `\n${bannerLine('PLAYBOOK: site.yml')}\n\n${bannerLine('PLAY [p]')}\n\n${bannerLine('TASK [x]')}\ntask path: /p/site.yml:12\n`,
    );
  });

  it('prints "skipping: no hosts matched"', async () => {
    const { out } = await run([play('p'), { kind: 'no-hosts', pattern: 'nothing' }]);
    expect(out.endsWith('\nskipping: no hosts matched\n')).toBe(true);
  });
});

describe('default reporter: results', () => {
  const t = task('t');
  const withTask = (...events: RunEvent[]): RunEvent[] => [{ kind: 'task-start', task: t }, ...events];
  const lines = (out: string) => out.split('\n').slice(2).join('\n');

  it('prints ok/changed/skipping without a result at verbosity 0', async () => {
    const { out } = await run(
      withTask(
        { kind: 'host-result', task: t, host: 'a', status: 'ok', result: { changed: false, stdout: 'x' } },
        { kind: 'host-result', task: t, host: 'b', status: 'changed', result: { changed: true } },
        { kind: 'host-result', task: t, host: 'c', status: 'skipped', result: { skipped: true, skip_reason: 'Conditional result was False' } },
      ),
    );
    expect(lines(out)).toBe('ok: [a]\nchanged: [b]\nskipping: [c]\n');
  });

  it('shows the result as compact, key-sorted JSON with -v, without failed/skipped flags', async () => {
    const { out } = await run(
      withTask(
        { kind: 'host-result', task: t, host: 'a', status: 'changed', result: { stdout: 'hi', rc: 0, changed: true, cmd: 'echo hi' } },
        {
          kind: 'host-result', task: t, host: 'c', status: 'skipped',
          result: { skipped: true, skip_reason: 'Conditional result was False', false_condition: 'x' },
        },
      ),
      { verbosity: 1 },
    );
    // json.dumps(sort_keys=True) default separators: ", " and ": "; changed defaulted by TaskExecutor.
    expect(lines(out)).toBe(
      'changed: [a] => {"changed": true, "cmd": "echo hi", "rc": 0, "stdout": "hi"}\n' +
        'skipping: [c] => {"changed": false, "false_condition": "x", "skip_reason": "Conditional result was False"}\n',
    );
  });

  it('indents the JSON by 4 at -vvv and keeps invocation and diff there only', async () => {
    const result = { changed: false, invocation: { module_args: { a: 1 } }, diff: { before: '', after: '' } };
    const v1 = await run(withTask({ kind: 'host-result', task: t, host: 'a', status: 'ok', result }), { verbosity: 1 });
    expect(lines(v1.out)).toBe('ok: [a] => {"changed": false}\n');
    const v3 = await run(withTask({ kind: 'host-result', task: t, host: 'a', status: 'ok', result }), { verbosity: 3 });
    expect(lines(v3.out)).toBe(
      'ok: [a] => {\n    "changed": false,\n    "diff": {\n        "after": "",\n        "before": ""\n    },\n' +
        '    "invocation": {\n        "module_args": {\n            "a": 1\n        }\n    }\n}\n',
    );
  });

  it('prints fatal lines with compact JSON and "...ignoring" after an ignored failure', async () => {
    const { out } = await run(
      withTask(
        { kind: 'host-result', task: t, host: 'a', status: 'failed', ignored: true, result: { failed: true, rc: 2, msg: 'non-zero return code' } },
        { kind: 'host-result', task: t, host: 'b', status: 'unreachable', result: { unreachable: true, msg: 'Failed to connect to the host via ssh' } },
      ),
    );
    expect(lines(out)).toBe(
      'fatal: [a]: FAILED! => {"changed": false, "msg": "non-zero return code", "rc": 2}\n...ignoring\n' +
        'fatal: [b]: UNREACHABLE! => {"changed": false, "msg": "Failed to connect to the host via ssh", "unreachable": true}\n',
    );
  });

  it('labels delegated results "host -> target" (host_label), but not skipping lines', async () => {
    const { out } = await run(
      withTask(
        { kind: 'host-result', task: t, host: 'a', status: 'ok', delegatedTo: 'lb1', result: {} },
        { kind: 'host-result', task: t, host: 'b', status: 'failed', delegatedTo: 'lb1', result: { msg: 'x' } },
        { kind: 'host-result', task: t, host: 'c', status: 'skipped', delegatedTo: 'lb1', result: {} },
      ),
    );
    expect(lines(out)).toBe('ok: [a -> lb1]\nfatal: [b -> lb1]: FAILED! => {"changed": false, "msg": "x"}\nskipping: [c]\n');
  });

  it('prints debug results indented, showing only msg (debug sets _ansible_verbose_always)', async () => {
    const d = task('show', { action: 'ansible.builtin.debug' });
    const { out } = await run([
      { kind: 'task-start', task: d },
      { kind: 'host-result', task: d, host: 'web1', status: 'ok', result: { msg: 'hello', changed: false, failed: false } },
      { kind: 'host-result', task: d, host: 'web2', status: 'ok', result: { app_port: 8080, changed: false } },
    ]);
    expect(lines(out)).toBe('ok: [web1] => {\n    "msg": "hello"\n}\nok: [web2] => {\n    "app_port": 8080\n}\n');
  });

  it('prints loop items with str() of strings and repr() of dicts, and no line for the aggregate', async () => {
    const { out } = await run(
      withTask(
        { kind: 'host-result', task: t, host: 'a', status: 'changed', item: 'nginx', result: { changed: true, item: 'nginx' } },
        { kind: 'host-result', task: t, host: 'a', status: 'ok', item: { name: "o'k", n: 1, on: true, x: null }, result: {} },
        { kind: 'host-result', task: t, host: 'a', status: 'skipped', item: 3, result: {} },
        { kind: 'host-result', task: t, host: 'a', status: 'ok', item: { name: 'big' }, itemLabel: 'big', result: {} },
        { kind: 'host-result', task: t, host: 'a', status: 'failed', item: 'bad', result: { msg: 'nope', item: 'bad', ansible_loop_var: 'item' } },
        { kind: 'host-result', task: t, host: 'a', status: 'failed', ignored: true, result: { msg: 'One or more items failed', results: [] } },
      ),
    );
    expect(lines(out)).toBe(
      'changed: [a] => (item=nginx)\n' +
        `ok: [a] => (item={'name': "o'k", 'n': 1, 'on': True, 'x': None})\n` +
        // v2_runner_item_on_skipped's format string ends in a space.
        'skipping: [a] => (item=3) \n' +
        'ok: [a] => (item=big)\n' +
        'failed: [a] (item=bad) => {"ansible_loop_var": "item", "changed": false, "item": "bad", "msg": "nope"}\n' +
        '...ignoring\n',
    );
  });

  it('shows None as the item of a no_log loop result, as 2.14 drops the item with the rest', async () => {
    const censored = "the output has been hidden due to the fact that 'no_log: true' was specified for this result";
    const { out } = await run(
      withTask({ kind: 'host-result', task: t, host: 'a', status: 'ok', item: 's3cr3t', result: { censored, changed: false } }),
      { verbosity: 1 },
    );
    expect(lines(out)).toBe(`ok: [a] => (item=None) => {"censored": "${censored}", "changed": false}\n`);
    expect(out).not.toContain('s3cr3t');
  });

  it('hides ok or skipped hosts when configured, printing the banner only with a shown result', async () => {
    const t2 = task('t2');
    const { out } = await run(
      [
        { kind: 'task-start', task: t },
        { kind: 'host-result', task: t, host: 'a', status: 'skipped', result: {} },
        { kind: 'task-start', task: t2 },
        { kind: 'host-result', task: t2, host: 'a', status: 'skipped', result: {} },
        { kind: 'host-result', task: t2, host: 'b', status: 'changed', result: { changed: true } },
      ],
      { displaySkippedHosts: false },
    );
    expect(out).toBe(`\n${bannerLine('TASK [t2]')}\nchanged: [b]\n`);
    const okHidden = await run(withTask({ kind: 'host-result', task: t, host: 'a', status: 'ok', result: {} }), { displayOkHosts: false });
    expect(okHidden.out).toBe('');
  });

  it('groups include events into one "included: file for h1, h2" line', async () => {
    const { out } = await run([
      { kind: 'include', host: 'a', file: '/p/tasks/x.yml' },
      { kind: 'include', host: 'b', file: '/p/tasks/x.yml' },
      { kind: 'include', host: 'c', file: '/p/tasks/y.yml' },
      { kind: 'task-start', task: t },
    ]);
    expect(out).toBe(`included: /p/tasks/x.yml for a, b\nincluded: /p/tasks/y.yml for c\n\n${bannerLine('TASK [t]')}\n`);
  });

  it('prints check-mode skips as plain skipping, with the reason from -v', async () => {
    const ev: RunEvent = {
      kind: 'host-result', task: t, host: 'a', status: 'skipped', checkSkipped: true,
      result: { skipped: true, msg: 'remote module (command) does not support check mode' },
    };
    expect(lines((await run(withTask(ev), { check: true })).out)).toBe('skipping: [a]\n');
    expect(lines((await run(withTask(ev), { check: true, verbosity: 1 })).out)).toBe(
      'skipping: [a] => {"changed": false, "msg": "remote module (command) does not support check mode"}\n',
    );
  });
});

describe('default reporter: warnings, errors, recap', () => {
  it('sends [WARNING] wrapped at the terminal width to stderr, once per text', async () => {
    const msg = 'Could not match supplied host pattern, ignoring: webz ' + 'word '.repeat(20);
    const { out, err } = await run([
      { kind: 'warning', message: msg },
      { kind: 'warning', message: msg },
    ]);
    expect(out).toBe('');
    const wrapped = err.trimEnd().split('\n');
    expect(wrapped[0]!.startsWith('[WARNING]: Could not match supplied host pattern, ignoring: webz word')).toBe(true);
    expect(wrapped.every((l) => l.length <= 79)).toBe(true);
    expect(wrapped.join(' ')).toBe(`[WARNING]: ${msg.trim()}`);
  });

  it('prints result warnings to stderr before the result line', async () => {
    const t = task('t');
    const { out, err } = await run([
      { kind: 'task-start', task: t },
      { kind: 'host-result', task: t, host: 'a', status: 'ok', result: { warnings: ['Consider using the file module'] } },
    ], { verbosity: 1 });
    expect(err).toBe('[WARNING]: Consider using the file module\n');
    expect(out.endsWith('ok: [a] => {"changed": false}\n')).toBe(true);
  });

  it('frames deprecations like Display.deprecated', async () => {
    const { err } = await run([{ kind: 'deprecation', message: 'Old thing', version: '2.19' }], { columns: 400 });
    expect(err).toBe(
      '[DEPRECATION WARNING]: Old thing. This feature will be removed in version 2.19. ' +
        'Deprecation warnings can be disabled by setting deprecation_warnings=False in ansible.cfg.\n',
    );
  });

  it('prints the PLAY RECAP sorted by host, then a blank line', async () => {
    const { out } = await run([
      { kind: 'recap', durationMs: 1, stats: { web2: stats({ ok: 1 }), db1: stats({ ok: 3, changed: 2, failed: 1 }) } },
    ]);
    expect(out).toBe(
      `\n${bannerLine('PLAY RECAP')}\n` +
        'db1                        : ok=3    changed=2    unreachable=0    failed=1    skipped=0    rescued=0    ignored=0   \n' +
        'web2                       : ok=1    changed=0    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0   \n\n',
    );
  });

  it('prints fatal run errors as "ERROR! ..." on stderr', async () => {
    const { out, err } = await run([{ kind: 'error', message: 'the playbook could not be found' }]);
    expect(out).toBe('');
    expect(err).toBe('ERROR! the playbook could not be found\n');
  });
});

describe('default reporter: color', () => {
  const t = task('t');
  const ESC = '\u001b';

  it('colors each status line as Ansible: ok green, changed yellow, skip cyan, fatal red, unreachable bright red', async () => {
    const { out } = await run(
      [
        { kind: 'task-start', task: t },
        { kind: 'host-result', task: t, host: 'a', status: 'ok', result: {} },
        { kind: 'host-result', task: t, host: 'b', status: 'changed', result: {} },
        { kind: 'host-result', task: t, host: 'c', status: 'skipped', result: {} },
        { kind: 'host-result', task: t, host: 'd', status: 'failed', ignored: true, result: { msg: 'm' } },
        { kind: 'host-result', task: t, host: 'e', status: 'unreachable', result: { msg: 'm' } },
      ],
      { color: true },
    );
    // The banner itself is never colored (display.banner(msg) with color=None).
    expect(out).toBe(
      `\n${bannerLine('TASK [t]')}\n` +
        `${ESC}[0;32mok: [a]${ESC}[0m\n` +
        `${ESC}[0;33mchanged: [b]${ESC}[0m\n` +
        `${ESC}[0;36mskipping: [c]${ESC}[0m\n` +
        `${ESC}[0;31mfatal: [d]: FAILED! => {"changed": false, "msg": "m"}${ESC}[0m\n` +
        `${ESC}[0;36m...ignoring${ESC}[0m\n` +
        `${ESC}[1;31mfatal: [e]: UNREACHABLE! => {"changed": false, "msg": "m"}${ESC}[0m\n`,
    );
  });

  it('colors multi-line results line by line (stringc) and warnings bright purple', async () => {
    const d = task('d', { action: 'debug' });
    const { out, err } = await run(
      [
        { kind: 'task-start', task: d },
        { kind: 'host-result', task: d, host: 'a', status: 'ok', result: { msg: 'x' } },
        { kind: 'warning', message: 'careful' },
      ],
      { color: true },
    );
    expect(out.endsWith(`${ESC}[0;32mok: [a] => {${ESC}[0m\n${ESC}[0;32m    "msg": "x"${ESC}[0m\n${ESC}[0;32m}${ESC}[0m\n`)).toBe(true);
    expect(err).toBe(`${ESC}[1;35m[WARNING]: careful${ESC}[0m\n`);
  });

  it('prints no escape codes at all when color is off', async () => {
    const { out } = await run([
      { kind: 'task-start', task: t },
      { kind: 'host-result', task: t, host: 'a', status: 'changed', result: { diff: { before: 'a\n', after: 'b\n' } } },
      { kind: 'recap', durationMs: 0, stats: { a: stats({ ok: 1, changed: 1 }) } },
    ], { diff: true });
    expect(out).not.toContain(ESC);
  });
});

describe('retry lines (v2_runner_retry)', () => {
  it('prints FAILED - RETRYING with the retries left', () => {
    let out = '';
    const r = createDefaultReporter({ verbosity: 0, color: false, diff: false, check: false, write: (t) => (out += t), writeErr: (t) => (out += t) });
    const ref = { name: 'wait for it', action: 'shell', uid: 't1' };
    r.handle({ kind: 'task-start', task: ref });
    r.handle({ kind: 'retry', task: ref, host: 'node01', retriesLeft: 2 });
    expect(out).toContain('FAILED - RETRYING: [node01]: wait for it (2 retries left).\n');
  });
});

describe('default reporter: debug loops and scoped warnings', () => {
  it('prints a failed debug loop aggregate (debug cleaning drops its results) but not an ok one', async () => {
    const t = task('dbg', { action: 'debug' });
    const item = (n: number, status: 'ok' | 'failed'): RunEvent => ({
      kind: 'host-result', task: t, host: 'web1', status, item: n,
      result: { msg: `m${n}`, failed: status === 'failed', ansible_loop_var: 'item', item: n, failed_when_result: status === 'failed' },
    });
    const aggregate = (status: 'ok' | 'failed', msg: string): RunEvent => ({
      kind: 'host-result', task: t, host: 'web1', status, loop: true, ignored: status === 'failed',
      result: { msg, changed: false, failed: status === 'failed', results: [{}, {}] },
    });
    const failed = await run([play('p'), { kind: 'task-start', task: t }, item(1, 'ok'), item(2, 'failed'), aggregate('failed', 'One or more items failed')]);
    expect(failed.out).toContain('fatal: [web1]: FAILED! => {"msg": "One or more items failed"}\n...ignoring\n');
    const ok = await run([play('p'), { kind: 'task-start', task: t }, item(1, 'ok'), aggregate('ok', 'All items completed')]);
    expect(ok.out).not.toContain('All items completed');
  });

  it('repeats a scoped warning once per scope, an unscoped one once per run', async () => {
    const w = (scope?: string): RunEvent => ({ kind: 'warning', message: 'careful', ...(scope ? { scope } : {}) });
    const { err } = await run([w('a'), w('a'), w('b'), w(), w()]);
    expect(err).toBe('[WARNING]: careful\n'.repeat(3));
  });
});

describe('default reporter: display_failed_stderr and show_task_path_on_failure', () => {
  const t = task('boom', { path: '/p/site.yml:7' });
  const failed: RunEvent = { kind: 'host-result', task: t, host: 'web1', status: 'failed', result: { failed: true, msg: 'no' }, ignored: true };
  it('sends failure lines to stderr, "...ignoring" stays on stdout (default.py v2_runner_on_failed)', async () => {
    const { out, err } = await run([play('p'), { kind: 'task-start', task: t }, failed], { displayFailedStderr: true });
    expect(err).toBe('fatal: [web1]: FAILED! => {"changed": false, "msg": "no"}\n');
    expect(out).toContain('\n...ignoring\n');
    expect(out).not.toContain('fatal:');
  });
  it('prints the task path before a failure below -vv', async () => {
    const { out } = await run([play('p'), { kind: 'task-start', task: t }, failed], { showTaskPathOnFailure: true });
    expect(out).toContain('task path: /p/site.yml:7\nfatal: [web1]: FAILED!');
    const plain = await run([play('p'), { kind: 'task-start', task: t }, failed]);
    expect(plain.out).not.toContain('task path:');
  });
});
