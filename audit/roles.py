"""The two PostgreSQL roles: the owner, who runs migrations, and the runtime role the application uses.

Whoever owns a table can ``ALTER TABLE ... DISABLE TRIGGER`` on it (no superuser needed), and so
rewrite the audit log. So the web server, the workers and every command but ``migrate`` connect as a
role that owns nothing (``DATABASE_URL``); ``migrate`` connects as the owner
(``DATABASE_OWNER_URL``) and then grants the runtime role exactly what it needs:

- the audit log: SELECT and INSERT only (no UPDATE, DELETE, TRUNCATE; ALTER needs ownership);
- every other table: SELECT, INSERT, UPDATE, DELETE (COPY FROM needs INSERT); Django's migration
  table: SELECT;
- sequences: USAGE, SELECT; the database: CONNECT, TEMPORARY (list imports stage rows in TEMP
  tables). Advisory locks and the trigger functions (run as the invoker: they only insert into
  tables the runtime role may insert into) need nothing more.

Without ``DATABASE_OWNER_URL`` (SQLite, a development database) nothing changes: one role does all.
"""

import copy
from contextlib import contextmanager

import dj_database_url
from django.conf import settings
from django.db import connections

AUDIT_TABLE = "audit_auditevent"
# Tables the runtime role may only read and append to: the audit log and the custody ledger
# (evidence.CustodyEvent, whose trigger also refuses UPDATE and DELETE: evidence migration 0016).
APPEND_ONLY_TABLES = (AUDIT_TABLE, "evidence_custodyevent")
READ_ONLY_TABLES = ("django_migrations",)


def owner_configured() -> bool:
    return bool(settings.DATABASE_OWNER_URL)


CREDENTIALS = ("USER", "PASSWORD", "HOST", "PORT")


def _credentials(url: str) -> dict:
    parsed = dj_database_url.parse(url)
    return {key: parsed.get(key, "") for key in CREDENTIALS}


def owner_settings(settings_dict: dict) -> dict:
    """``settings_dict`` (a configured connection's) with the owner's user, password, host and port.

    The database name stays the connection's own, so that the test database (``test_<name>``) and a
    restored copy are reached as their owner too. Without an owner configured: an unchanged copy.
    """
    result = copy.deepcopy(settings_dict)
    if owner_configured():
        result.update(_credentials(settings.DATABASE_OWNER_URL))
    return result


@contextmanager
def _logged_in(alias: str, credentials: dict):
    connection = connections[alias]
    if not credentials:
        yield connection
        return
    saved = {key: connection.settings_dict.get(key, "") for key in CREDENTIALS}
    connection.close()
    connection.settings_dict.update(credentials)
    try:
        yield connection
    finally:
        connection.close()
        connection.settings_dict.update(saved)


@contextmanager
def connected_as_owner(alias: str = "default"):
    """Within the block, connection ``alias`` (in every thread) logs in as the owner; as before after.

    For ``migrate`` and the test database's set-up: the settings dict is shared by the connections
    of every thread, so nothing else may use the database meanwhile. Nothing changes without an owner.
    """
    with _logged_in(alias, _credentials(settings.DATABASE_OWNER_URL) if owner_configured() else {}) as connection:
        yield connection


@contextmanager
def connected_as_runtime(alias: str = "default"):
    """The converse, for the test harness: DATABASE_URL's role within the block."""
    with _logged_in(alias, _credentials(settings.DATABASE_URL) if owner_configured() else {}) as connection:
        yield connection


@contextmanager
def owner_connection(alias: str = "default"):
    """A separate connection to the same database as the owner role (the same role when none is set).

    Used by whoever must act with the owner's rights while the application's connection stays as it
    is: the test harness's flush, and tests that play an attacker holding the owner's account.
    """
    connection = connections[alias]
    owner = connection.__class__(owner_settings(connection.settings_dict), alias=f"{alias}_owner")
    try:
        yield owner
    finally:
        owner.close()


def runtime_role() -> str:
    """DATABASE_URL's role (read from the setting: a connection may be logged in as the owner just now)."""
    return dj_database_url.parse(settings.DATABASE_URL).get("USER") or ""


