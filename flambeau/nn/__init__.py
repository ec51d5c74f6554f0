"""``flambeau.nn``: PyTorch's ``torch.nn`` — ``Module`` and the layers (``modules/``, one file per
family), ``functional``, ``init`` and ``utils``."""
from .parameter import Buffer, Parameter  # noqa: F401
from .modules import *  # noqa: F401,F403
from . import functional  # noqa: F401
from . import init, parallel, utils  # noqa: F401
