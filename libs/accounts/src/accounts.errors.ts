export enum AccountsErrorCode {
  InvalidCredentials = 'invalid_credentials',
  NotFound = 'not_found',
  EmailTaken = 'email_taken',
  TeamNameTaken = 'team_name_taken',
  NotAMember = 'not_a_member',
  LastAdmin = 'last_admin',
  InvalidInput = 'invalid_input',
  /** Too many failed sign-ins for one account: locked for `retryAfterSeconds`. */
  AccountLocked = 'account_locked',
  WrongPassword = 'wrong_password',
}

export class AccountsError extends Error {
  constructor(
    readonly code: AccountsErrorCode,
    message: string,
    /** Set with AccountLocked: when to try again. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'AccountsError';
  }
}
