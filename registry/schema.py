"""All model modules, imported together so that the metadata is complete.

Alembic's env and the drift check import this module. Each package's tables live in
their own module in ``registry`` (the one writer) and are listed here.
"""

from registry.checks import models as check_models
from registry.collection import cycle_models
from registry.collection import models as collection_models
from registry.db import Base
from registry.discovery import models as discovery_models
from registry.filing import models
from registry.ledger import models as ledger_models
from registry.ops import models as ops_models
from registry.users import models as user_models

metadata = Base.metadata

__all__ = [
    "check_models",
    "collection_models",
    "cycle_models",
    "discovery_models",
    "ledger_models",
    "metadata",
    "models",
    "ops_models",
    "user_models",
]
