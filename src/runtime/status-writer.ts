// The one way controllers write status: compute the desired status from the
// object (cached, or fresh after a conflict); nothing is written when it is
// the same as the current one by statusEqual's rules (see status-equality.ts).
import { statusEqual, type StatusEqualityOptions } from './status-equality.js';
import type { ObjectWriter, WriteResult } from './writes.js';
import type { KubeObject, ResourceType } from '../kube/resource.js';

export class StatusWriter {
  constructor(
    private readonly writer: ObjectWriter,
    private readonly equality: StatusEqualityOptions = {},
  ) {}

  /**
   * Sets `status` to compute(object). `compute` may run again on a fresh copy
   * after a 409 Conflict, so it must derive everything from its argument;
   * with `conflictRetries: 0` it runs once and the 409 is thrown instead.
   */
  async update<T extends KubeObject, S>(
    resource: ResourceType,
    current: T,
    compute: (object: T) => S,
    opts: StatusEqualityOptions & { conflictRetries?: number } = {},
  ): Promise<WriteResult<T>> {
    const equality = { keyedLists: { ...this.equality.keyedLists, ...opts.keyedLists } };
    return this.writer.update(
      resource,
      current,
      (draft) => {
        const status = compute(structuredClone(draft));
        (draft as KubeObject).status = resource.fitStatus ? resource.fitStatus(status) : status;
      },
      {
        subresource: 'status',
        ...(opts.conflictRetries !== undefined ? { conflictRetries: opts.conflictRetries } : {}),
        equal: (before, after) =>
          statusEqual(
            (before as { status?: unknown }).status,
            (after as { status?: unknown }).status,
            equality,
          ),
      },
    );
  }
}
