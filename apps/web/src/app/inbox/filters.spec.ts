import { apiQuery, filtersQuery, readFilters } from './filters.js';

describe('inbox filters', () => {
  it('reads the URL with defaults and ignores unknown values', () => {
    expect(readFilters(new URLSearchParams('view=nope&status=snoozed&sort=priority&q=ana'))).toEqual({
      view: 'mine',
      status: 'snoozed',
      sort: 'priority',
      q: 'ana',
      teamId: '',
      inboxId: '',
      labelId: '',
    });
  });

  it('round-trips through the query string, leaving defaults out', () => {
    const filters = readFilters(new URLSearchParams('view=all&teamId=t1'));
    expect(filtersQuery(filters)).toBe('?view=all&teamId=t1');
    expect(filtersQuery(readFilters(new URLSearchParams()))).toBe('');
    expect(readFilters(new URLSearchParams(filtersQuery(filters).slice(1)))).toEqual(filters);
  });

  it('asks the api for everyone in a team, inbox or label view, and for every unresolved status by default', () => {
    expect(apiQuery(readFilters(new URLSearchParams('view=mine&labelId=l1')))).toMatchObject({
      view: 'all',
      labelId: 'l1',
      status: undefined,
    });
    expect(apiQuery(readFilters(new URLSearchParams('view=unassigned&status=open&q=%20 ')))).toMatchObject({
      view: 'unassigned',
      status: 'open',
      q: undefined,
    });
  });
});
