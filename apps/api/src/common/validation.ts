import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';

function flatten(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    // class-validator says "body must be a string" or "property x should not exist"; we say "body: must be a string".
    // A plain prefix test: the property is client input (an unknown key may be `+~` or `(?X`), never a pattern.
    const prefixes = [`property ${error.property} `, `${error.property} `];
    const own = Object.values(error.constraints ?? {}).map((reason) => {
      const prefix = prefixes.find((candidate) => reason.startsWith(candidate));
      return `${path}: ${prefix ? reason.slice(prefix.length) : reason}`;
    });
    return [...own, ...flatten(error.children ?? [], path)];
  });
}

/** Whitelisted DTOs: unknown fields are refused, each problem is named with its field. */
export const validationPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  transformOptions: { enableImplicitConversion: false },
  exceptionFactory: (errors) =>
    new BadRequestException({ message: 'Validation failed', details: flatten(errors) }),
});
