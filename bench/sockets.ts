// How many TCP connections a process holds to one port (the API server's),
// from /proc: the socket inodes among its file descriptors, matched to the
// ESTABLISHED entries of /proc/<pid>/net/tcp and tcp6. Counts what the server
// sees, whatever the client library reports.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

const ESTABLISHED = '01';

/** Inodes of the ESTABLISHED connections to `port` in a /proc/net/tcp(6) table. */
export function establishedInodes(table: string, port: number): string[] {
  const inodes: string[] = [];
  for (const line of table.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
    const remote = f[2];
    if (!remote || f[3] !== ESTABLISHED || f[9] === undefined) continue;
    if (Number.parseInt(remote.slice(remote.lastIndexOf(':') + 1), 16) === port) inodes.push(f[9]);
  }
  return inodes;
}

/** Established connections of process `pid` to `port`; undefined when the process is gone. */
export function connectionsTo(pid: number, port: number): number | undefined {
  try {
    const own = new Set<string>();
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      const m = /^socket:\[(\d+)\]$/.exec(safeReadlink(`/proc/${pid}/fd/${fd}`));
      if (m?.[1]) own.add(m[1]);
    }
    let n = 0;
    for (const table of ['tcp', 'tcp6']) {
      const text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
      n += establishedInodes(text, port).filter((inode) => own.has(inode)).length;
    }
    return n;
  } catch {
    return undefined;
  }
}

function safeReadlink(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return ''; // the descriptor closed meanwhile
  }
}
