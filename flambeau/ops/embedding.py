"""Embeddings: ``embedding`` (padding_idx, max_norm), ``embedding_bag``, ``one_hot``."""
__all__ = []  # the names ``flambeau`` exports from this module
# the names ``flambeau.nn.functional`` exports from this module
FUNCTIONAL = []
# Tensor methods: {name: function}; INPLACE: {name_: out-of-place function}.
METHODS = {}
INPLACE = {}
