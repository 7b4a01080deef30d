import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { TlWriter } from '../binary/tl-writer.js';
import { encodeObject, encodeValue, formatTlId, receivedIdOf } from '../tl/codec.js';
import type { TlRegistry, TlSchemaView } from '../tl/registry.js';
import type { TlObject } from '../tl/types.js';
import type { AuthKeyRecord } from '../session/auth-key-store.js';
import type { RpcCall, RpcInvoker } from '../session/session-layer.js';
import type { KeyAuthorization, RpcContext, RpcHandler, ServedDc } from './context.js';
import { toLogValue } from './log-params.js';
import { RpcError } from './rpc-error.js';

/** Wrappers whose result is the result of their `query`; they are unwrapped before dispatch. */
const TRANSPARENT_WRAPPERS = new Set([
  'invokeWithLayer',
  'initConnection',
  'invokeWithoutUpdates',
  'invokeAfterMsg',
  'invokeAfterMsgs',
  'invokeWithTakeout',
  'invokeWithMessagesRange',
  'invokeWithBusinessConnection',
  'invokeWithGooglePlayIntegrity',
  'invokeWithApnsSecret',
  'invokeWithReCaptcha',
]);

export interface RpcDispatcherOptions {
  registry: TlRegistry;
  handlers: Readonly<Record<string, RpcHandler>>;
  clock: Clock;
  dc: ServedDc;
  /** Throws a 401 RpcError when the key's state does not allow the method. */
  authorize(method: string, auth: KeyAuthorization): void;
  /** Stubs, faults and the request journal of the control plane, if any. */
  interceptor?: RpcInterceptor;
}

/** One unwrapped request, as passed to the interceptor. */
export interface InterceptedRequest {
  query: TlObject;
  call: RpcCall;
  view: TlSchemaView;
}

/**
 * An interceptor's decision before the handler runs. A `result` or `error` replaces the
 * handler and comes before the key-state check, so a stub can return any method in the layer.
 */
export interface RpcInterception {
  /** The result in the encoder's value shape. */
  result?: unknown;
  error?: { code: number; message: string };
  /** Run no handler and send no response, because a fault closes the connection instead. */
  drop?: boolean;
  /** Milliseconds to wait before responding. */
  delayMs?: number;
  /** The stub that supplied `result`, named in the STUB_INVALID log line. */
  stubId?: string;
}

/** Outcome of one intercepted request, for the request journal. */
export interface RpcReport extends InterceptedRequest {
  interception?: RpcInterception;
  outcome: 'ok' | 'error' | 'dropped';
  result?: unknown;
  error?: { code: number; message: string };
  latencyMs: number;
}

/** The control plane's hook into dispatch. */
export interface RpcInterceptor {
  intercept(request: InterceptedRequest): RpcInterception | undefined;
  completed(report: RpcReport): void;
}

/** Outcome of one call, for logs and the request journal. */
export interface RpcOutcome {
  method: string;
  layer: number;
  error?: { code: number; message: string };
}

/**
 * The RPC layer: unwraps invokeWithLayer, initConnection and the other wrappers, remembers the
 * client's layer on the auth key, checks the key's authorization state, runs the handler and
 * encodes its result with the client's layer.
 */
export class RpcDispatcher implements RpcInvoker {
  /** Child loggers by session logger, then by method; see methodLog(). */
  private readonly methodLogs = new WeakMap<Logger, Map<string, Logger>>();

  constructor(private readonly options: RpcDispatcherOptions) {}

  async invoke(call: RpcCall): Promise<Buffer> {
    const { key } = call;
    const layerBefore = key.layer;
    const query = this.unwrap(call.query, key);
    const layer = key.layer ?? this.options.registry.defaultLayer;
    const view = this.options.registry.view(layer);
    // call.log already names the key's layer unless this call is the one that declared it.
    const log = this.methodLog(call.log, query._, layerBefore === layer ? undefined : layer);
    const started = process.hrtime.bigint();
    const request: InterceptedRequest = { query, call, view };
    const interceptor = this.options.interceptor;
    const interception = interceptor?.intercept(request);
    const report = (fields: Pick<RpcReport, 'outcome' | 'result' | 'error'>) =>
      interceptor?.completed({
        ...request,
        ...fields,
        interception,
        latencyMs: elapsedMs(started),
      });

    try {
      if (interception?.delayMs) await sleep(interception.delayMs);
      if (interception?.drop) {
        report({ outcome: 'dropped' });
        return Buffer.alloc(0);
      }
      const result = await this.run(query, call, view, log, interception);
      const body = this.encodeResult(query._, result, view, log, interception);
      // The level check skips toLogValue, which walks the whole query, when debug is off.
      if (log.isLevelEnabled('debug')) {
        log.debug({ params: toLogValue(query), ms: elapsedMs(started) }, 'rpc result sent');
      }
      report({ outcome: 'ok', result });
      return body;
    } catch (error) {
      const rpcError = error instanceof RpcError ? error : undefined;
      if (!rpcError) log.error({ err: error }, 'handler failed; responding with 500 INTERNAL');
      const code = rpcError?.errorCode ?? 500;
      const message = rpcError?.errorMessage ?? 'INTERNAL';
      if (log.isLevelEnabled('debug')) {
        log.debug(
          { params: toLogValue(query), code, error: message, ms: elapsedMs(started) },
          'rpc error',
        );
      }
      report({ outcome: 'error', error: { code, message } });
      // A fresh writer, because a failed encode may have left part of a result in the old one.
      const writer = new TlWriter();
      encodeObject(writer, { _: 'rpc_error', error_code: code, error_message: message }, view);
      return writer.finish();
    }
  }

