import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../net/api.js';
import type { LiveStore } from '../net/live.js';
import { parseRoute, type Route } from '../lib/routes.js';

export function useLive(store: LiveStore) {
  const [, setTick] = useState(0);
  useEffect(() => store.subscribe(() => setTick((t) => t + 1)), [store]);
  return { state: store.get(), connection: store.connection() };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

export type Loaded<T> =
  { status: 'loading' } | { status: 'ok'; value: T } | { status: 'error'; message: string };

/** GETs `path` (again whenever a key changes); null path = nothing to load. */
export function useApi<T>(path: string | null, keys: readonly unknown[] = []): Loaded<T> {
  const [result, setResult] = useState<Loaded<T>>({ status: 'loading' });
  const [loadedPath, setLoadedPath] = useState(path);
  if (loadedPath !== path) {
    // another object: do not show the previous one's answer while this one loads
    setLoadedPath(path);
    setResult({ status: 'loading' });
  }
  useEffect(() => {
    if (path === null) return;
    const ac = new AbortController();
    api<T>(path, { signal: ac.signal }).then(
      (value) => setResult({ status: 'ok', value }),
      (err: unknown) => {
        if (ac.signal.aborted) return;
        setResult({ status: 'error', message: err instanceof ApiError ? err.message : String(err) });
      },
    );
    return () => ac.abort();
  }, [path, ...keys]);
  return result;
}
