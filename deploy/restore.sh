#!/usr/bin/env bash
# Restore a backup made by deploy/backup.sh into an EMPTY database and empty stores.
#   deploy/restore.sh BACKUP_FOLDER
# Reads DATABASE_URL, DERIVED_ROOT, HASHLIST_ROOT and EVIDENCE_ROOT from the environment.
# Then run: manage.py audit_verify --expect-head <the head copied off the machine>.
set -euo pipefail
backup=${1:?usage: restore.sh BACKUP_FOLDER}
: "${DATABASE_URL:?DATABASE_URL must be set}"
(cd "$backup" && sha256sum --check --quiet SHA256SUMS)
pg_restore --no-owner --no-privileges --exit-on-error --dbname "$DATABASE_URL" "$backup/database.dump"
unpack() {  # unpack NAME ROOT
  if [ -f "$backup/$1.tar.gz" ]; then mkdir -p "$2" && tar -C "$2" -xzf "$backup/$1.tar.gz"; fi
}
unpack derived "${DERIVED_ROOT:?}"
unpack hashlists "${HASHLIST_ROOT:?}"
unpack evidence "${EVIDENCE_ROOT:?}"
echo "restored from $backup"
