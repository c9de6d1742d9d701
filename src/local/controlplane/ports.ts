// Loopback ports for the control plane's servers: a free one, or a check that
// a fixed one (--port) is free before anything starts.
import { createServer } from 'node:net';
import { ControlPlaneError } from './errors.js';

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

export async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((res, rej) => {
    const srv = createServer();
    srv.once('error', () =>
      rej(
        new ControlPlaneError(
          `port ${port} on 127.0.0.1 is in use: stop what listens there or pick another --port`,
        ),
      ),
    );
    srv.listen(port, '127.0.0.1', () => srv.close(() => res()));
  });
}
