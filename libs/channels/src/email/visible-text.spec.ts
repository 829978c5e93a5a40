import { REPLY_SEPARATOR } from './email-threading.js';
import { visibleText } from './visible-text.js';

describe('visibleText', () => {
  it('keeps only the new text above a quoted reply with our separator', () => {
    const reply = [
      'Thanks, that fixed it!',
      '',
      'On Tue, Mar 3, 2026 at 10:01 AM Acme Support <support@acme.test> wrote:',
      `> ${REPLY_SEPARATOR}`,
      '>',
      '> Try turning it off and on again.',
    ].join('\r\n');
    expect(visibleText(reply)).toEqual({ text: 'Thanks, that fixed it!', stripped: true });
  });

  it('strips quotes and signatures without a separator (email-reply-parser)', () => {
    const reply = [
      'It works now.',
      '',
      'Best regards,',
      'John',
      'Sent from my iPhone',
      '',
      'On Mon, Mar 2, 2026 at 9:00 AM Acme <support@acme.test> wrote:',
      '> Hello John',
    ].join('\n');
    expect(visibleText(reply).text).toBe('It works now.');
  });

  it('keeps a plain message whole', () => {
    expect(visibleText('Hello,\n\nmy order 42 has not arrived.\n')).toEqual({
      text: 'Hello,\n\nmy order 42 has not arrived.',
      stripped: false,
    });
  });

  it('never shows nothing: a message that is all quote stays as it is', () => {
    expect(visibleText('> only a quote\n> here').text).toBe('> only a quote\n> here');
  });
});
