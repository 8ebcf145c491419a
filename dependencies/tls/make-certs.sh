#!/usr/bin/env bash
# A private certificate authority and a TLS server certificate signed by it, for iot-api.
#
#   dependencies/tls/make-certs.sh DIR SAN...      e.g. DIR DNS:localhost IP:127.0.0.1 DNS:iot-api
#
# Writes into DIR:
#   ca.pem           the CA certificate: what clients trust (iotctl, IOT_TLS_CA_FILE)
#   ca-key.pem       its key (0600): only this script needs it
#   server.pem       the server certificate, for exactly the SANs given (IOT_TLS_CERT_FILE)
#   server-key.pem   its key (0600) (IOT_TLS_KEY_FILE)
# Keys are EC P-256. The server certificate lives 825 days (the most clients such as Apple's
# accept), the CA ten years.
#
# Idempotent, and cheap when there is nothing to do, so callers run it on every start:
#   - the CA is kept unless a file is missing, its key does not match, or it would expire
#     before a fresh server certificate does;
#   - the server certificate is kept unless a file is missing, its key does not match, it is
#     not signed by the CA in DIR, it lacks one of the SANs, or it expires within 30 days.
# Used by utils/stack.sh up (.stack/tls), by compose.yaml's tls one-shot and, for a
# cluster's own names, by hand (k8s/README.md).
set -euo pipefail

readonly CA_DAYS=3650
readonly SERVER_DAYS=825
readonly RENEW_DAYS=30

log() { printf 'make-certs: %s\n' "$*" >&2; }
die() {
  printf 'make-certs: error: %s\n' "$*" >&2
  exit 1
}

(($# >= 2)) || die "usage: $0 DIR SAN... (SAN: DNS:<name> or IP:<address>)"
readonly DIR=$1
shift
readonly SANS=("$@")
for san in "${SANS[@]}"; do
  [[ "$san" =~ ^(DNS:[A-Za-z0-9*]([A-Za-z0-9.-]*[A-Za-z0-9])?|IP:[0-9A-Fa-f.:]+)$ ]] ||
    die "not a SAN: '$san' (DNS:<name> or IP:<address>)"
done
command -v openssl >/dev/null || die "openssl is not installed"

readonly CA_CERT="$DIR/ca.pem"
readonly CA_KEY="$DIR/ca-key.pem"
readonly SERVER_CERT="$DIR/server.pem"
readonly SERVER_KEY="$DIR/server-key.pem"

seconds_in_days() { printf '%s' $(($1 * 86400)); }

# True when the certificate's public key is the key file's.
key_matches() {
  local cert_key file_key
  cert_key="$(openssl x509 -noout -pubkey -in "$1" 2>/dev/null)" || return 1
  file_key="$(openssl pkey -pubout -in "$2" 2>/dev/null)" || return 1
  [[ -n "$cert_key" && "$cert_key" == "$file_key" ]]
}

# True when the certificate is still valid in $2 days.
valid_for_days() { openssl x509 -noout -checkend "$(seconds_in_days "$2")" -in "$1" >/dev/null 2>&1; }

# True when the server certificate chains to the CA as a TLS server certificate, for every SAN.
server_cert_fits() {
  local san args
  for san in "${SANS[@]}"; do
    case "$san" in
      DNS:*) args=(-verify_hostname "${san#DNS:}") ;;
      IP:*) args=(-verify_ip "${san#IP:}") ;;
    esac
    openssl verify -CAfile "$CA_CERT" -purpose sslserver "${args[@]}" "$SERVER_CERT" >/dev/null 2>&1 ||
      return 1
  done
}

# A new EC P-256 key, mode 0600 from the start.
new_key() {
  (
    umask 077
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
  ) || die "openssl could not create a key in $DIR"
}

# A random positive 127-bit serial number.
new_serial() { printf '0x7%s' "$(openssl rand -hex 15)"; }

# The CA: self-signed, may sign server certificates only (pathlen 0).
make_ca() {
  local config="$DIR/.ca.cnf.$$"
  cat >"$config" <<'EOF'
[req]
distinguished_name = dn
x509_extensions = ca
[dn]
[ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF
  new_key "$CA_KEY.tmp"
  # A random part in the name: two local CAs in one trust store stay apart.
  openssl req -new -x509 -config "$config" -key "$CA_KEY.tmp" -sha256 -days "$CA_DAYS" \
    -set_serial "$(new_serial)" -subj "/O=iot-platform/CN=iot-platform local CA $(openssl rand -hex 4)" \
    -out "$CA_CERT.tmp" 2>/dev/null || die "openssl could not create the CA in $DIR"
  rm -f "$config"
  chmod 644 "$CA_CERT.tmp"
  mv -f "$CA_KEY.tmp" "$CA_KEY"
  mv -f "$CA_CERT.tmp" "$CA_CERT"
}

make_server_cert() {
  local config="$DIR/.server.cnf.$$" csr="$DIR/.server.csr.$$" name=iot-api san sans
  sans="$(
    IFS=,
    printf '%s' "${SANS[*]}"
  )"
  for san in "${SANS[@]}"; do
    if [[ "$san" == DNS:* ]]; then
      name="${san#DNS:}"
      break
    fi
  done
  cat >"$config" <<EOF
[req]
distinguished_name = dn
[dn]
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = $sans
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
EOF
  new_key "$SERVER_KEY.tmp"
  openssl req -new -config "$config" -key "$SERVER_KEY.tmp" -subj "/O=iot-platform/CN=$name" \
    -out "$csr" 2>/dev/null || die "openssl could not create the certificate request in $DIR"
  openssl x509 -req -in "$csr" -CA "$CA_CERT" -CAkey "$CA_KEY" -set_serial "$(new_serial)" \
    -sha256 -days "$SERVER_DAYS" -extfile "$config" -extensions server -out "$SERVER_CERT.tmp" \
    2>/dev/null || die "openssl could not sign the server certificate in $DIR"
  rm -f "$config" "$csr"
  chmod 644 "$SERVER_CERT.tmp"
  mv -f "$SERVER_KEY.tmp" "$SERVER_KEY"
  mv -f "$SERVER_CERT.tmp" "$SERVER_CERT"
}

mkdir -p "$DIR"
rm -f "$DIR"/.*.cnf.* "$DIR"/.*.csr.* "$DIR"/*.tmp

if [[ ! -f "$CA_CERT" || ! -f "$CA_KEY" ]] || ! key_matches "$CA_CERT" "$CA_KEY" ||
  ! valid_for_days "$CA_CERT" $((SERVER_DAYS + RENEW_DAYS)); then
  log "creating a certificate authority in $CA_CERT"
  make_ca
fi

if [[ ! -f "$SERVER_CERT" || ! -f "$SERVER_KEY" ]] || ! key_matches "$SERVER_CERT" "$SERVER_KEY" ||
  ! valid_for_days "$SERVER_CERT" "$RENEW_DAYS" || ! server_cert_fits; then
  log "creating the server certificate $SERVER_CERT for ${SANS[*]} (valid $SERVER_DAYS days)"
  make_server_cert
fi
# Whatever umask made them, the keys stay private.
chmod 600 "$CA_KEY" "$SERVER_KEY"
