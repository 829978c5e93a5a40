import type { MessageView } from '../api/types.js';
import { blocksOf } from './timeline-blocks.js';

const message = (id: string, conversationId: string) => ({ id, conversationId }) as MessageView;

describe('timeline blocks', () => {
  it('starts a new block whenever the conversation changes', () => {
    const blocks = blocksOf([message('1', 'a'), message('2', 'a'), message('3', 'b'), message('4', 'a')]);
    expect(blocks.map((b) => [b.conversationId, b.messages.map((m) => m.id)])).toEqual([
      ['a', ['1', '2']],
      ['b', ['3']],
      ['a', ['4']],
    ]);
    expect(blocksOf([])).toEqual([]);
  });
});
