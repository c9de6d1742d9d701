// Delivery metrics: deliveries by kind and outcome, how long one attempt
// takes, reverts Depot re-applied, and the watches of delivered objects.
import { Counter, Gauge, Histogram } from 'prom-client';
import type { RuntimeMetrics } from '../../runtime/metrics.js';
import type { WatchMetrics } from './watched-objects.js';

export interface DeliveryMetrics {
  attempts: Counter<'kind' | 'outcome'>;
  latency: Histogram<'kind'>;
  reverts: Counter<'kind'>;
}

export function deliveryMetrics(metrics: RuntimeMetrics): DeliveryMetrics {
  const registers = [metrics.registry];
  return {
    attempts: new Counter({
      name: 'depot_deliveries_total',
      help: 'Delivery attempts by kind (argocd, flux) and outcome (Delivered, Pending, Failed, Blocked; unchanged = already in place).',
      labelNames: ['kind', 'outcome'] as const,
      registers,
    }),
    latency: new Histogram({
      name: 'depot_delivery_duration_seconds',
      help: 'How long one delivery attempt took, by kind.',
      labelNames: ['kind'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    reverts: new Counter({
      name: 'depot_delivery_reapplied_total',
      help: 'Delivered versions that an external writer reset and Depot wrote again (Reapplied), by kind.',
      labelNames: ['kind'] as const,
      registers,
    }),
  };
}

/** The delivery informers open now and the watches a cap (or a bad namespace) refused. */
export function watchMetrics(metrics: RuntimeMetrics): WatchMetrics {
  const registers = [metrics.registry];
  const open = new Gauge({
    name: 'depot_delivery_watches',
    help: 'Informers (one list and watch per kind and namespace) open for the objects deliveries write.',
    registers,
  });
  const refused = new Counter({
    name: 'depot_delivery_watch_refusals_total',
    help: 'Watches of delivered objects refused, by limit: per-namespace (--max-delivery-watches-per-namespace), total (--max-delivery-watches), invalid-namespace.',
    labelNames: ['limit'] as const,
    registers,
  });
  return {
    setOpen: (count) => open.set(count),
    refused: (limit) => refused.inc({ limit }),
  };
}
