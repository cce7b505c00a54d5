/**
 * CEF extension short keys → full names, as Elastic stores them under cef.extensions.<fullName>
 * (protocols.md §2.2, from the ArcSight CEF spec). Keys not listed keep their wire name.
 */
const FULL: Record<string, string> = {
  act: 'deviceAction', app: 'applicationProtocol', cat: 'deviceEventCategory', cnt: 'baseEventCount',
  dvc: 'deviceAddress', dvchost: 'deviceHostName', dvcmac: 'deviceMacAddress', dvcpid: 'deviceProcessId',
  dtz: 'deviceTimeZone', dst: 'destinationAddress', dhost: 'destinationHostName', dmac: 'destinationMacAddress',
  dntdom: 'destinationNtDomain', dpt: 'destinationPort', dpid: 'destinationProcessId', dproc: 'destinationProcessName',
  duid: 'destinationUserId', duser: 'destinationUserName', dpriv: 'destinationUserPrivileges',
  src: 'sourceAddress', shost: 'sourceHostName', smac: 'sourceMacAddress', sntdom: 'sourceNtDomain',
  spt: 'sourcePort', spid: 'sourceProcessId', sproc: 'sourceProcessName', suid: 'sourceUserId',
  suser: 'sourceUserName', spriv: 'sourceUserPrivileges', in: 'bytesIn', out: 'bytesOut',
  proto: 'transportProtocol', request: 'requestUrl', msg: 'message', outcome: 'eventOutcome',
  rt: 'deviceReceiptTime', start: 'startTime', end: 'endTime', art: 'agentReceiptTime',
  agt: 'agentAddress', ahost: 'agentHostName', aid: 'agentId', amac: 'agentMacAddress', at: 'agentType',
  av: 'agentVersion', atz: 'agentTimeZone', fname: 'filename', fsize: 'fileSize', catdt: 'categoryDeviceType',
  dlat: 'destinationGeoLatitude', dlong: 'destinationGeoLongitude', slat: 'sourceGeoLatitude', slong: 'sourceGeoLongitude',
  cs1: 'deviceCustomString1', cs2: 'deviceCustomString2', cs3: 'deviceCustomString3',
  cs4: 'deviceCustomString4', cs5: 'deviceCustomString5', cs6: 'deviceCustomString6',
  cs1Label: 'deviceCustomString1Label', cs2Label: 'deviceCustomString2Label', cs3Label: 'deviceCustomString3Label',
  cs4Label: 'deviceCustomString4Label', cs5Label: 'deviceCustomString5Label', cs6Label: 'deviceCustomString6Label',
  cn1: 'deviceCustomNumber1', cn2: 'deviceCustomNumber2', cn3: 'deviceCustomNumber3',
  cn1Label: 'deviceCustomNumber1Label', cn2Label: 'deviceCustomNumber2Label', cn3Label: 'deviceCustomNumber3Label',
  cfp1: 'deviceCustomFloatingPoint1', cfp2: 'deviceCustomFloatingPoint2', cfp3: 'deviceCustomFloatingPoint3',
  cfp4: 'deviceCustomFloatingPoint4', cfp1Label: 'deviceCustomFloatingPoint1Label',
  cfp2Label: 'deviceCustomFloatingPoint2Label', cfp3Label: 'deviceCustomFloatingPoint3Label',
  cfp4Label: 'deviceCustomFloatingPoint4Label',
  c6a1: 'deviceCustomIPv6Address1', c6a2: 'deviceCustomIPv6Address2', c6a3: 'deviceCustomIPv6Address3',
  c6a4: 'deviceCustomIPv6Address4', c6a1Label: 'deviceCustomIPv6Address1Label',
  c6a2Label: 'deviceCustomIPv6Address2Label', c6a3Label: 'deviceCustomIPv6Address3Label',
  c6a4Label: 'deviceCustomIPv6Address4Label',
};

export function cefFullName(key: string): string {
  return Object.prototype.hasOwnProperty.call(FULL, key) ? FULL[key] : key;
}
