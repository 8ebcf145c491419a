# shellcheck shell=bash
# TLS for iot-api: a private CA and a server certificate in .stack/tls, made by the same
# script compose uses (dependencies/tls/make-certs.sh). Sourced by utils/stack.sh.

readonly TLS_DIR="$STACK_DIR/tls"
readonly TLS_SCRIPT="$REPO_ROOT/dependencies/tls/make-certs.sh"
# What the server certificate is valid for: this machine, and the compose service name.
readonly TLS_SANS=(DNS:localhost IP:127.0.0.1 IP:::1 DNS:iot-api)

# The CA and iot-api's server certificate in .stack/tls: made on the first `up`, kept after
# that, renewed when the script finds them expiring, mismatched or missing a name.
ensure_tls() {
  "$TLS_SCRIPT" "$TLS_DIR" "${TLS_SANS[@]}" || die "could not make the TLS certificates in $TLS_DIR"
}
