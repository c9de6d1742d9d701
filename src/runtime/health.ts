// Operational HTTP endpoints: /healthz (the process is alive), /readyz (caches
// synced and leader or standby), /metrics (Prometheus). Each configured
// address gets one server answering all three paths.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface Readiness {
  ok: boolean;
  problems: string[];
}

export interface EndpointOptions {
  /** "host:port", ":port" (all interfaces) or "0"/"" (off). */
  addresses: string[];
  ready: () => Readiness;
  registry: Registry;
}

export function parseAddress(address: string): { host: string; port: number } | undefined {
  if (!address || address === '0') return undefined;
  const i = address.lastIndexOf(':');
  const host = i > 0 ? address.slice(0, i).replace(/^\[(.*)\]$/, '$1') : '0.0.0.0';
  const port = Number(i >= 0 ? address.slice(i + 1) : address);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`invalid address "${address}": use host:port or :port`);
  return { host, port };
}

export class Endpoints {
  private servers: Server[] = [];

  constructor(private readonly opts: EndpointOptions) {}

  async start(): Promise<AddressInfo[]> {
    const unique = [...new Set(this.opts.addresses.filter((a) => parseAddress(a)))];
    for (const address of unique) {
      const { host, port } = parseAddress(address)!;
      const server = createServer((req, res) => {
        void this.handle(req.url ?? '/').then(({ code, type, body }) => {
          res.writeHead(code, { 'Content-Type': type });
          res.end(body);
        });
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      server.unref();
      this.servers.push(server);
    }
    return this.addresses();
  }

  addresses(): AddressInfo[] {
    return this.servers.map((s) => s.address() as AddressInfo);
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
          }),
      ),
    );
    this.servers = [];
  }

  private async handle(url: string): Promise<{ code: number; type: string; body: string }> {
    const path = url.split('?')[0];
    const text = 'text/plain; charset=utf-8';
    try {
      if (path === '/healthz' || path === '/livez') return { code: 200, type: text, body: 'ok\n' };
      if (path === '/readyz') {
        const r = this.opts.ready();
        return r.ok
          ? { code: 200, type: text, body: 'ok\n' }
          : { code: 503, type: text, body: `${r.problems.join('\n')}\n` };
      }
      if (path === '/metrics')
        return { code: 200, type: this.opts.registry.contentType, body: await this.opts.registry.metrics() };
      return { code: 404, type: text, body: 'not found: try /healthz, /readyz or /metrics\n' };
    } catch (err) {
      return { code: 500, type: text, body: `${err instanceof Error ? err.message : String(err)}\n` };
    }
  }
}
