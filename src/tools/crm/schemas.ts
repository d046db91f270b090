/**
 * Input and output schemas of the CRM tools (crm.getCustomer, crm.verifyIdentity, crm.getNumberStatus).
 * They are the typed boundary between the agent and the portals: the planners produce these
 * inputs, the flows read these outputs.
 */
import { z } from 'zod';
import { bilingual, broadbandAccountSchema, customerIdSchema, customerRefSchema, mobileSchema } from '../fields.js';

export const getCustomerInput = z.union([
  z.object({ customerId: customerIdSchema }).strict(),
  z.object({ mobile: mobileSchema }).strict(),
  z.object({ broadbandAccount: broadbandAccountSchema }).strict(),
]);
export const customerSchema = z.object({
  customerId: z.string(),
  name: z.string(),
  mobile: z.string(),
  residentId: z.string(),
  status: z.enum(['ACTIVE', 'SUSPENDED', 'ARREARS', 'CLOSED']),
  realNameVerified: z.boolean(),
  plans: z.array(z.string()),
  address: z.string().nullable(),
  broadbandAccount: z.string().nullable(),
  region: z.string().nullable(),
});
export type Customer = z.infer<typeof customerSchema>;

// --- crm.verifyIdentity: format + checksum (GB 11643) + match with the record; masked values only.
export const verifyIdentityInput = z
  .object({
    customer: customerRefSchema,
    /** As the customer gave it: full-width digits, spaces and dashes are tolerated. */
    residentId: z.string().trim().min(1).max(40),
    /** Optional: the name the customer gave, compared with the record. */
    name: z.string().trim().min(1).max(40).optional(),
  })
  .strict();
export const verifyIdentityOutput = z.object({
  customerId: z.string().nullable(),
  region: z.string().nullable(),
  /** 18 characters, digits and a final digit or X. */
  formatValid: z.boolean(),
  checksumValid: z.boolean(),
  /** The birth date digits form a real date not in the future. */
  birthDateValid: z.boolean(),
  /** null when the format or checksum already failed (the record was not consulted). */
  matchesRecord: z.boolean().nullable(),
  nameMatches: z.boolean().nullable(),
  realNameVerified: z.boolean().nullable(),
  /** Masked: first 6 and last 4 at most. */
  givenIdMasked: z.string(),
  recordIdMasked: z.string().nullable(),
  verdict: z.enum(['verified', 'mismatch', 'invalid_id', 'not_real_name_verified']),
  reasons: z.array(z.object(bilingual)),
});

// --- crm.getNumberStatus: one number's line status (the unit of the batch query).
export const getNumberStatusInput = z.object({ mobile: mobileSchema }).strict();
export const getNumberStatusOutput = z.object({
  mobile: z.string(),
  /** UNASSIGNED: the number belongs to no customer (空号). */
  status: z.enum(['ACTIVE', 'SUSPENDED', 'ARREARS', 'CLOSED', 'UNASSIGNED']),
  customerId: z.string().nullable(),
  region: z.string().nullable(),
  plan: z.string().nullable(),
});
