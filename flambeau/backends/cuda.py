"""``flambeau.backends.cuda``: CUDA matmul switches (TF32, reduced-precision reductions).
CuPy's cuBLAS calls run in full precision; the flags are kept as set."""


class _MatmulFlags:
    """``flambeau.backends.cuda.matmul``: ``allow_tf32``, ``allow_fp16_reduced_precision_reduction``,
    ``allow_bf16_reduced_precision_reduction``."""

    def __init__(self):
        self.allow_tf32 = False
        self.allow_fp16_reduced_precision_reduction = True
        self.allow_bf16_reduced_precision_reduction = True


matmul = _MatmulFlags()


def is_built():
    """True when CuPy, flambeau's CUDA backend, can be imported."""
    try:
        import cupy  # noqa: F401
    except ImportError:
        return False
    return True
