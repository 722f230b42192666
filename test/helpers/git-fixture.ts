// A real bare git repository for the git module's tests: commits on master, a lightweight
// and an annotated tag, and a feature branch; `commit()` adds one more to master. Dates
// are fixed, so the same steps give the same shas in every fixture (lab hosts each get one).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ENV = { ...process.env, GIT_AUTHOR_NAME: 'Lab', GIT_AUTHOR_EMAIL: 'lab@example.org', GIT_COMMITTER_NAME: 'Lab', GIT_COMMITTER_EMAIL: 'lab@example.org', GIT_CONFIG_NOSYSTEM: '1', HOME: '/nonexistent' };

export interface GitFixture {
  /** The bare repository. */
  bare: string;
  /** Adds a commit to master (a new file) and pushes it; returns its sha. */
  commit(name: string): string;
  /** The sha a ref names in the bare repository. */
  sha(ref: string): string;
}

export function makeGitFixture(dir: string): GitFixture {
  const bare = path.join(dir, 'repo.git');
  const work = path.join(dir, 'work');
  mkdirSync(dir, { recursive: true });
  // fixed dates, one minute apart: two fixtures made the same way have the same shas
  let tick = 0;
  const git = (cwd: string, ...a: string[]) => {
    const date = `@${1_700_000_000 + 60 * tick++} +0000`;
    return execFileSync('git', a, { cwd, env: { ...ENV, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date }, encoding: 'utf8' }).trim();
  };
  git(dir, 'init', '-q', '--bare', '-b', 'master', bare);
  git(dir, 'clone', '-q', bare, work);
  const add = (name: string, text: string) => {
    writeFileSync(path.join(work, name), text);
    git(work, 'add', name);
    git(work, 'commit', '-q', '-m', `add ${name}`);
  };
  add('README', 'first\n');
  git(work, 'tag', 'v1');
  add('second.txt', 'second\n');
  git(work, 'tag', '-a', '-m', 'release 2', 'v2');
  git(work, 'checkout', '-q', '-b', 'feature');
  add('feature.txt', 'feature\n');
  git(work, 'checkout', '-q', 'master');
  git(work, 'push', '-q', 'origin', 'master', 'feature', 'v1', 'v2');
  return {
    bare,
    commit(name) {
      add(name, `${name}\n`);
      git(work, 'push', '-q', 'origin', 'master');
      return git(work, 'rev-parse', 'HEAD');
    },
    sha: (ref) => git(bare, 'rev-parse', `${ref}^{commit}`),
  };
}
