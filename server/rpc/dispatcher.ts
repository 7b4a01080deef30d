import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { TlWriter } from '../binary/tl-writer.js';
import { encodeObject, encodeValue } from '../tl/codec.js';
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
}

/** What the dispatcher reports for each call, for logs and the request journal. */
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
  constructor(private readonly options: RpcDispatcherOptions) {}

  async invoke(call: RpcCall): Promise<Buffer> {
    const { key } = call;
    const query = this.unwrap(call.query, key);
    const layer = key.layer ?? this.options.registry.defaultLayer;
    const view = this.options.registry.view(layer);
    const log = call.log.child({ layer, method: query._ });
    const started = process.hrtime.bigint();

    try {
      const result = await this.run(query, call, view, log);
      const writer = new TlWriter();
      encodeValue(writer, returnTypeOf(query._, view), result, view);
      log.debug({ params: toLogValue(query), ms: elapsedMs(started) }, 'rpc answered');
      return writer.finish();
    } catch (error) {
      const rpcError = error instanceof RpcError ? error : undefined;
      if (!rpcError) log.error({ err: error }, 'handler failed; answering 500 INTERNAL');
      const code = rpcError?.errorCode ?? 500;
      const message = rpcError?.errorMessage ?? 'INTERNAL';
      log.debug(
        { params: toLogValue(query), code, error: message, ms: elapsedMs(started) },
        'rpc error',
      );
      // A fresh writer, because a failed encode may have left part of a result in the old one.
      const writer = new TlWriter();
      encodeObject(writer, { _: 'rpc_error', error_code: code, error_message: message }, view);
      return writer.finish();
    }
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
  ): Promise<unknown> {
    const method = query._;
    const combinator = view.methodByName(method);
    if (!combinator) throw RpcError.badRequest('INPUT_METHOD_INVALID');
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

function elapsedMs(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e6;
}
