export enum InboxErrorCode {
  NotFound = 'not_found',
  InvalidIdentity = 'invalid_identity',
  InvalidState = 'invalid_state',
  Unreachable = 'unreachable',
  Conflict = 'conflict',
  InvalidInput = 'invalid_input',
  /** The contact's personal data was erased. */
  Gone = 'gone',
}

/** A provider webhook whose signature (or verify token) does not match the inbox's secret. */
export class WebhookSignatureError extends Error {}

export class InboxError extends Error {
  constructor(
    readonly code: InboxErrorCode,
    message: string,
    /** One line per problem, for input that failed several checks. */
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'InboxError';
  }

  static notFound(what: string): InboxError {
    return new InboxError(InboxErrorCode.NotFound, `${what} not found`);
  }
}
