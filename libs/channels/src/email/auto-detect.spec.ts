import { detectAutomatic } from './auto-detect.js';

const check = (
  headers: Record<string, string>,
  extra: { from?: string; type?: string; report?: string } = {},
) =>
  detectAutomatic({
    headers: new Map(Object.entries(headers).map(([k, v]) => [k, [v]])),
    contentType: extra.type ?? 'text/plain',
    reportType: extra.report ?? null,
    from: extra.from ?? 'customer@example.com',
    ownAddresses: ['support@acme.test'],
  });

describe('detectAutomatic (RFC 3834)', () => {
  it('passes a person’s mail', () => {
    expect(check({ subject: 'help' })).toBeNull();
    expect(check({ 'auto-submitted': 'no' })).toBeNull();
    expect(check({ precedence: 'first-class' })).toBeNull();
  });

  it.each([
    [{ 'auto-submitted': 'auto-replied' }, 'Auto-Submitted: auto-replied'],
    [{ 'auto-submitted': 'auto-generated' }, 'Auto-Submitted: auto-generated'],
    [{ 'x-autoreply': 'yes' }, 'x-autoreply: yes'],
    [{ 'x-autorespond': 'vacation' }, 'x-autorespond: vacation'],
    [{ precedence: 'bulk' }, 'Precedence: bulk'],
    [{ precedence: 'JUNK' }, 'Precedence: JUNK'],
    [{ 'x-precedence': 'list' }, 'Precedence: list'],
    [{ precedence: 'auto_reply' }, 'Precedence: auto_reply'],
    [{ 'x-auto-response-suppress': 'All' }, 'X-Auto-Response-Suppress: All'],
    [{ 'x-auto-response-suppress': 'DR, OOF' }, 'X-Auto-Response-Suppress: DR, OOF'],
    [{ 'list-unsubscribe': '<mailto:x@y>' }, 'mailing list (list-unsubscribe)'],
    [{ 'list-id': '<news.example.com>' }, 'mailing list (list-id)'],
    [{ 'return-path': '<>' }, 'null reverse-path (Return-Path: <>)'],
    [{ 'x-loop': 'yes' }, 'X-Loop'],
  ])('flags %j as an auto-reply', (headers, reason) => {
    expect(check(headers)).toEqual({ kind: 'auto-reply', reason });
  });

  it('flags DSNs and mailer daemons as bounces', () => {
    expect(check({}, { type: 'multipart/report', report: 'delivery-status' })?.kind).toBe('bounce');
    expect(check({}, { from: 'MAILER-DAEMON@mx.example.com' })).toEqual({
      kind: 'bounce',
      reason: 'sent by mailer-daemon',
    });
    expect(check({}, { from: 'postmaster@example.com' })?.kind).toBe('bounce');
    // a multipart/report that is not a DSN (e.g. a read receipt) is not a bounce
    expect(check({}, { type: 'multipart/report', report: 'disposition-notification' })).toBeNull();
  });

  it('treats mail from the inbox’s own address as a loop', () => {
    expect(check({}, { from: 'Support@Acme.test' })?.reason).toMatch(/loop/);
  });
});
