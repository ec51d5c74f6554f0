"""Op registry entries: attention (see opinfo.py for the framework)."""
import numpy as np

import flambeau.nn.functional  # noqa: F401  (``m.nn`` below)
from opinfo import FLOATS, ErrorInput, OpInfo, S, Sample


def _sdpa(m, *args, **kwargs):
    return m.nn.functional.scaled_dot_product_attention(*args, **kwargs)


def _sdpa_samples(make):
    f = make
    yield S(f((2, 3, 4, 8)), f((2, 3, 5, 8)), f((2, 3, 5, 8)))  # PyTorch's flash kernel
    yield Sample((f((2, 2, 3, 4)), f((2, 2, 3, 4)), f((2, 2, 3, 4))), {'is_causal': True})
    yield Sample((f((1, 2, 5, 4)), f((1, 2, 3, 4)), f((1, 2, 3, 4))), {'is_causal': True})
    yield Sample((f((2, 2, 3, 4)), f((2, 2, 5, 4)), f((2, 2, 5, 4)), make.mask((3, 5))))
    yield Sample((f((2, 2, 3, 4)), f((2, 2, 5, 4)), f((2, 2, 5, 4))),
                 {'attn_mask': f((2, 1, 3, 5), dtype='float32')}, grad=(0, 1, 2))  # broadcast
    yield Sample((f((3, 4, 4)), f((3, 5, 4)), f((3, 5, 6))),
                 {'attn_mask': f((3, 4, 5)), 'scale': 0.5})  # math path, mask gradient
    yield S(f((4, 3)), f((5, 3)), f((5, 2)))  # 2-D
    # 4-D masks, laid out as the key-major scores (Note [Key-major scores]); a mask gradient
    yield Sample((f((2, 2, 3, 4)), f((2, 2, 5, 4)), f((2, 2, 5, 4)), make.mask((2, 1, 3, 5))))
    yield Sample((f((2, 2, 3, 4)), f((2, 2, 5, 4)), f((2, 2, 5, 4))),
                 {'attn_mask': f((2, 2, 3, 5)), 'scale': 0.7})
    yield S(f((2, 3, 4, 8), noncontig=True), f((2, 3, 5, 8)), f((2, 3, 5, 8)))
    yield S(f((2, 3, 4)), f((1, 5, 4)), f((5, 3)))  # batch broadcasting
    yield Sample((f((2, 4, 3, 4)), f((2, 2, 5, 4)), f((2, 2, 5, 4))), {'enable_gqa': True})
    yield Sample((f((4, 3, 4)), f((2, 5, 4)), f((1, 5, 4))), {'enable_gqa': True})
    yield S(f((2, 2, 0, 4)), f((2, 2, 3, 4)), f((2, 2, 3, 4)))  # empty
    yield S(f((2, 2, 3, 4)), f((2, 2, 0, 4)), f((2, 2, 0, 4)))  # no key at all
    # rows that attend to nothing: zeros (all False, or all -inf)
    m = np.ones((3, 5), bool)
    m[1] = False
    yield Sample((f((2, 2, 3, 4)), f((2, 2, 5, 4)), f((2, 2, 5, 4)), m))
    fm = np.zeros((3, 5), np.float32)
    fm[0] = -np.inf
    fm[2, :2] = -np.inf
    yield Sample((f((2, 3, 4)), f((2, 5, 4)), f((2, 5, 4)), fm)).but(grad=(0, 1, 2))
    yield Sample((f((2, 2, 3, 4)), f((2, 2, 5, 4)), f((2, 2, 5, 4))), {'dropout_p': 1.0})
    # small ones for gradgradcheck
    yield S(f((2, 2)), f((3, 2)), f((3, 1)))
    yield Sample((f((1, 1, 2, 2)), f((1, 1, 2, 2)), f((1, 1, 2, 1))), {'is_causal': True})
    yield Sample((f((1, 2, 2)), f((1, 2, 2)), f((1, 2, 1)), f((2, 2))))


