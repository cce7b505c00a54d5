import { startInput } from '../../../src/inputs';
import type { RunningInput } from '../../../src/inputs/types';
import { RecordingSink } from '../../helpers/recording-sink';
import { httpConfig, httpRequest } from './input-fixtures';

// While the pipeline is behind (the sink is paused), HTTP senders are told to back off before
// their body is read: nothing is taken, so nothing can be lost or duplicated by the retry.
describe('http input while the pipeline is behind', () => {
  let input: RunningInput;
  let sink: RecordingSink;
  beforeEach(async () => {
    sink = new RecordingSink();
    input = await startInput(httpConfig({ tokens: [{ name: 'apps', secret: 'tok' }] }), sink);
  });
  afterEach(async () => { await input.close(); });

  test('/v1/events answers 503 with Retry-After and takes nothing; accepts again once resumed', async () => {
    sink.setPaused(true);
    const busy = await httpRequest(input.address.port, 'POST', '/v1/events', { headers: { Authorization: 'Bearer tok' }, body: '{"message":"a"}' });
    expect(busy.status).toBe(503);
    expect(busy.headers['retry-after']).toBe('1');
    expect(JSON.parse(busy.text).error.code).toBe('SG_HTTP_BUSY');
    expect(sink.messages).toHaveLength(0);
    expect(input.counters.httpBusy).toBe(1);
    sink.setPaused(false);
    const ok = await httpRequest(input.address.port, 'POST', '/v1/events', { headers: { Authorization: 'Bearer tok' }, body: '{"message":"a"}' });
    expect(ok.status).toBe(200);
    expect(sink.messages).toHaveLength(1);
  });

  test('HEC /event answers code 9 "Server is busy" (503, Retry-After) and /health says the queues are full', async () => {
    sink.setPaused(true);
    const busy = await httpRequest(input.address.port, 'POST', '/services/collector/event', { headers: { Authorization: 'Splunk tok' }, body: '{"event":"x"}' });
    expect([busy.status, busy.text, busy.headers['retry-after']]).toEqual([503, '{"text":"Server is busy","code":9}', '1']);
    const health = await httpRequest(input.address.port, 'GET', '/services/collector/health', {});
    expect([health.status, health.text]).toEqual([503, '{"text":"HEC is unhealthy, queues are full","code":18}']);
    expect(sink.messages).toHaveLength(0);
    sink.setPaused(false);
    const healthy = await httpRequest(input.address.port, 'GET', '/services/collector/health', {});
    expect([healthy.status, healthy.text]).toEqual([200, '{"text":"HEC is healthy","code":17}']);
  });

  test('a bad token is still refused first (401), even while busy', async () => {
    sink.setPaused(true);
    const r = await httpRequest(input.address.port, 'POST', '/services/collector/event', { headers: { Authorization: 'Splunk nope' }, body: '{"event":"x"}' });
    expect(r.status).toBe(403);
  });
});
