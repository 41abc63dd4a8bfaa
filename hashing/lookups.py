"""``value__any_of=[...]``: one array parameter instead of one parameter per value.

A batch of 500 files looks up 1,500 digests at once; as ``__in`` that is 1,500 placeholders that
psycopg quotes one by one and PostgreSQL parses one by one (measured: about a tenth of the time of
ingesting a small file). ``= ANY(%s)`` sends them as one bytea[] and still uses the btree index.
Other databases (SQLite, the demo) get the plain ``IN``.
"""

from django.db.models import BinaryField, Lookup
from django.db.models.lookups import In


@BinaryField.register_lookup
class AnyOf(Lookup):
    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        if connection.vendor != "postgresql":
            return In(self.lhs, self.rhs).as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, [bytes(value) for value in self.rhs]]
