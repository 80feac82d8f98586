import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        test: {
          name: 'cluster',
          include: ['test/cluster/**/*.test.ts'],
          // One real sandbox per run, booted here; each test works in its own namespace.
          globalSetup: ['test/cluster/global-setup.ts'],
          // Files run one after another: some tests restart the control plane or reset every lab namespace.
          fileParallelism: false,
          maxConcurrency: 4,
          testTimeout: 120_000,
          hookTimeout: 900_000,
        },
      },
    ],
  },
});
