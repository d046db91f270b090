/** Placeholder: routes of the sms system are added by its own module. */
import type { FastifyInstance } from 'fastify';
import type { PortalContext } from './context.js';

export function smsRoutes(_scope: FastifyInstance, _ctx: PortalContext): void {}
