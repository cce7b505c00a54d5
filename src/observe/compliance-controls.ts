/**
 * The controls a compliance report gives evidence for, each with what the report shows and, as
 * plainly, what a log gateway cannot show: it sees only what devices send it and what it sends on.
 * Requirement numbers: PCI DSS v4.0 (requirement 10), NIST SP 800-53 Rev. 5 (AU family),
 * ISO/IEC 27001:2022 Annex A, HIPAA Security Rule 45 CFR 164.312(b).
 */
export const CONTROLS: Array<{ framework: string; control: string; evidence: string; not_evidenced: string }> = [
  {
    framework: 'PCI DSS v4.0', control: '10.2.1 audit logs enabled and active; 10.2.1.4 invalid logical access attempts',
    evidence: 'Expected sources and whether each reported in the period; failed-login counts and their top sources.',
    not_evidenced: 'That every in-scope system is in expected_sources, and that each logs the events 10.2.1.1–10.2.1.7 name: that is configured on the systems themselves.',
  },
  {
    framework: 'PCI DSS v4.0', control: '10.3.3 logs promptly backed up to a central log server',
    evidence: 'Delivery completeness: every received event journaled and delivered, pending, dead-lettered or dropped, with counts; events lost: 0 only when they balance.',
    not_evidenced: 'What the SIEM does with the events after it acknowledged them.',
  },
  {
    framework: 'PCI DSS v4.0', control: '10.3.2 / 10.3.4 audit logs protected from modification; change detection',
    evidence: "The gateway's own audit trail: a hash chain (HMAC-signed with audit.key_file), verified for this report.",
    not_evidenced: 'Integrity of the logs on the devices before they were sent, and at the SIEM.',
  },
  {
    framework: 'PCI DSS v4.0', control: '10.4.1.1 automated mechanisms for audit log review',
    evidence: 'Alert rules evaluated in real time (silent sources, failed-login thresholds, delivery failures) and their history.',
    not_evidenced: 'That someone reviewed the alerts and reports and acted on them.',
  },
  {
    framework: 'PCI DSS v4.0', control: '10.5.1 retain audit log history for at least 12 months',
    evidence: 'Retention in force for what the gateway keeps (journal, statistics, audit trail, reports).',
    not_evidenced: "Retention of the events themselves: that is the SIEM's (set it to 12 months, 3 immediately available).",
  },
  {
    framework: 'PCI DSS v4.0', control: '10.6.1 system clocks synchronised',
    evidence: 'Clock skew per host: event time against the time the gateway received it.',
    not_evidenced: 'The time source of each device (NTP configuration); transport delay shows as skew too.',
  },
  {
    framework: 'PCI DSS v4.0', control: '10.7.2 failures of critical security control systems detected and reported',
    evidence: 'Silent expected sources, destinations down, journal use and dead letters: in this report and as alerts when configured.',
    not_evidenced: 'Failures of controls that do not log through the gateway.',
  },
  {
    framework: 'NIST SP 800-53 Rev. 5', control: 'AU-2 event logging; AU-12 audit record generation',
    evidence: 'Which expected sources generated records in the period, and how many.',
    not_evidenced: 'Which event types each system is configured to log.',
  },
  {
    framework: 'NIST SP 800-53 Rev. 5', control: 'AU-3 content of audit records',
    evidence: 'Events mapped to ECS (what, when, where, source, outcome, identity) where a mapping recognises the product; counts by category and outcome.',
    not_evidenced: 'Fields a device does not send.',
  },
  {
    framework: 'NIST SP 800-53 Rev. 5', control: 'AU-6 audit record review, analysis and reporting',
    evidence: 'This scheduled report, security event counts, top sources of failures, and alerts.',
    not_evidenced: 'The review itself and the response to findings.',
  },
  {
    framework: 'NIST SP 800-53 Rev. 5', control: 'AU-8 time stamps',
    evidence: 'Clock skew per host; every event carries the device time and the receive time (event.created).',
    not_evidenced: 'Authoritative time source of the devices.',
  },
  {
    framework: 'NIST SP 800-53 Rev. 5', control: 'AU-9 protection of audit information',
    evidence: "Verified hash chain of the gateway's audit trail; TLS and token settings of inputs and the admin API.",
    not_evidenced: 'Access control at the SIEM.',
  },
  {
    framework: 'NIST SP 800-53 Rev. 5', control: 'AU-11 audit record retention',
    evidence: 'Retention in force and what was purged.',
    not_evidenced: "The SIEM's retention.",
  },
  {
    framework: 'ISO/IEC 27001:2022', control: 'A.8.15 logging',
    evidence: 'Sources reporting, delivery completeness, protected audit trail, retention in force.',
    not_evidenced: 'The logging policy and which events each system records.',
  },
  {
    framework: 'ISO/IEC 27001:2022', control: 'A.8.16 monitoring activities',
    evidence: 'Alert rules and their history; security event counts.',
    not_evidenced: 'Monitoring done in the SIEM and the response process.',
  },
  {
    framework: 'ISO/IEC 27001:2022', control: 'A.8.17 clock synchronisation',
    evidence: 'Clock skew per host.',
    not_evidenced: 'The reference time source.',
  },
  {
    framework: 'HIPAA', control: '45 CFR 164.312(b) audit controls',
    evidence: 'Activity from the expected systems is recorded and delivered, with completeness proven by the ledger; this report is the examination record.',
    not_evidenced: 'Which systems hold ePHI, and that they log access to it.',
  },
];
