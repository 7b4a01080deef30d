import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../server/clock.js';
import { buildContainer } from '../server/session/message-container.js';
import { serialize } from '../server/tl/codec.js';
import { defaultRegistry, type TlSchemaView } from '../server/tl/registry.js';
import type { TlObject } from '../server/tl/types.js';
import { exchangeAuthKey, type ClientAuthKey } from './client-key-exchange.js';
import {
  openServerMessage,
  sealClientMessage,
  unpackServerMessage,
  type ReceivedMessage,
} from './client-messages.js';
import { clientMsgIdAt, ClientMsgIds } from './client-msg-ids.js';
import { ClientTransport, type ClientFramingName } from './client-transport.js';
import { MessageInbox } from './message-inbox.js';
import { TransportErrorReceived, transportErrorCode } from './transport-error-received.js';

export type { ClientAuthKey } from './client-key-exchange.js';
export type { ReceivedMessage } from './client-messages.js';

/** Settings of MtprotoClient.connect. */
export interface MtprotoClientOptions {
  host: string;
  port: number;
  /** The server's RSA public key as PEM, such as `startMockServer().serverKey.publicKeyPem`. */
  publicKeyPem: string;
  /** Default intermediate. */
  framing?: ClientFramingName;
  /** Source of msg_ids. Default: the system clock. */
  clock?: Clock;
  /** API layer that invoke() declares with invokeWithLayer. Default 198. */
  layer?: number;
  /** DC id sent in p_q_inner_data_dc. Default 2. */
  dcId?: number;
  /** Makes a temporary auth key that lives this many seconds, as PFS clients do. */
  expiresIn?: number;
  /** An auth key from an earlier connection; the key exchange is then skipped. */
  authKey?: ClientAuthKey;
  /** How long receive(), waitFor() and invoke() wait by default, in milliseconds. Default 5000. */
  timeoutMs?: number;
}

/** A message to send. Each header field left out gets the value a correct client would use. */
export interface OutgoingMessage {
  /** A TL object, which the client serializes for its layer, or bytes sent as they are. */
  body: Buffer | TlObject;
  msgId?: bigint;
  seqNo?: number;
  salt?: bigint;
  sessionId?: bigint;
  /** Decides the default seq_no. By default only msgs_ack, msg_container and http_wait are not. */
  contentRelated?: boolean;
  /** Padding to encrypt after the body; by default 12 to 27 random bytes. */
  padding?: Buffer;
  /** Length written in the header in place of the body's length. */
  declaredLength?: number;
  /** auth_key_id written in the packet in place of the client's own. */
  authKeyId?: bigint;
}

/** A message as the client sent it. */
export interface SentMessage {
  msgId: bigint;
  seqNo: number;
  salt: bigint;
  sessionId: bigint;
  body: Buffer;
}

/** Raised by invoke() when the server responds with rpc_error. */
export class ServerRpcError extends Error {
  override readonly name = 'ServerRpcError';

  constructor(
    readonly errorCode: number,
    readonly errorMessage: string,
    readonly reqMsgId: bigint,
  ) {
    super(`server responded with rpc_error ${errorCode} ${errorMessage} to msg_id ${reqMsgId}`);
  }
}

/** Raised by invoke() when the server rejects the request with bad_msg_notification. */
export class BadMsgNotificationReceived extends Error {
  override readonly name = 'BadMsgNotificationReceived';

  constructor(
    readonly errorCode: number,
    readonly notification: ReceivedMessage,
  ) {
    super(`server responded with bad_msg_notification, error_code ${errorCode}`);
  }
}

/** Service constructors that are not content-related and so take even seq_nos. */
const NOT_CONTENT_RELATED_IDS = new Set([0x62d6b459, 0x73f1f8dc, 0x9299359f]);
/** Maximum number of bad_server_salt responses that invoke() follows before it gives up. */
const MAX_SALT_RETRIES = 3;

/**
 * Returns whether a server message responds to or rejects the client message `msgId`: rpc_result,
 * pong, future_salts, msgs_state_info, bad_msg_notification or bad_server_salt.
 */
export function refersTo(message: ReceivedMessage, msgId: bigint): boolean {
  const object = message.object;
  const pongMsgId = object._ === 'pong' ? object.msg_id : undefined;
  return (object.req_msg_id ?? object.bad_msg_id ?? pongMsgId) === msgId;
}

/**
 * A small MTProto 2.0 client for tests: key exchange with RSA_PAD over one TCP connection, then
 * encrypted messages. sendRaw() fills in correct header fields unless the caller overrides them,
 * so tests can send wrong msg_ids, seq_nos, salts and padding on purpose. Every server message
 * is decrypted, unpacked from containers and kept in `history` and in an inbox that receive()
 * and waitFor() take from.
 */
