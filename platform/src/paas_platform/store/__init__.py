"""The store adapter: SQLAlchemy over SQLite (embedded default) or PostgreSQL.

Only this package imports sqlalchemy. Services see `Store.transaction()` and the
row gateways it hands out; engine errors are translated in `database.py`.
"""

from paas_platform.store.database import Store, open_store

__all__ = ["Store", "open_store"]
