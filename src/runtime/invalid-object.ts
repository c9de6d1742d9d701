// Bad input never stops the operator: an object that fails to parse or
// validate is reported on the object itself (a False condition with the
// reason and a readable message, plus one Warning Event when that condition
// is first set) and the reconcile skips it. Fixing the object triggers a
// new reconcile through the watch.
import type { Clock } from '../kube/clock.js';
import type { Condition } from '../kube/conditions.js';
import { setCondition } from '../kube/conditions.js';
import type { EventSink } from './events.js';
import type { KubeObject, ResourceType } from '../kube/resource.js';
import { safeParseOnce } from './parse-once.js';
import type { StatusWriter } from './status-writer.js';

/** Anything with zod's safeParse (zod schemas fit). */
export interface SafeParser<T> {
  safeParse(input: unknown):
    | { success: true; data: T }
    | {
        success: false;
        error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> };
      };
}

export interface InvalidReportOptions {
  /** Default "Ready". */
  conditionType?: string;
  /** Default "InvalidSpec". */
  reason?: string;
}

type SafeParseResult<T> = ReturnType<SafeParser<T>['safeParse']>;

export class InvalidObjectReporter {
  constructor(
    private readonly status: StatusWriter,
    private readonly events: EventSink,
    private readonly clock: Clock,
  ) {}

  /** Sets the condition (only written if it changes) and emits a Warning when it does. */
  async report(
    resource: ResourceType,
    obj: KubeObject,
    message: string,
    opts: InvalidReportOptions = {},
  ): Promise<void> {
    const type = opts.conditionType ?? 'Ready';
    const reason = opts.reason ?? 'InvalidSpec';
    const now = this.clock.now();
    const result = await this.status.update(resource, obj, (fresh) => {
      const status = (fresh.status ?? {}) as { conditions?: Condition[]; [k: string]: unknown };
      const generation = fresh.metadata?.generation;
      return {
        ...status,
        observedGeneration: generation,
        conditions: setCondition(
          status.conditions,
          { type, status: 'False', reason, message },
          generation,
          new Date(now),
        ),
      };
    });
    if (result.written) this.events.warning(obj, reason, message, 'Validate');
  }

  /** The parsed object (shared: read-only), or undefined after reporting why it is invalid. */
  async parse<T>(
    resource: ResourceType,
    obj: KubeObject,
    parser: SafeParser<T>,
    opts: InvalidReportOptions = {},
  ): Promise<T | undefined> {
    // Each cached object is parsed once per version, one copy shared by every reader.
    const result = safeParseOnce<SafeParseResult<T>>(parser)(obj);
    if (result.success) return result.data;
    await this.report(resource, obj, formatIssues(result.error.issues), opts);
    return undefined;
  }
}

export function formatIssues(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
): string {
  return issues
    .map((i) => (i.path.length > 0 ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}
