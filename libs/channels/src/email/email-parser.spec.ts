import { parseEmail } from './email-parser.js';

const mail = (lines: string[]) => Buffer.from(lines.join('\r\n'));

describe('parseEmail', () => {
  it('reads threading headers, addresses and the visible text', async () => {
    const parsed = await parseEmail(
      mail([
        'From: "Ana Souza" <Ana.Souza@Example.com>',
        'To: Acme <support@acme.test>, reply+0123@acme.test',
        'Cc: boss@example.com',
        'Delivered-To: support@acme.test',
        'Subject: Re: Order 42',
        'Message-ID: <reply-1@mail.example.com>',
        'In-Reply-To: <out-1@acme.test>',
        'References: <root@mail.example.com>',
        ' <out-1@acme.test>',
        'Date: Tue, 03 Mar 2026 10:05:00 +0000',
        '',
        'It arrived, thanks!',
        '',
        '> earlier text',
      ]),
    );
    expect(parsed).toMatchObject({
      messageId: '<reply-1@mail.example.com>',
      inReplyTo: '<out-1@acme.test>',
      references: ['<root@mail.example.com>', '<out-1@acme.test>'],
      subject: 'Re: Order 42',
      from: { address: 'Ana.Souza@Example.com', name: 'Ana Souza' },
      cc: [{ address: 'boss@example.com', name: null }],
      visibleText: 'It arrived, thanks!',
      quoteStripped: true,
      automatic: null,
      report: null,
    });
    expect(parsed.recipients).toEqual([
      'support@acme.test',
      'reply+0123@acme.test',
      'boss@example.com',
      'support@acme.test',
    ]);
    expect(parsed.date?.toISOString()).toBe('2026-03-03T10:05:00.000Z');
  });

  it('keeps attachments and inline images with their content id', async () => {
    const parsed = await parseEmail(
      mail([
        'From: a@example.com',
        'Subject: photo',
        'Content-Type: multipart/related; boundary="R"',
        '',
        '--R',
        'Content-Type: text/html',
        '',
        '<p>See <img src="cid:pic@x"></p>',
        '--R',
        'Content-Type: image/png',
        'Content-ID: <pic@x>',
        'Content-Disposition: inline; filename="pic.png"',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from('PNGDATA').toString('base64'),
        '--R--',
      ]),
    );
    expect(parsed.html).toContain('cid:pic@x');
    expect(parsed.attachments).toEqual([
      expect.objectContaining({
        filename: 'pic.png',
        contentType: 'image/png',
        contentId: 'pic@x',
        inline: true,
      }),
    ]);
    expect(parsed.attachments[0].content.toString()).toBe('PNGDATA');
    expect(parsed.messageId).toBeNull();
    expect(parsed.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads a DSN: the returned Message-ID, status and diagnostic', async () => {
    const parsed = await parseEmail(
      mail([
        'From: Mail Delivery System <MAILER-DAEMON@mx.example.com>',
        'To: support@acme.test',
        'Subject: Undelivered Mail Returned to Sender',
        'Message-ID: <dsn1@mx.example.com>',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="BB"',
        '',
        '--BB',
        'Content-Type: text/plain',
        '',
        'Your message could not be delivered.',
        '--BB',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.example.com',
        '',
        'Final-Recipient: rfc822; nobody@example.com',
        'Action: failed',
        'Status: 5.1.1',
        'Diagnostic-Code: smtp; 550 5.1.1 <nobody@example.com>: Recipient address',
        '    rejected: User unknown',
        '',
        '--BB',
        'Content-Type: text/rfc822-headers',
        '',
        'From: Acme <support@acme.test>',
        'Message-ID: <abc-123@acme.test>',
        '--BB--',
      ]),
    );
    expect(parsed.automatic?.kind).toBe('bounce');
    expect(parsed.report).toEqual({
      originalMessageId: '<abc-123@acme.test>',
      action: 'failed',
      status: '5.1.1',
      diagnostic: '550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown',
      recipient: 'nobody@example.com',
      failed: true,
    });
  });

  it('a delayed DSN is a bounce but not a failure', async () => {
    const parsed = await parseEmail(
      mail([
        'From: MAILER-DAEMON@mx.example.com',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="BB"',
        '',
        '--BB',
        'Content-Type: message/delivery-status',
        '',
        'Final-Recipient: rfc822; slow@example.com',
        'Action: delayed',
        'Status: 4.4.1',
        '--BB--',
      ]),
    );
    expect(parsed.report).toMatchObject({ action: 'delayed', status: '4.4.1', failed: false });
  });
});
