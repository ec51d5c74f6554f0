"""Shape ops that copy: ``repeat``, ``tile``, ``flip``, ``roll``, ``rot90``, ``tril``/``triu``,
``diag``, ``diag_embed``, the ``*stack`` family ..."""
__all__ = []  # the names ``flambeau`` exports from this module

# Tensor methods: {name: function}; INPLACE: {name_: out-of-place function} made in-place by
# ops.inplace.inplace_of.
METHODS = {}
INPLACE = {}
