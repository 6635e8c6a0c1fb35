import type { Schema } from '../../../protocol/admin/schema.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface ApiRequest {
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
}

/**
 * One admin-API route: everything the router needs to mount it and everything openapi.json
 * says about it. Handlers return the response body (undefined → 204) and throw MdmlabError.
 */
export interface RouteSpec {
  method: Method;
  /** OpenAPI style: `/users/{id}`. */
  path: string;
  summary: string;
  tag: string;
  /** Documented request body (the handler validates it; see server/domain/schemas.ts). */
  body?: Schema;
  /** The body may be left out (every field is optional). */
  bodyOptional?: boolean;
  /** Accepted query parameters; any other is a 400. */
  query?: Record<string, Schema>;
  /** Success status: 200 by default, 201 for creations, 204 when the handler returns nothing. */
  status?: 200 | 201 | 204;
  response?: Schema;
  /** Reachable without the bearer token. */
  public?: boolean;
  handler: (req: ApiRequest) => Promise<unknown>;
}

export const idParam = (req: ApiRequest): string => req.params.id!;

/**
 * The path of a route as a regular expression: `{name}` matches one path segment, everything else
 * only itself. Literal parts are escaped: `/openapi.json` must not also match `/openapiXjson`,
 * which would let any such path pass the token check as a public route.
 */
export function routePattern(path: string): RegExp {
  const source = path
    .split(/\{\w+\}/)
    .map((literal) => literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]+');
  return new RegExp(`^${source}/?$`);
}
