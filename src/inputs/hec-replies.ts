/**
 * Splunk HEC reply bodies, exactly as Splunk writes them (protocols.md §4.3). Built once.
 * Codes 6, 12, 13 and 15 also carry `invalid-event-number` (see hecEventError).
 */
export const HEC = {
  success: { status: 200, body: '{"text":"Success","code":0}' },
  healthy: { status: 200, body: '{"text":"HEC is healthy","code":17}' },
  tokenRequired: { status: 401, body: '{"text":"Token is required","code":2}' },
  invalidAuthorization: { status: 401, body: '{"text":"Invalid authorization","code":3}' },
  invalidToken: { status: 403, body: '{"text":"Invalid token","code":4}' },
  noData: { status: 400, body: '{"text":"No data","code":5}' },
  invalidDataFormat: { status: 400, body: '{"text":"Invalid data format","code":6}' },
  internalError: { status: 500, body: '{"text":"Internal server error","code":8}' },
  busy: { status: 503, body: '{"text":"Server is busy","code":9}' },
  unhealthyQueuesFull: { status: 503, body: '{"text":"HEC is unhealthy, queues are full","code":18}' },
  queryAuthDisabled: { status: 400, body: '{"text":"Query string authorization is not enabled","code":16}' },
  ackDisabled: { status: 400, body: '{"text":"ACK is disabled","code":14}' },
  notFound: { status: 404, body: '{"text":"The requested URL was not found on this server.","code":404}' },
  methodNotAllowed: { status: 405, body: '{"text":"The requested URL was not found on this server.","code":404}' },
} as const;

export type HecEventCode = 6 | 12 | 13 | 15;

const EVENT_TEXTS: Record<HecEventCode, string> = {
  6: 'Invalid data format',
  12: 'Event field is required',
  13: 'Event field cannot be blank',
  15: 'Error in handling indexed fields',
};

/** 400 body for a bad object in a batch; `index` is zero-based, as Splunk counts. */
export function hecEventError(code: HecEventCode, index: number): string {
  return `{"text":"${EVENT_TEXTS[code]}","code":${code},"invalid-event-number":${index}}`;
}

/** Not in Splunk's table (it answers 413 without a documented body): our own, in HEC's shape. */
export function hecTooLarge(limit: number): string {
  return JSON.stringify({ text: `Content length exceeds max_body_bytes (${limit} bytes, counted before and after gzip); send smaller batches`, code: 413 });
}

/** Splunk answers an unsupported Content-Encoding with 415 and an HTML page; we keep HEC's JSON shape. */
export function hecUnsupportedEncoding(name: string): string {
  return JSON.stringify({ text: `Unsupported Content-Encoding ${name}; send gzip or no encoding`, code: 415 });
}
