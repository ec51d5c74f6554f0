"""``flambeau.nn``: PyTorch's ``torch.nn`` — ``Module`` and the layers (``modules/``, one file per
family), ``functional``, ``init`` and ``utils``."""
from .modules import *  # noqa: F401,F403
from . import functional  # noqa: F401
