#!/usr/bin/env bash
# Restore a backup made by deploy/backup.sh into an EMPTY database and empty stores.
#   deploy/restore.sh BACKUP_FOLDER
# Reads DATABASE_URL, DATABASE_OWNER_URL, DERIVED_ROOT, HASHLIST_ROOT and EVIDENCE_ROOT from the
# environment. The tables are restored as the owner role (DATABASE_OWNER_URL, if set), which then
# grants the application's role (DATABASE_URL) its rights: read and append the audit log only.
# Then run: manage.py audit_verify --heads-from <the logged heads> (or --expect-head <a head kept>).
set -euo pipefail
backup=${1:?usage: restore.sh BACKUP_FOLDER}
: "${DATABASE_URL:?DATABASE_URL must be set}"
root=$(cd "$(dirname "$0")/.." && pwd)
(cd "$backup" && sha256sum --check --quiet SHA256SUMS)
pg_restore --no-owner --no-privileges --exit-on-error --dbname "${DATABASE_OWNER_URL:-$DATABASE_URL}" "$backup/database.dump"
if [ -n "${DATABASE_OWNER_URL:-}" ]; then
  "$root/.venv/bin/python" "$root/manage.py" db_grant_runtime
fi
unpack() {  # unpack NAME ROOT
  if [ -f "$backup/$1.tar.gz" ]; then mkdir -p "$2" && tar -C "$2" -xzf "$backup/$1.tar.gz"; fi
}
unpack derived "${DERIVED_ROOT:?}"
unpack hashlists "${HASHLIST_ROOT:?}"
unpack evidence "${EVIDENCE_ROOT:?}"
echo "restored from $backup"
