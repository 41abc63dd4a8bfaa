"""The dossier status workflow, as plain data: no Django import, tested without a database.

opened → under investigation → positive / negative → sent to court → closed; a closed dossier
may be reopened (back under investigation). Status values are the strings of Dossier.Status.
"""

OPENED = "opened"
UNDER_INVESTIGATION = "under_investigation"
POSITIVE = "positive"
NEGATIVE = "negative"
SENT_TO_COURT = "sent_to_court"
CLOSED = "closed"

TRANSITIONS: dict[str, tuple[str, ...]] = {
    OPENED: (UNDER_INVESTIGATION,),
    UNDER_INVESTIGATION: (POSITIVE, NEGATIVE),
    # A positive dossier goes to court, or is closed when the prosecutor drops it.
    POSITIVE: (SENT_TO_COURT, CLOSED),
    NEGATIVE: (CLOSED,),
    SENT_TO_COURT: (CLOSED,),
    # Reopening: new evidence comes in after closure.
    CLOSED: (UNDER_INVESTIGATION,),
}


def next_statuses(current: str) -> tuple[str, ...]:
    return TRANSITIONS.get(current, ())


def transition_error(current: str, new: str) -> str | None:
    """None if ``current`` → ``new`` is allowed, else an error code: "same", "unknown" or "forbidden"."""
    if new == current:
        return "same"
    if new not in TRANSITIONS:
        return "unknown"
    if new not in next_statuses(current):
        return "forbidden"
    return None
