"""Walking archives found in evidence: zip, tar (any compression) and 7z, nested, streamed.

Plain Python: no Django here. Nothing is ever extracted to disk: each member is read once, its
digests computed on the way, and a nested archive is kept in memory (up to a limit) to be walked
in turn. Every member becomes a ``Member``, even the ones that cannot be read: a bomb, a link, an
encrypted member or a hostile name is reported with its reason, never skipped in silence, and
never stops the walk of the rest.

The package: ``limits`` (the limits and the hostile member names), ``members`` (a member, the
report on the whole archive, one member's read), ``zips`` (zip, with the forward read of a zip cut
short), ``tars``, ``sevenzip``, and ``walk`` (which reader opens an archive, and the nested ones).
"""
