"""Activation functions (``softplus``, ``gelu``, ``silu``, ``elu`` ...): forward and derivative side
by side. ``flambeau.nn.functional`` re-exports them."""
__all__ = []  # the names ``flambeau`` exports from this module

# Tensor methods: {name: function}; INPLACE: {name_: out-of-place function} made in-place by
# ops.inplace.inplace_of.
METHODS = {}
INPLACE = {}
