// The former name of RuntimeDeps, kept only while files that other changes
// rewrite (controllers/application.ts, controllers/delivery/, server/version-writes.ts)
// still import it; new code imports ./runtime-deps.js.
import type { RuntimeDeps } from './runtime-deps.js';

/** @deprecated RuntimeDeps. */
export type ControllerDeps = RuntimeDeps;
export type { LeadershipTerm } from './runtime-deps.js';
