import { gzipSync, unzipSync } from 'node:zlib';
import { TlWriter } from '../binary/tl-writer.js';
import type { Clock } from '../clock.js';
import { formatKeyId, type Logger } from '../logger.js';
import { deserialize, serialize, TlCodecError } from '../tl/codec.js';
import type { TlObject } from '../tl/types.js';
import { openMessage, ShortPacketError, type DecryptedMessage } from './encrypted-message.js';
import {
  buildRpcResult,
  ContainerError,
  GZIP_PACKED_ID,
  MSG_CONTAINER_ID,
  parseContainer,
  type ContainedMessage,
} from './message-container.js';
import { checkClientMsgId } from './msg-id.js';
import {
  handleServiceMessage,
  isContentRelated,
  type ServiceMessageHost,
} from './service-messages.js';
import { Session } from './session.js';
import { KeyExchangeChannel, rejectPacket } from './key-exchange-channel.js';
import type {
  PacketConnection,
  RpcEffects,
  SessionLayer,
  SessionLayerOptions,
} from './session-layer.js';

const DEFAULT_MAX_GZIP_OUTPUT = 16 * 1024 * 1024;

/**
 * Per-connection state of the session layer: encrypted messages and their checks, containers,
 * gzip, service messages and RPC calls, and the ping_delay_disconnect timer. Unencrypted
 * key-exchange messages go to a KeyExchangeChannel.
 */
export class ConnectionSession implements ServiceMessageHost {
  private disconnectTimer?: NodeJS.Timeout;
  private readonly options: SessionLayerOptions;
  private readonly keyExchange: KeyExchangeChannel;
  /** Child loggers by session. A WeakMap, so that a destroyed session's logger goes with it. */
  private readonly sessionLogs = new WeakMap<Session, { layer?: number; log: Logger }>();

  constructor(
    private readonly layer: SessionLayer,
    private readonly connection: PacketConnection,
  ) {
    this.options = layer.options;
    this.keyExchange = new KeyExchangeChannel(layer, connection);
  }

  get clock(): Clock {
    return this.options.clock;
  }

  onPacket(packet: Buffer): void {
    if (packet.length < 8) {
      this.reject(`packet of ${packet.length} bytes is shorter than an auth_key_id`);
      return;
    }
    const authKeyId = packet.readBigInt64LE(0);
    if (authKeyId === 0n) this.keyExchange.onPlainPacket(packet);
    else this.onEncryptedPacket(authKeyId, packet);
  }

  onClose(): void {
    clearTimeout(this.disconnectTimer);
    this.keyExchange.close();
  }

  private reject(reason: string, fields: Record<string, unknown> = {}): void {
    rejectPacket(this.connection, reason, fields);
  }

  private onEncryptedPacket(authKeyId: bigint, packet: Buffer): void {
    const key = this.options.keys.get(authKeyId);
    if (!key) {
      this.reject('unknown auth key', { authKeyId: formatKeyId(authKeyId) });
      return;
    }
    let message: DecryptedMessage;
    try {
      message = openMessage(key.authKey, packet);
    } catch (error) {
      const reason =
        error instanceof ShortPacketError
          ? 'encrypted packet too short'
          : 'message decryption failed';
      this.reject(reason, {
        authKeyId: formatKeyId(authKeyId),
        err: (error as Error).message,
      });
      return;
    }

    let session = key.sessions.get(message.sessionId);
    if (!session) {
      session = new Session(message.sessionId, key);
      key.sessions.set(message.sessionId, session);
    }
    session.transport = this.connection;
    this.receive(session, message);
    this.layer.scheduleFlush(session);
  }

  /** Returns the session's logger on this connection, made once per session and layer. */
  private logFor(session: Session): Logger {
    const layer = session.key.layer;
    const cached = this.sessionLogs.get(session);
    if (cached !== undefined && cached.layer === layer) return cached.log;
    const log = this.connection.log.child({
      authKeyId: formatKeyId(session.key.authKeyId),
      sessionId: formatKeyId(session.sessionId),
      layer,
    });
    this.sessionLogs.set(session, { layer, log });
    return log;
  }

