/**
 * Errors of admin commands. Their messages go back to the admin as they are, so each says what was
 * wrong and what to type instead.
 */
import { ClinicError } from '../errors.js';

/** The command was typed wrongly: the reply is the problem and the command's usage line. */
export class AdminUsageError extends ClinicError {
  constructor(readonly problem: string) {
    super(problem);
  }
}

/** The command is well formed but cannot be carried out (unknown id, wrong status, ambiguous name). */
export class AdminCommandError extends ClinicError {}