export class MtprotoClient {
  /**
   * Every server message received, in arrival order, including those taken from the inbox.
   * NOTE: it grows without bound; long runs can empty it with `history.length = 0`.
   */
  readonly history: ReceivedMessage[] = [];
  /** Codes of the transport errors received, such as -404. */
  readonly transportErrors: number[] = [];
  salt: bigint;
  sessionId = randomBytes(8).readBigInt64LE(0);
  /** API layer of the next invoke() and of decoding, updated by invoke(). */
  layer: number;
  private readonly inbox = new MessageInbox();
  private readonly msgIds: ClientMsgIds;
  private readonly resultTypes = new Map<bigint, string>();
  private readonly acknowledged = new Set<bigint>();
  private readonly timeoutMs: number;
  private contentSent = 0;
  private declaredLayer?: number;

  private constructor(
    readonly transport: ClientTransport,
    readonly authKey: ClientAuthKey,
    msgIds: ClientMsgIds,
    options: MtprotoClientOptions,
  ) {
    this.msgIds = msgIds;
    this.salt = authKey.serverSalt;
    this.layer = options.layer ?? 198;
    this.timeoutMs = options.timeoutMs ?? 5000;
    void this.pump();
  }

  /** Connects, runs the key exchange unless `options.authKey` is given, and starts receiving. */
  static async connect(options: MtprotoClientOptions): Promise<MtprotoClient> {
    const transport = await ClientTransport.connect(options.host, options.port, options.framing);
    const msgIds = new ClientMsgIds(options.clock ?? systemClock);
    try {
      const authKey =
        options.authKey ??
        (await exchangeAuthKey(transport, {
          publicKeyPem: options.publicKeyPem,
          dcId: options.dcId,
          expiresIn: options.expiresIn,
          nextMsgId: () => msgIds.next(),
          timeoutMs: options.timeoutMs ?? 5000,
        }));
      return new MtprotoClient(transport, authKey, msgIds, options);
    } catch (error) {
      await transport.close();
      throw error;
    }
  }

  /** Resolves when either side has closed the connection. */
  get closed(): Promise<void> {
    return this.transport.closed;
  }

  /** The schema view of the client's current layer. */
  get view(): TlSchemaView {
    return defaultRegistry().view(this.layer);
  }

  /** Returns the next msg_id from the client's clock. */
  nextMsgId(): bigint {
    return this.msgIds.next();
  }

  /** Returns a msg_id for another moment, such as 301 s ago, without using it up. */
  msgIdAt(ms: number): bigint {
    return clientMsgIdAt(ms);
  }

  /** Returns the next seq_no: 2 · (content-related messages sent) + 1 if this one is one too. */
  nextSeqNo(contentRelated: boolean): number {
    if (!contentRelated) return this.contentSent * 2;
    return this.contentSent++ * 2 + 1;
  }

  /** Switches to a new session_id, which restarts the seq_no count. */
  newSession(sessionId: bigint = randomBytes(8).readBigInt64LE(0)): void {
    this.sessionId = sessionId;
    this.contentSent = 0;
  }

  /** Serializes an object with the current layer's schema. */
  encode(object: TlObject): Buffer {
    return serialize(object, this.view);
  }

  /** Fills in the header fields of a message and encrypts it, without sending it. */
  seal(message: OutgoingMessage): { packet: Buffer; sent: SentMessage } {
    const body = Buffer.isBuffer(message.body) ? message.body : this.encode(message.body);
    const msgId = message.msgId ?? this.nextMsgId();
    this.rememberResultType(msgId, message.body);
    const sent: SentMessage = {
      msgId,
      seqNo: message.seqNo ?? this.nextSeqNo(message.contentRelated ?? isContentRelated(body)),
      salt: message.salt ?? this.salt,
      sessionId: message.sessionId ?? this.sessionId,
      body,
    };
    const packet = sealClientMessage(this.authKey.authKey, this.authKey.authKeyId, {
      ...sent,
      padding: message.padding,
      declaredLength: message.declaredLength,
    });
    if (message.authKeyId !== undefined) {
      packet.writeBigInt64LE(BigInt.asIntN(64, message.authKeyId), 0);
    }
    return { packet, sent };
  }

  /** Sends one encrypted message and returns the header fields it went with. */
  sendRaw(message: OutgoingMessage): SentMessage {
    const { packet, sent } = this.seal(message);
    this.transport.send(packet);
    return sent;
  }

  /** Sends a payload as it is, inside the framing, for packets built or altered by hand. */
  sendPacket(payload: Buffer): void {
    this.transport.send(payload);
  }

  /**
   * Builds a msg_container body from messages, giving each the default msg_id and seq_no unless
   * set. The container itself is not sent, so that it can be nested or altered.
   */
  buildContainer(messages: OutgoingMessage[]): { body: Buffer; messages: SentMessage[] } {
    const sent = messages.map((message) => this.seal(message).sent);
    return { body: buildContainer(sent), messages: sent };
  }

  /**
   * Sends messages in one msg_container, whose own msg_id comes after theirs. `outer` overrides
   * the container's header fields.
   */
  sendContainer(
    messages: OutgoingMessage[],
    outer: Omit<OutgoingMessage, 'body'> = {},
  ): { container: SentMessage; messages: SentMessage[] } {
    const built = this.buildContainer(messages);
    const container = this.sendRaw({ contentRelated: false, ...outer, body: built.body });
    return { container, messages: built.messages };
  }

