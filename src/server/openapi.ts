// /api/v1/openapi.json, generated from the route table and the same zod
// schemas the handlers validate and answer with (zod's toJSONSchema).
import { z } from 'zod';
import {
  API_PREFIX,
  CLIENT_VERSION_HEADER,
  ErrorSchema,
  SERVER_VERSION_HEADER,
  ServerInfoSchema,
} from '../api/http.js';
import { DEPOT_VERSION } from '../api/version.js';
import type { Route } from './routes.js';

type Json = Record<string, unknown>;

/**
 * The JSON Schema of a zod schema; named schemas (meta id) go to
 * components.schemas. A format check (a CEL `matches` rule for the CRDs)
 * becomes a `pattern`; other CEL rules are for the API server only.
 */
function schemaOf(schema: z.ZodType, io: 'input' | 'output', components: Record<string, Json>): Json {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any', reused: 'inline' }) as Json;
  delete out.$schema;
  const defs = (out.$defs ?? {}) as Record<string, Json>;
  delete out.$defs;
  for (const [name, def] of Object.entries(defs)) components[name] ??= openApiFlavour(def) as Json;
  return openApiFlavour(out) as Json;
}

function openApiFlavour(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(openApiFlavour);
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) {
    if (k === 'x-kubernetes-validations') {
      for (const rule of v as { rule: string }[]) {
        const m = /^self\.matches\(r'(.*)'\)$/.exec(rule.rule);
        if (m) out.pattern = m[1];
      }
    } else if (k === '$ref' && typeof v === 'string') {
      out.$ref = v.replace('#/$defs/', '#/components/schemas/');
    } else {
      out[k] = openApiFlavour(v);
    }
  }
  return out;
}

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

const pathParameters = (path: string) =>
  [...path.matchAll(/\{([^}]+)\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));

export function openApiDocument(routes: readonly Route[]): Json {
  const components: Record<string, Json> = {};
  const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => schemaOf(schema, io, components);
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of routes) {
    const path = `${API_PREFIX}/namespaces/{ns}${route.path}`;
    const access = route.access({ namespace: '{ns}', params: {} });
    const parameters = [
      ...pathParameters(path),
      ...Object.entries(route.query ?? {}).map(([name, q]) => ({
        name,
        in: 'query',
        required: q.required ?? false,
        description: q.description,
        schema: q.repeated ? { type: 'array', items: { type: 'string' } } : { type: 'string' },
        ...(q.repeated ? { explode: true } : {}),
      })),
      ...(route.read
        ? [{ name: 'If-None-Match', in: 'header', required: false, schema: { type: 'string' } }]
        : []),
    ];
    const content: Json = { 'application/json': { schema: jsonSchema(route.response, 'output') } };
    if (route.text) content['text/plain'] = { schema: { type: 'string' } };
    const responses: Json = {
      '200': {
        description: 'OK',
        content,
        ...(route.read
          ? { headers: { ETag: { schema: { type: 'string' }, description: 'Strong ETag.' } } }
          : {}),
      },
      ...(route.read ? { '304': { description: 'Not modified (If-None-Match matched the ETag).' } } : {}),
      '400': errorResponse('Invalid input; the message names the field.'),
      '401': errorResponse('No bearer token, or the API server did not accept it.'),
      '403': errorResponse(
        `The user may not ${access.verb} ${access.resource}${access.subresource ? `/${access.subresource}` : ''}.depot.sh in the namespace.`,
      ),
      '404': errorResponse('Unknown namespace, application, environment, target or promotion.'),
    };
    if (!route.read) {
      Object.assign(responses, {
        '409': errorResponse('The request conflicts with the current state (e.g. nothing to promote).'),
        '413': errorResponse('The body is larger than the limit.'),
        '415': errorResponse('The body is not application/json.'),
        '422': errorResponse("The API server's admission refused the write; the message is its own."),
      });
    }
    (paths[path] ??= {})[route.method.toLowerCase()] = {
      summary: route.summary,
      description: `Needs RBAC: ${[access, ...(route.alsoNeeds?.({ namespace: '{ns}', params: {} }) ?? [])]
        .map((a) => `${a.verb} ${a.resource}${a.subresource ? `/${a.subresource}` : ''}.depot.sh`)
        .join(', ')} in the namespace.`,
      parameters,
      ...(route.body
        ? {
            requestBody: {
              required: !route.bodyOptional,
              content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
            },
          }
        : {}),
      responses,
      security: route.read ? [{ bearer: [] }, {}] : [{ bearer: [] }],
    };
  }
  paths[`${API_PREFIX}/version`] = {
    get: {
      summary: 'The server and protocol versions (no authentication).',
      responses: {
        '200': {
          description: 'OK',
          content: { 'application/json': { schema: jsonSchema(ServerInfoSchema, 'output') } },
        },
      },
    },
  };
  jsonSchema(ErrorSchema, 'output'); // registers components.schemas.Error
  return {
    openapi: '3.1.0',
    info: {
      title: 'Depot HTTP API',
      version: DEPOT_VERSION,
      description: `Which version of which application runs where. Every answer carries the header ${SERVER_VERSION_HEADER}; clients send ${CLIENT_VERSION_HEADER}. Reads without a token only when the operator runs with --api-anonymous-reads.`,
    },
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'A Kubernetes token (checked with a TokenReview; RBAC decides with a SubjectAccessReview).',
        },
      },
    },
  };
}