  private receive(session: Session, message: DecryptedMessage): void {
    const { msgId, seqNo, body } = message;
    const problem = checkClientMsgId(msgId, this.clock);
    if (problem !== undefined) {
      this.badMsg(session, msgId, seqNo, problem);
      return;
    }
    if (session.hasReceived(msgId)) {
      if (body.length >= 4 && body.readUInt32LE(0) === MSG_CONTAINER_ID) {
        this.badMsg(session, msgId, seqNo, 19);
      }
      return;
    }
    const saltFault = this.options.forceBadServerSalt?.(session.key) ?? false;
    if (saltFault || !session.key.salts.isValid(message.salt)) {
      const body = this.encode(session, {
        _: 'bad_server_salt',
        bad_msg_id: msgId,
        bad_msg_seqno: seqNo,
        error_code: 48,
        new_server_salt: session.key.salts.current(),
      });
      session.enqueue({ body, kind: 'response', contentRelated: false });
      return;
    }
    if (!session.announced) {
      session.announced = true;
      const body = this.encode(session, {
        _: 'new_session_created',
        first_msg_id: msgId,
        unique_id: session.uniqueId,
        server_salt: session.key.salts.current(),
      });
      session.enqueue({ body, kind: 'unsolicited', contentRelated: true });
    }
    this.process(session, msgId, seqNo, body, undefined);
  }

  private badMsg(session: Session, msgId: bigint, seqNo: number, errorCode: number): void {
    this.logFor(session).warn(
      { msgId: msgId.toString(), seqNo, errorCode },
      'bad_msg_notification sent',
    );
    const body = this.encode(session, {
      _: 'bad_msg_notification',
      bad_msg_id: msgId,
      bad_msg_seqno: seqNo,
      error_code: errorCode,
    });
    session.enqueue({ body, kind: 'response', contentRelated: false });
  }

  /**
   * Checks and handles one message. `containerSeqNo` is the seq_no of the msg_container that
   * carries it, or undefined for a message on its own.
   */
  private process(
    session: Session,
    msgId: bigint,
    seqNo: number,
    body: Buffer,
    containerSeqNo: number | undefined,
  ): void {
    const constructorId = body.length >= 4 ? body.readUInt32LE(0) : undefined;
    if (constructorId === MSG_CONTAINER_ID) {
      this.processContainer(session, msgId, seqNo, body, containerSeqNo !== undefined);
      return;
    }
    if (constructorId === GZIP_PACKED_ID) {
      this.processGzip(session, msgId, seqNo, body, containerSeqNo);
      return;
    }

    const view = this.layer.viewFor(session.key);
    const name = constructorId === undefined ? undefined : view.byId(constructorId)?.name;
    const contentRelated = name === undefined || isContentRelated(name);
    // mtcute 0.30.3 gives msgs_ack an odd seq_no, as if content-related, and resets its session
    // on bad_msg_notification 34. So the parity check skips msgs_ack, which still gets no ack.
    const parityExempt = name === 'msgs_ack';
    if (!parityExempt && contentRelated !== ((seqNo & 1) === 1)) {
      this.badMsg(session, msgId, seqNo, contentRelated ? 35 : 34);
      return;
    }
    // The container's msg_id is above those inside it. So a seq_no above the container's means
    // a newer msg_id (the container's) with a lower seq_no, which is error 33.
    const seqProblem =
      containerSeqNo !== undefined && seqNo > containerSeqNo
        ? 33
        : session.checkSeqNo(msgId, seqNo);
    if (seqProblem !== undefined) {
      this.badMsg(session, msgId, seqNo, seqProblem);
      return;
    }
    session.markReceived(msgId, seqNo);
    if (contentRelated) session.unacknowledged.add(msgId);

    let decoded: TlObject;
    try {
      decoded = deserialize(body, view);
    } catch (error) {
      this.answerDecodeError(session, msgId, error);
      return;
    }
    if (handleServiceMessage(decoded, msgId, session, this)) return;
    this.invoke(session, msgId, decoded);
  }

  private processContainer(
    session: Session,
    msgId: bigint,
    seqNo: number,
    body: Buffer,
    inContainer: boolean,
  ): void {
    if (inContainer || (seqNo & 1) === 1) {
      this.badMsg(session, msgId, seqNo, inContainer ? 64 : 34);
      return;
    }
    let messages: ContainedMessage[];
    try {
      messages = parseContainer(body, this.options.maxContainerMessages);
    } catch (error) {
      this.logFor(session).warn(
        { err: (error as ContainerError).message },
        'invalid msg_container',
      );
      this.badMsg(session, msgId, seqNo, 64);
      return;
    }
    // MTProto requires every message in a container to have a msg_id below the container's, and
    // a container is accepted or rejected as a whole.
    const notBelow = messages.find((inner) => inner.msgId >= msgId);
    if (notBelow !== undefined) {
      this.logFor(session).warn(
        { msgId: msgId.toString(), innerMsgId: notBelow.msgId.toString() },
        'msg_container holds a message whose msg_id is not below its own',
      );
      this.badMsg(session, msgId, seqNo, 64);
      return;
    }
    for (const inner of messages) {
      const problem = checkClientMsgId(inner.msgId, this.clock);
      if (problem !== undefined) this.badMsg(session, inner.msgId, inner.seqNo, problem);
      else if (!session.hasReceived(inner.msgId)) {
        this.process(session, inner.msgId, inner.seqNo, inner.body, seqNo);
      }
    }
    // The container is marked after its messages, because its msg_id is the highest. Marked
    // first, it would send every seq_no check inside it to the scan of all remembered messages.
    session.markReceived(msgId, seqNo);
  }

