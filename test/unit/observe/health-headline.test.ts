import { headlineOf, type HealthReport } from '../../../src/observe/health-report';

const report = (completeness: string, auditOk: boolean): HealthReport => ({ events: { completeness }, audit: { ok: auditOk } }) as unknown as HealthReport;
const dest = (name: string, state: string) => ({ name, state }) as unknown as HealthReport['destinations'][number];

test('the health headline says why it needs attention, not only the completeness line', () => {
  expect(headlineOf(report('events lost: 0. Of 12 received', true), [])).toEqual({ text: 'events lost: 0. Of 12 received', ok: true });
  expect(headlineOf(report('events lost: 0. Of 12 received', true), [dest('siem', 'down')]))
    .toEqual({ text: 'events lost: 0. Of 12 received; destination(s) not up: siem (down)', ok: false });
  expect(headlineOf(report('events lost: 0. Of 12 received', false), [])).toEqual({ text: 'events lost: 0. Of 12 received; the audit trail did not verify', ok: false });
  expect(headlineOf(report('events lost: 3 (dropped when the journal was full)', true), []).ok).toBe(false);
});
