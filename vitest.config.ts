import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Fails the whole run at once, in one line, when the lab's tools are missing.
    globalSetup: ['test/global-setup.ts'],
    // Integration tests start real processes (sshd racks, ansible-playbook, the CLI).
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Two cores: lab tests start many sshd processes, so keep file-level parallelism low.
    maxWorkers: 2,
  },
});
