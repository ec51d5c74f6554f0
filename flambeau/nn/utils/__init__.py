"""``flambeau.nn.utils``: gradient clipping, parameter/vector conversion, packed sequences
(``rnn``), weight and spectral normalization, and parametrizations (``parametrize``,
``parametrizations``)."""
from . import (clip_grad, convert_parameters, parametrizations, parametrize,  # noqa: F401
               rnn)
from .clip_grad import (clip_grad_norm, clip_grad_norm_, clip_grad_value_,  # noqa: F401
                        clip_grads_with_norm_, get_total_norm)
from .convert_parameters import parameters_to_vector, vector_to_parameters  # noqa: F401
from .spectral_norm import remove_spectral_norm, spectral_norm  # noqa: F401
from .weight_norm import remove_weight_norm, weight_norm  # noqa: F401
