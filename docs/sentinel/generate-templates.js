// Writes docs/sentinel/dcr-*.json from the row builders' column lists (connectors/sentinel/*-row.ts).
// Run after changing a row builder: node docs/sentinel/generate-templates.js
// (test/unit/delivery/sentinel.test.ts fails while a template and its builder disagree).
const ts = require('typescript');
const fs = require('fs'); const path = require('path');
const root = path.resolve(__dirname, '../..');
require.extensions['.ts'] = function (m, filename) {
  const src = fs.readFileSync(filename, 'utf8');
  const out = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } });
  m._compile(out.outputText, filename);
};
const { SYSLOG_COLUMNS } = require(root + '/connectors/sentinel/syslog-row.ts');
const { CSL_COLUMNS } = require(root + '/connectors/sentinel/cef-row.ts');
const { ECS_COLUMNS } = require(root + '/connectors/sentinel/ecs-row.ts');
const cols = (list) => list.map(([name, type]) => ({ name, type }));
const tableType = { string: 'string', int: 'int', long: 'long', real: 'real', boolean: 'boolean', datetime: 'dateTime', dynamic: 'dynamic' };
const DESC = {
  TimeGenerated: 'When siemgate received the event (UTC).', EventTime: 'The event\'s own time (ECS @timestamp).',
  Computer: 'The device: host name from its syslog header, else its address.', HostIP: 'Address of the sender siemgate received the event from.',
  Input: 'siemgate input the event came in on.', Format: 'Format siemgate parsed: rfc5424, rfc3164, cef, leef, json, kv, unknown.',
  Dataset: 'event.dataset given by siemgate\'s mappings.', Message: 'ECS message (cut at 64 KB).', RawEvent: 'The event as received (ECS event.original, cut at 64 KB).',
  Truncated: 'True when something was cut: at the input (max_message_bytes), a 64 KB field, or Ecs left out for size.',
  Ecs: 'The ECS document without message and event.original.', CollectorHostName: 'Host name of the siemgate instance that sent the row.',
};
const params = (extra) => ({
  dataCollectionRuleName: { type: 'string', defaultValue: 'siemgate', metadata: { description: 'Name of the data collection rule to create.' } },
  location: { type: 'string', defaultValue: '[resourceGroup().location]', metadata: { description: 'Region of the rule: the workspace\'s region.' } },
  workspaceName: { type: 'string', metadata: { description: 'Log Analytics workspace (in this resource group) that receives the rows.' } },
  dataCollectionEndpointId: { type: 'string', defaultValue: '', metadata: { description: 'Resource ID of a data collection endpoint (DCE), only needed with private link; empty: use the rule\'s own logs ingestion endpoint.' } },
  ...extra,
});
const SYSLOG_STREAM = 'Custom-SyslogStream', CSL_STREAM = 'Custom-CommonSecurityLogStream', ECS_STREAM = 'Custom-SiemgateEvents_CL';
function template(which) {
  const streams = {}; const flows = []; const resources = [];
  const dest = 'workspace';
  if (which.includes('syslog')) {
    streams[SYSLOG_STREAM] = { columns: cols(SYSLOG_COLUMNS) };
    flows.push({ streams: [SYSLOG_STREAM], destinations: [dest], transformKql: 'source', outputStream: 'Microsoft-Syslog' });
  }
  if (which.includes('cef')) {
    streams[CSL_STREAM] = { columns: cols(CSL_COLUMNS) };
    flows.push({ streams: [CSL_STREAM], destinations: [dest], transformKql: 'source', outputStream: 'Microsoft-CommonSecurityLog' });
  }
  const dependsOn = [];
  if (which.includes('ecs')) {
    streams[ECS_STREAM] = { columns: cols(ECS_COLUMNS) };
    flows.push({ streams: [ECS_STREAM], destinations: [dest], transformKql: 'source', outputStream: 'Custom-SiemgateEvents_CL' });
    resources.push({
      type: 'Microsoft.OperationalInsights/workspaces/tables', apiVersion: '2022-10-01',
      name: "[concat(parameters('workspaceName'), '/SiemgateEvents_CL')]",
      properties: {
        schema: { name: 'SiemgateEvents_CL', description: 'Events from siemgate as ECS documents (docs/sentinel/README.md).',
          columns: ECS_COLUMNS.map(([name, type]) => ({ name, type: tableType[type], description: DESC[name] })) },
        retentionInDays: "[parameters('retentionInDays')]",
      },
    });
    dependsOn.push("[resourceId('Microsoft.OperationalInsights/workspaces/tables', parameters('workspaceName'), 'SiemgateEvents_CL')]");
  }
  const dcr = {
    type: 'Microsoft.Insights/dataCollectionRules', apiVersion: '2023-03-11', kind: 'Direct',
    name: "[parameters('dataCollectionRuleName')]", location: "[parameters('location')]",
    properties: {
      dataCollectionEndpointId: "[if(empty(parameters('dataCollectionEndpointId')), null(), parameters('dataCollectionEndpointId'))]",
      streamDeclarations: streams,
      destinations: { logAnalytics: [{ workspaceResourceId: "[resourceId('Microsoft.OperationalInsights/workspaces', parameters('workspaceName'))]", name: dest }] },
      dataFlows: flows,
    },
  };
  if (dependsOn.length) dcr.dependsOn = dependsOn;
  resources.push(dcr);
  const ref = "reference(resourceId('Microsoft.Insights/dataCollectionRules', parameters('dataCollectionRuleName')), '2023-03-11')";
  return {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    metadata: { description: `siemgate → Microsoft Sentinel (${which.join(', ')}): generated from the row builders in connectors/sentinel/; test/unit/delivery/sentinel.test.ts keeps the columns equal.` },
    parameters: params(which.includes('ecs') ? { retentionInDays: { type: 'int', defaultValue: 90, minValue: 4, maxValue: 730, metadata: { description: 'Interactive retention of SiemgateEvents_CL, in days.' } } } : {}),
    resources,
    outputs: {
      dcrImmutableId: { type: 'string', value: `[${ref}.immutableId]` },
      logsIngestionEndpoint: { type: 'string', value: `[${ref}.endpoints.logsIngestion]` },
      dcrResourceId: { type: 'string', value: "[resourceId('Microsoft.Insights/dataCollectionRules', parameters('dataCollectionRuleName'))]" },
    },
  };
}
const outDir = root + '/docs/sentinel';
fs.mkdirSync(outDir, { recursive: true });
for (const [file, which] of [['dcr-syslog-cef.json', ['syslog', 'cef']], ['dcr-ecs.json', ['ecs']], ['dcr-all.json', ['syslog', 'cef', 'ecs']]]) {
  fs.writeFileSync(path.join(outDir, file), JSON.stringify(template(which), null, 2) + '\n');
}
console.log(`wrote ${outDir}/dcr-{syslog-cef,ecs,all}.json`);
