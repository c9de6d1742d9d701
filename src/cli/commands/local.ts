// `depot local up|down|status`: a real kube-apiserver + etcd on loopback for a
// user with no cluster (like `kind create cluster`, with no container engine).
import type { Command } from 'commander';
import { defaultDir, down, status, up } from '../../local/controlplane/index.js';
import { UserError } from '../errors.js';

export function registerLocal(program: Command): void {
  const local = program
    .command('local')
    .description('a local Kubernetes control plane (kube-apiserver + etcd) and the demo on it');

  local
    .command('up')
    .description(
      'start the local control plane (builds it from Go modules on first use) and print the kubeconfig path',
    )
    .option('--dir <dir>', 'state directory (data, logs, certificates, kubeconfig)', defaultDir())
    .option('--port <port>', 'kube-apiserver port (default: a free one)', (v) => parsePort(v))
    .option(
      '--controller-manager',
      'also run kube-controller-manager (namespace deletion, garbage collection, ClusterRole aggregation)',
      false,
    )
    .action(async (opts: { dir: string; port?: number; controllerManager: boolean }) => {
      const state = await up({
        dir: opts.dir,
        port: opts.port,
        controllerManager: opts.controllerManager,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      process.stderr.write(
        `control plane ready at ${state.server}; use it with:\n  export KUBECONFIG=${state.kubeconfig}\n`,
      );
      process.stdout.write(`${state.kubeconfig}\n`);
    });

  local
    .command('down')
    .description('stop the local control plane')
    .option('--dir <dir>', 'state directory', defaultDir())
    .option('--purge', 'also delete its data and logs', false)
    .action((opts: { dir: string; purge: boolean }) => {
      const res = down(opts.dir, { purge: opts.purge });
      process.stdout.write(
        res.wasRunning
          ? `stopped ${res.stopped.length} processes\n`
          : 'the local control plane was not running\n',
      );
    });

  local
    .command('demo')
    .description(
      'the whole story: control plane, CRDs, RBAC, samples, the operator as its ServiceAccount, then CI → dev → staging, a blocked request, a rollback',
    )
    .option('--dir <dir>', 'state directory', defaultDir('demo'))
    .option('-n, --namespace <ns>', 'namespace for the samples', 'depot-demo')
    .option(
      '--exit',
      'exit once the story is told (also DEMO_EXIT=1); without it the operator runs until Ctrl-C',
      process.env.DEMO_EXIT === '1',
    )
    .option(
      '--existing-cluster',
      'run the tour on an existing cluster where the chart installed the operator (needs --kubeconfig)',
      false,
    )
    .option('--kubeconfig <path>', 'kubeconfig of the existing cluster')
    .option(
      '--operator-deployment <namespace/name>',
      "the operator's Deployment in the existing cluster (default: the one in config/manager/manager.yaml)",
    )
    .action(
      async (opts: {
        dir: string;
        namespace: string;
        exit: boolean;
        existingCluster: boolean;
        kubeconfig?: string;
        operatorDeployment?: string;
      }) => {
        if (opts.existingCluster && !opts.kubeconfig)
          throw new UserError('--existing-cluster needs --kubeconfig <path>');
        if (!opts.existingCluster && (opts.kubeconfig || opts.operatorDeployment))
          throw new UserError('--kubeconfig and --operator-deployment go with --existing-cluster');
        if (opts.operatorDeployment && !/^[^/]+\/[^/]+$/.test(opts.operatorDeployment))
          throw new UserError(
            `--operator-deployment must be namespace/name, got "${opts.operatorDeployment}"`,
          );
        // Loaded here: the demo uses client-node's typed APIs, which load the
        // model of every Kubernetes kind (about 80 MiB resident) into every command.
        const { runDemo } = await import('../../local/demo.js');
        await runDemo({
          dir: opts.dir,
          namespace: opts.namespace,
          exitWhenDone: opts.exit,
          stepTimeoutMs: 90_000,
          existingCluster: opts.existingCluster
            ? { kubeconfig: opts.kubeconfig!, deployment: opts.operatorDeployment }
            : undefined,
        });
      },
    );

  local
    .command('status')
    .description('show whether the local control plane runs and is ready')
    .option('--dir <dir>', 'state directory', defaultDir())
    .action(async (opts: { dir: string }) => {
      const st = await status(opts.dir);
      if (!st.state) {
        process.stdout.write('not running\n');
        process.exitCode = 1;
        return;
      }
      process.stdout.write(
        `${st.ready ? 'ready' : 'not ready'}  server=${st.state.server}  kubeconfig=${st.state.kubeconfig}\n`,
      );
      for (const p of st.problems) process.stdout.write(`  problem: ${p}\n`);
      if (!st.ready) process.exitCode = 1;
    });
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new Error(`--port must be a number from 1 to 65535, got "${value}"`);
  return n;
}
