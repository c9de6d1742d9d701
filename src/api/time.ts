// Timestamps as Kubernetes serializes them (RFC 3339).
import { z } from 'zod';

export function timestamp(description: string) {
  return z.iso.datetime({ offset: true }).meta({ description });
}
