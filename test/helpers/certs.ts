/**
 * A throw-away PKI for the TLS tests, made with the openssl command line (.ci/deps.sh installs
 * it): a test CA, a server certificate for 127.0.0.1/localhost, a client certificate from the
 * same CA, and a client certificate from a second, untrusted CA. EC P-256 keys (fast to make).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, runProc } from './procs';

export interface TestPki {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** Signed by another CA the gateway does not trust. */
  rogueClientCert: string;
  rogueClientKey: string;
}

async function openssl(dir: string, args: string[]): Promise<void> {
  const r = await runProc('openssl', args, { cwd: dir, timeoutMs: 20000 });
  if (r.code !== 0) throw new Error(`openssl ${args.join(' ')} failed (${r.code}):\n${r.stderr}`);
}

async function makeCa(dir: string, name: string): Promise<void> {
  await openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=siemgate test ${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
}

async function makeLeaf(dir: string, ca: string, name: string, cn: string, ext: string): Promise<void> {
  writeFileSync(join(dir, `${name}.ext`), ext);
  await openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
  await openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial',
    '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`]);
}

export async function makeTestPki(): Promise<TestPki> {
  const dir = makeTempDir('sg-pki-');
  await makeCa(dir, 'ca');
  await makeCa(dir, 'rogue-ca');
  const common = 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n';
  await makeLeaf(dir, 'ca', 'server', 'localhost',
    `${common}extendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n`);
  await makeLeaf(dir, 'ca', 'client', 'siemgate-test-client',
    `${common}extendedKeyUsage=clientAuth,serverAuth\nsubjectAltName=DNS:siemgate-test-client\n`);
  await makeLeaf(dir, 'rogue-ca', 'rogue-client', 'rogue-client',
    `${common}extendedKeyUsage=clientAuth\nsubjectAltName=DNS:rogue-client\n`);
  const p = (f: string) => join(dir, f);
  return {
    dir, caCert: p('ca.crt'), serverCert: p('server.crt'), serverKey: p('server.key'),
    clientCert: p('client.crt'), clientKey: p('client.key'),
    rogueClientCert: p('rogue-client.crt'), rogueClientKey: p('rogue-client.key'),
  };
}
