export * from './oauth-fake.js';
export { default as fakeCloudPlugin } from './fakecloud-plugin.js';
