// Names an HTTP request to the API server the way Kubernetes does (verb +
// resource), so API request metrics read like RBAC rules: "patch
// applications/status", "list configmaps", "watch leases".
export interface RequestDescription {
  verb: string;
  resource: string;
}

export function describeRequest(method: string, url: string): RequestDescription {
  const parsed = new URL(url, 'https://api.invalid');
  const segments = parsed.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  // /api/v1/... or /apis/group/version/...
  const rest =
    segments[0] === 'api' ? segments.slice(2) : segments[0] === 'apis' ? segments.slice(3) : segments;
  let resource: string | undefined;
  let name: string | undefined;
  let sub: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) [, , resource, name, sub] = rest;
  else [resource, name, sub] = rest;
  const watch = parsed.searchParams.get('watch') === 'true' || parsed.searchParams.get('watch') === '1';
  const verb = verbOf(method.toUpperCase(), Boolean(name), watch);
  return { verb, resource: resource ? (sub ? `${resource}/${sub}` : resource) : parsed.pathname };
}

function verbOf(method: string, hasName: boolean, watch: boolean): string {
  switch (method) {
    case 'GET':
      return watch ? 'watch' : hasName ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return hasName ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}

/** Verbs that change state on the server. */
export const writeVerbs = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);
