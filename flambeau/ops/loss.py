"""Loss functions (``mse_loss``, ``cross_entropy`` with a fused log-softmax + NLL, ``nll_loss``,
``binary_cross_entropy(_with_logits)``, ``kl_div`` ...): forward and derivative side by side."""
__all__ = []  # the names ``flambeau`` exports from this module
# the names ``flambeau.nn.functional`` exports from this module
FUNCTIONAL = []
# Tensor methods: {name: function}; INPLACE: {name_: out-of-place function}.
METHODS = {}
INPLACE = {}
