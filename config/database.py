"""Waiting out a database restart: record an interruption once PostgreSQL answers again."""

import logging
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection

log = logging.getLogger(__name__)


def connection_lost(error: BaseException) -> bool:
    """Was ``error`` the database dropping the connection (a restart, a failover, a killed backend)?

    Judged from the error, not from the connection: Django may already have opened a new one, but
    the staging table went with the old session.
    """
    driver_error = connection.Database.Error
    cause = error
    while cause is not None and not isinstance(cause, driver_error):
        cause = cause.__cause__
    if cause is None:
        return isinstance(error, (OperationalError, InterfaceError))
    sqlstate = getattr(cause, "sqlstate", None) or ""
    if sqlstate:  # 08: connection exception; 57P: administrator or crash shutdown
        return sqlstate.startswith(("08", "57P"))
    return isinstance(cause, (connection.Database.OperationalError, connection.Database.InterfaceError))


def when_database_is_back(record, *, seconds: float | None = None) -> bool:
    """Call ``record()`` (a write, e.g. the audit event of an interrupted task) on a new connection,
    trying again every half second while the database does not answer (a restart, a failover), for
    up to ``seconds`` (DATABASE_RECONNECT_SECONDS). Returns False if it never answered: the caller
    goes on (its task is retried) without the record rather than waiting for good.
    """
    deadline = time.monotonic() + (settings.DATABASE_RECONNECT_SECONDS if seconds is None else seconds)
    while True:
        try:
            connection.close()  # the old session is gone with the server that held it
        except (OperationalError, InterfaceError):
            pass
        try:
            record()
            return True
        except (OperationalError, InterfaceError) as error:
            if time.monotonic() >= deadline:
                log.warning("the database did not answer again in time; not recorded: %s", error)
                return False
            time.sleep(0.5)
