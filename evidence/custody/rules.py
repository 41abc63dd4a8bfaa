"""Which custody event may follow which: a pure function, no Django import, tested without a database.

An exhibit's chain of custody starts with its sealing; it may then be transferred, checked out and
back in, opened for an acquisition and resealed, and it ends when it is returned or destroyed.
Kinds are the strings of CustodyEvent.Kind.
"""

SEALED = "sealed"
TRANSFERRED = "transferred"
CHECKED_OUT = "checked_out"
CHECKED_IN = "checked_in"
OPENED_FOR_ACQUISITION = "opened_for_acquisition"
RESEALED = "resealed"
RETURNED = "returned"
DESTROYED = "destroyed"

KINDS = (SEALED, TRANSFERRED, CHECKED_OUT, CHECKED_IN, OPENED_FOR_ACQUISITION, RESEALED, RETURNED, DESTROYED)
FINAL = (RETURNED, DESTROYED)

# Error codes, with the English message the services translate.
MESSAGES = {
    "unknown": "This is not a custody event.",
    "first_not_sealed": "The first event of a chain of custody is the sealing.",
    "already_sealed": "This exhibit is already sealed; record a resealing after opening it.",
    "after_final": "Nothing can happen to an exhibit after it was returned or destroyed.",
    "not_checked_out": "This exhibit cannot be checked in: it is not checked out.",
    "already_checked_out": "This exhibit is already checked out; check it in first.",
    "already_open": "This exhibit is already open; reseal it first.",
    "not_open": "This exhibit cannot be resealed: it was not opened.",
    "open_at_end": "Reseal this exhibit before it is returned or destroyed.",
}


def custody_state(previous: list[str] | tuple[str, ...]) -> dict[str, bool]:
    """Fold the previous kinds (oldest first) into the exhibit's state."""
    state = {"sealed": False, "out": False, "open": False, "final": False}
    for kind in previous:
        if kind == SEALED:
            state["sealed"] = True
        elif kind == CHECKED_OUT:
            state["out"] = True
        elif kind == CHECKED_IN:
            state["out"] = False
        elif kind == OPENED_FOR_ACQUISITION:
            state["open"] = True
        elif kind == RESEALED:
            state["open"] = False
        elif kind in FINAL:
            state["final"] = True
    return state


def custody_error(previous: list[str] | tuple[str, ...], new: str) -> str | None:
    """None if an event of kind ``new`` may follow ``previous`` (oldest first), else an error code."""
    if new not in KINDS:
        return "unknown"
    if not previous:
        return None if new == SEALED else "first_not_sealed"
    state = custody_state(previous)
    if state["final"]:
        return "after_final"
    if new == SEALED:
        return "already_sealed"
    if new == CHECKED_IN and not state["out"]:
        return "not_checked_out"
    if new == CHECKED_OUT and state["out"]:
        return "already_checked_out"
    if new == OPENED_FOR_ACQUISITION and state["open"]:
        return "already_open"
    if new == RESEALED and not state["open"]:
        return "not_open"
    if new in FINAL and state["open"]:
        return "open_at_end"
    return None
