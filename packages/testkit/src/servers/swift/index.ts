export { ensureSwiftServer, SWIFT_STATE_DIR, type SwiftServer } from './ensure-swift-server.js';
export { revokeSwiftToken } from './revoke-swift-token.js';
export { TEMPAUTH_SPARE as SWIFT_SPARE_USER } from './swift-config.js';
export { withServerLock } from './server-lock.js';
export { startDetached, stopRecorded, waitUntil } from './detached-process.js';
