// Hash routes, so deep links work without server routes: #/, #/app/NS/APP,
// #/why/NS/APP/ENV?version=V, #/promotions/NS, #/compat/NS.
import type { MatrixFilter, StateFilter } from './filters.js';

export type Route =
  | { page: 'matrix'; filter: MatrixFilter }
  | { page: 'app'; namespace: string; app: string }
  | { page: 'why'; namespace: string; app: string; environment: string; version?: string }
  | { page: 'promotions'; namespace: string }
  | { page: 'compat'; namespace: string };

const matrix = (query = new URLSearchParams()): Route => ({
  page: 'matrix',
  filter: {
    text: query.get('q') ?? '',
    state: (query.get('state') ?? '') as StateFilter,
    namespace: query.get('ns') ?? '',
  },
});

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  let parts: string[];
  try {
    parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return matrix();
  }
  const [head, a, b, c] = parts;
  if (head === 'app' && a && b && parts.length === 3) return { page: 'app', namespace: a, app: b };
  // #/ns/NS/app/APP: the form the Playwright suite was first written against.
  if (head === 'ns' && a && b === 'app' && c && parts.length === 4)
    return { page: 'app', namespace: a, app: c };
  if (head === 'why' && a && b && c && parts.length === 4) {
    const version = query.get('version');
    return { page: 'why', namespace: a, app: b, environment: c, ...(version ? { version } : {}) };
  }
  if (head === 'promotions' && a && parts.length === 2) return { page: 'promotions', namespace: a };
  if (head === 'compat' && a && parts.length === 2) return { page: 'compat', namespace: a };
  return matrix(query);
}

const seg = (...parts: string[]) => '#/' + parts.map(encodeURIComponent).join('/');

export function routeHash(route: Route): string {
  switch (route.page) {
    case 'matrix': {
      const q = new URLSearchParams();
      if (route.filter.text) q.set('q', route.filter.text);
      if (route.filter.state) q.set('state', route.filter.state);
      if (route.filter.namespace) q.set('ns', route.filter.namespace);
      const s = q.toString();
      return s ? `#/?${s}` : '#/';
    }
    case 'app':
      return seg('app', route.namespace, route.app);
    case 'why':
      return (
        seg('why', route.namespace, route.app, route.environment) +
        (route.version ? `?version=${encodeURIComponent(route.version)}` : '')
      );
    case 'promotions':
      return seg('promotions', route.namespace);
    case 'compat':
      return seg('compat', route.namespace);
  }
}
