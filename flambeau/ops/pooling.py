"""Pooling: ``max_pool1d/2d`` (indices, ceil_mode), ``avg_pool1d/2d``, adaptive pools,
``max_unpool2d``."""
__all__ = []  # the names ``flambeau`` exports from this module
# the names ``flambeau.nn.functional`` exports from this module
FUNCTIONAL = []
# Tensor methods: {name: function}; INPLACE: {name_: out-of-place function}.
METHODS = {}
INPLACE = {}
