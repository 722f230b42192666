import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start real processes (sshd racks, ansible-playbook, the CLI).
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Two cores: lab tests start many sshd processes, so keep file-level parallelism low.
    maxWorkers: 2,
  },
});
