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

export function admissionLogger(logger: Logger, fields: AdmissionLogFields): Logger {
  return logger.child(fields);
}
