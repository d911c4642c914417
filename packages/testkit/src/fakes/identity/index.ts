export * from './identity-fake.js';
