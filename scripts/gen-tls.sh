#!/usr/bin/env bash
# Make the stores for event-bus TLS with client certificates (--tls-key-store, --tls-trust-store,
# --tls-password-file): a private CA, and for each node a key and certificate signed by it, valid
# for server and client authentication.
#
#   scripts/gen-tls.sh --out tls coordinator:10.0.0.1 w0:10.0.0.2 w1:10.0.0.2
#
# writes tls/ca.key, tls/ca.crt, tls/truststore.p12 (the CA only), tls/NAME.p12 per node (its key
# and certificate chain; subjectAltName = NAME and HOST, an IP or a DNS name) and tls/password
# (random, or RELREASON_TLS_PASSWORD). Keep ca.key away from the nodes. For Kubernetes, make one
# node named `cluster` and put it in the relreason-tls Secret (see README, "Kubernetes").
set -euo pipefail

die() {
  echo "gen-tls.sh: $*" >&2
  exit 2
}

out="" days=365 nodes=()
while (($#)); do
  case $1 in
    --out) out=${2:?}; shift ;;
    --days) days=${2:?}; shift ;;
    -h | --help) sed -n '2,12p' "$0"; exit 2 ;;
    -*) die "unknown option '$1'" ;;
    *) nodes+=("$1") ;;
  esac
  shift
done
[[ -n $out ]] || die "--out DIR is required"
((${#nodes[@]})) || die "name at least one node (NAME or NAME:HOST)"
[[ $days =~ ^[1-9][0-9]*$ ]] || die "--days must be a positive number, got '$days'"
command -v openssl >/dev/null || die "openssl is not installed"
command -v keytool >/dev/null || die "keytool (a JDK) is not installed"

mkdir -p "$out"
umask 077
if [[ -n ${RELREASON_TLS_PASSWORD:-} ]]; then
  printf '%s' "$RELREASON_TLS_PASSWORD" >"$out/password"
elif [[ ! -s $out/password ]]; then
  openssl rand -hex 24 >"$out/password"
fi
pass=$(tr -d '\n' <"$out/password")

if [[ ! -f $out/ca.key ]]; then
  openssl req -x509 -newkey rsa:3072 -sha256 -nodes -days "$days" \
    -subj "/CN=relreason cluster CA" -keyout "$out/ca.key" -out "$out/ca.crt" 2>/dev/null
fi
rm -f "$out/truststore.p12"
keytool -importcert -noprompt -alias relreason-ca -file "$out/ca.crt" \
  -keystore "$out/truststore.p12" -storetype PKCS12 -storepass "$pass" >/dev/null 2>&1

ip_re='^[0-9]+(\.[0-9]+){3}$'
for node in "${nodes[@]}"; do
  name=${node%%:*} host=""
  [[ $node == *:* ]] && host=${node#*:}
  [[ $name =~ ^[A-Za-z0-9_-]+$ ]] || die "node name '$name' must be [A-Za-z0-9_-]"
  san="DNS:$name"
  if [[ -n $host ]]; then
    if [[ $host =~ $ip_re ]]; then san="$san,IP:$host"; else san="$san,DNS:$host"; fi
  fi
  work=$(mktemp -d)
  openssl req -newkey rsa:2048 -sha256 -nodes -subj "/CN=$name" \
    -keyout "$work/key.pem" -out "$work/csr.pem" 2>/dev/null
  printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=digitalSignature,keyEncipherment\n' \
    "$san" >"$work/ext.cnf"
  openssl x509 -req -sha256 -days "$days" -in "$work/csr.pem" -CA "$out/ca.crt" -CAkey "$out/ca.key" \
    -CAcreateserial -extfile "$work/ext.cnf" -out "$work/cert.pem" 2>/dev/null
  openssl pkcs12 -export -name "$name" -inkey "$work/key.pem" -in "$work/cert.pem" \
    -certfile "$out/ca.crt" -out "$out/$name.p12" -passout "pass:$pass"
  rm -rf "$work"
  echo "gen-tls.sh: $out/$name.p12 ($san)"
done
echo "gen-tls.sh: trust store $out/truststore.p12, password in $out/password"
