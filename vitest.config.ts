import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests share one Redis and start real servers; isolation comes from per-test prefixes and temp
    // dirs, but running files one at a time keeps timing-sensitive queue tests honest on 2 cores.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
