// Served to client-node's cache.js (ListWatch) in place of ./serializer.js,
// which loads the model of every Kubernetes kind: ListWatch only serializes
// its label and field selectors, strings that serialize to themselves.
// client-node-slim.test.ts checks that cache.js asks for nothing else.
export const ObjectSerializer = {
  serialize(data: unknown, type: string): unknown {
    if (type !== 'string') throw new Error(`client-node-slim: cannot serialize type ${type}`);
    return data;
  },
};
