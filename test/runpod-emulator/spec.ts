/**
 * The RunPod REST v2 OpenAPI document as a validator: routes a request to its operation and checks
 * path parameters, query, headers and body against the spec with ajv (OpenAPI 3.1 = JSON Schema
 * 2020-12), and responses against the declared response schemas. `$ref`s resolve inside the spec:
 * every schema is compiled as a JSON pointer into the one document ajv holds.
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

export const SPEC_PATH = path.resolve(__dirname, '..', 'fixtures', 'runpod-rest-v2-openapi.json');
const SPEC_ID = 'https://emulator.invalid/runpod-rest-v2-openapi.json';
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

/** A request routed to a spec operation. */
export interface RoutedOperation {
  readonly template: string;
  readonly method: string;
  readonly operationId: string;
  readonly params: Record<string, string>;
  readonly operation: any;
  /** JSON pointer of the operation in the spec. */
  readonly pointer: string;
}

export type RouteResult =
  | { kind: 'operation'; route: RoutedOperation }
  | { kind: 'method-not-allowed'; template: string; allowed: string[] }
  | { kind: 'unknown-path' };

function escapePointer(segment: string): string {
  return encodeURIComponent(segment.replace(/~/g, '~0').replace(/\//g, '~1'));
}

/** Validator over the spec. */
export class OpenApiSpec {
  public readonly document: any;
  private readonly ajv: Ajv2020;
  private readonly cache = new Map<string, ValidateFunction>();
  private readonly routes: Array<{ template: string; regex: RegExp; names: string[]; literalSegments: number }>;

  constructor(specPath = SPEC_PATH) {
    this.document = JSON.parse(fs.readFileSync(specPath, 'utf8'));
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false, validateFormats: true });
    addFormats(this.ajv);
    for (const f of ['float', 'double', 'int32', 'int64']) this.ajv.addFormat(f, true);
    this.ajv.addSchema({ ...rewriteConditionals(this.document), $id: SPEC_ID });
    this.routes = Object.keys(this.document.paths).map((template) => {
      const names: string[] = [];
      const regex = new RegExp(
        `^${template
          .split('/')
          .map((segment) => {
            const m = /^\{(.+)\}$/.exec(segment);
            if (!m) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
            names.push(m[1]);
            return '([^/]+)';
          })
          .join('/')}$`,
      );
      return { template, regex, names, literalSegments: template.split('/').filter((s) => s && !s.startsWith('{')).length };
    });
    // literal segments win: /v2/registries/delegations before /v2/registries/{id}
    this.routes.sort((a, b) => b.literalSegments - a.literalSegments);
  }

  /** Finds the operation for a method and path. */
  public route(method: string, pathname: string): RouteResult {
    for (const r of this.routes) {
      const m = r.regex.exec(pathname);
      if (!m) continue;
      const item = this.document.paths[r.template];
      const op = item[method.toLowerCase()];
      if (!op) return { kind: 'method-not-allowed', template: r.template, allowed: METHODS.filter((x) => item[x]).map((x) => x.toUpperCase()) };
      const params: Record<string, string> = {};
      r.names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1])));
      return {
        kind: 'operation',
        route: { template: r.template, method: method.toUpperCase(), operationId: op.operationId, params, operation: op, pointer: `#/paths/${escapePointer(r.template)}/${method.toLowerCase()}` },
      };
    }
    return { kind: 'unknown-path' };
  }

  /** Validates a value against the schema at `pointer` (a `#/...` JSON pointer into the spec). */
  public validate(pointer: string, value: unknown): string[] {
    let fn = this.cache.get(pointer);
    if (!fn) {
      fn = this.ajv.compile({ $ref: `${SPEC_ID}${pointer}` });
      this.cache.set(pointer, fn);
    }
    if (fn(value)) return [];
    return (fn.errors ?? []).map((e) => `${e.instancePath || '$'}: ${e.message}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`);
  }

  /** Resolves a local `$ref` object one level ({$ref: '#/components/...'} -> [object, pointer]). */
  private deref(value: any, pointer: string): [any, string] {
    let current = value;
    let at = pointer;
    while (current && typeof current.$ref === 'string' && current.$ref.startsWith('#/')) {
      at = `#${current.$ref.slice(1).split('/').map((s: string) => encodeURIComponent(decodeURIComponent(s))).join('/')}`;
      current = current.$ref
        .slice(2)
        .split('/')
        .reduce((o: any, k: string) => o?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], this.document);
    }
    return [current, at];
  }

  /** Parameters of an operation (path-level and operation-level), each with the pointer of its schema. */
  private parameters(route: RoutedOperation): Array<{ param: any; schemaPointer: string }> {
    const itemPointer = `#/paths/${escapePointer(route.template)}`;
    const item = this.document.paths[route.template];
    const out = new Map<string, { param: any; schemaPointer: string }>();
    const add = (list: any[] | undefined, base: string): void => {
      (list ?? []).forEach((raw, i) => {
        const [param, at] = this.deref(raw, `${base}/parameters/${i}`);
        out.set(`${param.in}:${param.name}`, { param, schemaPointer: `${at}/schema` });
      });
    };
    add(item.parameters, itemPointer);
    add(route.operation.parameters, route.pointer);
    return [...out.values()];
  }

  /** Checks a request; returns violations (empty when it conforms). */
  public validateRequest(
    route: RoutedOperation,
    query: URLSearchParams,
    headers: Record<string, string | string[] | undefined>,
    rawBody: string,
    contentType: string | undefined,
  ): { errors: string[]; body: unknown; query: Record<string, unknown>; status: 400 | 422 } {
    const errors: string[] = [];
    let status: 400 | 422 = 400;
    const parsedQuery: Record<string, unknown> = {};
    const declared = this.parameters(route);
    for (const { param, schemaPointer } of declared) {
      const [schema] = this.deref(param.schema ?? {}, schemaPointer);
      let raw: string | undefined;
      if (param.in === 'path') {raw = route.params[param.name];} else if (param.in === 'query') {raw = query.get(param.name) ?? undefined;} else if (param.in === 'header') {
        const h = headers[param.name.toLowerCase()];
        raw = Array.isArray(h) ? h[0] : h;
      } else {continue;}
      if (raw === undefined) {
        if (param.required) errors.push(`${param.in} parameter '${param.name}' is required`);
        continue;
      }
      const value = coerce(raw, schema, param);
      if (param.in === 'query') parsedQuery[param.name] = value;
      for (const e of this.validate(schemaPointer, value)) errors.push(`${param.in} parameter '${param.name}' (${JSON.stringify(raw)}): ${e.replace(/^\$: /, '')}`);
    }
    const known = new Set(declared.filter((d) => d.param.in === 'query').map((d) => d.param.name));
    for (const key of new Set(query.keys())) {
      if (!known.has(key)) errors.push(`query parameter '${key}' is not defined for ${route.method} ${route.template}`);
    }
    let body: unknown;
    const requestBody = this.deref(route.operation.requestBody, `${route.pointer}/requestBody`);
    if (requestBody[0]) {
      const [rb, rbPointer] = requestBody;
      if (rawBody.length === 0) {
        if (rb.required) {
          errors.push('request body is required');
          status = 422;
        }
      } else if (!contentType || !contentType.toLowerCase().startsWith('application/json')) {
        errors.push(`request body must be application/json, got ${contentType ?? 'no content type'}`);
      } else {
        try {
          body = JSON.parse(rawBody);
          const bodyErrors = this.validate(`${rbPointer}/content/application~1json/schema`, body);
          if (bodyErrors.length > 0) status = 422;
          errors.push(...bodyErrors);
        } catch (error) {
          errors.push(`request body is not JSON: ${(error as Error).message}`);
        }
      }
    } else if (rawBody.length > 0) {
      errors.push(`${route.method} ${route.template} takes no request body`);
    }
    return { errors, body, query: parsedQuery, status };
  }

  /** Checks a response body against the operation's declared response for `status`. */
  public validateResponse(route: RoutedOperation, status: number, contentType: string | undefined, body: unknown): string[] {
    const responses = route.operation.responses ?? {};
    const key = responses[String(status)] ? String(status) : responses.default ? 'default' : undefined;
    if (!key) return [`status ${status} is not declared for ${route.method} ${route.template}`];
    const [response, at] = this.deref(responses[key], `${route.pointer}/responses/${key}`);
    const content = response.content ?? {};
    const types = Object.keys(content);
    if (types.length === 0) return body === undefined ? [] : [`status ${status} of ${route.method} ${route.template} must have no body`];
    const type = (contentType ?? '').split(';')[0].trim();
    if (!content[type]) return [`content type '${type}' is not declared for ${status} (${types.join(', ')})`];
    if (type === 'text/event-stream') return [];
    return this.validate(`${at}/content/${escapePointer(type)}/schema`, body).map((e) => `response ${status}: ${e}`);
  }
}

