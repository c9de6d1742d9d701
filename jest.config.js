// Three projects: `unit` runs pure tests beside the code in src/ (no cluster);
// `integration` runs against one real kube-apiserver + etcd started by the
// global setup in test/controlplane/ and shared by every integration test;
// `packaging` checks what ships (the Dockerfile, the npm package, the kind
// end-to-end script) with no cluster, installing from the npm registry.
// Only folders that exist are named (test/integration/jest-config.test.ts
// checks it). The end-to-end run on kind is `make e2e-kind`, not Jest; Jest
// tests its skip path (test/e2e).
const tsJest = {
  '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
};
const common = {
  transform: tsJest,
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
};

export default {
  // client-node keeps HTTP keep-alive sockets open after the last request.
  forceExit: true,
  // Tests that start an operator process wait on a shared 2-core machine:
  // Jest's 5 s default failed them under load, not on a wrong result. Only
  // the global setting counts (jest-circus ignores a project's testTimeout).
  testTimeout: 30_000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/bench/**/*.test.ts', '<rootDir>/ui/**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/ui/**/*.test.ts'],
      globalSetup: '<rootDir>/test/controlplane/jest-global-setup.js',
      globalTeardown: '<rootDir>/test/controlplane/jest-global-teardown.js',
      slowTestThreshold: 30,
    },
    {
      ...common,
      displayName: 'packaging',
      testMatch: ['<rootDir>/test/packaging/**/*.test.ts', '<rootDir>/test/e2e/**/*.test.ts'],
      slowTestThreshold: 60,
    },
  ],
};
