import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// The layers of src/, each importing only those below it:
//   kube ← api ← core ← runtime ← controllers | server | agent ← cli
//   core ← actions ← client | server ← cli (every user operation, once)
// kube is apimachinery + client-go (knows nothing of Depot); api holds the
// schemas; core is the pure domain; runtime runs controllers and knows
// nothing of Depot either; client and integrations do I/O for one purpose;
// local (the control plane, the demo) uses the client, never the CLI.
// A wrong-direction import fails `make lint` (src/layering.test.ts shows it).
// Tests may reach across (fixtures, project root).
// What each folder of src/ may not import.
const forbidden = {
  kube: [
    'api',
    'core',
    'runtime',
    'client',
    'integrations',
    'controllers',
    'actions',
    'server',
    'agent',
    'local',
    'cli',
  ],
  api: [
    'core',
    'runtime',
    'client',
    'integrations',
    'controllers',
    'actions',
    'server',
    'agent',
    'local',
    'cli',
  ],
  core: ['runtime', 'client', 'integrations', 'controllers', 'actions', 'server', 'agent', 'local', 'cli'],
  runtime: [
    'api',
    'core',
    'client',
    'integrations',
    'controllers',
    'actions',
    'server',
    'agent',
    'local',
    'cli',
  ],
  // The user operations: below the front ends (client, server, cli), over a port they implement.
  actions: ['runtime', 'client', 'integrations', 'controllers', 'server', 'agent', 'local', 'cli'],
  client: ['runtime', 'integrations', 'controllers', 'server', 'agent', 'local', 'cli'],
  integrations: ['runtime', 'client', 'controllers', 'actions', 'server', 'agent', 'local', 'cli'],
  controllers: ['client', 'actions', 'server', 'agent', 'local', 'cli'],
  server: ['integrations', 'controllers', 'agent', 'local', 'cli'],
  agent: ['controllers', 'server', 'local', 'cli'],
  local: ['integrations', 'controllers', 'server', 'agent', 'cli'],
  cli: [],
};

const layerRules = Object.keys(forbidden)
  .filter((layer) => forbidden[layer].length > 0)
  .map((layer) => ({
    files: [`src/${layer}/**/*.ts`],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(\\.\\./)+(${forbidden[layer].join('|')})/`,
              message: `src/${layer} must not import from ${forbidden[layer].join(', ')} (layers: kube ← api ← core ← runtime ← controllers/server/agent ← cli; core ← actions ← client/server/cli)`,
            },
          ],
        },
      ],
    },
  }));

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.cache/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { languageOptions: { globals: { ...globals.node } } },
  // The dashboard's single-page app runs in the browser.
  { files: ['ui/**/*.{ts,tsx}'], languageOptions: { globals: { ...globals.browser } } },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  ...layerRules,
);
