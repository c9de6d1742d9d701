// Things the manager runs besides controllers (controller-runtime's
// Runnable): an HTTP API, an agent loop. Each says whether it needs
// leadership: controllers and loops that write for the operator run only on
// the leader; an HTTP API answers on every replica (its writes are made for
// a user and are not fenced by leadership).
export interface Runnable {
  name: string;
  needLeaderElection: boolean;
  /** Runs until `signal` aborts, then resolves once stopped. */
  start(signal: AbortSignal): Promise<void>;
}
