"""All model modules, imported together so that the metadata is complete.

Alembic's env and the drift check import this module. Each package's tables live in
their own module in ``registry`` (the one writer) and are listed here.
"""

from registry import check_models, collection_models, ledger_models, models, ops_models
from registry.db import Base

metadata = Base.metadata

__all__ = ["check_models", "collection_models", "ledger_models", "metadata", "models", "ops_models"]
