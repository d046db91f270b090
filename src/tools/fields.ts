/**
 * Field atoms the schemas of more than one legacy system share (tools/<system>/schemas.ts): the
 * identifiers and values that mean the same in every system that takes them.
 *
 * Shared conventions: money in yuan (number, 2 decimals), periods as YYYY-MM, times as the portal
 * shows them ("YYYY-MM-DD HH:mm"), personal data only as the systems return it (the runner and
 * the agent mask it on the way out).
 */
import { z } from 'zod';

export const oltName = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^OLT-[A-Z]{2}-\d{1,3}$/, 'OLT name like OLT-HZ-01');
export const fspSchema = z
  .string()
  .trim()
  .regex(/^\d{1,2}\/\d{1,2}\/\d{1,3}$/, 'frame/slot/port like 0/1/3');
export const customerIdSchema = z.string().trim().regex(/^C\d{6}$/, 'customer id like C000123');
export const mobileSchema = z
  .string()
  .trim()
  .transform((s) => s.replace(/[\s-]/g, '').replace(/^(\+86|0086)/, ''))
  .pipe(z.string().regex(/^1[3-9]\d{9}$/, '11-digit mobile number'));
export const broadbandAccountSchema = z.string().trim().min(3).max(64);
export const periodSchema = z.string().trim().regex(/^20\d{2}-(0[1-9]|1[0-2])$/, 'period like 2026-10');

/** A text given in both languages (reasons, rule explanations). */
export const bilingual = { zh: z.string(), en: z.string() };

/** Whom a customer-facing read is about: one of customer id or mobile. */
export const customerRefSchema = z.union([
  z.object({ customerId: customerIdSchema }).strict(),
  z.object({ mobile: mobileSchema }).strict(),
]);
