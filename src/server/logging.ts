// Structured JSON logs (pino). Every admission line carries the AdmissionReview uid, namespace and
// name; object bodies are logged only at debug level.
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

export const LOG_LEVELS: readonly LevelWithSilent[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

export function createLogger(level: LevelWithSilent, destination: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { component: 'meshgate-webhook' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination as unknown as pino.DestinationStream,
  );
}

/** The fields that identify one admission request on every log line. */
export interface AdmissionLogFields {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly route: string;
  readonly operation: string;
  readonly kind: string;
}

/** One log call of a route: a message, or fields and a message. */
export type AdmissionLogCall = (fieldsOrMessage: object | string, message?: string) => void;

/** What a route logs with: every line carries the request's fields (a pino Logger fits). */
export interface AdmissionLog {
  readonly debug: AdmissionLogCall;
  readonly info: AdmissionLogCall;
  readonly warn: AdmissionLogCall;
  readonly error: AdmissionLogCall;
}

/**
 * The request's logger. The child logger (which serializes the fields) is made on the first line
 * written: most validations write none, and a line below the level is not written at all.
 */
export function admissionLogger(logger: Logger, fields: AdmissionLogFields): AdmissionLog {
  let child: Logger | undefined;
  const call =
    (level: 'debug' | 'info' | 'warn' | 'error'): AdmissionLogCall =>
    (fieldsOrMessage, message) => {
      if (!logger.isLevelEnabled(level)) return;
      child ??= logger.child(fields);
      if (typeof fieldsOrMessage === 'string') child[level](fieldsOrMessage);
      else child[level](fieldsOrMessage, message);
    };
  return { debug: call('debug'), info: call('info'), warn: call('warn'), error: call('error') };
}
