// A real Prometheus server (Debian's package, installed by
// scripts/ensure-prometheus.sh) scraping, every second, an exporter the test
// controls on loopback: `metrics()` is the exposition text served at each scrape.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/local/controlplane/index.js';
import { eventually } from './eventually.js';

export interface ScrapedPrometheus {
  /** The server's base URL, e.g. http://127.0.0.1:PORT. */
  url: string;
  stop(): Promise<void>;
}

export async function startPrometheus(metrics: () => string): Promise<ScrapedPrometheus> {
  const binary = execFileSync(join(process.cwd(), 'scripts/ensure-prometheus.sh'), {
    encoding: 'utf8',
  }).trim();
  const exporterPort = await freePort();
  const exporter = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
    res.end(metrics());
  });
  await new Promise<void>((resolve) => exporter.listen(exporterPort, '127.0.0.1', resolve));
  const dir = mkdtempSync(join(tmpdir(), 'depot-prometheus-'));
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global: {scrape_interval: 1s, evaluation_interval: 1s}\nscrape_configs:\n  - job_name: app\n    static_configs: [{targets: ['127.0.0.1:${exporterPort}']}]\n`,
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const prometheus = spawn(
    binary,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: 'ignore' },
  );
  const stop = async () => {
    prometheus.kill('SIGTERM');
    await new Promise<void>((resolve) => (exporter.listening ? exporter.close(() => resolve()) : resolve()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await eventually(
      'Prometheus is ready',
      async () => (await fetch(`${url}/-/ready`).catch(() => undefined))?.ok,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, stop };
}
