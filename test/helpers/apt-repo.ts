// A local apt repository for the package tests: small .deb files made with
// `dpkg-deb --build` and indexed with `dpkg-scanpackages` (Debian's dpkg-dev), served to
// lab hosts as `deb [trusted=yes] file:/srv/repo ./`. Nothing is signed or downloaded.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestPackage {
  name: string;
  version: string;
  depends?: string;
  provides?: string;
}

/** The test packages: two versions of one, a dependency pair, a virtual name. */
export const TEST_PACKAGES: TestPackage[] = [
  { name: 'rp-hello', version: '1.0-1' },
  { name: 'rp-hello', version: '2.0-1' },
  { name: 'rp-lib', version: '1.0-1', provides: 'rp-virtual' },
  { name: 'rp-app', version: '1.0-1', depends: 'rp-lib (>= 1.0)' },
];

/** Whether this machine can build the repository. */
export async function haveRepoTools(): Promise<boolean> {
  try {
    await run('sh', ['-c', 'command -v dpkg-deb && command -v dpkg-scanpackages']);
    return true;
  } catch {
    return false;
  }
}

/** One .deb in `out` (its file name), shipping /usr/share/NAME/version. */
export async function buildDeb(work: string, out: string, p: TestPackage): Promise<string> {
  const dir = path.join(work, `${p.name}_${p.version}`);
  await mkdir(path.join(dir, 'DEBIAN'), { recursive: true });
  await mkdir(path.join(dir, 'usr/share', p.name), { recursive: true });
  await writeFile(path.join(dir, 'usr/share', p.name, 'version'), p.version + '\n');
  const control = [
    `Package: ${p.name}`,
    `Version: ${p.version}`,
    'Architecture: all',
    'Maintainer: rackplay tests <tests@rackplay.invalid>',
    ...(p.depends ? [`Depends: ${p.depends}`] : []),
    ...(p.provides ? [`Provides: ${p.provides}`] : []),
    `Description: rackplay test package ${p.name}`,
    '',
  ].join('\n');
  await writeFile(path.join(dir, 'DEBIAN/control'), control);
  const file = path.join(out, `${p.name}_${p.version}_all.deb`);
  await run('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', dir, file]);
  return file;
}

/** Builds the packages into `repo` and indexes them; returns the .deb paths. */
export async function buildRepo(work: string, repo: string, packages: TestPackage[] = TEST_PACKAGES): Promise<string[]> {
  await mkdir(repo, { recursive: true });
  const files: string[] = [];
  for (const p of packages) files.push(await buildDeb(path.join(work, 'build'), repo, p));
  const { stdout } = await run('dpkg-scanpackages', ['-m', '.', '/dev/null'], { cwd: repo });
  // Packages.gz and a Release naming both: without them apt tries every compression and
  // reports each missing one as an error line
  const gz = gzipSync(stdout);
  await writeFile(path.join(repo, 'Packages'), stdout);
  await writeFile(path.join(repo, 'Packages.gz'), gz);
  const sums = [['Packages', Buffer.from(stdout)] as const, ['Packages.gz', gz] as const].map(([n, b]) => ` ${createHash('sha256').update(b).digest('hex')} ${b.length} ${n}`);
  await writeFile(path.join(repo, 'Release'), ['Origin: rackplay-test', 'Label: rackplay-test', 'Date: Thu, 01 Jan 2026 00:00:00 UTC', 'SHA256:', ...sums, ''].join('\n'));
  await chmod(repo, 0o755);
  return files;
}
