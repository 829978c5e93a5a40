/**
 * PostgreSQL stores no U+0000 in text or jsonb, and jsonb refuses lone UTF-16 surrogates. Provider
 * payloads may carry both: they are kept, with U+FFFD in those places, instead of failing the webhook.
 */
export function storable<T>(value: T): T {
  if (typeof value === 'string')
    return value.replace(
      // eslint-disable-next-line no-control-regex -- NUL is exactly what has to go
      /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
      '\uFFFD',
    ) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => storable(item)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [storable(key), storable(item)]),
    ) as T;
  return value;
}
