import type { Clock } from '../clock.js';

/** Purpose of an emailed code. */
export type EmailCodePurpose = 'recovery' | 'email-confirmation';

/** One email that the mock "sent". Nothing leaves the process: tests read it from the mailbox. */
export interface SentEmail {
  to: string;
  subject: string;
  code: string;
  purpose: EmailCodePurpose;
  /** Milliseconds since the Unix epoch, from the domain's Clock. */
  sentAt: number;
}

/** Filter for `Mailbox.list`. Address matching ignores case. */
export interface MailboxFilter {
  to?: string;
  purpose?: EmailCodePurpose;
}

const SUBJECTS: Record<EmailCodePurpose, string> = {
  recovery: 'Your 2FA password recovery code',
  'email-confirmation': 'Confirm your 2FA recovery email',
};

/** In-memory list of the emails that the mock sent, oldest first. */
export class Mailbox {
  private readonly emails: SentEmail[] = [];

  constructor(private readonly clock: Clock) {}

  /** Records an email with a code and returns it. */
  send(to: string, purpose: EmailCodePurpose, code: string): SentEmail {
    const email: SentEmail = {
      to,
      subject: SUBJECTS[purpose],
      code,
      purpose,
      sentAt: this.clock.now(),
    };
    this.emails.push(email);
    return email;
  }

  /** Returns copies of the emails that match the filter or address, oldest first. */
  list(filter: MailboxFilter | string = {}): SentEmail[] {
    if (typeof filter === 'string') filter = { to: filter };
    const to = filter.to?.toLowerCase();
    return this.emails
      .filter((email) => to === undefined || email.to.toLowerCase() === to)
      .filter((email) => filter.purpose === undefined || email.purpose === filter.purpose)
      .map((email) => ({ ...email }));
  }

  /** Returns the newest email that matches the filter, or undefined. */
  latest(filter: MailboxFilter | string = {}): SentEmail | undefined {
    return this.list(filter).at(-1);
  }

  clear(): void {
    this.emails.length = 0;
  }
}
