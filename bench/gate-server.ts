// The check behind promotion_1k_gated's `http` gate: a tiny HTTP server on
// loopback in the harness's process that passes every candidate and counts
// the calls it gets, per application and version (from the body Depot
// POSTs), so "one call per application and version" is measured at the
// receiving end, not taken from the operator's word.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GateCalls {
  /** Every POST the server answered. */
  calls: number;
  /** Distinct (application, version) pairs asked. */
  candidates: number;
  /** Calls of the pair asked most often. */
  max_calls_per_candidate: number;
  /** Pairs asked more than once. */
  candidates_asked_again: number;
  /** Bodies that were not the gate's JSON (application, version). */
  malformed: number;
}

/** Tallies calls by "application@version". Pure: the server feeds it. */
export class GateCallTally {
  private readonly byCandidate = new Map<string, number>();
  private total = 0;
  private malformed = 0;

  add(body: string): void {
    this.total++;
    let parsed: { application?: unknown; version?: unknown } | undefined;
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      parsed = undefined;
    }
    if (typeof parsed?.application !== 'string' || typeof parsed.version !== 'string') {
      this.malformed++;
      return;
    }
    const k = `${parsed.application}@${parsed.version}`;
    this.byCandidate.set(k, (this.byCandidate.get(k) ?? 0) + 1);
  }

  summary(): GateCalls {
    const counts = [...this.byCandidate.values()];
    return {
      calls: this.total,
      candidates: counts.length,
      max_calls_per_candidate: counts.length ? Math.max(...counts) : 0,
      candidates_asked_again: counts.filter((n) => n > 1).length,
      malformed: this.malformed,
    };
  }
}

export class GateServer {
  readonly tally = new GateCallTally();
  readonly url: string;

  private constructor(
    private readonly server: Server,
    path: string,
  ) {
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  }

  /** Listens on a free loopback port; every call passes (`{"result":"pass"}`). */
  static async start(path = '/bench/gate'): Promise<GateServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const gs = new GateServer(server, path);
    server.on('request', (req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        gs.tally.add(body);
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"result":"pass"}');
      });
    });
    return gs;
  }

  /** The prefix for the operator's --gate-url-allow. */
  get allowPrefix(): string {
    return `${new URL(this.url).origin}/`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
