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
 * Like rateLimited, but lets `burst` calls per key through in each interval before holding back:
 * for refusals an operator wants to see one by one (admin auth) that must still not let a flood
 * write without bound. The first call after a held-back run says how many were held back.
 */
export function burstLimited(burst = 20, intervalMs = 10_000) {
  const seen = new Map<string, { from: number; n: number; suppressed: number }>();
  return (key: string, emit: (suppressed: number) => void): void => {
    const now = Date.now();
    let s = seen.get(key);
    if (s === undefined || now - s.from >= intervalMs) {
      if (seen.size > 10_000) seen.clear();
      const held = s?.suppressed ?? 0;
      s = { from: now, n: 0, suppressed: 0 };
      seen.set(key, s);
      s.n++;
      emit(held);
      return;
    }
    if (s.n >= burst) {
      s.suppressed++;
      return;
    }
    s.n++;
    emit(0);
  };
}

/**
 * A logger call that emits at most once per `intervalMs` per key and says how many it held back,
 * so a flood of bad datagrams cannot flood the log (they are all counted in metrics).
 */
export function rateLimited(intervalMs = 10_000, clock: () => number = Date.now) {
  const last = new Map<string, { at: number; suppressed: number }>();
  return (key: string, emit: (suppressed: number) => void): void => {
    const now = clock();
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
