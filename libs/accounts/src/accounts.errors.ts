export enum AccountsErrorCode {
  InvalidCredentials = 'invalid_credentials',
  NotFound = 'not_found',
  EmailTaken = 'email_taken',
  TeamNameTaken = 'team_name_taken',
  NotAMember = 'not_a_member',
  LastAdmin = 'last_admin',
  InvalidInput = 'invalid_input',
}

export class AccountsError extends Error {
  constructor(
    readonly code: AccountsErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AccountsError';
  }
}
