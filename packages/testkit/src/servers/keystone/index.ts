export { ensureKeystoneServer, KEYSTONE_STATE_DIR, type KeystoneServer } from './ensure-keystone-server.js';
