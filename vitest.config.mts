import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // builds dist/ first when a source is newer (the kernel, notebook, CLI and browser tests run dist/)
    globalSetup: ['test/globalSetup.ts', 'test/setup/run-dir.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
