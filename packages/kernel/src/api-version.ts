/**
 * The version of the plugin API this kernel implements. A plugin declares the range
 * it was built for (`kernelApi`); the registry refuses plugins whose range excludes it.
 * Bump the major on any breaking change to the provider or manifest contracts.
 */
export const KERNEL_API_VERSION = '1.0.0';
