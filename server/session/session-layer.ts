import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { serialize } from '../tl/codec.js';
import type { TlRegistry, TlSchemaView } from '../tl/registry.js';
import type { TlObject } from '../tl/types.js';
import type { AuthKeyRecord, AuthKeyStore, NewKeyParams } from './auth-key-store.js';
import { ConnectionSession } from './connection-session.js';
import { sealMessage } from './encrypted-message.js';
import {
  buildContainer,
  MAX_CONTAINER_MESSAGES,
  type ContainedMessage,
} from './message-container.js';
import { MsgIdGenerator } from './msg-id.js';
import type { Session, SessionTransport } from './session.js';

/** The part of a transport connection that the session layer uses. */
export interface PacketConnection extends SessionTransport {
  readonly log: Logger;
  sendTransportError(code: number): void;
  close(): void;
  /** Writes the next packet in writes of `chunkBytes` bytes, for the split-writes fault. */
  splitNextWrite?(chunkBytes: number): void;
}

/** A decoded RPC query with everything the RPC layer needs to respond to it. */
export interface RpcCall {
  query: TlObject;
  msgId: bigint;
  key: AuthKeyRecord;
  session: Session;
  log: Logger;
  /** Id of the transport connection that carried the query. */
  connectionId?: number;
  /** Faults for the session to apply to the response, set by the invoker during invoke. */
  effects?: RpcEffects;
}

/** Fault effects on one RPC response, requested by the control plane. */
export interface RpcEffects {
  /** Send this transport error code (-404, -429) and close instead of responding. */
  transportError?: number;
  closeBeforeReply?: boolean;
  closeAfterReply?: boolean;
  /** Send the result as gzip_packed inside rpc_result. */
  gzip?: boolean;
  /** Write the packet that carries the result in TCP writes of this many bytes. */
  splitWrites?: number;
}

/** The RPC layer: returns the encoded `result:Object` of rpc_result, a result or an rpc_error. */
export interface RpcInvoker {
  invoke(call: RpcCall): Promise<Buffer>;
}

/** One connection's key exchange, as the exchange layer provides it. */
export interface KeyExchangeStep {
  handle(request: TlObject): { answer: TlObject; authKey?: NewKeyParams };
}

/** Limits on key exchanges, shared by every connection of one engine. */
export interface HandshakeLimits {
  /** Key exchanges one connection may start (req_pq_multi) without finishing one. */
  maxPerConnection: number;
  /** Unfinished key exchanges allowed across all connections that share this object. */
  maxPending: number;
  /** Time in ms from the first req_pq_multi to dh_gen_ok before the connection is closed. */
  timeoutMs: number;
  /** Number of unfinished key exchanges now; the connections update it. */
  pending: number;
}

export interface SessionLayerOptions {
  keys: AuthKeyStore;
  registry: TlRegistry;
  clock: Clock;
  rpc: RpcInvoker;
  createKeyExchange(log: Logger): KeyExchangeStep;
  /** Largest output that one gzip_packed may inflate to, in bytes. */
  maxGzipOutput?: number;
  /** Maximum number of messages in one msg_container. Default 1024. */
  maxContainerMessages?: number;
  /** Key-exchange limits; none when absent. */
  handshakes?: HandshakeLimits;
  /** Returns true to reject a message with a valid salt by bad_server_salt (a fault). */
  forceBadServerSalt?(key: AuthKeyRecord): boolean;
}

/**
 * The MTProto session layer: unencrypted key-exchange messages, encrypted messages with their
 * msg_id, salt and seq_no checks, containers, gzip, service messages, and the outbox that turns
 * answers into encrypted packets.
 */
export class SessionLayer {
  readonly msgIds: MsgIdGenerator;
  private readonly flushQueue = new Set<Session>();
  private flushScheduled = false;

  constructor(readonly options: SessionLayerOptions) {
    this.msgIds = new MsgIdGenerator(options.clock);
  }

  /** Returns the packet handler for a new transport connection. */
  accept(connection: PacketConnection): ConnectionSession {
    return new ConnectionSession(this, connection);
  }

  viewFor(key: AuthKeyRecord | undefined): TlSchemaView {
    const registry = this.options.registry;
    return registry.view(key?.layer ?? registry.defaultLayer);
  }

  scheduleFlush(session: Session): void {
    this.flushQueue.add(session);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // setImmediate runs after the promise callbacks of the current packet, so the answers of
    // fast handlers leave in the same packet as the service messages before them.
    setImmediate(() => {
      this.flushScheduled = false;
      const sessions = [...this.flushQueue];
      this.flushQueue.clear();
      for (const queued of sessions) this.flush(queued);
    });
  }

  /** Encrypts and sends everything in a session's outbox, in one container when there are several. */
  flush(session: Session): void {
    const transport = session.transport;
    if (!transport || transport.closed || session.outbox.length === 0) return;
    const outgoing = session.outbox.splice(0);

    if (session.unacknowledged.size > 0) {
      const pendingAcks = [...session.unacknowledged];
      session.unacknowledged.clear();
      const body = serialize({ _: 'msgs_ack', msg_ids: pendingAcks }, this.viewFor(session.key));
      outgoing.push({ body, kind: 'response', contentRelated: false });
    }

    if (outgoing.length === 1) {
      // The usual case, a single message, goes without a container.
      const [message] = outgoing;
      const msgId = this.msgIds.next(message.kind);
      const seqNo = session.nextSeqNo(message.contentRelated);
      transport.send(this.seal(session, msgId, seqNo, message.body));
      return;
    }
    for (let start = 0; start < outgoing.length; start += MAX_CONTAINER_MESSAGES) {
      const chunk = outgoing.slice(start, start + MAX_CONTAINER_MESSAGES);
      const messages: ContainedMessage[] = chunk.map((message) => ({
        msgId: this.msgIds.next(message.kind),
        seqNo: session.nextSeqNo(message.contentRelated),
        body: message.body,
      }));
      const packet =
        messages.length === 1
          ? messages[0]
          : {
              msgId: this.msgIds.next('response'),
              seqNo: session.nextSeqNo(false),
              body: buildContainer(messages),
            };
      transport.send(this.seal(session, packet.msgId, packet.seqNo, packet.body));
    }
  }

  private seal(session: Session, msgId: bigint, seqNo: number, body: Buffer): Buffer {
    return sealMessage(session.key.authKey, session.key.authKeyId, {
      salt: session.key.salts.current(),
      sessionId: session.sessionId,
      msgId,
      seqNo,
      body,
    });
  }
}
