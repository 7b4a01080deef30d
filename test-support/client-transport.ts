import { connect, type Socket } from 'node:net';
import { createFraming } from '../server/transport/create-framing.js';
import type { Framing } from '../server/transport/framing.js';

/** The plain framings the test client speaks. Obfuscated2 and WebSocket are left to real clients. */
export type ClientFramingName = 'intermediate' | 'abridged' | 'full';

/** Bytes a client sends once before its first frame, so that the server detects the framing. */
const FRAMING_TAGS: Record<ClientFramingName, Buffer> = {
  intermediate: Buffer.from('eeeeeeee', 'hex'),
  abridged: Buffer.from([0xef]),
  full: Buffer.alloc(0),
};

/** Raised by `receive()` when the connection closes before a payload arrives. */
export class ConnectionClosedError extends Error {
  override readonly name = 'ConnectionClosedError';
}

/** Raised by `receive()` when no payload arrives in time. */
export class ReceiveTimeoutError extends Error {
  override readonly name = 'ReceiveTimeoutError';
}

interface Waiter {
  resolve(payload: Buffer): void;
  reject(error: Error): void;
}

/**
 * A TCP connection to the mock with one MTProto framing. It frames outgoing payloads with the
 * server's own framing classes, which are symmetric, and queues the payloads it receives.
 */
export class ClientTransport {
  private readonly received: Buffer[] = [];
  private readonly waiters: Waiter[] = [];
  private closeReason?: Error;
  /** Resolves when either side has closed the connection. */
  readonly closed: Promise<void>;
  private markClosed!: () => void;

  private constructor(
    private readonly socket: Socket,
    private readonly framing: Framing,
  ) {
    this.closed = new Promise((resolve) => (this.markClosed = resolve));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    // A reset by the server shows up as a close; the error itself carries nothing more for tests.
    socket.on('error', () => undefined);
    socket.once('close', () => this.onClose(new ConnectionClosedError('connection closed')));
  }

  /** Connects to host:port and sends the framing's tag. */
  static async connect(
    host: string,
    port: number,
    framingName: ClientFramingName = 'intermediate',
  ): Promise<ClientTransport> {
    const socket = connect({ host, port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.setNoDelay(true);
    const transport = new ClientTransport(socket, createFraming(framingName));
    const tag = FRAMING_TAGS[framingName];
    if (tag.length > 0) socket.write(tag);
    return transport;
  }

  /** Whether either side has closed the connection. */
  get isClosed(): boolean {
    return this.closeReason !== undefined;
  }

  /** Frames one payload and sends it. */
  send(payload: Buffer): void {
    this.socket.write(this.framing.encode(payload));
  }

  /** Sends bytes without framing, for tests that break the framing on purpose. */
  sendBytes(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /**
   * Resolves with the next received payload. Rejects with ConnectionClosedError when the
   * connection closes first, or with ReceiveTimeoutError after `timeoutMs` if one is given.
   */
  receive(timeoutMs?: number): Promise<Buffer> {
    const next = this.received.shift();
    if (next !== undefined) return Promise.resolve(next);
    if (this.closeReason) return Promise.reject(this.closeReason);
    return new Promise((resolve, reject) => {
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              this.waiters.splice(this.waiters.indexOf(waiter), 1);
              reject(new ReceiveTimeoutError(`no packet from the server within ${timeoutMs} ms`));
            }, timeoutMs);
      const waiter: Waiter = {
        resolve: (payload) => {
          clearTimeout(timer);
          resolve(payload);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** Closes the client's side and resolves once the socket is closed. */
  async close(): Promise<void> {
    this.socket.end();
    await this.closed;
  }

  private onData(chunk: Buffer): void {
    let payloads: Buffer[];
    try {
      payloads = this.framing.push(chunk);
    } catch (error) {
      this.onClose(new Error(`invalid framing from the server: ${(error as Error).message}`));
      this.socket.destroy();
      return;
    }
    for (const payload of payloads) {
      const waiter = this.waiters.shift();
      if (waiter) waiter.resolve(payload);
      else this.received.push(payload);
    }
  }

  private onClose(reason: Error): void {
    if (this.closeReason) return;
    this.closeReason = reason;
    for (const waiter of this.waiters.splice(0)) waiter.reject(reason);
    this.markClosed();
  }
}
