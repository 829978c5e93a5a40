import { inputProblem, MAX_INPUT_DEPTH } from './input-shape.js';

describe('inputProblem', () => {
  it('names nesting past the limit, prototype keys and NUL characters', () => {
    let deep: unknown = 'leaf';
    for (let level = 0; level <= MAX_INPUT_DEPTH; level += 1) deep = { next: deep };
    expect(inputProblem(deep, 'body', true)).toBe(`body: nested deeper than ${MAX_INPUT_DEPTH} levels`);
    expect(inputProblem(JSON.parse('{"a":[{"__proto__":1}]}'), 'body', true)).toBe(
      'body.a[0].__proto__: property is not allowed',
    );
    expect(inputProblem({ name: 'a\u0000b' }, 'body', true)).toBe(
      'body.name: must not contain NUL (U+0000) characters',
    );
    expect(inputProblem({ name: 'a\u0000b' }, 'body', false)).toBeNull();
  });

  it('does not walk a raw upload byte by byte', () => {
    // One key per byte: walking 40 MB of Buffer would hold tens of millions of paths (an out-of-memory crash).
    const upload = Buffer.alloc(40 * 1024 * 1024, 0);
    expect(inputProblem({ 'body-mime': upload, recipient: 'support@example.com' }, 'body', false)).toBeNull();
  });
});
