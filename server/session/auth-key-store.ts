import type { Clock } from '../clock.js';
import type { KeyAuthorization } from './key-authorization.js';
import { ServerSalts } from './server-salt.js';
import type { Session } from './session.js';

/** Client details from initConnection, kept for logs and the request journal. */
export interface ClientInfo {
  apiId: number;
  deviceModel: string;
  systemVersion: string;
  appVersion: string;
  langCode: string;
}

/** One auth key that the server stores, with its sessions, salts and authorization state. */
export interface AuthKeyRecord {
  readonly authKeyId: bigint;
  /** The 2048-bit key, 256 bytes big-endian. Never logged. */
  readonly authKey: Buffer;
  readonly createdAt: number;
  /** Set for temporary (PFS) keys: the key is gone after this time (ms since the epoch). */
  readonly expiresAt?: number;
  readonly salts: ServerSalts;
  /** API layer from the last invokeWithLayer, or undefined before the client declared one. */
  layer?: number;
  client?: ClientInfo;
  readonly auth: KeyAuthorization;
  readonly sessions: Map<bigint, Session>;
}

export interface NewKeyParams {
  authKeyId: bigint;
  authKey: Buffer;
  serverSalt: bigint;
  expiresIn?: number;
}

/**
 * In-memory store of auth keys. Reset drops them all, which makes every client run a new key
 * exchange after the server responds -404 to its next message.
 */
export class AuthKeyStore {
  private readonly keys = new Map<bigint, AuthKeyRecord>();

  constructor(private readonly clock: Clock) {}

  get size(): number {
    return this.keys.size;
  }

  has(authKeyId: bigint): boolean {
    return this.get(authKeyId) !== undefined;
  }

  /** Returns the key, or undefined when it is unknown or a temporary key that has expired. */
  get(authKeyId: bigint): AuthKeyRecord | undefined {
    const record = this.keys.get(authKeyId);
    if (record?.expiresAt !== undefined && record.expiresAt <= this.clock.now()) {
      this.keys.delete(authKeyId);
      return undefined;
    }
    return record;
  }

  add(params: NewKeyParams): AuthKeyRecord {
    const now = this.clock.now();
    const record: AuthKeyRecord = {
      authKeyId: params.authKeyId,
      authKey: params.authKey,
      createdAt: now,
      expiresAt: params.expiresIn === undefined ? undefined : now + params.expiresIn * 1000,
      salts: new ServerSalts(this.clock, params.serverSalt),
      auth: { state: 'unauthorized' },
      sessions: new Map(),
    };
    this.keys.set(params.authKeyId, record);
    return record;
  }

  delete(authKeyId: bigint): boolean {
    return this.keys.delete(authKeyId);
  }

  clear(): void {
    this.keys.clear();
  }

  values(): IterableIterator<AuthKeyRecord> {
    return this.keys.values();
  }
}
