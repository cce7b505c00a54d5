/**
 * The embedded default (design.md): what `siemgate run` does with no config file. Kept as YAML
 * text and loaded through the same loader as a user's file, so it can never drift from the schema.
 */
export const DEFAULT_CONFIG_YAML = `# siemgate embedded default: loopback only, ECS NDJSON to a local file
data_dir: ./data
inputs:
  - { name: udp, type: syslog_udp, address: "127.0.0.1:5514" }
  - { name: tcp, type: syslog_tcp, address: "127.0.0.1:5514", framing: auto }
  - { name: http, type: http, address: "127.0.0.1:8088" }
destinations:
  - { name: file, type: file, path: ./data/events.ndjson }
`;
