import { defineConfig } from 'vitest/config';

// A separate vitest project that shows the mock started once from globalSetup.
// client-tests/global-setup.test.ts runs it.
export default defineConfig({
  test: {
    include: ['client-tests/global-setup/*.spec.ts'],
    globalSetup: ['client-tests/global-setup/mtmock-setup.ts'],
    testTimeout: 30_000,
  },
});
