import type {
  AdminClockState,
  AdminCountExpectation,
  AdminFault,
  AdminFaultInput,
  AdminJournalEntry,
  AdminRequestPattern,
  AdminScenario,
  AdminStub,
  AdminStubInput,
  AdminVerifyResult,
} from './control-types.js';

/**
 * Typed client for mtmock's admin API (JSON under /__admin on the MTProto port). Uses the global
 * fetch, so it runs on Node 20 and later and in browsers.
 */

export interface AdminHealth {
  status: 'ok';
  host: string;
  port: number;
  dcId: number;
  /** Number of auth keys the server stores right now. */
  authKeys: number;
}

export interface AdminServerKey {
  /** PKCS#1 PEM of the server's RSA public key. */
  pem: string;
  /** Fingerprint as a signed 64-bit decimal (GramJS, Telethon). */
  fingerprint: string;
  /** Fingerprint as 16 lower-case hex digits (mtcute, @mtproto/core). */
  fingerprintHex: string;
}

export interface AdminEmail {
  to: string;
  subject: string;
  code: string;
  purpose: 'recovery' | 'email-confirmation';
  /** Milliseconds since the Unix epoch. */
  sentAt: number;
}

/** An account as POST /__admin/accounts takes it; fixtures/fixtures.schema.json has the details. */
export interface AdminAccountInput {
  id: number | string;
  phone: string;
  firstName: string;
  lastName: string;
  username?: string;
  password?: string;
  hint?: string;
  recoveryEmail?: { address: string; confirmed: boolean };
  recoveryCode?: string;
  loginCode?: string;
}

export interface AdminAccount {
  /** User id as a decimal string, because JSON numbers cannot hold every 64-bit id. */
  id: string;
  phone: string;
  firstName: string;
  lastName: string;
  username?: string;
  hasPassword: boolean;
  hint?: string;
  recoveryEmail?: string;
  unconfirmedEmail?: string;
  pendingResetDate?: number;
}

export type * from './control-types.js';

/** An error response of the admin API, with the HTTP status and the field it names, if any. */
export class AdminApiError extends Error {
  override readonly name = 'AdminApiError';

  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** A failed `verify`: the message lists the count and the near misses. */
export class AdminVerificationError extends Error {
  override readonly name = 'AdminVerificationError';

  constructor(readonly result: AdminVerifyResult) {
    super(describeVerification(result));
  }
}

/** A failed `assertNoPendingStubs`, with the stubs that never matched a request. */
export class AdminPendingStubsError extends Error {
  override readonly name = 'AdminPendingStubsError';

  constructor(readonly stubs: AdminStub[]) {
    super(
      `${stubs.length} stub(s) never matched a request:\n` +
        stubs
          .map((stub) => `  ${stub.id} ${stub.method} ${JSON.stringify(stub.params ?? {})}`)
          .join('\n'),
    );
  }
}

/**
 * Typed client of the admin API. A client from `forApiId` is scoped to one namespace: its stubs
 * and faults apply only to clients with that api_id, and its journal queries, lists and reset
 * cover only that namespace.
 */
export class AdminClient {
  private readonly baseUrl: string;

