import { describe, expect, it } from 'vitest';
import { parseCommand } from '../planner.js';
import { everydayPhrasings } from '../../../tests/helpers/phrasings.js';

describe('command planner', () => {
  it('shows a ticket when only its id is given', () => {
    expect(parseCommand('查工单 T20261124-0013')).toEqual({ flow: 'ticket.show', lang: 'zh', ticketId: 'T20261124-0013' });
    expect(parseCommand('T20261124-0013')).toEqual({ flow: 'ticket.show', lang: 'en', ticketId: 'T20261124-0013' });
  });
});

describe('everyday phrasings', () => everydayPhrasings('ticket.show'));
