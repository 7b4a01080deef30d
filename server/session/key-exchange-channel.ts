import { formatKeyId } from '../logger.js';
import { deserialize, serialize } from '../tl/codec.js';
import { openPlainMessage, sealPlainMessage } from './encrypted-message.js';
import type {
  HandshakeLimits,
  KeyExchangeStep,
  PacketConnection,
  SessionLayer,
  SessionLayerOptions,
} from './session-layer.js';

const TRANSPORT_ERROR_NOT_FOUND = -404;
const TRANSPORT_ERROR_FLOOD = -429;

/** Logs a rejected packet and sends transport error -404, as Telegram does for broken input. */
export function rejectPacket(
  connection: PacketConnection,
  reason: string,
  fields: Record<string, unknown> = {},
): void {
  connection.log.warn(
    { ...fields, reason, code: TRANSPORT_ERROR_NOT_FOUND },
    'transport error sent',
  );
  connection.sendTransportError(TRANSPORT_ERROR_NOT_FOUND);
}

/**
 * The unencrypted side of one connection: the key exchange in progress, and the limits on how
 * many exchanges a connection and the engine may have unfinished, and for how long.
 */
export class KeyExchangeChannel {
  private exchange?: KeyExchangeStep;
  private readonly options: SessionLayerOptions;
  /** Key exchanges started on this connection since the last one that finished. */
  private handshakeStarts = 0;
  /** Runs while a key exchange is unfinished; also marks it as counted in `pending`. */
  private handshakeTimer?: NodeJS.Timeout;

  constructor(
    private readonly layer: SessionLayer,
    private readonly connection: PacketConnection,
  ) {
    this.options = layer.options;
  }

  /** Forgets the exchange in progress when the connection closes. */
  close(): void {
    this.exchange = undefined;
    this.endHandshake();
  }

  /** Handles one unencrypted message: a key-exchange step, whose response is unencrypted too. */
  onPlainPacket(packet: Buffer): void {
    const view = this.layer.viewFor(undefined);
    try {
      const { body } = openPlainMessage(packet);
      const request = deserialize(body, view);
      if (request._ === 'req_pq_multi' || request._ === 'req_pq') {
        if (!this.admitHandshake()) return;
      }
      this.exchange ??= this.options.createKeyExchange(this.connection.log);
      const { answer, authKey } = this.exchange.handle(request);
      if (authKey) {
        this.options.keys.add(authKey);
        this.exchange = undefined;
        this.handshakeStarts = 0;
        this.endHandshake();
        this.connection.log.info(
          { authKeyId: formatKeyId(authKey.authKeyId), temporary: authKey.expiresIn !== undefined },
          'auth key created',
        );
      }
      const msgId = this.layer.msgIds.next('response');
      this.connection.send(sealPlainMessage(msgId, serialize(answer, view)));
    } catch (error) {
      this.exchange = undefined;
      this.endHandshake();
      rejectPacket(this.connection, 'key exchange step failed', {
        err: (error as Error).message,
      });
    }
  }

  /**
   * Counts a key exchange that req_pq_multi starts. Returns false, after sending transport
   * error -429 and closing, when the connection or the engine has too many unfinished ones.
   */
  private admitHandshake(): boolean {
    const limits = this.options.handshakes;
    if (limits === undefined) return true;
    let reason: string | undefined;
    if (this.handshakeStarts >= limits.maxPerConnection) {
      reason = `${this.handshakeStarts} key exchanges started on this connection without one finishing; maxHandshakesPerConnection is ${limits.maxPerConnection}`;
    } else if (this.handshakeTimer === undefined && limits.pending >= limits.maxPending) {
      reason = `${limits.pending} key exchanges are unfinished across all connections; maxPendingHandshakes is ${limits.maxPending}`;
    }
    if (reason !== undefined) {
      this.connection.log.warn({ reason, code: TRANSPORT_ERROR_FLOOD }, 'transport error sent');
      this.connection.sendTransportError(TRANSPORT_ERROR_FLOOD);
      this.connection.close();
      return false;
    }
    this.handshakeStarts += 1;
    if (this.handshakeTimer === undefined) {
      limits.pending += 1;
      this.handshakeTimer = setTimeout(() => this.timeOutHandshake(limits), limits.timeoutMs);
      this.handshakeTimer.unref();
    }
    return true;
  }

  private timeOutHandshake(limits: HandshakeLimits): void {
    this.connection.log.warn(
      { timeoutMs: limits.timeoutMs, code: TRANSPORT_ERROR_NOT_FOUND },
      'key exchange did not finish within handshakeTimeoutMs; transport error sent, closing',
    );
    this.endHandshake();
    this.exchange = undefined;
    this.connection.sendTransportError(TRANSPORT_ERROR_NOT_FOUND);
    this.connection.close();
  }

  /** Stops the handshake timer and removes this connection's exchange from the pending count. */
  private endHandshake(): void {
    if (this.handshakeTimer === undefined) return;
    clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
    if (this.options.handshakes) this.options.handshakes.pending -= 1;
  }
}
