"""Op registry entries: convert ops (see opinfo.py for the framework)."""
from opinfo import OpInfo, S

OPS = []


def register(*infos):
    OPS.extend(infos)


# conversions and copies
def _cast_samples(make):
    yield S(make((2, 3)))
    yield S(make(()))
    yield S(make((0, 2)))
    yield S(make((3, 4), noncontig=True))


register(
    OpInfo('clone', samples=_cast_samples, method=True, gradgrad=True),
    OpInfo('contiguous', lambda m, x: x.contiguous(), samples=_cast_samples),
    OpInfo('to_float64', lambda m, x: x.to(m.float64), samples=_cast_samples, gradgrad=True,
           variants={'double': lambda m, x: x.double(),
                     'to(dtype=)': lambda m, x: x.to(dtype=m.float64),
                     'type': lambda m, x: x.type(m.float64)}),
    OpInfo('to_float32', lambda m, x: x.to(m.float32), samples=_cast_samples,
           variants={'float': lambda m, x: x.float(),
                     'to(x)': lambda m, x: x.to(m.zeros(1, device=x.device))},
           gradcheck=False),  # finite differences in float32 are too coarse
    OpInfo('to_float16', lambda m, x: x.to(m.float16), samples=_cast_samples,
           variants={'half': lambda m, x: x.half()}, grad_tol={'float64': (1e-3, 1e-3)},
           gradcheck=False),  # finite differences in float16 are too coarse
    OpInfo('to_bfloat16', lambda m, x: x.bfloat16(), samples=_cast_samples,
           grad_tol={'float64': (1e-2, 1e-2)}, gradcheck=False),
    OpInfo('to_int64', lambda m, x: x.long(), samples=_cast_samples, grad=False,
           variants={'to': lambda m, x: x.to(m.int64)}),
    OpInfo('to_int32', lambda m, x: x.int(), samples=_cast_samples, grad=False),
    OpInfo('to_int16', lambda m, x: x.short(), samples=_cast_samples, grad=False),
    OpInfo('to_int8', lambda m, x: x.char(), samples=_cast_samples, grad=False),
    OpInfo('to_uint8', lambda m, x: x.byte(), samples=lambda make: [S(make((2, 3), low=0))],
           grad=False),
    OpInfo('to_bool', lambda m, x: x.bool(), samples=_cast_samples, grad=False),
    OpInfo('to_same', lambda m, x: x.to(x.dtype), samples=_cast_samples,
           variants={'copy': lambda m, x: x.to(x.dtype, copy=True)}),
)