def _sdpa_errors(make):
    f = make
    q, k, v = f((2, 3, 4, 8)), f((2, 3, 5, 8)), f((2, 3, 5, 8))
    return [
        ErrorInput(S(q, f((2, 3, 5, 8), dtype='float64'), v), RuntimeError,
                   'Expected query, key, and value to have the same dtype, but got query.dtype: '
                   'float key.dtype: double and value.dtype: float instead.'),
        ErrorInput(S(q[0, 0, 0], k[0, 0, 0], v[0, 0, 0]), RuntimeError,
                   'Expected query, key, and value to all be  at least 2 dimensional'),
        ErrorInput(S(q, k, v, f((4, 5), dtype='float64')), RuntimeError,
                   'Expected attn_mask dtype to be bool or float or to match query dtype, but got '
                   'attn_mask.dtype: double and  query.dtype: float instead.'),
        ErrorInput(S(q, k, v, f((4, 5), dtype='int64')), RuntimeError,
                   'attn_mask.dtype: long int'),
        ErrorInput(S(f((2, 3, 4, 8), dtype='int64'), f((2, 3, 5, 8), dtype='int64'),
                     f((2, 3, 5, 8), dtype='int64')), RuntimeError,
                   'expected scalar type Float but found Long'),
        ErrorInput(S(q, f((2, 3, 5, 7)), v), RuntimeError,
                   'Expected size for first two dimensions of batch2 tensor to be: [6, 8] but '
                   'got: [6, 7].'),
        ErrorInput(S(q[0, 0], f((5, 7)), v[0, 0]), RuntimeError,
                   'mat1 and mat2 shapes cannot be multiplied (4x8 and 7x5)'),
        ErrorInput(S(q, f((3, 3, 5, 8)), f((3, 3, 5, 8))), RuntimeError,
                   'The size of tensor a (2) must match the size of tensor b (3) at '
                   'non-singleton dimension 0'),
        ErrorInput(S(q[0], k[0], f((3, 6, 8))), RuntimeError,
                   'Expected size for first two dimensions of batch2 tensor to be: [3, 5] but '
                   'got: [3, 6].'),
        ErrorInput(S(q, k, v, make.mask((4, 6))), RuntimeError,
                   'The size of tensor a (5) must match the size of tensor b (6) at '
                   'non-singleton dimension 3'),
        ErrorInput(S(q, k, v, make.mask((1, 2, 3, 4, 5))), RuntimeError,
                   "output with shape [2, 3, 4, 5] doesn't match the broadcast shape "
                   "[1, 2, 3, 4, 5]"),
        ErrorInput(S(q, k, v, make.mask((5,))), IndexError,
                   'Dimension out of range (expected to be in range of [-1, 0], but got -2)'),
        ErrorInput(Sample((q[0], k[0], v[0], make.mask((4, 5))), {'is_causal': True}),
                   RuntimeError, 'Explicit attn_mask should not be set when is_causal=True'),
        ErrorInput(Sample((f((2, 4, 4, 8)), f((2, 3, 5, 8)), f((2, 3, 5, 8))),
                          {'enable_gqa': True}), RuntimeError,
                   'Number of heads in key and value must divide the number of heads in'),
        ErrorInput(Sample((q[0, 0], k[0, 0], v[0, 0]), {'enable_gqa': True}), IndexError,
                   'Dimension out of range (expected to be in range of [-2, 1], but got -3)'),
        ErrorInput(Sample((q[0], k[0], v[0]), {'dropout_p': 2.0}), RuntimeError,
                   'dropout probability has to be between 0 and 1, but got 2'),
        ErrorInput(Sample((q, k, v), {'dropout_p': -0.5}), RuntimeError,
                   'Currently do not support dropout > 0'),
        ErrorInput(Sample((q, k, v), {'attn_mask': [[True]]}), TypeError,
                   "argument 'attn_mask' must be Tensor, not list"),
    ]


SDPA = OpInfo('scaled_dot_product_attention', _sdpa, samples=_sdpa_samples, dtypes=FLOATS,
              gradgrad=True, errors=_sdpa_errors,
              tol={'float16': (1e-2, 5e-3), 'bfloat16': (5e-2, 5e-2)},
              grad_tol={'float16': (2e-2, 2e-2), 'bfloat16': (1e-1, 1e-1)})
OPS = [SDPA]
