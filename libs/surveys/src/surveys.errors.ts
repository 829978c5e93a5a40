export enum SurveysErrorCode {
  NotFound = 'not_found',
  InvalidInput = 'invalid_input',
  Gone = 'gone',
}

export class SurveysError extends Error {
  constructor(
    readonly code: SurveysErrorCode,
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'SurveysError';
  }

  static notFound(what: string): SurveysError {
    return new SurveysError(SurveysErrorCode.NotFound, `${what} not found`);
  }

  static invalid(message: string, details: string[] = []): SurveysError {
    return new SurveysError(SurveysErrorCode.InvalidInput, message, details);
  }
}
