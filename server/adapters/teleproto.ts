/**
 * Aims teleproto (214.1.7, the maintained fork of GramJS) at mtmock: registers the mock's RSA key
 * and pins every connection to the mock's host and port, loading every module from teleproto.
 * See ./gramjs-family.ts for why both are needed.
 */
import type { TelegramClient } from 'teleproto';
import type { TelegramClientParams } from 'teleproto/client/telegramBaseClient.js';
import {
  createFamilyClient,
  familyClientParams,
  registerFamilyKey,
  type GramJsFamilyClientOptions,
  type GramJsFamilyOptions,
  type GramJsTransport,
  type MockTarget,
} from './gramjs-family.js';

export type { MockTarget } from './gramjs-family.js';

/** The transports teleproto offers on Node, named as in the GramJS adapter. */
export type TeleprotoTransport = GramJsTransport;
export type TeleprotoAdapterOptions = GramJsFamilyOptions;

/** Adds the mock's public key to teleproto's key table; returns its signed decimal fingerprint. */
export function registerTeleprotoKey(publicKeyPem: string): string {
  return registerFamilyKey('teleproto', publicKeyPem);
}

/** Returns TelegramClient options that aim teleproto at the mock. */
export function teleprotoClientParams(
  target: MockTarget,
  options: TeleprotoAdapterOptions = {},
): TelegramClientParams {
  return familyClientParams('teleproto', target, options) as TelegramClientParams;
}

/**
 * Creates a teleproto TelegramClient aimed at the mock. Call `client.connect()` next, and
 * `client.destroy()` at the end: the update loop keeps running until then.
 */
export function createTeleprotoClient(
  target: MockTarget,
  options: GramJsFamilyClientOptions = {},
): TelegramClient {
  return createFamilyClient('teleproto', target, options) as TelegramClient;
}
