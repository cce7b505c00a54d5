'use strict';
// Expected values for /work/shared/corpus/cef_generic/logstash_codec_cef_spec_cases.jsonl, transcribed by hand from the
// Ruby assertions of logstash-plugins/logstash-codec-cef spec/codecs/cef_spec.rb @ 307aec4c953dcbb7c4bdb67aafe868c41b810d33
// (the corpus holds the inputs only). Keyed by spec_line of the `let` that defines the input.
// Only what the spec asserts is listed (partial expectations): header fields, and extension values keyed by the key
// ON THE WIRE (logstash renames src -> sourceAddress etc.; we assert on the short key that carried the value).
// `validate(e)` in the spec = cefVersion 0, deviceVersion 1.0, deviceEventClassId 100, name "trojan successfully
// stopped", severity 10: expanded here as VALIDATE.
// Ruby strings: single-quoted '\\' is one backslash and '\|' / '\=' stay two chars; double-quoted "\=" is "=".

const VALIDATE = { version: '0', deviceVersion: '1.0', deviceEventClassId: '100', name: 'trojan successfully stopped', severity: '10' };
const AD_FIELDS = {
  'ad.field[0]': 'field0', 'ad.Authentification': 'MICROSOFT_AUTHENTICATION_PACKAGE_V1_0',
  'ad.Error_,Code': '3221225578', 'additional.dotfieldName': 'new_value',
};

const LOGSTASH_CEF_EXPECTED = {
  476: { header: { ...VALIDATE, deviceVendor: 'security', deviceProduct: 'threatmanager' }, ext: { src: '10.0.0.192', dst: '12.121.122.82', spt: '1232' } },
  489: { header: { ...VALIDATE, deviceVendor: 'fun', deviceProduct: 'whimsy' } },
  574: { invalid: 'invalid extensions; keyless value present (logstash emits a _cefparsefailure event)' },
  643: { header: { ...VALIDATE, deviceVendor: '', deviceProduct: '' } },
  652: { header: { ...VALIDATE } },
  659: { ext: { moo: 'this\\|has an escaped pipe' } },
  666: { ext: { moo: 'this|has an pipe' } },
  674: { ext: { moo: 'this =has = equals=' } },
  792: { header: { version: '0', deviceVendor: 'secu\\rity', deviceProduct: 'threat\\manager', deviceVersion: '1.\\0', deviceEventClassId: '10\\0', name: 'tro\\jan successfully stopped', severity: '\\10' } },
  805: { header: { ...VALIDATE, deviceVendor: 'security\\|', deviceProduct: 'threatmanager\\' } },
  814: { header: { version: '0', deviceVendor: 'secu|rity', deviceProduct: 'threatmanager|', deviceVersion: '1.|0', deviceEventClassId: '10|0', name: 'tro|jan successfully stopped', severity: '|10' } },
  827: { ext: { moo: 'this \\has \\ backslashs\\' } },
  834: { header: { ...VALIDATE, deviceProduct: 'threatmanager=equal' } },
  842: { header: { ...VALIDATE }, ext: { src: '10.0.0.192', dst: '12.121.122.82', spt: '1232' } },
  852: { ext: { dvchost: 'loghost', 'ad.nn': 'TEST', src: '192.168.0.1', destinationPort: '53' } },
  862: { header: { ...VALIDATE }, ext: { src: '10.0.0.192', dst: '12.121.122.82', spt: '1232', dproc: 'InternetExplorer x.x.x.x' } },
  873: { header: { ...VALIDATE }, ext: { src: '10.0.0.192', dst: '12.121.122.82', 'ad.name[1]': 'new_name', ...AD_FIELDS } },
  887: { header: { ...VALIDATE }, ext: { src: '10.0.0.192', dst: '12.121.122.82', 'ad.foo.name[1]': 'new_name', ...AD_FIELDS } },
  901: {
    header: { ...VALIDATE },
    ext: {
      src: '10.0.0.192', dst: '12.121.122.82', 'ad.name[1]': 'new_name', ...AD_FIELDS,
      cs4: '401 random.user Admin 0 23041A10181C0000  23041810181C0000  /CN=random.user/OU=User Login End-Entity  /CN=TEST/OU=Login CA TEST 34',
    },
  },
  916: { header: { ...VALIDATE }, ext: { src: '10.0.0.192', dst: '12.121.122.82', new_key_by_device: 'new_values here' } },
  926: {
    header: { ...VALIDATE },
    ext: {
      src: '10.0.0.192', dst: '12.121.122.82', proto: 'TCP', shost: 'source.host.name', dhost: 'destination.host.name',
      spt: '11024', dpt: '9200', outcome: 'Success', amac: '00:80:48:1c:24:91',
    },
  },
  942: { header: { ...VALIDATE } },
  950: { header: { ...VALIDATE }, ext: { fileHash: '1bad1dea' } },
  958: {
    header: { ...VALIDATE },
    ext: { cfp15: '3.1415926', cfp15Label: 'pi', c6a12: '::1', c6a12Label: 'localhost', cn7: '8191', cn7Label: 'mersenne', cs4: 'silly', cs4Label: 'theory' },
  },
  974: { header: { ...VALIDATE }, ext: { target: 'aaaaa\u3042\u3042\u3042\u3042aaaa' } },
  1001: { skip: 'spec re-encodes the input as SHIFT_JIS bytes (expects a parse failure on non-UTF-8); not reproducible from a JS string' },
  1023: { ext: { destinationLongitude: '-73.614830', destinationLatitude: '45.505918', sourceLongitude: '45.4628328', sourceLatitude: '9.1076927' } },
};

module.exports = { LOGSTASH_CEF_EXPECTED };
