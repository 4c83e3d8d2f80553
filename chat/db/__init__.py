"""Storage: the Database object, migrations, and plain SQL per table."""
from .database import Database

__all__ = ["Database"]