  /**
   * @param baseUrl the mock's HTTP address, such as `http://127.0.0.1:4430`.
   * @param apiId the namespace to scope to, or undefined for the whole mock.
   */
  constructor(
    baseUrl: string,
    readonly apiId?: number,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  /** Returns a client scoped to the namespace of clients that send this api_id. */
  forApiId(apiId: number): AdminClient {
    return new AdminClient(this.baseUrl, apiId);
  }

  /** Creates a client for a mock at host and port; IPv6 hosts get brackets. */
  static at(host: string, port: number): AdminClient {
    const hostPart = host.includes(':') ? `[${host}]` : host;
    return new AdminClient(`http://${hostPart}:${port}`);
  }

  health(): Promise<AdminHealth> {
    return this.request('GET', '/health');
  }

  serverKey(): Promise<AdminServerKey> {
    return this.request('GET', '/server-key');
  }

  /** Lists the emails the mock sent, oldest first, optionally only those to one address. */
  async mailbox(to?: string): Promise<AdminEmail[]> {
    const query = to === undefined ? '' : `?to=${encodeURIComponent(to)}`;
    const body = await this.request<{ messages: AdminEmail[] }>('GET', `/mailbox${query}`);
    return body.messages;
  }

  /** Returns the code of the newest email to an address; throws when there is none. */
  async latestCode(to: string): Promise<string> {
    const messages = await this.mailbox(to);
    const latest = messages.at(-1);
    if (!latest) throw new AdminApiError(404, `no email to ${to} in the mock's mailbox`);
    return latest.code;
  }

  /**
   * Returns to the fixtures and drops every auth key, stub, fault and journal entry. A scoped
   * client resets only its namespace: its stubs, faults, scenarios, journal entries and keys.
   */
  async reset(): Promise<void> {
    await this.request('POST', `/reset${this.scopeQuery()}`);
  }

  /** Returns the OpenAPI document of the admin API. */
  docs(): Promise<Record<string, unknown>> {
    return this.request('GET', '/docs');
  }

  async addStub(stub: AdminStubInput): Promise<AdminStub> {
    const body = await this.request<{ stub: AdminStub }>('POST', '/stubs', this.scoped(stub));
    return body.stub;
  }

  async stubs(): Promise<AdminStub[]> {
    return (await this.request<{ stubs: AdminStub[] }>('GET', `/stubs${this.scopeQuery()}`)).stubs;
  }

  async removeStub(id: string): Promise<void> {
    await this.request('DELETE', `/stubs/${encodeURIComponent(id)}`);
  }

  async clearStubs(): Promise<number> {
    const body = await this.request<{ removed: number }>('DELETE', `/stubs${this.scopeQuery()}`);
    return body.removed;
  }

  /** Lists stubs that never matched a request. */
  async unmatchedStubs(): Promise<AdminStub[]> {
    const path = `/stubs/unmatched${this.scopeQuery()}`;
    return (await this.request<{ stubs: AdminStub[] }>('GET', path)).stubs;
  }

  /** Throws AdminPendingStubsError when a stub never matched a request, like undici's assertion. */
  async assertNoPendingStubs(): Promise<void> {
    const pending = await this.unmatchedStubs();
    if (pending.length > 0) throw new AdminPendingStubsError(pending);
  }

  /** Lists journaled requests that match, oldest first; `limit` keeps the newest. */
  async requests(pattern: AdminRequestPattern = {}, limit?: number): Promise<AdminJournalEntry[]> {
    const body = await this.request<{ requests: AdminJournalEntry[] }>('POST', '/requests/find', {
      ...this.scoped(pattern),
      ...(limit === undefined ? {} : { limit }),
    });
    return body.requests;
  }

  async clearRequests(): Promise<void> {
    await this.request('DELETE', `/requests${this.scopeQuery()}`);
  }

  async countRequests(pattern: AdminRequestPattern = {}): Promise<number> {
    const body = await this.request<{ count: number }>(
      'POST',
      '/requests/count',
      this.scoped(pattern),
    );
    return body.count;
  }

  /** Checks a request count and returns the result with near misses, without throwing. */
  verifyRequests(
    pattern: AdminRequestPattern,
    expected: AdminCountExpectation = {},
  ): Promise<AdminVerifyResult> {
    return this.request('POST', '/requests/verify', { ...this.scoped(pattern), ...expected });
  }

  /** Checks a request count (default: at least one) and throws AdminVerificationError if not. */
  async verify(pattern: AdminRequestPattern, expected: AdminCountExpectation = {}): Promise<void> {
    const result = await this.verifyRequests(pattern, expected);
    if (!result.ok) throw new AdminVerificationError(result);
  }

  async addFault(fault: AdminFaultInput): Promise<AdminFault> {
    const body = await this.request<{ fault: AdminFault }>('POST', '/faults', this.scoped(fault));
    return body.fault;
  }

  async faults(): Promise<AdminFault[]> {
    const path = `/faults${this.scopeQuery()}`;
    return (await this.request<{ faults: AdminFault[] }>('GET', path)).faults;
  }

  async removeFault(id: string): Promise<void> {
    await this.request('DELETE', `/faults/${encodeURIComponent(id)}`);
  }

  async clearFaults(): Promise<number> {
    const body = await this.request<{ removed: number }>('DELETE', `/faults${this.scopeQuery()}`);
    return body.removed;
  }

  async scenarios(): Promise<AdminScenario[]> {
    const path = `/scenarios${this.scopeQuery()}`;
    return (await this.request<{ scenarios: AdminScenario[] }>('GET', path)).scenarios;
  }

  async setScenarioState(name: string, state: string): Promise<void> {
    const path = `/scenarios/${encodeURIComponent(name)}/state${this.scopeQuery()}`;
    await this.request('PUT', path, { state });
  }

  /** Returns every scenario (of the namespace, when scoped) to `Started`. */
  async resetScenarios(): Promise<void> {
    await this.request('POST', `/scenarios/reset${this.scopeQuery()}`);
  }

  clock(): Promise<AdminClockState> {
    return this.request('GET', '/clock');
  }

  /** Freezes the mock's clock at `ms` since the Unix epoch. */
  setClock(ms: number): Promise<AdminClockState> {
    return this.request('POST', '/clock', { set: ms });
  }

  /** Moves the mock's clock by `ms` milliseconds. */
  advanceClock(ms: number): Promise<AdminClockState> {
    return this.request('POST', '/clock', { advance: ms });
  }

  /** Returns the mock's clock to the machine's time. */
  useSystemClock(): Promise<AdminClockState> {
    return this.request('POST', '/clock', { system: true });
  }

  /** Sets the request journal's capacity, in requests. */
  async setJournalSize(journalSize: number): Promise<void> {
    await this.request('POST', '/settings', { journalSize });
  }

  private scoped<T extends object>(input: T): T {
    return this.apiId === undefined ? input : { apiId: this.apiId, ...input };
  }

  private scopeQuery(): string {
    return this.apiId === undefined ? '' : `?apiId=${this.apiId}`;
  }

  async addAccount(account: AdminAccountInput): Promise<AdminAccount> {
    const body = await this.request<{ account: AdminAccount }>('POST', '/accounts', account);
    return body.account;
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}/__admin${path}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed = text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>);
    if (!response.ok) {
      const message = typeof parsed?.error === 'string' ? parsed.error : text;
      const field = typeof parsed?.field === 'string' ? parsed.field : undefined;
      throw new AdminApiError(response.status, `${method} ${path} failed: ${message}`, field);
    }
    return parsed as T;
  }
}

function describeVerification(result: AdminVerifyResult): string {
  const { count, atLeast, atMost } = result.expected;
  const wanted =
    count !== undefined
      ? `exactly ${count}`
      : [
          atLeast === undefined ? '' : `at least ${atLeast}`,
          atMost === undefined ? '' : `at most ${atMost}`,
        ]
          .filter(Boolean)
          .join(' and ') || 'at least 1';
  const lines = [`expected ${wanted} matching request(s), found ${result.count}`];
  if (result.nearMisses.length === 0) lines.push('no near misses in the journal');
  for (const miss of result.nearMisses) {
    const fields = miss.mismatches
      .map(
        (m) =>
          `${m.field}: expected ${JSON.stringify(m.expected)}, got ${JSON.stringify(m.actual)}`,
      )
      .join('; ');
    lines.push(
      `near miss #${miss.entry.seq} ${miss.entry.method} (${miss.reasons.join(', ')})` +
        (fields ? `: ${fields}` : '') +
        (miss.entry.error ? ` -> ${miss.entry.error.code} ${miss.entry.error.message}` : ''),
    );
  }
  return lines.join('\n');
}
