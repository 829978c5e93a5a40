import { sanitizeEmailHtml } from './email-html.js';

describe('sanitizeEmailHtml', () => {
  it('removes scripts, styles, handlers, forms and frames', () => {
    const html = sanitizeEmailHtml(
      '<style>body{}</style><p onclick="x()">Hi<script>alert(1)</script></p><iframe src="https://x"></iframe>' +
        '<form action="https://x"><input name="p"></form><a href="javascript:alert(1)">j</a>',
    );
    expect(html).toBe('<p>Hi</p><a target="_blank" rel="noopener noreferrer nofollow">j</a>');
  });

  it('drops remote images and points cid: images at their stored attachment', () => {
    const html = sanitizeEmailHtml(
      '<img src="https://tracker.example/p.gif" alt="pixel"><img src="cid:logo@acme"><img src="cid:unknown">',
      { 'logo@acme': '/api/v1/messages/m/attachments/0' },
    );
    expect(html).toBe('<img alt="pixel" /><img src="/api/v1/messages/m/attachments/0" />');
  });

  it('keeps links safe', () => {
    expect(sanitizeEmailHtml('<a href="https://example.com">x</a>')).toBe(
      '<a href="https://example.com" target="_blank" rel="noopener noreferrer nofollow">x</a>',
    );
  });
});
