#!/bin/bash
# Installs the Debian packages the tests use (Debian 12, as root), and starts no service:
#   bsdutils (logger), openssl (test certificates), syslog-ng-core (a real syslog-ng client),
#   chromium (renders the admin dashboard in a test),
#   python3-aiosmtpd (a real SMTP server the e-mail tests send to; run with /usr/bin/python3,
#   Debian's interpreter, since a python3 earlier on PATH (pyenv, a venv) does not see it),
#   rsyslog + rsyslog-gnutls (a real rsyslog client; unpacked, not installed, because the
#   rsyslog and syslog-ng-core packages conflict).
# The unpacked rsyslog goes to $SIEMGATE_TEST_ROOT (default /tmp/siemgate-test)/rsyslog-root,
# where the tests look for it.
set -euo pipefail
ROOT=${SIEMGATE_TEST_ROOT:-/tmp/siemgate-test}
export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

POLICY=/usr/sbin/policy-rc.d
if [ ! -e "$POLICY" ]; then
  # deny service starts while apt runs: the tests start their own daemons on loopback ports
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
  $SUDO chmod 755 "$POLICY"
  trap '$SUDO rm -f "$POLICY"' EXIT
fi

$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends bsdutils openssl syslog-ng-core chromium python3-aiosmtpd \
  libestr0 libfastjson4 liblognorm5 libgnutls30 ca-certificates >/dev/null
if [ -d /run/systemd/system ]; then $SUDO systemctl disable --now syslog-ng.service >/dev/null 2>&1 || true; fi

if [ ! -x "$ROOT/rsyslog-root/usr/sbin/rsyslogd" ]; then
  mkdir -p "$ROOT/debs"
  rm -f "$ROOT"/debs/*.deb
  chmod 755 "$ROOT" "$ROOT/debs"
  chown _apt "$ROOT/debs" 2>/dev/null || true
  ( cd "$ROOT/debs" && apt-get download -qq rsyslog rsyslog-gnutls )
  for f in "$ROOT"/debs/*.deb; do dpkg -x "$f" "$ROOT/rsyslog-root"; done
fi
"$ROOT/rsyslog-root/usr/sbin/rsyslogd" -v | head -1
syslog-ng --version | head -1
logger --version
chromium --version
/usr/bin/python3 -c 'import aiosmtpd; print("aiosmtpd", aiosmtpd.__version__)'
