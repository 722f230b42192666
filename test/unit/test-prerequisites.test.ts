// The globalSetup's check of the test machine (test/global-setup.ts): one line that names
// what is missing and the apt-get command that installs it.
import { describe, expect, it } from 'vitest';
import { missingPrerequisites } from '../global-setup.js';

describe('test prerequisites', () => {
  it('names each missing tool and one apt-get line for their packages, on one line', () => {
    const line = missingPrerequisites([['sh', 'dash'], ['rackplay-no-such-tool', 'pkg-a'], ['/nonexistent/sshd', 'openssh-server'], ['rackplay-no-such-2', 'pkg-a']], true);
    expect(line).toBe(
      'rackplay tests cannot run: missing rackplay-no-such-tool, /nonexistent/sshd, rackplay-no-such-2: apt-get install -y pkg-a openssh-server',
    );
  });

  it('asks for root, which the lab needs', () => {
    expect(missingPrerequisites([['sh', 'dash']], false)).toBe('rackplay tests cannot run: run the tests as root (the lab starts sshd hosts in namespaces)');
  });

  it('is silent when everything is there', () => {
    expect(missingPrerequisites([['sh', 'dash']], true)).toBeUndefined();
  });
});
