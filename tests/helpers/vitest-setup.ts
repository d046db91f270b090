// Every test process signs audit rows with the suite's key and seals personal data with the
// suite's data keys (the app sets its own from AUDIT_KEY and DATA_KEYS).
import { useAuditKeys } from '../../src/store/audit.js';
import { installDataKeys } from '../../src/store/data-keys.js';
import { testAuditKeys, testDataKeys } from './audit-key.js';

useAuditKeys(testAuditKeys);
installDataKeys(testDataKeys);
