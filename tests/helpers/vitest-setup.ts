// Every test process signs audit rows with the suite's key (the app sets its own from AUDIT_KEY).
import { useAuditKeys } from '../../src/store/audit.js';
import { testAuditKeys } from './audit-key.js';

useAuditKeys(testAuditKeys);
