import winston from 'winston';

/**
 * The operator log: what the gateway is doing and what went wrong, on stderr. JSON lines when
 * SIEMGATE_LOG_FORMAT=json (for collectors), readable text otherwise. The per-event path never
 * logs; inputs log rejections rate-limited (see rateLimited).
 */
const format = process.env.SIEMGATE_LOG_FORMAT === 'json'
  ? winston.format.combine(winston.format.timestamp(), winston.format.json())
  : winston.format.combine(
    winston.format.timestamp(),
    winston.format.printf(({ timestamp, level, message, ...rest }) => {
      const extra = Object.keys(rest).length ? ' ' + JSON.stringify(rest) : '';
      return `${timestamp} ${level} ${message}${extra}`;
    }),
  );

export const log = winston.createLogger({
  level: process.env.SIEMGATE_LOG_LEVEL ?? 'info',
  format,
  transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug', 'verbose', 'silly'] })],
});

/**
 * A logger call that emits at most once per `intervalMs` per key and says how many it held back,
 * so a flood of bad datagrams cannot flood the log (they are all counted in metrics).
 */
export function rateLimited(intervalMs = 10_000) {
  const last = new Map<string, { at: number; suppressed: number }>();
  return (key: string, emit: (suppressed: number) => void): void => {
    const now = Date.now();
    const seen = last.get(key);
    if (seen && now - seen.at < intervalMs) {
      seen.suppressed++;
      return;
    }
    if (last.size > 10_000) last.clear();
    last.set(key, { at: now, suppressed: 0 });
    emit(seen ? seen.suppressed : 0);
  };
}
