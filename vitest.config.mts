import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    globalSetup: ['test/terraform/global-setup.ts'],
    globals: true,
    // Real Terraform runs (init + validate/plan) take seconds each on 2 cores.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // The Terraform lane shares one provider mirror; files run in parallel, tests inside a file in order.
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
