/** PostgreSQL's unique_violation (23505): a row with that key already exists. */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '23505';
}
