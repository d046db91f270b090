/** Placeholder: routes of the risk system are added by its own module. */
import type { FastifyInstance } from 'fastify';
import type { PortalContext } from './context.js';

export function riskRoutes(_scope: FastifyInstance, _ctx: PortalContext): void {}
