export * from './chunked-upload-protocol.js';
export * from './upload-session-store.js';
export * from './upload-in-parts.js';
export * from './held-part.js';