  /**
   * Returns the child logger that binds `method` (and `layer`) to a session's logger. Creating a
   * pino child serializes its bindings, so each one is made once per session logger and method.
   */
  private methodLog(parent: Logger, method: string, layer: number | undefined): Logger {
    let byMethod = this.methodLogs.get(parent);
    if (byMethod === undefined) {
      byMethod = new Map();
      this.methodLogs.set(parent, byMethod);
    }
    const key = layer === undefined ? method : `${method} ${layer}`;
    let log = byMethod.get(key);
    if (log === undefined) {
      log = parent.child(layer === undefined ? { method } : { layer, method });
      byMethod.set(key, log);
    }
    return log;
  }

  private encodeResult(
    method: string,
    result: unknown,
    view: TlSchemaView,
    log: Logger,
    interception: RpcInterception | undefined,
  ): Buffer {
    const writer = new TlWriter();
    try {
      encodeValue(writer, returnTypeOf(method, view), result, view);
    } catch (error) {
      if (interception?.result === undefined) throw error;
      log.error(
        { stubId: interception.stubId, err: (error as Error).message },
        'stub result does not encode in the client layer; answering 500 STUB_INVALID',
      );
      throw new RpcError(500, 'STUB_INVALID');
    }
    return writer.finish();
  }

  private unwrap(query: TlObject, key: AuthKeyRecord): TlObject {
    let current = query;
    while (TRANSPARENT_WRAPPERS.has(current._)) {
      if (current._ === 'invokeWithLayer') key.layer = current.layer as number;
      if (current._ === 'initConnection') {
        key.client = {
          apiId: current.api_id as number,
          deviceModel: current.device_model as string,
          systemVersion: current.system_version as string,
          appVersion: current.app_version as string,
          langCode: current.lang_code as string,
        };
      }
      current = current.query as TlObject;
    }
    return current;
  }

  private async run(
    query: TlObject,
    call: RpcCall,
    view: TlSchemaView,
    log: Logger,
    interception: RpcInterception | undefined,
  ): Promise<unknown> {
    const method = query._;
    const combinator = view.methodByName(method);
    if (!combinator) throw RpcError.badRequest('INPUT_METHOD_INVALID');
    const receivedId = receivedIdOf(query);
    if (receivedId !== undefined && receivedId !== combinator.id) {
      // The request uses another layer's form of the method than the one the client declared.
      log.warn(
        { receivedId: formatTlId(receivedId), layerId: formatTlId(combinator.id) },
        'method constructor is not in the client layer',
      );
      throw RpcError.badRequest('INPUT_METHOD_INVALID');
    }
    if (interception?.error) {
      throw new RpcError(interception.error.code, interception.error.message);
    }
    if (interception?.result !== undefined) return interception.result;
    this.options.authorize(method, call.key.auth);
    const handler = this.options.handlers[method];
    if (!handler) {
      // NOTE: Telegram appends the constructor id to this name; the exact suffix is a guess.
      log.warn('method not implemented by the mock');
      throw RpcError.badRequest(`INPUT_METHOD_INVALID_${combinator.id}`);
    }
    const context: RpcContext = {
      authKeyId: call.key.authKeyId,
      sessionId: call.session.sessionId,
      layer: view.layer,
      auth: call.key.auth,
      dc: this.options.dc,
      clock: this.options.clock,
      log,
    };
    return handler(query, context);
  }
}

function returnTypeOf(method: string, view: TlSchemaView): string {
  const combinator = view.methodByName(method);
  if (!combinator) throw new Error(`method ${method} is not in layer ${view.layer}`);
  return combinator.type;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function elapsedMs(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e6;
}
