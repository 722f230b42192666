// git and uri on this machine (local connection), side by side with ansible-playbook:
// git against a real bare repository made here (tags, a branch, then a new commit), uri
// against an HTTP and an HTTPS server on 127.0.0.1 started here (JSON and form bodies,
// redirects, status codes, basic auth, cookies, validate_certs both ways, dest). Each tool
// works in a directory of its own; the outputs must match once those paths are the same.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { debugMsgs, expectSameRun, haveAnsiblePlaybook, parseRecap, runCommand, runRackplay, type CliRun } from '../helpers/cli.js';
import { makeGitFixture, type GitFixture } from '../helpers/git-fixture.js';
import { BASIC_PASSWORD, BASIC_USER, startTestServers, type TestServers } from '../helpers/http-test-server.js';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 60_000 });

const dir = mkdtempSync(path.join(tmpdir(), 'rp-git-uri-'));
let repo: GitFixture;
let srv: TestServers;

beforeAll(async () => {
  repo = makeGitFixture(path.join(dir, 'fixture'));
  srv = await startTestServers();
  writeFileSync(path.join(dir, 'inv.ini'), 'lab ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n');
});
afterAll(async () => {
  await srv?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The playbook through rackplay (in ours/) and ansible-playbook (in theirs/), outputs with the same paths. */
async function both(pb: string, flags: string[] = []): Promise<{ ours: CliRun; theirs?: CliRun }> {
  const file = path.join(dir, 'pb.yml');
  writeFileSync(file, `- hosts: all\n  gather_facts: false\n  tasks:\n${pb}\n`);
  const run = async (who: string, cmd: (args: string[]) => Promise<CliRun>) => {
    mkdirSync(path.join(dir, who), { recursive: true });
    const r = await cmd(['-i', 'inv.ini', 'pb.yml', '-e', `base=${path.join(dir, who)}`, '-e', `repo=${repo.bare}`, '-e', `h=${srv.http}`, '-e', `s=${srv.https}`, '-e', `cert=${srv.certPath}`, ...flags]);
    const same = (t: string) => t.split(path.join(dir, who)).join('BASE').replace(/ \(_ssl\.c:\d+\)/g, '');
    return { ...r, stdout: same(r.stdout) };
  };
  const ours = await run('ours', (a) => runRackplay(a, { cwd: dir }));
  if (!haveAnsiblePlaybook) return { ours };
  const theirs = await run('theirs', (a) => runCommand('ansible-playbook', a, { cwd: dir, env: { ANSIBLE_NOCOLOR: '1' } }));
  return { ours, theirs };
}

const GIT_FIRST = `
    - git: {repo: "{{ repo }}", dest: "{{ base }}/head"}
      register: a
    - git: {repo: "{{ repo }}", dest: "{{ base }}/tag", version: v2}
      register: b
    - git: {repo: "{{ repo }}", dest: "{{ base }}/branch", version: feature, depth: 1}
      register: c
    - git: {repo: "{{ repo }}", dest: "{{ base }}/bare", bare: true}
    - git: {repo: "{{ repo }}", dest: "{{ base }}/nothing", clone: false}
      register: d
    - git: {repo: "{{ repo }}", dest: "{{ base }}/tag", version: nosuch}
      register: e
      ignore_errors: true
    - shell: echo local >> {{ base }}/head/README
    - git: {repo: "{{ repo }}", dest: "{{ base }}/head"}
      register: f
      ignore_errors: true
    - git: {repo: "{{ repo }}", dest: "{{ base }}/head", version: v1, force: true}
      register: g
    - debug: {msg: "{{ [a, b, c, d] | map('dict2items') | map('rejectattr', 'key', 'eq', 'diff') | map('items2dict') | list }}"}
    - debug: {msg: "{{ e.msg }} {{ e.cmd | default('-') }} {{ e.rc }} {{ e.stderr_lines }}"}
    - debug: {msg: "{{ f.msg }} {{ f.before }} {{ g.before }} {{ g.after }} {{ g.changed }} {{ g.msg | default('-') }}"}`;

const GIT_UPDATE = `
    - git: {repo: "{{ repo }}", dest: "{{ base }}/head"}
      register: a
    - git: {repo: "{{ repo }}", dest: "{{ base }}/tag", version: v2}
      register: b
    - git: {repo: "{{ repo }}", dest: "{{ base }}/master", version: master, single_branch: true, depth: 1, umask: "0027"}
      register: c
    - debug: {msg: "{{ a.before }} {{ a.after }} {{ a.changed }} {{ a.remote_url_changed | default('-') }} {{ b.changed }} {{ c.before }} {{ c.after }}"}`;

describe(`git (${haveAnsiblePlaybook ? 'compared with' : 'without'} ansible-playbook)`, () => {
  it('clones HEAD, a tag, a branch (shallow), a bare copy; refuses local changes unless forced', async () => {
    const { ours, theirs } = await both(GIT_FIRST, ['--diff']);
    expect(ours.code, ours.stdout + ours.stderr).toBe(0);
    const base = path.join(dir, 'ours');
    expect(readFileSync(path.join(base, 'branch/feature.txt'), 'utf8')).toBe('feature\n');
    expect(existsSync(path.join(base, 'bare/HEAD'))).toBe(true);
    expect(existsSync(path.join(base, 'nothing'))).toBe(false);
    const msgs = debugMsgs(ours.stdout).join('\n');
    expect(ours.stdout).toContain(`"after": "${repo.sha('v2')}"`);
    expect(msgs).toContain("Failed to checkout nosuch");
    expect(msgs).toContain('Local modifications exist in the destination: BASE/head (force=no).');
    expect(ours.stdout).toContain(`>> Newly checked out ${repo.sha('master')}`);
    expect(readFileSync(path.join(base, 'head/README'), 'utf8')).toBe('first\n');
    if (theirs) expectSameRun({ ours, theirs });
  });

  it('check → apply → apply → check after a new commit: predicted, made, then nothing to do', async () => {
    await both(GIT_UPDATE);
    const sha = repo.commit('third.txt');
    const expected: [string[], number][] = [[['--check', '--diff'], 2], [['--diff'], 2], [[], 0], [['--check'], 0]];
    for (const [flags, changed] of expected) {
      const { ours, theirs } = await both(GIT_UPDATE, flags);
      expect(ours.code, ours.stdout + ours.stderr).toBe(0);
      expect(parseRecap(ours.stdout).lab.changed, `${flags.join(' ')}\n${ours.stdout}`).toBe(changed);
      if (theirs) expectSameRun({ ours, theirs });
      if (flags.includes('--check') && changed) expect(ours.stdout).toContain(` ${sha} True `);
    }
    expect(readFileSync(path.join(dir, 'ours/master/third.txt'), 'utf8')).toBe('third.txt\n');
    // umask 0027 for the clone git made
    expect(statSync(path.join(dir, 'ours/master/third.txt')).mode & 0o777).toBe(0o640);
  });
});

const haveGpg = spawnSync('gpg', ['--version'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!haveGpg)(`git verify_commit and separate_git_dir (needs gpg; ${haveAnsiblePlaybook ? 'compared with' : 'without'} ansible-playbook)`, () => {
  it('verifies signed commits and tags, refuses unsigned ones and unlisted keys; moves the git dir', async () => {
    const gnupg = path.join(dir, 'gnupg');
    mkdirSync(gnupg, { mode: 0o700 });
    const env = { ...process.env, GNUPGHOME: gnupg };
    execFileSync('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', 'Lab <lab@example.org>', 'ed25519', 'sign', '1d'], { env, stdio: 'ignore' });
    const fpr = /^fpr:+([0-9A-F]+):/m.exec(execFileSync('gpg', ['--list-keys', '--with-colons'], { env, encoding: 'utf8' }))![1];
    const src = path.join(dir, 'signed');
    const git = (...a: string[]) => execFileSync('git', ['-c', 'user.name=Lab', '-c', 'user.email=lab@example.org', '-c', `user.signingkey=${fpr}`, ...a], { cwd: src, env, stdio: 'ignore' });
    mkdirSync(src);
    git('init', '-q', '-b', 'master');
    git('commit', '-q', '--allow-empty', '--no-gpg-sign', '-m', 'unsigned');
    git('tag', '-a', '-m', 'not signed', 'unsignedtag');
    git('commit', '-q', '--allow-empty', '-S', '-m', 'signed');
    git('tag', '-s', '-m', 'signed', 'signedtag');
    const { ours, theirs } = await both(`
    - git: {repo: "${src}", dest: "{{ base }}/v1", verify_commit: true}
      environment: {GNUPGHOME: "${gnupg}"}
    - git: {repo: "${src}", dest: "{{ base }}/v2", verify_commit: true, version: signedtag, gpg_whitelist: [${fpr}]}
      environment: {GNUPGHOME: "${gnupg}"}
    - git: {repo: "${src}", dest: "{{ base }}/v3", verify_commit: true, version: unsignedtag}
      environment: {GNUPGHOME: "${gnupg}"}
      register: v3
      ignore_errors: true
    - git: {repo: "${src}", dest: "{{ base }}/v4", verify_commit: true, gpg_whitelist: [NOT-THIS-KEY]}
      environment: {GNUPGHOME: "${gnupg}"}
      register: v4
      ignore_errors: true
    - git: {repo: "${src}", dest: "{{ base }}/s", separate_git_dir: "{{ base }}/s.git"}
    - git: {repo: "${src}", dest: "{{ base }}/s", separate_git_dir: "{{ base }}/s2.git"}
      register: moved
    - debug: {msg: "{{ v3.msg }} | {{ v4.msg }} | {{ moved.git_dir_before }} {{ moved.git_dir_now }} {{ moved.changed }}"}`);
    expect(ours.code, ours.stdout + ours.stderr).toBe(0);
    expect(debugMsgs(ours.stdout)).toEqual([`Failed to verify GPG signature of commit/tag \\"unsignedtag\\" | The gpg_whitelist does not include the public key \\"${fpr}\\" for this commit | BASE/s.git BASE/s2.git True`]);
    expect(readFileSync(path.join(dir, 'ours/s/.git'), 'utf8')).toBe(`gitdir: ${path.join(dir, 'ours/s2.git')}`);
    if (theirs) expectSameRun({ ours, theirs });
  });
});

const URI = `
    - uri: {url: "{{ h }}/json"}
      register: r1
    - uri: {url: "{{ h }}/text", return_content: true}
      register: r2
    - uri: {url: "{{ h }}/echo", method: POST, body_format: json, body: {a: 1, b: [x, "y z"]}, headers: {X-Custom: hi}}
      register: r3
    - uri: {url: "{{ h }}/echo", method: PUT, body_format: form-urlencoded, body: {a: "1 2", b: [x, "&y"]}, status_code: "200,201"}
      register: r4
    - uri: {url: "{{ h }}/redirect/302?to=/json"}
      register: r5
    - uri: {url: "{{ h }}/redirect/302?to=/json", method: POST}
      register: r6
      ignore_errors: true
    - uri: {url: "{{ h }}/redirect/307?to=/echo", method: POST, body: raw-body, follow_redirects: all}
      register: r7
    - uri: {url: "{{ h }}/status/404"}
      register: r8
      ignore_errors: true
    - uri: {url: "{{ h }}/status/404", status_code: [404], return_content: true}
      register: r9
    - uri: {url: "{{ h }}/basic", url_username: ${BASIC_USER}, url_password: ${BASIC_PASSWORD}}
      register: r10
    - uri: {url: "{{ h }}/basic", url_username: ${BASIC_USER}, url_password: ${BASIC_PASSWORD}, force_basic_auth: true}
      register: r11
    - uri: {url: "{{ h }}/basic"}
      register: r12
      ignore_errors: true
    - uri: {url: "{{ h }}/cookie"}
      register: r13
    - uri: {url: "{{ s }}/json"}
      register: r14
      ignore_errors: true
    - uri: {url: "{{ s }}/json", validate_certs: false}
      register: r15
    - uri: {url: "{{ s }}/json", ca_path: "{{ cert }}"}
      register: r16
    - uri: {url: "http://127.0.0.1:1/x"}
      register: r17
      ignore_errors: true
    - uri: {url: "{{ h }}/download", dest: "{{ base }}/"}
      register: r18
    - uri: {url: "{{ h }}/doc", dest: "{{ base }}/doc.txt", mode: "0600"}
      register: r19
    - uri: {url: "{{ h }}/doc", dest: "{{ base }}/doc.txt", creates: "{{ base }}/doc.txt"}
      register: r20
    - debug: {msg: "{{ item | dict2items | rejectattr('key', 'in', ['date', 'elapsed']) | items2dict }}"}
      loop: "{{ [r1, r2, r3, r4, r5, r6, r7, r8, r9, r10, r11, r12, r13, r14, r15, r16, r17, r18, r19, r20] }}"
      loop_control: {label: r}`;

describe(`uri (${haveAnsiblePlaybook ? 'compared with' : 'without'} ansible-playbook)`, () => {
  it('makes the requests urllib makes and reports them as Ansible does', async () => {
    const { ours, theirs } = await both(URI);
    expect(ours.code, ours.stdout + ours.stderr).toBe(0);
    const out = ours.stdout;
    const results = [...out.matchAll(/^ok: \[lab\] => \(item=r\) => (\{[\s\S]*?\n\})$/gm)].map((m) => (JSON.parse(m[1]) as { msg: Record<string, unknown> }).msg);
    expect(results).toHaveLength(20);
    expect(results[0]).toMatchObject({ status: 200, msg: 'OK (27 bytes)', json: { hello: 'world', n: [1, 2] }, content_type: 'application/json', x_test_header: 'yes', redirected: false });
    expect(results[1]).toMatchObject({ content: 'plain text\n', content_type: 'text/plain; charset=utf-8' });
    expect(results[2].json).toEqual({ method: 'POST', body: '{"a": 1, "b": ["x", "y z"]}', type: 'application/json', agent: 'ansible-httpget', custom: 'hi', auth: null });
    expect(results[3].json).toMatchObject({ method: 'PUT', body: 'a=1+2&b=x&b=%26y', type: 'application/x-www-form-urlencoded' });
    expect(results[4]).toMatchObject({ redirected: true, url: `${srv.http}/json`, status: 200 });
    expect(results[5]).toMatchObject({ msg: 'Status code was 302 and not [200]: HTTP Error 302: Found', location: `${srv.http}?to=/json/json` });
    expect(results[6].json).toMatchObject({ method: 'POST', body: 'raw-body' });
    expect(results[8]).toMatchObject({ status: 404, content: 'status 404\n', msg: 'HTTP Error 404: Not Found' });
    expect(results[9].json).toEqual({ user: BASIC_USER });
    expect(results[10].json).toEqual({ user: BASIC_USER });
    expect(results[11]).toMatchObject({ status: 401, www_authenticate: 'Basic realm="lab"' });
    expect(results[12]).toMatchObject({ cookies: { flavor: 'oat', size: 'big' }, cookies_string: 'flavor=oat; size=big' });
    expect(String(results[13].msg)).toContain('certificate verify failed: self-signed certificate');
    expect(results[14].json).toEqual(results[15].json);
    expect(results[16]).toMatchObject({ status: -1, msg: 'Status code was -1 and not [200]: Request failed: <urlopen error [Errno 111] Connection refused>' });
    expect(results[17]).toMatchObject({ changed: true, path: 'BASE/named.txt', mode: '0644', state: 'file', size: 11 });
    expect(results[18]).toMatchObject({ changed: true, path: 'BASE/doc.txt', mode: '0600' });
    expect(results[19]).toMatchObject({ changed: false, stdout: "skipped, since 'BASE/doc.txt' exists" });
    expect(readFileSync(path.join(dir, 'ours/named.txt'), 'utf8')).toBe('downloaded\n');
    expect(statSync(path.join(dir, 'ours/doc.txt')).mode & 0o777).toBe(0o600);
    expect(ours.stdout).not.toContain(BASIC_PASSWORD);
    if (theirs) expectSameRun({ ours, theirs });
  });

  it('makes the same requests with wget on a host without curl', async () => {
    const bin = path.join(dir, 'no-curl-bin');
    mkdirSync(bin, { recursive: true });
    for (const d of ['/usr/bin', '/bin']) {
      for (const f of readdirSync(d)) if (f !== 'curl' && !existsSync(path.join(bin, f))) symlinkSync(path.join(d, f), path.join(bin, f));
    }
    const { ours } = await both(`
    - uri: {url: "{{ h }}/echo", method: POST, body_format: json, body: {a: 1}, url_username: ${BASIC_USER}, url_password: ${BASIC_PASSWORD}, force_basic_auth: true}
      register: w1
      environment: {PATH: "${bin}"}
    - uri: {url: "{{ h }}/redirect/302?to=/status/404", status_code: 404}
      register: w2
      environment: {PATH: "${bin}"}
    - uri: {url: "{{ h }}/doc", dest: "{{ base }}/wget.txt"}
      register: w3
      environment: {PATH: "${bin}"}
    - uri: {url: "{{ h }}/json", unix_socket: /nonexistent.sock}
      register: w4
      environment: {PATH: "${bin}"}
      ignore_errors: true
    - debug: {msg: "{{ [w1.json, w2.url, w2.redirected, w2.msg, w3.changed, w3.msg, w4.msg] }}"}`);
    expect(ours.code, ours.stdout + ours.stderr).toBe(0);
    const auth = `Basic ${Buffer.from(`${BASIC_USER}:${BASIC_PASSWORD}`).toString('base64')}`;
    expect(ours.stdout).toContain(`"auth": "${auth}"`);
    expect(ours.stdout).toContain('"body": "{\\"a\\": 1}"');
    expect(ours.stdout).toContain('"HTTP Error 404: Not Found"');
    expect(ours.stdout).toContain('"OK (14 bytes)"');
    expect(ours.stdout).toContain("the host lab has no curl, and wget cannot do 'unix_socket'");
    expect(readFileSync(path.join(dir, 'ours/wget.txt'), 'utf8')).toBe('first version\n');
  });

  it('get_url downloads through the same curl config: credentials answered on a 401, then nothing to do', async () => {
    const body = JSON.stringify({ user: BASIC_USER });
    const sum = createHash('sha256').update(body).digest('hex');
    const task = `
    - get_url: {url: "{{ h }}/basic", dest: "{{ base }}/auth.json", checksum: "sha256:${sum}", url_username: ${BASIC_USER}, url_password: ${BASIC_PASSWORD}}`;
    mkdirSync(path.join(dir, 'ours'), { recursive: true });
    writeFileSync(path.join(dir, 'get.yml'), `- hosts: all\n  gather_facts: false\n  tasks:${task}\n`);
    const runs = [];
    for (let i = 0; i < 2; i++) runs.push(await runRackplay(['-i', 'inv.ini', 'get.yml', '-e', `base=${path.join(dir, 'ours')}`, '-e', `h=${srv.http}`], { cwd: dir }));
    expect(runs.map((r) => parseRecap(r.stdout).lab?.changed), runs[0].stdout + runs[0].stderr).toEqual([1, 0]);
    expect(readFileSync(path.join(dir, 'ours/auth.json'), 'utf8')).toBe(body);
  });

  it('is skipped in check mode, as Ansible skips a module without check mode', async () => {
    const { ours, theirs } = await both(`
    - uri: {url: "{{ h }}/doc", dest: "{{ base }}/check.txt"}`, ['--check']);
    expect(parseRecap(ours.stdout).lab).toMatchObject({ skipped: 1, changed: 0 });
    expect(existsSync(path.join(dir, 'ours/check.txt'))).toBe(false);
    if (theirs) expectSameRun({ ours, theirs });
  });
});
