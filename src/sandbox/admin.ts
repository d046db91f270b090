/** JSON for tests and operators of the sandbox only: no login, never part of a "legacy" portal. */
import type { FastifyInstance } from 'fastify';
import { findTicket, type SandboxState } from './state.js';

export function adminRoutes(app: FastifyInstance, state: SandboxState): void {
  app.get('/admin/writes', async () => state.writes);
  app.get<{ Params: { id: string } }>('/admin/state/tickets/:id', async (req, reply) => {
    const t = findTicket(state, req.params.id);
    return t ? t : reply.code(404).send({ error: 'not_found', id: req.params.id });
  });
}
