/**
 * The clinic's admin console: channel-neutral admin commands (typed text in, Outbound out) with
 * password login and an audit log.
 */
export { ClinicAdminConsole, type AdminConsoleOptions } from './console.js';
export type { LoginPolicy } from './login.js';
