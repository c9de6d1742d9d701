// The control plane's servers as processes: etcd, kube-apiserver against it
// (waited for until /readyz answers) and, when asked, kube-controller-manager.
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pkiDir } from './pki.js';
import { isAlive, startProcess, stopProcesses, tail } from './processes.js';
import { apiserverReady, httpOk, waitFor } from './readiness.js';

export const etcdUrl = (port: number) => `http://127.0.0.1:${port}`;
export const apiserverUrl = (port: number) => `https://127.0.0.1:${port}`;

/**
 * Starts etcd and waits for /health; returns it and a probe that words its
 * death (for the waits that follow).
 */
export async function startEtcd(
  bin: string,
  dir: string,
  ports: { etcd: number; etcdPeer: number },
): Promise<{ etcd: ChildProcess; etcdDied: () => string | undefined }> {
  const url = etcdUrl(ports.etcd);
  const etcdLog = join(dir, 'logs', 'etcd.log');
  const etcd = startProcess(
    join(bin, 'etcd'),
    [
      '--name=depot-local',
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=${url}`,
      `--advertise-client-urls=${url}`,
      `--listen-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
      `--initial-cluster=depot-local=http://127.0.0.1:${ports.etcdPeer}`,
      '--unsafe-no-fsync=true',
      '--log-level=warn',
    ],
    etcdLog,
  );
  const etcdDied = () =>
    isAlive(etcd.pid)
      ? undefined
      : `etcd exited during start-up; last lines of ${etcdLog}:\n${tail(etcdLog)}`;
  await waitFor('etcd', () => httpOk(`${url}/health`), etcdDied, 30_000);
  return { etcd, etcdDied };
}

export interface ApiserverStart {
  bin: string;
  dir: string;
  etcdUrl: string;
  port: number;
  etcdDied: () => string | undefined;
  readyTimeoutMs?: number;
}

/** Starts kube-apiserver against the running etcd and waits for /readyz; returns its pid. */
export async function startApiserver(s: ApiserverStart): Promise<number> {
  const pki = pkiDir(s.dir);
  const server = apiserverUrl(s.port);
  const apiLog = join(s.dir, 'logs', 'kube-apiserver.log');
  const apiserver = startProcess(
    join(s.bin, 'kube-apiserver'),
    [
      `--etcd-servers=${s.etcdUrl}`,
      `--cert-dir=${join(s.dir, 'apiserver-certs')}`,
      `--tls-cert-file=${join(pki, 'apiserver.crt')}`,
      `--tls-private-key-file=${join(pki, 'apiserver.key')}`,
      `--client-ca-file=${join(pki, 'ca.crt')}`,
      `--secure-port=${s.port}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      '--endpoint-reconciler-type=none',
      '--service-cluster-ip-range=10.0.0.0/24',
      '--allow-privileged=true',
      '--disable-admission-plugins=ServiceAccount',
      '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc',
      `--service-account-key-file=${join(pki, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(pki, 'sa.key')}`,
      '--v=1',
    ],
    apiLog,
  );
  const anyDied = () =>
    s.etcdDied() ??
    (isAlive(apiserver.pid)
      ? undefined
      : `kube-apiserver exited during start-up; last lines of ${apiLog}:\n${tail(apiLog)}`);
  try {
    await waitFor('kube-apiserver', () => apiserverReady(server, pki), anyDied, s.readyTimeoutMs ?? 90_000);
  } catch (err) {
    stopProcesses({ pids: { etcd: 0, apiserver: apiserver.pid! } });
    throw err;
  }
  return apiserver.pid!;
}

/** Starts kube-controller-manager (namespace deletion, garbage collection, ClusterRole aggregation); returns its pid. */
export function startControllerManager(bin: string, dir: string, kubeconfig: string): number | undefined {
  const pki = pkiDir(dir);
  return startProcess(
    join(bin, 'kube-controller-manager'),
    [
      `--kubeconfig=${kubeconfig}`,
      '--controllers=namespace-controller,garbage-collector-controller,serviceaccount-controller,clusterrole-aggregation-controller',
      `--service-account-private-key-file=${join(pki, 'sa.key')}`,
      `--root-ca-file=${join(pki, 'ca.crt')}`,
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      '--secure-port=0',
    ],
    join(dir, 'logs', 'kube-controller-manager.log'),
  ).pid;
}