  private processGzip(
    session: Session,
    msgId: bigint,
    seqNo: number,
    body: Buffer,
    containerSeqNo: number | undefined,
  ): void {
    let unpacked: Buffer;
    try {
      const packed = deserialize(body, this.layer.viewFor(session.key)).packed_data as Buffer;
      // unzipSync accepts both gzip (Telethon) and zlib (mtcute) streams.
      unpacked = unzipSync(packed, {
        maxOutputLength: this.options.maxGzipOutput ?? DEFAULT_MAX_GZIP_OUTPUT,
      });
    } catch (error) {
      this.logFor(session).warn({ err: (error as Error).message }, 'invalid gzip_packed');
      session.markReceived(msgId, seqNo);
      this.answerError(session, msgId, 400, 'INPUT_FETCH_ERROR');
      return;
    }
    this.process(session, msgId, seqNo, unpacked, containerSeqNo);
  }

  private answerDecodeError(session: Session, msgId: bigint, error: unknown): void {
    const code = error instanceof TlCodecError ? error.code : 'INPUT_FETCH_ERROR';
    this.logFor(session).warn({ err: (error as Error).message, code }, 'undecodable message');
    this.answerError(session, msgId, 400, code);
  }

  private answerError(session: Session, msgId: bigint, code: number, message: string): void {
    const body = this.encode(session, { _: 'rpc_error', error_code: code, error_message: message });
    session.enqueue({
      body: buildRpcResult(msgId, body),
      kind: 'response',
      contentRelated: true,
      answersMsgId: msgId,
    });
  }

  private invoke(session: Session, msgId: bigint, query: TlObject): void {
    const log = this.logFor(session);
    const effects: RpcEffects = {};
    const connectionId = this.connection.id;
    this.options.rpc
      .invoke({ query, msgId, key: session.key, session, log, connectionId, effects })
      .then((result) => {
        if (this.applyFaultBeforeReply(effects)) return;
        if (effects.splitWrites !== undefined) {
          this.connection.splitNextWrite?.(effects.splitWrites);
        }
        const body = effects.gzip ? gzipPacked(result) : result;
        session.enqueue({
          body: buildRpcResult(msgId, body),
          kind: 'response',
          contentRelated: true,
          answersMsgId: msgId,
        });
        if (effects.closeAfterReply) {
          this.layer.flush(session);
          this.connection.log.info('closing after the reply, as a fault asked');
          this.connection.close();
        }
      })
      .catch((error: unknown) => {
        log.error({ err: error, method: query._ }, 'RPC failed without an rpc_error');
        this.answerError(session, msgId, 500, 'INTERNAL');
      })
      .finally(() => this.layer.scheduleFlush(session));
  }

  /** Applies a fault that replaces the response. Returns true when nothing is to be sent. */
  private applyFaultBeforeReply(effects: RpcEffects): boolean {
    if (effects.transportError !== undefined) {
      this.connection.log.info({ code: effects.transportError }, 'transport error sent by a fault');
      this.connection.sendTransportError(effects.transportError);
      this.connection.close();
      return true;
    }
    if (effects.closeBeforeReply) {
      this.connection.log.info('closing before the reply, as a fault asked');
      this.connection.close();
      return true;
    }
    return false;
  }

  encode(session: Session, value: TlObject): Buffer {
    return serialize(value, this.layer.viewFor(session.key));
  }

  armDisconnect(delaySeconds: number): void {
    clearTimeout(this.disconnectTimer);
    this.disconnectTimer = setTimeout(() => {
      this.connection.log.info({ delaySeconds }, 'closing after ping_delay_disconnect');
      this.connection.close();
    }, delaySeconds * 1000);
    this.disconnectTimer.unref();
  }

  destroySession(current: Session, sessionId: bigint): boolean {
    if (sessionId === current.sessionId) return false;
    return current.key.sessions.delete(sessionId);
  }

  destroyAuthKey(session: Session): void {
    this.options.keys.delete(session.key.authKeyId);
    this.logFor(session).info('auth key destroyed at the client request');
  }
}

/** Wraps an encoded result in gzip_packed, as Telegram does for large responses. */
function gzipPacked(body: Buffer): Buffer {
  const writer = new TlWriter();
  writer.uint(GZIP_PACKED_ID);
  writer.bytes(gzipSync(body));
  return writer.finish();
}
