// Delivery metrics: deliveries by kind and outcome, how long one attempt
// takes, and reverts Depot re-applied.
import { Counter, Histogram } from 'prom-client';
import type { RuntimeMetrics } from '../../runtime/metrics.js';

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
