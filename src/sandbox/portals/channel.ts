/** Placeholder: routes of the channel system are added by its own module. */
import type { FastifyInstance } from 'fastify';
import type { PortalContext } from './context.js';

export function channelRoutes(_scope: FastifyInstance, _ctx: PortalContext): void {}
