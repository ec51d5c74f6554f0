"""Normalization: ``batch_norm``, ``layer_norm``, ``group_norm``, ``instance_norm``, ``rms_norm``,
``local_response_norm``, ``normalize``."""
__all__ = []  # the names ``flambeau`` exports from this module
# the names ``flambeau.nn.functional`` exports from this module
FUNCTIONAL = []
# Tensor methods: {name: function}; INPLACE: {name_: out-of-place function}.
METHODS = {}
INPLACE = {}
