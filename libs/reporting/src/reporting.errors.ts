export enum ReportingErrorCode {
  NotFound = 'not_found',
  InvalidInput = 'invalid_input',
  Conflict = 'conflict',
}

export class ReportingError extends Error {
  constructor(
    readonly code: ReportingErrorCode,
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'ReportingError';
  }

  static notFound(what: string): ReportingError {
    return new ReportingError(ReportingErrorCode.NotFound, `${what} not found`);
  }

  static invalid(message: string, details: string[] = []): ReportingError {
    return new ReportingError(ReportingErrorCode.InvalidInput, message, details);
  }

  static conflict(message: string): ReportingError {
    return new ReportingError(ReportingErrorCode.Conflict, message);
  }
}
