import { formatKeyId, type Logger } from '../logger.js';
import type {
  InterceptedRequest,
  RpcInterception,
  RpcInterceptor,
  RpcReport,
} from '../rpc/dispatcher.js';
import type { AuthKeyRecord } from '../session/auth-key-store.js';
import type { TlObject } from '../tl/types.js';
import type { ControllableClock } from './controllable-clock.js';
import { FaultRegistry } from './faults.js';
import { DEFAULT_JOURNAL_SIZE, RequestJournal } from './journal.js';
import { ScenarioStates } from './scenarios.js';
import { StubRegistry, type Stub } from './stubs.js';
import { tlFromJson, toJournalValue, toMatchValue } from './tl-json.js';

export interface ControlPlaneOptions {
  clock: ControllableClock;
  log: Logger;
  /** Capacity of the request journal, in requests. Default 1000. */
  journalSize?: number;
}

/** The interception with the faults that fired, which the journal records. */
interface ControlInterception extends RpcInterception {
  faultIds: string[];
}

/**
 * The test author's control plane: stubs, scenarios, faults, the request journal and the
 * controllable clock. It hooks into the dispatcher as its RpcInterceptor and into the session
 * layer for bad_server_salt faults.
 *
 * Namespaces: a client's api_id (from initConnection) is its namespace. Stubs and faults with an
 * `apiId` apply to that namespace only, and the journal, scenarios and reset can be limited to
 * one, so parallel suites that use distinct api_ids stay apart.
 */
export class ControlPlane implements RpcInterceptor {
  readonly clock: ControllableClock;
  readonly scenarios = new ScenarioStates();
  readonly stubs: StubRegistry;
  readonly faults: FaultRegistry;
  readonly journal: RequestJournal;
  private readonly log: Logger;
  /** Auth keys seen per api_id, so a namespace reset can drop its keys. */
  private readonly keysByApiId = new Map<number, Set<bigint>>();

  constructor(options: ControlPlaneOptions) {
    this.clock = options.clock;
    this.log = options.log;
    this.stubs = new StubRegistry(this.scenarios, () => this.clock.now());
    this.faults = new FaultRegistry((skewMs) => this.clock.setSkew(skewMs));
    this.journal = new RequestJournal(options.journalSize ?? DEFAULT_JOURNAL_SIZE);
  }

  intercept({ query, call, view }: InterceptedRequest): ControlInterception | undefined {
    const method = query._;
    const apiId = call.key.client?.apiId;
    if (apiId !== undefined) this.rememberKey(apiId, call.key.authKeyId);

    const effects = this.faults.forRequest(method, apiId);
    const interception: ControlInterception = { faultIds: effects.faultIds };
    if (effects.faultIds.length > 0) {
      call.log.info({ faultIds: effects.faultIds, method }, 'faults applied to the request');
      Object.assign(call.effects ?? {}, {
        transportError: effects.transportError,
        closeBeforeReply: effects.closeBeforeReply,
        closeAfterReply: effects.closeAfterReply,
        gzip: effects.gzip,
        splitWrites: effects.splitWrites,
      });
    }
    if (effects.delayMs > 0) interception.delayMs = effects.delayMs;
    if (effects.transportError !== undefined || effects.closeBeforeReply) {
      interception.drop = true;
      return interception;
    }
    if (effects.error) {
      interception.error = effects.error;
      return interception;
    }

    const stub = this.stubs.take({ method, params: toMatchValue(paramsOf(query)), apiId });
    if (stub) this.answerWithStub(stub, interception, view, call.log);
    return interception;
  }

  completed(report: RpcReport): void {
    const { call, query, view } = report;
    const interception = report.interception as ControlInterception | undefined;
    this.journal.record({
      time: this.clock.now(),
      connectionId: call.connectionId ?? 0,
      authKeyId: formatKeyId(call.key.authKeyId),
      sessionId: formatKeyId(call.session.sessionId),
      msgId: call.msgId.toString(),
      apiId: call.key.client?.apiId,
      layer: view.layer,
      method: query._,
      params: toJournalValue(paramsOf(query)),
      outcome: report.outcome,
      result: report.outcome === 'ok' ? resultName(report.result) : undefined,
      error: report.error,
      stubId: interception?.stubId,
      faultIds: interception?.faultIds.length ? interception.faultIds : undefined,
      latencyMs: Math.round(report.latencyMs * 1000) / 1000,
    });
  }

  /** Tells the session layer whether a bad-server-salt fault takes this message. */
  forceBadServerSalt(key: AuthKeyRecord): boolean {
    const faultId = this.faults.takeBadServerSalt(key.client?.apiId);
    if (faultId === undefined) return false;
    this.log.info(
      { faultId, authKeyId: formatKeyId(key.authKeyId) },
      'bad_server_salt sent by a fault',
    );
    return true;
  }

  /**
   * Removes stubs, faults, journal entries and scenarios: all of them, or those of one api_id
   * namespace. Returns the auth key ids seen with that api_id, for the caller to drop.
   */
  reset(apiId?: number): bigint[] {
    this.stubs.clear(apiId);
    this.faults.clear(apiId);
    this.journal.clear(apiId);
    this.scenarios.clear(apiId);
    if (apiId === undefined) {
      this.clock.useSystem();
      this.keysByApiId.clear();
      return [];
    }
    const keys = [...(this.keysByApiId.get(apiId) ?? [])];
    this.keysByApiId.delete(apiId);
    return keys;
  }

  private answerWithStub(
    stub: Stub,
    interception: ControlInterception,
    view: InterceptedRequest['view'],
    log: Logger,
  ): void {
    interception.stubId = stub.id;
    if (stub.error) {
      interception.error = stub.error;
      return;
    }
    const returnType = view.methodByName(stub.method)?.type ?? 'Object';
    try {
      interception.result = tlFromJson(stub.result, returnType, view, 'result');
    } catch (error) {
      log.error(
        { stubId: stub.id, layer: view.layer, err: (error as Error).message },
        'stub result is invalid in the client layer; answering 500 STUB_INVALID',
      );
      interception.error = { code: 500, message: 'STUB_INVALID' };
    }
  }

  private rememberKey(apiId: number, authKeyId: bigint): void {
    let keys = this.keysByApiId.get(apiId);
    if (!keys) {
      keys = new Set();
      this.keysByApiId.set(apiId, keys);
    }
    keys.add(authKeyId);
  }
}

/** Returns a query's fields without the `_` name. */
function paramsOf(query: TlObject): Record<string, unknown> {
  const params: Record<string, unknown> = { ...query };
  delete params._;
  return params;
}

/** Names a result for the journal: its constructor, boolTrue/boolFalse, or a vector's length. */
function resultName(result: unknown): string | undefined {
  if (typeof result === 'boolean') return result ? 'boolTrue' : 'boolFalse';
  if (Array.isArray(result)) return `vector of ${result.length}`;
  const name = (result as TlObject | null)?._;
  return typeof name === 'string' ? name : undefined;
}
