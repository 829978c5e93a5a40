/** Deeper than any DTO or free-form field (contact attributes, rule conditions) needs. */
export const MAX_INPUT_DEPTH = 32;
/** Keys that reach object prototypes when copied onto an object (class-transformer, spreads). */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

interface ShapedRequest {
  path: string;
  body?: unknown;
  query?: unknown;
}

/** An error the domain error filter answers as a 400 with this message (see toErrorBody). */
function refused(message: string): Error {
  return Object.assign(new Error(message), { status: 400, expose: true, type: 'invalid_input' });
}

function isParsedContainer(value: unknown): value is object {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return true;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * What is wrong with a parsed body or query string, or null: nesting past MAX_INPUT_DEPTH (validators
 * and transformers recurse), prototype keys (they slip past whitelisting), and, where asked, NUL
 * characters (PostgreSQL stores no U+0000 in text or jsonb). Iterative, so any depth is safe to check.
 */
export function inputProblem(value: unknown, root: string, rejectNul: boolean): string | null {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: root, depth: 0 }];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (typeof node.value === 'string') {
      if (rejectNul && node.value.includes('\u0000'))
        return `${node.path}: must not contain NUL (U+0000) characters`;
      continue;
    }
    // Only what a parser builds from text: arrays and plain objects. A Buffer (a raw MIME upload) has
    // one key per byte, and walking it would hold millions of paths.
    if (!isParsedContainer(node.value)) continue;
    if (node.depth >= MAX_INPUT_DEPTH) return `${root}: nested deeper than ${MAX_INPUT_DEPTH} levels`;
    for (const key of Object.keys(node.value)) {
      const path = Array.isArray(node.value) ? `${node.path}[${key}]` : `${node.path}.${key}`;
      if (PROTOTYPE_KEYS.has(key)) return `${path}: property is not allowed`;
      if (rejectNul && key.includes('\u0000'))
        return `${node.path}: keys must not contain NUL (U+0000) characters`;
      stack.push({ value: (node.value as Record<string, unknown>)[key], path, depth: node.depth + 1 });
    }
  }
  return null;
}

/**
 * Runs after the body parsers, before routing: refuses input no DTO could make safe with a 400 naming
 * the field. Provider webhooks keep NUL characters (the channel parsers drop them: a provider would
 * only retry a refused delivery).
 */
export function inputShapeGuard() {
  return (request: ShapedRequest, _response: unknown, next: (error?: unknown) => void) => {
    const rejectNul = !request.path.startsWith('/webhooks/');
    const problem =
      inputProblem(request.body, 'body', rejectNul) ?? inputProblem(request.query, 'query', rejectNul);
    next(problem ? refused(problem) : undefined);
  };
}
