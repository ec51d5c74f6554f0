"""Convolutions (``conv1d/2d/3d``, ``conv_transpose1d/2d``) as one GEMM over an im2col strided
view, and ``unfold``/``fold``."""
__all__ = []  # the names ``flambeau`` exports from this module
# the names ``flambeau.nn.functional`` exports from this module
FUNCTIONAL = []
# Tensor methods: {name: function}; INPLACE: {name_: out-of-place function}.
METHODS = {}
INPLACE = {}
