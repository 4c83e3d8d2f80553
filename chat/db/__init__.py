"""Storage: the Database object, migrations, and plain SQL per table."""

from chat.db.database import Database

__all__ = ["Database"]
