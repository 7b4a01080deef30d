import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';
import type { ServerKeyInfo } from '../engine.js';
import type { Domain } from '../domain/domain.js';
import type { AuthKeyStore } from '../session/auth-key-store.js';

/** What the admin API reads and changes. */
export interface AdminTarget {
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

/** A bad admin request, answered with this status and a JSON error naming the field. */
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
  'POST /reset': (target) => {
    target.reset();
    return { status: 'ok' };
  },
  'POST /accounts': (target, _url, body) => ({ account: target.domain.addAccount(body) }),
};

/**
 * Answers requests under /__admin with JSON. Returns false for other paths, so the listener
 * answers 404 for them.
 */
export function handleAdminRequest(
  request: IncomingMessage,
  response: ServerResponse,
  target: AdminTarget | undefined,
): boolean {
  const url = new URL(request.url ?? '/', 'http://mtmock');
  if (!url.pathname.startsWith(`${ADMIN_PREFIX}/`) || !target) return false;
  const routeKey = `${request.method} ${url.pathname.slice(ADMIN_PREFIX.length)}`;
  const route = routes[routeKey];

  readJsonBody(request)
    .then((body) => {
      if (!route) {
        throw new AdminRequestError(404, `no admin endpoint ${routeKey}; see GET /__admin/health`);
      }
      sendJson(response, 200, jsonSafe(route(target, url, body)));
    })
    .catch((error: unknown) => {
      const status = error instanceof AdminRequestError ? error.status : 400;
      const field = error instanceof AdminRequestError ? error.field : fieldOf(error);
      target.log.warn(
        { route: routeKey, status, err: (error as Error).message },
        'admin request rejected',
      );
      sendJson(response, status, { error: (error as Error).message, ...(field ? { field } : {}) });
    });
  return true;
}

function fieldOf(error: unknown): string | undefined {
  const field = (error as { field?: unknown }).field;
  return typeof field === 'string' ? field : undefined;
}

async function readJsonBody(request: IncomingMessage): Promise<unknown> {
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
  });
  response.end(text);
}
