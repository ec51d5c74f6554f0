"""Resampling and padding: ``pad`` (all modes), ``interpolate``, ``grid_sample``, ``affine_grid``,
``pixel_shuffle``/``pixel_unshuffle``."""
__all__ = []  # the names ``flambeau`` exports from this module
# the names ``flambeau.nn.functional`` exports from this module
FUNCTIONAL = []
# Tensor methods: {name: function}; INPLACE: {name_: out-of-place function}.
METHODS = {}
INPLACE = {}
