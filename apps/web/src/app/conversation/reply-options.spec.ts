import type { ReplyOption } from '../api/types.js';
import { defaultOption, parseVariables } from './reply-options.js';

const option = (inboxId: string, available: boolean): ReplyOption => ({
  inboxId,
  name: inboxId,
  channel: 'sms',
  identityId: null,
  available,
  templateOnly: false,
  windowClosesAt: null,
  tag: null,
  reason: available ? null : 'The customer opted out of sms messages',
});

describe('default reply option', () => {
  it("prefers the conversation's reply inbox, else the first usable, else the reply inbox with its reason", () => {
    const options = [option('a', true), option('b', true), option('c', false)];
    expect(defaultOption(options, 'b')?.inboxId).toBe('b');
    expect(defaultOption(options, 'c')?.inboxId).toBe('a');
    expect(defaultOption([option('c', false), option('d', false)], 'd')?.inboxId).toBe('d');
    expect(defaultOption([], null)).toBeNull();
  });
});

describe('template variables', () => {
  it('reads "1=Maria, 2=#1042", nothing, or refuses what it cannot read', () => {
    expect(parseVariables('1=Maria, 2 = #1042')).toEqual({ '1': 'Maria', '2': '#1042' });
    expect(parseVariables('  ')).toBeUndefined();
    expect(parseVariables('name=Maria')).toBeNull();
  });
});
