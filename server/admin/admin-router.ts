import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';
import type { ServerKeyInfo } from '../engine.js';
import type { Domain } from '../domain/domain.js';
import type { AuthKeyStore } from '../session/auth-key-store.js';
import { ControlInputError } from '../control/control-input-error.js';
import { defaultRegistry } from '../tl/registry.js';
import { controlRoutes, type ControlRoute, type ControlTarget } from './control-routes.js';

/** Server state that the admin API reads and changes. */
export interface AdminTarget extends ControlTarget {
  readonly host: string;
  readonly port: number;
  readonly dcId: number;
  readonly serverKey: ServerKeyInfo;
  readonly domain: Domain;
  readonly keys: AuthKeyStore;
  readonly log: Logger;
  reset(): void;
}

export const ADMIN_PREFIX = '/__admin';

/** Largest JSON body the admin API reads, in bytes. */
const MAX_BODY_BYTES = 1024 * 1024;

/** A bad admin request, rejected with this status and a JSON error naming the field. */
export class AdminRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

type Route = (target: AdminTarget, url: URL, body: unknown) => unknown;

const routes: Record<string, Route> = {
  'GET /health': (target) => ({
    status: 'ok',
    host: target.host,
    port: target.port,
    dcId: target.dcId,
    authKeys: target.keys.size,
  }),
  'GET /server-key': (target) => ({
    pem: target.serverKey.publicKeyPem,
    fingerprint: target.serverKey.fingerprint,
    fingerprintHex: target.serverKey.fingerprintHex,
  }),
  'GET /mailbox': (target, url) => ({
    messages: target.domain.mailbox.list(url.searchParams.get('to') ?? undefined),
  }),
  'POST /reset': (target, url) => {
    const apiId = url.searchParams.get('apiId');
    if (apiId === null) {
      target.reset();
      return { status: 'ok' };
    }
    if (!/^-?\d+$/.test(apiId)) {
      throw new AdminRequestError(400, `apiId must be an integer, got ${apiId}`, 'apiId');
    }
    return {
      status: 'ok',
      apiId: Number(apiId),
      droppedKeys: target.resetNamespace(Number(apiId)),
    };
  },
  'POST /accounts': (target, _url, body) => ({ account: target.domain.addAccount(body) }),
};

/**
 * Handles requests under /__admin with JSON responses. Returns false for other paths, so the
 * listener responds 404 to them.
 */
export function handleAdminRequest(
  request: IncomingMessage,
  response: ServerResponse,
  target: AdminTarget | undefined,
): boolean {
  const url = new URL(request.url ?? '/', 'http://mtmock');
  if (!url.pathname.startsWith(`${ADMIN_PREFIX}/`) || !target) return false;
  const routeKey = `${request.method} ${url.pathname.slice(ADMIN_PREFIX.length)}`;

  readJsonBody(request)
    .then((body) => {
      const route = findRoute(routeKey);
      if (!route) {
        throw new AdminRequestError(
          404,
          `no admin endpoint ${routeKey}; GET /__admin/docs lists them all`,
        );
      }
      sendJson(response, 200, jsonSafe(route.handle(target, url, body, route.pathParams)));
    })
    .catch((error: unknown) => {
      const known = error instanceof AdminRequestError || error instanceof ControlInputError;
      const status = known ? error.status : 400;
      const field = known ? error.field : fieldOf(error);
      const message = describeError(error);
      target.log.warn({ route: routeKey, status, err: message }, 'admin request rejected');
      sendJson(response, status, { error: message, ...(field ? { field } : {}) });
    });
  return true;
}

/** Returns the message for a rejected request, rewording a stack overflow from deep JSON. */
function describeError(error: unknown): string {
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return 'request body nests too deeply to check; keep its JSON to a few hundred levels';
  }
  return (error as Error).message;
}

type AnyRoute = (
  target: AdminTarget,
  url: URL,
  body: unknown,
  pathParams: Record<string, string>,
) => unknown;

let patternRoutes: { method: string; segments: string[]; handle: ControlRoute }[] | undefined;

/** Finds the endpoint for `METHOD /path`: a fixed route, or a control route with `:params`. */
function findRoute(
  routeKey: string,
): { handle: AnyRoute; pathParams: Record<string, string> } | undefined {
  const fixed = routes[routeKey];
  if (fixed) return { handle: fixed, pathParams: {} };
  patternRoutes ??= Object.entries(controlRoutes(defaultRegistry())).map(([key, handle]) => {
    const [method, path] = key.split(' ');
    return { method, segments: path.split('/'), handle };
  });
  const [method, path] = routeKey.split(' ');
  const segments = path.split('/');
  for (const candidate of patternRoutes) {
    if (candidate.method !== method || candidate.segments.length !== segments.length) continue;
    const pathParams: Record<string, string> = {};
    const matches = candidate.segments.every((segment, i) => {
      if (segment.startsWith(':')) {
        pathParams[segment.slice(1)] = decodeURIComponent(segments[i]);
        return segments[i] !== '';
      }
      return segment === segments[i];
    });
    if (matches) return { handle: candidate.handle, pathParams };
  }
  return undefined;
}

function fieldOf(error: unknown): string | undefined {
  const field = (error as { field?: unknown }).field;
  return typeof field === 'string' ? field : undefined;
}

async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  // A declared length over the limit is rejected before waiting for a body that may never come.
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) {
    throw new AdminRequestError(
      413,
      `request body of ${declared} bytes exceeds the limit of ${MAX_BODY_BYTES} bytes`,
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      throw new AdminRequestError(413, `request body exceeds ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new AdminRequestError(400, `request body is not valid JSON: ${(error as Error).message}`);
  }
}

/** Converts bigints (user ids, auth key ids) to strings, since JSON has no 64-bit integers. */
function jsonSafe(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_key, item) => (typeof item === 'bigint' ? item.toString() : item)),
  );
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    // After a 413 the rest of the body is never read, so the connection cannot be reused.
    ...(status === 413 ? { connection: 'close' } : {}),
  });
  response.end(text);
}
