"""Custody: the pure order of events, and the services that record events, acquisitions and imports."""
