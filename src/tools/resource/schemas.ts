/**
 * Input and output schemas of the resource system's tools (resource.getPort): the port as the
 * resource portal shows it, with its receive power classified.
 * They are the typed boundary between the agent and the portals: the planners produce these
 * inputs, the flows read these outputs.
 */
import { z } from 'zod';
import { broadbandAccountSchema, fspSchema, oltName } from '../fields.js';

export const rxBandSchema = z.enum(['overload', 'normal', 'marginal', 'fault']);
export type RxBand = z.infer<typeof rxBandSchema>;

/** GPON class B+ receive window: above -8 overload; -8..-25 normal; -25..-27 marginal; below or none: fault. */
export function rxBand(dbm: number | null): RxBand {
  if (dbm === null || Number.isNaN(dbm)) return 'fault';
  if (dbm > -8) return 'overload';
  if (dbm >= -25) return 'normal';
  if (dbm >= -27) return 'marginal';
  return 'fault';
}

export const getPortInput = z.union([
  z.object({ olt: oltName, fsp: fspSchema }).strict(),
  z.object({ broadbandAccount: broadbandAccountSchema }).strict(),
]);
export const portSchema = z.object({
  olt: z.string(),
  fsp: z.string(),
  region: z.string(),
  adminStatus: z.enum(['up', 'down']),
  operStatus: z.enum(['up', 'down']),
  onuId: z.number().int().nullable(),
  onuSn: z.string().nullable(),
  rxPowerDbm: z.number().nullable(),
  txPowerDbm: z.number().nullable(),
  rxBand: rxBandSchema,
  lastDownCause: z.string().nullable(),
  lastDownAt: z.string().nullable(),
  broadbandAccount: z.string().nullable(),
});
export type Port = z.infer<typeof portSchema>;
