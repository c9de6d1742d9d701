// The local control plane: a real etcd and kube-apiserver (built from their Go
// modules by scripts/build-controlplane.sh) on loopback, with generated PKI and
// an admin kubeconfig. Used by `depot local up|down|status`, `make demo` and
// the Jest global setup of the integration tests.
export { ensureBinaries } from './binaries.js';
export { ControlPlaneError } from './errors.js';
export { down, restartApiserver, status, up } from './lifecycle.js';
export type { DownResult, StatusResult, UpOptions } from './lifecycle.js';
export { freePort } from './ports.js';
export { isAlive } from './processes.js';
export { defaultDir, readState, type ControlPlaneState } from './state.js';
