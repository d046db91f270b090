/** Placeholder: routes of the billing system are added by its own module. */
import type { FastifyInstance } from 'fastify';
import type { PortalContext } from './context.js';

export function billingRoutes(_scope: FastifyInstance, _ctx: PortalContext): void {}
