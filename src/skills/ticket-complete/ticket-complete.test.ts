import { describe, expect, it } from 'vitest';
import { parseCommand } from '../planner.js';
import { everydayPhrasings } from '../../../tests/helpers/phrasings.js';

describe('command planner', () => {
  it.each([
    ['补全工单 T20261124-0012', 'zh'],
    ['complete ticket T20261124-0012', 'en'],
    ['补全工单t20261124-0012', 'zh'],
    ['请帮我补全 工单 Ｔ２０２６１１２４－００１２', 'zh'],
    ['/complete T20261124-0012', 'en'],
  ])('reads a ticket completion: %s', (text, lang) => {
    expect(parseCommand(text)).toEqual({ flow: 'ticket.complete', lang, ticketId: 'T20261124-0012' });
  });
});

describe('everyday phrasings', () => everydayPhrasings('ticket.complete'));
