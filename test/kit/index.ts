// The test kit (README.md here): what most integration tests import.
export * from './cluster.js';
export * from './eventually.js';
export * from './objects.js';
export * from './operator.js';
export * from './operator-process.js';
export * from './topologies.js';
export { operatorKubeconfig } from './operator-rbac.js';
export { freshNamespace, testKubeConfig } from '../controlplane/env.js';
