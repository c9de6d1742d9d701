// Depot's own version (package.json's; a unit test keeps them equal): what the
// HTTP API's server and agent say about themselves, so that each can tell
// whether the other is new enough (docs/http-api.md, Versions of the protocol).
export const DEPOT_VERSION = '0.1.0';