def owner_role() -> str:
    if not owner_configured():
        return ""
    return dj_database_url.parse(settings.DATABASE_OWNER_URL).get("USER") or ""


def grant_statements(*, runtime: str, tables: list[str], sequences: list[str], database: str) -> list[str]:
    """Everything the runtime role may do, granted afresh (whatever it had before is revoked first)."""
    quote = connections["default"].ops.quote_name
    role = quote(runtime)
    statements = [f"GRANT CONNECT, TEMPORARY ON DATABASE {quote(database)} TO {role}"]
    for table in tables:
        statements.append(f"REVOKE ALL ON TABLE {quote(table)} FROM {role}")
        if table in APPEND_ONLY_TABLES:
            rights = "SELECT, INSERT"
        elif table in READ_ONLY_TABLES:
            rights = "SELECT"
        else:
            rights = "SELECT, INSERT, UPDATE, DELETE"
        statements.append(f"GRANT {rights} ON TABLE {quote(table)} TO {role}")
    for sequence in sequences:
        statements.append(f"REVOKE ALL ON SEQUENCE {quote(sequence)} FROM {role}")
        statements.append(f"GRANT USAGE, SELECT ON SEQUENCE {quote(sequence)} TO {role}")
    return statements


def runtime_role_problems(cursor, *, runtime: str) -> list[str]:
    """Why ``runtime`` could still rewrite the audit log; empty when it cannot. ``cursor``: any role's."""
    cursor.execute(
        "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s",
        [runtime],
    )
    row = cursor.fetchone()
    if row is None:
        return [f"the runtime role {runtime} does not exist"]
    problems = []
    if row[0]:
        problems.append(f"the runtime role {runtime} is a superuser")
    cursor.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'S')"
        " AND pg_has_role(%s, c.relowner, 'USAGE')",
        [runtime],
    )
    owned = sorted(name for (name,) in cursor.fetchall())
    if owned:
        problems.append(
            f"the runtime role {runtime} owns (or inherits the owner of) {len(owned)} table(s), e.g. {owned[0]}"
        )
    cursor.execute(
        "SELECT privilege_type FROM (VALUES ('UPDATE'), ('DELETE'), ('TRUNCATE')) AS p(privilege_type)"
        " WHERE has_table_privilege(%s, %s, privilege_type)",
        [runtime, AUDIT_TABLE],
    )
    for (privilege,) in cursor.fetchall():
        problems.append(f"the runtime role {runtime} may {privilege} the audit log")
    return problems


def runtime_grant(*, runtime: str, connection) -> list[str]:
    """Grant ``runtime`` its rights on every table and sequence of the current schema; return the
    problems left (see ``runtime_role_problems``). ``connection``: logged in as the owner."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'S') ORDER BY c.relname"
        )
        relations = cursor.fetchall()
        cursor.execute("SELECT current_database()")
        (database,) = cursor.fetchone()
        statements = grant_statements(
            runtime=runtime,
            tables=[name for name, kind in relations if kind != "S"],
            sequences=[name for name, kind in relations if kind == "S"],
            database=database,
        )
        for statement in statements:
            cursor.execute(statement)
        return runtime_role_problems(cursor, runtime=runtime)


def grant_runtime_or_explain(*, connection) -> tuple[str, list[str]]:
    """Grant the runtime role its rights through ``connection`` (the owner's) when there are two roles.

    Returns what was done, in words, and the problems left (empty when the runtime role cannot
    rewrite the audit log, or when one role does everything by choice: no DATABASE_OWNER_URL).
    """
    if connection.vendor != "postgresql":
        return "", []
    if not owner_configured():
        return "DATABASE_OWNER_URL is not set: one database role owns and uses every table.", []
    runtime, owner = runtime_role(), owner_role()
    if not runtime or runtime == owner:
        return "", [f"DATABASE_URL's role ({runtime or 'none named'}) must be another role than the owner ({owner})"]
    problems = runtime_grant(runtime=runtime, connection=connection)
    return f"Granted the runtime role {runtime} its rights (the audit log: SELECT and INSERT only).", problems
