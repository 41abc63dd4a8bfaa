#!/usr/bin/env bash
# Back up Scellé: the PostgreSQL database and the stores (derived thumbnails, list files; with
# --with-evidence also the uploaded evidence), with a SHA-256 manifest.
#   deploy/backup.sh DESTINATION [--with-evidence]
# Reads DATABASE_URL, DERIVED_ROOT, HASHLIST_ROOT and EVIDENCE_ROOT from the environment
# (e.g. `set -a; . /etc/scelle/scelle.env; set +a`). Copy the audit chain head (admin's audit page)
# off the machine with each backup: `manage.py audit_verify --expect-head` checks it after a restore.
set -euo pipefail
destination=${1:?usage: backup.sh DESTINATION [--with-evidence]}
: "${DATABASE_URL:?DATABASE_URL must be set}"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="$destination/scelle-$stamp"
mkdir -p "$out"
pg_dump --format=custom --no-owner --no-privileges --file "$out/database.dump" "$DATABASE_URL"
archive() {  # archive NAME ROOT
  if [ -d "$2" ]; then tar -C "$2" -czf "$out/$1.tar.gz" .; fi
}
archive derived "${DERIVED_ROOT:?}"
archive hashlists "${HASHLIST_ROOT:?}"
if [ "${2:-}" = "--with-evidence" ]; then archive evidence "${EVIDENCE_ROOT:?}"; fi
(cd "$out" && sha256sum -- * > SHA256SUMS)
echo "$out"
