/**
 * Typed client for mtmock's admin API (JSON under /__admin on the MTProto port). Uses the global
 * fetch, so it runs on Node 20 and later and in browsers.
 */

export interface AdminHealth {
  status: 'ok';
  host: string;
  port: number;
  dcId: number;
  /** How many auth keys the server holds right now. */
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

/** An error answer of the admin API, with the HTTP status and the field it names, if any. */
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

export class AdminClient {
  private readonly baseUrl: string;

  /** @param baseUrl the mock's HTTP address, such as `http://127.0.0.1:4430`. */
  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
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

  /** Returns to the fixtures and drops every auth key. */
  async reset(): Promise<void> {
    await this.request('POST', '/reset');
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
