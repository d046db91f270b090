/** The CRM tools: customers, identity checks and number status. */
import type { AnyTool } from '../define.js';
import { getCustomer } from './crm.js';
import { verifyIdentity } from './identity.js';
import { getNumberStatus } from './numbers.js';

export const crmTools: readonly AnyTool[] = [getCustomer, verifyIdentity, getNumberStatus];
