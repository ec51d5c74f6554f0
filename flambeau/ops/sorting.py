"""Sorting and order statistics: ``sort``, ``argsort``, ``topk``, ``kthvalue``, ``median``,
``mode``, ``unique``."""
__all__ = []  # the names ``flambeau`` exports from this module

# Tensor methods: {name: function}; INPLACE: {name_: out-of-place function} made in-place by
# ops.inplace.inplace_of.
METHODS = {}
INPLACE = {}
