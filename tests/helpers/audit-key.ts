/**
 * The audit key of the test suite. startTestApp passes it as AUDIT_KEY; the vitest setup file
 * configures it for tests that write audit rows without starting the app.
 */
import { keyring } from '../../src/store/audit-keys.js';
import { DataKeyring, parseDataKeys } from '../../src/store/data-keys.js';

export const TEST_AUDIT_KEY = '7e5f'.repeat(16);
export const testAuditKeys = keyring(Buffer.from(TEST_AUDIT_KEY, 'hex'), [], 'tests');

/** The data keys of the test suite (personal data sealed at rest), likewise. */
export const TEST_DATA_KEYS = `test1:${Buffer.alloc(32, 7).toString('base64')}`;
export const testDataKeys = new DataKeyring(parseDataKeys(TEST_DATA_KEYS));