/**
 * Rewrites `if`/`then`/`else` into an equivalent `anyOf`. Works around an ajv 8 bug (seen in
 * 8.20.0): when an `if` without `else` FAILS, ajv forgets the properties its siblings (`allOf`)
 * evaluated, so `unevaluatedProperties: false` rejects every property of a valid body, e.g. a
 * `CreateEndpointRequest` with `type: QUEUE`. `anyOf` keeps the 2020-12 annotation semantics: a
 * failed `if` (the `not` branch) contributes nothing, a passed one contributes its properties.
 */
export function rewriteConditionals(value: any): any {
  if (Array.isArray(value)) return value.map(rewriteConditionals);
  if (value === null || typeof value !== 'object') return value;
  const out: any = {};
  for (const [k, v] of Object.entries(value)) out[k] = rewriteConditionals(v);
  if (out.if !== undefined && (typeof out.if === 'object' || typeof out.if === 'boolean')) {
    const { if: condition, then: whenTrue, else: whenFalse, ...rest } = out;
    const branches = [
      { allOf: [condition, whenTrue ?? true] },
      whenFalse === undefined ? { not: condition } : { allOf: [{ not: condition }, whenFalse] },
    ];
    if (rest.anyOf) return { ...rest, anyOf: undefined, allOf: [...(rest.allOf ?? []), { anyOf: rest.anyOf }, { anyOf: branches }] };
    return { ...rest, anyOf: branches };
  }
  return out;
}

function coerce(raw: string, schema: any, param: any): unknown {
  const type = Array.isArray(schema?.type) ? schema.type.find((t: string) => t !== 'null') : schema?.type;
  if (type === 'array') {
    const explode = param.explode ?? (param.style ?? 'form') === 'form';
    const parts = explode ? [raw] : raw.split(',');
    return parts.map((p) => coerce(p, schema.items ?? {}, {}));
  }
  if (type === 'integer' || type === 'number') return raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  if (type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
  return raw;
}
