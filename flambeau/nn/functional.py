"""``flambeau.nn.functional``: PyTorch's ``torch.nn.functional``. The functions live in
``flambeau/ops/`` beside their derivatives; each ops module lists the ones this namespace
exports in ``FUNCTIONAL``."""
from ..ops import (activation, attention, conv, ctc, distance, embedding, linear,  # noqa: F401
                   loss, normalization, pooling, random, resample, rnn)

for _mod in (activation, attention, conv, ctc, distance, embedding, linear, loss, normalization,
             pooling, random, resample, rnn):
    for _name in getattr(_mod, 'FUNCTIONAL', ()):
        globals()[_name] = getattr(_mod, _name)
del _mod