  /** Resolves with the next message in the inbox. */
  receive(timeoutMs = this.timeoutMs): Promise<ReceivedMessage> {
    return this.waitFor(() => true, timeoutMs);
  }

  /**
   * Resolves with the first inbox message that matches, and takes it out of the inbox. Other
   * messages stay there. Rejects on timeout, when the connection closes, or with
   * TransportErrorReceived when the server sends a transport error.
   */
  waitFor(
    predicate: (message: ReceivedMessage) => boolean,
    timeoutMs = this.timeoutMs,
  ): Promise<ReceivedMessage> {
    return this.inbox.waitFor(predicate, timeoutMs);
  }

  /** Resolves with the server message that responds to or rejects the client message `msgId`. */
  waitForResponse(msgId: bigint, timeoutMs = this.timeoutMs): Promise<ReceivedMessage> {
    return this.waitFor((message) => refersTo(message, msgId), timeoutMs);
  }

  /**
   * Calls an API method and returns its decoded result. The first call, and the first after a
   * layer change, is wrapped in invokeWithLayer(initConnection(...)). On bad_server_salt the
   * client stores the new salt and sends the query again. Throws ServerRpcError for rpc_error
   * and BadMsgNotificationReceived for bad_msg_notification.
   */
  async invoke(query: TlObject, layer = this.layer): Promise<unknown> {
    let wrapped = query;
    if (this.declaredLayer !== layer) {
      wrapped = { _: 'invokeWithLayer', layer, query: initConnection(query) };
      this.declaredLayer = layer;
      this.layer = layer;
    }
    for (let attempt = 0; attempt <= MAX_SALT_RETRIES; attempt++) {
      const sent = this.sendRaw({ body: wrapped });
      const response = await this.waitForResponse(sent.msgId);
      const object = response.object;
      if (object._ === 'bad_server_salt') {
        this.salt = object.new_server_salt as bigint;
        continue;
      }
      if (object._ === 'bad_msg_notification') {
        throw new BadMsgNotificationReceived(object.error_code as number, response);
      }
      const result = object.result as TlObject;
      if (result?._ === 'rpc_error') {
        const code = result.error_code as number;
        throw new ServerRpcError(code, result.error_message as string, sent.msgId);
      }
      return result;
    }
    throw new Error(`server sent bad_server_salt ${MAX_SALT_RETRIES + 1} times to one query`);
  }

  /** Sends msgs_ack for every content-related server message not acknowledged yet. */
  acknowledge(): SentMessage | undefined {
    const ids = this.history
      .filter((message) => message.seqNo % 2 === 1 && !this.acknowledged.has(message.msgId))
      .map((message) => message.msgId);
    if (ids.length === 0) return undefined;
    for (const id of ids) this.acknowledged.add(id);
    return this.sendRaw({ body: { _: 'msgs_ack', msg_ids: ids } });
  }

  /** Closes the connection and resolves once it is closed. */
  close(): Promise<void> {
    return this.transport.close();
  }

  private rememberResultType(msgId: bigint, body: Buffer | TlObject): void {
    if (Buffer.isBuffer(body)) return;
    let current = body;
    for (;;) {
      const method = this.view.methodByName(current._);
      if (method === undefined) return;
      if (method.type !== 'X') {
        this.resultTypes.set(msgId, method.type);
        return;
      }
      if (typeof current.query !== 'object' || current.query === null) return;
      current = current.query as TlObject;
    }
  }

  /** Receives packets until the connection closes and hands each message to the waiters. */
  private async pump(): Promise<void> {
    for (;;) {
      let payload: Buffer;
      try {
        payload = await this.transport.receive();
      } catch (error) {
        this.inbox.close(error as Error);
        return;
      }
      try {
        this.onPayload(payload);
      } catch (error) {
        this.inbox.fail(new Error(`invalid packet from the server: ${(error as Error).message}`));
      }
    }
  }

  private onPayload(payload: Buffer): void {
    const code = transportErrorCode(payload);
    if (code !== undefined) {
      this.transportErrors.push(code);
      this.inbox.fail(new TransportErrorReceived(code, 'instead of an encrypted message'));
      return;
    }
    const fields = openServerMessage(this.authKey.authKey, this.authKey.authKeyId, payload);
    const resultTypeOf = (msgId: bigint) => this.resultTypes.get(msgId);
    for (const message of unpackServerMessage(fields, this.view, resultTypeOf)) {
      this.history.push(message);
      this.inbox.deliver(message);
    }
  }
}

function isContentRelated(body: Buffer): boolean {
  return body.length < 4 || !NOT_CONTENT_RELATED_IDS.has(body.readUInt32LE(0));
}

function initConnection(query: TlObject): TlObject {
  return {
    _: 'initConnection',
    api_id: 1,
    device_model: 'mtmock test client',
    system_version: process.platform,
    app_version: '0.1.0',
    system_lang_code: 'en',
    lang_pack: '',
    lang_code: 'en',
    query,
  };
}
