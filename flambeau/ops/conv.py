"""Convolutions (``conv1d/2d/3d``, ``conv_transpose1d/2d/3d``) as one GEMM over an im2col
strided view, and ``unfold``/``fold`` (im2col/col2im).

Note [Convolution triangle]: three raw kernels, each one matrix product, are closed under
differentiation, so gradients of any order are convolutions again:

* ``conv(x, w)``: ``y[n, o, O] = sum_{c, k} w[o, c, k] * xpad[n, c, O * s + k * d]``;
* ``conv_t(g, w)`` (transposed convolution, the gradient of ``conv`` with respect to ``x``):
  ``<conv_t(g, w), X> = <conv(X, w), g>``;
* ``conv_w(x, g)`` (the gradient of ``conv`` with respect to ``w``):
  ``<conv_w(x, g), H> = <conv(x, H), g>``.

Hence d conv = (conv_t, conv_w), d conv_t = (conv, conv_w), d conv_w = (conv_t, conv). Each
kernel builds the im2col matrix of its input once, ``(groups, C/groups * prod(K),
N * prod(O))``, copied out of a strided window view of the zero-padded input (no Python loop
over output positions); ``conv_t`` scatters its columns back with one slice-add per kernel
offset (``prod(K)`` iterations). On the host, with stride 1 and one group, four layouts
replace the chunked columns where they measured faster: many channels, no im2col at all
(Note [Direct convolution by accumulating GEMMs]); few channels on small images, the batch
last (Note [Batch-last columns]); few channels on larger images, the forward and the weight
gradient image by image (Note [Image-major columns]); the other input gradients,
channel-major planes (``_conv_t_planes``). Strided convolutions over many channels run their
forward and input gradient over the input's phases (Note [Strided convolution by phases]).
"""
__all__ = ['conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d',
           'conv_transpose3d']
import functools
import math

import numpy as np

from .._blas import available, gemm_acc, transpose_into
from ._common import Node, copy_rows, dtype_title, make, not_implemented, record, state, xp_of

# the names ``flambeau.nn.functional`` exports from this module
FUNCTIONAL = ['conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d',
              'conv_transpose3d', 'unfold', 'fold']
# Tensor methods: {name: function}; INPLACE: {name_: out-of-place function}.
METHODS = {}
INPLACE = {}


# -- raw kernels (arrays in, arrays out) ---------------------------------------------------------
def _as_strided(xp, a, shape, strides):
    return xp.lib.stride_tricks.as_strided(a, shape, strides)


def _pad_zeros(xp, x, pads):
    """``x`` (N, C, *S) zero-padded by ``pads`` ((lo, hi) per spatial dim)."""
    for lo, hi in pads:
        if lo or hi:
            break
    else:
        return x
    shape = x.shape[:2] + tuple(n + lo + hi for n, (lo, hi) in zip(x.shape[2:], pads))
    out = xp.zeros(shape, x.dtype)
    out[(Ellipsis,) + tuple(slice(lo, lo + n) for n, (lo, _) in zip(x.shape[2:], pads))] = x
    return out


def _out_size(padded, k, s, d):
    return (padded - d * (k - 1) - 1) // s + 1


def _im2col(xp, x, ksize, stride, pads, dilation, groups, out_sp, flat, buf=None):
    """The im2col matrix of ``x`` (N, C, *S): ``(groups, C/groups * prod(K), N * cols)``, the
    columns of an image being its output positions, or with ``flat`` its flat ones
    (Note [Flat columns]). On the host it is written into ``buf`` (the matrix of the call's
    previous chunk) when that is large enough (Note [Reused column buffer])."""
    xpad = _pad_zeros(xp, x, pads)
    N, C = x.shape[:2]
    if flat:
        xpad = xp.ascontiguousarray(xpad)
    st = xpad.strides
    sp = st[2:]
    if flat:
        cshape, cst = (_flat_len(xpad.shape[2:], out_sp),), (xpad.itemsize,)
    else:
        cshape, cst = tuple(out_sp), tuple(a * s for a, s in zip(sp, stride))
    # (C, K..., N, cols...): the order of the GEMM's operand, so the one copy makes it
    view = _as_strided(xp, xpad, (C,) + tuple(ksize) + (N,) + cshape,
                       (st[1],) + tuple(a * d for a, d in zip(sp, dilation)) + (st[0],) + cst)
    shape = (groups, (C // groups) * math.prod(ksize), N * math.prod(cshape))
    n = math.prod(shape)
    if xp is not np or buf is None or buf.size < n or buf.dtype != x.dtype:
        return view.reshape(shape)
    out = buf.reshape(-1)[:n].reshape(shape)
    np.copyto(out.reshape(view.shape), view)
    return out


# Note [Reused column buffer]: the im2col matrix of a chunk lives only until its GEMM is done, so
# the next chunk of the same call is written into it (still in the caches) instead of a fresh
# array: conv3x3_64's eight one-image chunks 6.9 -> 6.0 ms. A buffer kept across calls was
# measured too: it helps that case as much but costs LeNet ~4%, whose two chunks per call meet
# a buffer that the work between its convolutions has pushed out of the caches. (A 1x1 kernel's
# "matrix" can be a view of the input itself: that one is never written into.)
def _reusable(xp, cols, x):
    """``cols`` if the next chunk's columns may be written into it (Note [Reused column
    buffer]), else None."""
    if cols is None or xp is not np or np.may_share_memory(cols, x):
        return None
    return cols


# Note [Flat columns]: with stride 1, output position ``o`` reads the padded input at flat
# offset ``sum(o * F) + shift(k)`` (``F``: the padded input's strides in elements, ``shift(k) =
# sum(k * d * F)``). The kernels then take as columns of an image all ``L = sum((O - 1) * F) + 1``
# flat positions up to the last output, valid or not: the im2col copy, and the scatter of the
# transposed convolution, become one contiguous slice per kernel offset and image instead of one
# row of ``O[-1]`` elements per output row. Results are read at the valid positions; gradients
# enter with zeros at the others, so the extra columns add nothing (unless a non-finite value
# meets those zeros: the kernels then keep to the output positions).
def _flat_len(padded, out_sp):
    return sum((o - 1) * math.prod(padded[j + 1:]) for j, o in enumerate(out_sp)) + 1


def _flat_shifts(padded, K, dilation):
    """The flat offset of each kernel offset (in ``np.ndindex(*K)`` order) in a padded input
    of spatial shape ``padded`` (Note [Flat columns])."""
    F = [math.prod(padded[j + 1:]) * d for j, d in enumerate(dilation)]
    return [sum(k * f for k, f in zip(kidx, F)) for kidx in np.ndindex(*K)]


def _valid(xp, a, padded, out_sp):
    """The view ``(..., *O)`` of the output positions of flat columns ``a`` ``(..., L)``."""
    isz = a.itemsize
    return _as_strided(
        xp, a, a.shape[:-1] + tuple(out_sp),
        a.strides[:-1] + tuple(math.prod(padded[j + 1:]) * isz for j in range(len(out_sp))))


def _to_cols(xp, g, padded, flat):
    """``g`` (A, B, *O) as columns ``(A, B * cols)``: flat ones zero outside the outputs."""
    if not flat:
        return g.reshape(g.shape[0], -1)
    out_sp = g.shape[2:]
    res = xp.zeros(g.shape[:2] + (_flat_len(padded, out_sp),), g.dtype)
    copy_rows(_valid(xp, res, padded, out_sp), g)
    return res.reshape(g.shape[0], -1)


def _finite(xp, a):
    """Whether `a` has no inf or NaN (a large sum may say no: the caller then takes the safe
    path)."""
    return a.dtype.kind not in 'fc' or bool(xp.isfinite(a.sum()))


def _compute_dtype(a):
    """Half-precision types multiply in float32 (NumPy has no fast float16 GEMM)."""
    return np.float32 if a.dtype.kind == 'f' and a.dtype.itemsize == 2 or \
        a.dtype.kind == 'V' else None


# The im2col matrix is ``prod(K)`` times the size of the input: built for all images at once it
# leaves the caches, and its pages are faulted in anew on every call. The kernels build it a few
# images at a time instead, about this many bytes, and run one GEMM per chunk.
_CHUNK_BYTES = 1 << 22


def _chunks(n, per_image):
    """Ranges ``(a, b)`` covering ``n`` images whose im2col columns take about ``_CHUNK_BYTES``
    (at least one image each)."""
    step = max(1, _CHUNK_BYTES // max(per_image, 1))
    return [(a, min(a + step, n)) for a in range(0, n, step)]


# Note [Direct convolution by accumulating GEMMs]: with stride 1, one group and many input
# channels, the forward skips im2col. The batch is laid out channel-major, zero-padded: row c
# of the (C, N * P) matrix holds channel c of every image, plane after plane (P: the padded
# plane). Read at a kernel offset's flat shift (Note [Flat columns]), that matrix already is the
# offset's (C, cols) operand for all images at once (leading dimension N * P), so one GEMM per
# offset, accumulated into one (Co, N * P) block (beta = 1, Note [GEMM into an existing
# array]), computes the whole convolution; each output reads only its own image's plane, and
# the columns between images are never read. The input gradient is the mirror image: each
# offset's product of the output gradient (zero off the outputs) is added at its shift.
# conv3x3_64 in place (min of alternating runs): im2col 6.7-10.0 -> per image 5.9-7.2 ms (most
# in the machine's slow phases, where im2col's copies are what slows down) -> whole batch per
# GEMM 5.9 -> 5.1 ms (72 GEMMs of 4354 columns became 9 of 34800). With few channels (LeNet's 1
# and 6) each GEMM is too thin: im2col stays.
_DIRECT_MIN_C = 16
# images per forward GEMM: the accumulated block takes up to about this many bytes (its
# memory, not its speed: one GEMM over the whole batch was the fastest measured)
_DIRECT_CHUNK_BYTES = 1 << 24


def _channel_major(a, padded, offsets, ones=False):
    """``a`` (N, C, *S) as zero-filled channel-major planes ``(C, N * prod(padded))``, its
    values at ``offsets`` in each plane (Note [Direct convolution by accumulating GEMMs]);
    with ``ones``, a row of ones after them (a bias then rides in a product)."""
    N, C = a.shape[:2]
    out = np.empty((C + ones, N) + tuple(padded), a.dtype)
    inner = tuple(slice(o, o + n) for o, n in zip(offsets, a.shape[2:]))
    # zeros only around the values, a slab before and after them along each dim
    for j, (o, n) in enumerate(zip(offsets, a.shape[2:])):
        before = (slice(None),) * (2 + j)
        out[before + (slice(0, o),)] = 0
        out[before + (slice(o + n, None),)] = 0
    copy_rows(out[(slice(0, C), slice(None)) + inner], a.swapaxes(0, 1))
    if ones:
        out[C] = 1
    return out.reshape(C + ones, -1)


def _shifted_gemms(mats, src, dst, shifts, n, scatter, first=None):
    """``dst[:, :n] = sum_k mats[k] @ src[:, s_k:s_k + n]``, or with ``scatter``
    ``dst[:, s_k:s_k + n] += mats[k] @ src[:, :n]`` with ``dst[:, n:]`` zeroed first: one GEMM
    per kernel offset, the first (shift 0) writing, the others accumulating; ``first``: the
    (matrix, source) of the first product instead (one with a bias column and a row of
    ones). Without ``scatter``, ``src`` may be a list, one array per offset (the phases of a
    strided convolution, Note [Strided convolution by phases])."""
    srcs = src if isinstance(src, list) else [src] * len(shifts)
    m0, s0 = first if first is not None else (mats[0], srcs[0])
    np.matmul(m0, s0[:, :n], out=dst[:, :n])
    if scatter:
        dst[:, n:] = 0
    for k in range(1, len(shifts)):
        s = shifts[k]
        a, c = (src[:, :n], dst[:, s:s + n]) if scatter else (srcs[k][:, s:s + n], dst[:, :n])
        if not gemm_acc(mats[k], a, c):
            c += mats[k] @ a


def _conv_direct(x, w, stride, dilation, out_sp, pads, bias):
    """``conv(x, w) + bias`` on the host (Note [Direct convolution by accumulating GEMMs]; with
    a stride, over the input's phases, Note [Strided convolution by phases])."""
    N, C = x.shape[:2]
    Co = w.shape[0]
    planes, Pq = _phase_planes(x, pads, stride, bias is not None)
    P = math.prod(Pq)
    offs = _phase_offsets(w.shape[2:], dilation, stride, Pq)
    wk = np.ascontiguousarray(np.moveaxis(w.reshape(Co, C, -1), 2, 0))  # (prod(K), Co, C)
    # a bias rides in the first product: one more weight column against a row of ones (the
    # broadcast add over the strided result cost 0.6 ms of conv3x3_64's 5.4)
    w0 = wk[0] if bias is None else np.concatenate(
        (wk[0], bias.astype(x.dtype, copy=False).reshape(Co, 1)), axis=1)
    y = np.empty((N, Co) + tuple(out_sp), x.dtype)
    step = max(1, _DIRECT_CHUNK_BYTES // (Co * P * x.itemsize))
    acc = np.empty((Co, min(step, N) * P), x.dtype)
    valid = tuple(slice(0, o) for o in out_sp)
    for a in range(0, N, step):
        b = min(a + step, N)
        block = acc[:, :(b - a) * P]
        srcs = [planes[ph, :C, a * P:b * P] for ph, _ in offs]
        _shifted_gemms(wk, srcs, block, [sh for _, sh in offs],
                       (b - a - 1) * P + _flat_len(Pq, out_sp), False,
                       (w0, planes[offs[0][0], :, a * P:b * P]))
        src = block.reshape((Co, b - a) + tuple(Pq))[(slice(None), slice(None)) + valid]
        copy_rows(y[a:b].swapaxes(0, 1), src)
    return y


# Note [Strided convolution by phases]: a strided convolution's kernel offset k reads the padded
# input at ``s * o + k``: in phase ``k mod s`` (the elements at ``s * i + (k mod s)``, a plane
# of ``Pq = ceil(padded / s)`` per dim) at position ``o + k div s``. Split into its prod(s)
# phases, channel-major (Note [Direct convolution by accumulating GEMMs]), the input is read
# by each offset at a flat shift of its phase's planes (Note [Flat columns]), as a stride-1
# convolution is: one GEMM per offset, no im2col (whose strided copy ran 6x slower than a
# contiguous one), and the input gradient is each offset's product added into its phase at
# its shift, then the phases put back in place. The split is one BLAS transpose along the last
# dim (Note [Transposes by the BLAS]) and one copy of whole rows. A 3x3 stride-2 convolution,
# 16 -> 32 channels on 32x32, batch 32 (alternating, min): forward 1.51 -> 1.12 ms, input
# gradient 2.05 -> 1.25 ms (PyTorch: forward 0.44, forward and both gradients 1.9). The weight
# gradient keeps im2col: built from the phases (contiguous slices instead of the strided
# copy) it measured 1.42 -> 1.40 ms, and as one product per offset (small results over long
# columns) slower. Taken with one group, no dilation, each kernel dim at least its stride
# (every phase read) and the direct convolution's channel counts.
def _phases_fit(K, stride, dilation):
    """Whether a strided convolution runs over the input's phases (Note [Strided convolution
    by phases])."""
    return any(s > 1 for s in stride) and all(d == 1 for d in dilation) and \
        all(k >= s for k, s in zip(K, stride))


def _phase_shape(sp, pads, stride):
    """The phase planes' shape ``Pq``: per dim, the padded size over the stride, rounded up."""
    return tuple(-(-(n + lo + hi) // st) for n, (lo, hi), st in zip(sp, pads, stride))


def _phase_perm(nd, split_last):
    """The axes that take the input, zero-padded to whole strides and viewed as ``(N, C, Pq0,
    s0, ..., Pq_last, s_last)``, to ``(s0, ..., s_last, C, N, Pq0, ..., Pq_last)``; with
    ``split_last`` the view is ``(s_last, N, C, Pq0, s0, ..., Pq_last)`` (the last dim's phases
    moved first by the BLAS)."""
    if split_last:
        return (tuple(4 + 2 * j for j in range(nd - 1)) + (0, 2, 1) +
                tuple(3 + 2 * j for j in range(nd)))
    return tuple(3 + 2 * j for j in range(nd)) + (1, 0) + tuple(2 + 2 * j for j in range(nd))


def _phase_planes(a, pads, stride, ones=False):
    """``a`` (N, C, *S) zero-padded by ``pads`` and split into its phases: ``(prod(stride), C,
    N * prod(Pq))``, phase ``p`` holding ``xpad[n, c, stride * i + p]`` at ``(c, n, i)``
    (Note [Strided convolution by phases]), with ``ones`` a row of ones after the channels;
    and ``Pq``. With stride 1, the channel-major planes of the padded input."""
    N, C = a.shape[:2]
    Pq = _phase_shape(a.shape[2:], pads, stride)
    if all(st == 1 for st in stride):
        return _channel_major(a, Pq, [lo for lo, _ in pads], ones)[None], Pq
    full = np.zeros((N, C) + tuple(q * st for q, st in zip(Pq, stride)), a.dtype)
    copy_rows(full[(slice(None),) * 2 + tuple(slice(lo, lo + n) for n, (lo, _) in
                                           zip(a.shape[2:], pads))], a)
    split = (N, C) + tuple(d for q, st in zip(Pq, stride) for d in (q, st))
    sl = stride[-1]
    if sl > 1:
        t = np.empty((sl, full.size // sl), a.dtype)
        transpose_into(full.reshape(-1, sl), t)
        src = t.reshape((sl,) + split[:-1])
    else:
        src = full.reshape(split)
    out = np.empty((math.prod(stride), C + ones, N * math.prod(Pq)), a.dtype)
    copy_rows(out[:, :C].reshape(tuple(stride) + (C, N) + Pq),
              src.transpose(_phase_perm(len(Pq), sl > 1)))
    if ones:
        out[:, C] = 1
    return out, Pq


def _from_phases(planes, N, stride, Pq):
    """The inverse of ``_phase_planes``: ``planes`` ``(prod(stride), C, N * prod(Pq))`` as
    ``(N, C, *(Pq * stride))``."""
    C = planes.shape[1]
    nd = len(Pq)
    split = (N, C) + tuple(d for q, st in zip(Pq, stride) for d in (q, st))
    full = np.empty((N, C) + tuple(q * st for q, st in zip(Pq, stride)), planes.dtype)
    sl = stride[-1]
    src = planes.reshape(tuple(stride) + (C, N) + Pq)
    if sl > 1:
        t = np.empty((sl,) + split[:-1], planes.dtype)
        copy_rows(t.transpose(_phase_perm(nd, True)), src)
        transpose_into(t.reshape(sl, -1), full.reshape(-1, sl))
    else:
        copy_rows(full.reshape(split).transpose(_phase_perm(nd, False)), src)
    return full


def _phase_offsets(K, dilation, stride, Pq):
    """For each kernel offset (``np.ndindex(*K)`` order): its phase (an index into the
    ``prod(stride)`` phases) and its flat shift in that phase's planes."""
    F = [math.prod(Pq[j + 1:]) for j in range(len(Pq))]
    out = []
    for kidx in np.ndindex(*K):
        r = [k * d for k, d in zip(kidx, dilation)]
        ph = 0
        for v, st in zip(r, stride):
            ph = ph * st + v % st
        out.append((ph, sum((v // st) * f for v, st, f in zip(r, stride, F))))
    return out


def _conv_t_phases(g, wm, K, stride, in_sp, pads):
    """The transposed convolution of ``g`` (N, Co, *O) with ``wm`` (Co, C * prod(K)) over the
    input's phases (Note [Strided convolution by phases]; finite weights): (N, C, *in_sp)."""
    N, Co = g.shape[:2]
    O = g.shape[2:]
    C = wm.shape[1] // math.prod(K)
    Pq = _phase_shape(in_sp, pads, stride)
    P = math.prod(Pq)
    offs = _phase_offsets(K, (1,) * len(K), stride, Pq)
    wkT = np.ascontiguousarray(np.moveaxis(wm.reshape(Co, C, -1), 2, 0).transpose(0, 2, 1))
    gb = _channel_major(g, Pq, (0,) * len(O))  # zero off the outputs
    n = (N - 1) * P + _flat_len(Pq, O)
    out = np.zeros((math.prod(stride), C, N * P), g.dtype)
    for k, (ph, sh) in enumerate(offs):
        c = out[ph, :, sh:sh + n]
        if not gemm_acc(wkT[k], gb[:, :n], c):
            c += wkT[k] @ gb[:, :n]
    full = _from_phases(out, N, stride, Pq)
    res = np.empty((N, C) + tuple(in_sp), g.dtype)
    copy_rows(res, full[(slice(None),) * 2 + tuple(slice(lo, lo + n) for n, (lo, _) in
                                                   zip(in_sp, pads))])
    return res


# Note [Batch-last columns]: flat columns (Note [Flat columns]) cost the positions between the
# outputs of a row: on small images with a large kernel a large part of the GEMM and of the
# copy (LeNet's second layer: 136 flat columns per image for 100 outputs). There, with stride
# 1, one group and few channels, the kernels put the batch last instead: the zero-padded input
# as (C, *padded, N), in which, for a kernel offset, the columns of an output row over all
# images are one contiguous run (last output dim times N elements), so the im2col matrix
# (C * prod(K), prod(O) * N) holds no extra column and is copied in runs of hundreds of
# elements. Inputs, outputs and output gradients move between (N, rest) and (rest, N) by the
# BLAS's transpose (Note [Transposes by the BLAS]). Those moves, and the input gradient's
# scatter per kernel offset, are what it costs, so it is taken only where flat columns would
# add over a quarter. LeNet's second layer (6 -> 16 channels, 5x5 on 14x14, batch 64): forward
# 0.74-0.79 -> 0.48-0.51 ms, weight gradient 0.73-0.76 -> 0.55 ms, input gradient 0.87-0.98 ->
# 0.70 ms. With less waste it wins or loses by case (forced on LeNet's first layer: forward
# 0.73 -> 0.68 ms, input gradient 0.64 -> 0.91 ms; a 3 -> 16 channel 3x3 on 32x32: all three
# slower).
def _batch_last_wins(padded, out_sp):
    """Whether stride-1 kernels take batch-last columns (Note [Batch-last columns])."""
    return _flat_len(padded, out_sp) > 1.25 * math.prod(out_sp)


def _batch_last(x, pads):
    """``x`` (n, C, *S) zero-padded by ``pads``, as ``(C, *padded, n)``."""
    n = x.shape[0]
    t = np.empty((x[0].size, n), x.dtype)
    transpose_into(x.reshape(n, -1), t)  # (Note [Transposes by the BLAS])
    t = t.reshape(x.shape[1:] + (n,))
    if not any(lo or hi for lo, hi in pads):
        return t
    padded = tuple(s + lo + hi for s, (lo, hi) in zip(x.shape[2:], pads))
    out = np.zeros((x.shape[1],) + padded + (n,), x.dtype)
    out[(slice(None),) + tuple(slice(lo, lo + s) for s, (lo, _) in zip(x.shape[2:], pads))] = t
    return out


@functools.lru_cache(maxsize=64)
def _offset_plan(K, dilation, O, n):
    """For each kernel offset ``kidx`` (in ``np.ndindex(*K)`` order): its index into the
    batch-last columns ``(C, *K, *O[:-1], O[-1] * n)``, and the slices of the batch-last input
    ``(C, *padded[:-1], padded[-1] * n)`` it reads for the outputs ``O`` (Note [Batch-last
    columns]). Cached: the same layer asks for the same plan every step."""
    plan = []
    for kidx in np.ndindex(*K):
        k0 = kidx[-1] * dilation[-1] * n
        plan.append(((slice(None),) + kidx, (slice(None),) + _lead_slices(kidx, dilation, O) +
                     (slice(k0, k0 + O[-1] * n),)))
    return tuple(plan)


@functools.lru_cache(maxsize=64)
def _scatter_plan(K, dilation, O):
    """For each kernel offset ``kidx``: the index of its partial sums in the input gradient's
    first stage ``(K[-1], C, *padded[:-1], O[-1] * n)``, and its index into the columns
    ``(C, *K, ...)`` (``_conv_t_batch_last``)."""
    return tuple(((kidx[-1], slice(None)) + _lead_slices(kidx, dilation, O),
                  (slice(None),) + kidx) for kidx in np.ndindex(*K))


def _lead_slices(kidx, dilation, O):
    """The slices along all dims but the last that kernel offset ``kidx`` reads for the outputs
    ``O``."""
    return tuple(slice(k * d, k * d + o) for k, d, o in zip(kidx[:-1], dilation[:-1], O[:-1]))


def _batch_last_cols(x, K, O, pads, dilation):
    """The batch-last im2col matrix ``(C * prod(K), prod(O) * n)`` of ``x`` (n, C, *S). (Copied
    in two stages, first shifted along the last dim, it measured slower: 167 -> 203 us on
    LeNet's second layer.)"""
    n, C = x.shape[:2]
    xt = _batch_last(x, pads)
    xr = xt.reshape(xt.shape[:-2] + (-1,))
    cols = np.empty((C,) + tuple(K) + tuple(O[:-1]) + (O[-1] * n,), x.dtype)
    for dst, src in _offset_plan(tuple(K), tuple(dilation), tuple(O), n):
        cols[dst] = xr[src]
    return cols.reshape(C * math.prod(K), -1)


def _rows_last(g):
    """``g`` (n, Co, *O) as the matrix ``(Co, prod(O) * n)`` (batch last)."""
    n = g.shape[0]
    out = np.empty((g[0].size, n), g.dtype)
    transpose_into(g.reshape(n, -1), out)
    return out.reshape(g.shape[1], -1)


def _conv_batch_last(x, w, dilation, out_sp, pads, bias):
    """``conv(x, w) + bias`` on the host by batch-last columns (Note [Batch-last columns])."""
    N, C = x.shape[:2]
    Co = w.shape[0]
    K = w.shape[2:]
    wm = w.reshape(Co, -1)
    if bias is not None:
        bias = bias.astype(x.dtype, copy=False).reshape(Co, 1)
    y = np.empty((N, Co) + tuple(out_sp), x.dtype)
    for a, b in _chunks(N, C * math.prod(K) * math.prod(out_sp) * x.itemsize):
        cols = _batch_last_cols(x[a:b], K, out_sp, pads, dilation)
        res = np.empty((Co, cols.shape[1]), x.dtype)
        if bias is None:
            np.matmul(wm, cols, out=res)
        else:  # the bias first, the product accumulated onto it (no pass of its own)
            res[...] = bias
            if not gemm_acc(wm, cols, res):
                res += wm @ cols
        transpose_into(res.reshape(-1, b - a), y[a:b].reshape(b - a, -1))
    return y


# Note [Row-shifted batch-last columns]: the batch-last im2col matrix (Note [Batch-last
# columns]) copies every input element once per kernel offset, and a GEMM then reads it all
# again. Copied once per offset of the kernel's trailing dims only, as ``S`` (C * prod(K[1:]),
# padded[0] * R) with R the columns of one index along the first output dim (all images),
# the matrix for first-dim offset k is S read from column k * d * R on: a strided view with
# uniform row stride that the BLAS takes as it is. The forward is then K[0] GEMMs accumulated
# into one block (Note [GEMM into an existing array]; the first carries a bias column against
# a row of ones), the weight gradient K[0] products with S's views, and the input gradient
# K[0] GEMMs accumulated into S's layout, added back at the trailing offsets' shifts. LeNet's
# second layer (6 -> 16 channels, 5x5 on 14x14, batch 64), against full batch-last columns:
# columns 126 -> 33 us; forward 446 -> 411 us, input gradient 589 -> 507, weight gradient 534
# -> 448 (min of alternating runs). Where it is taken (measured on 14 shapes, batch 16-256):
# the input gradient wherever C * prod(K[1:]) >= 16 (narrower GEMMs lose: one input channel,
# 5x5, 1.0-1.25x); the forward and the weight gradient only where the full columns would
# leave the L2 cache (>= 1 MB; on 6x6 images, where they stay, 1.05-1.38x slower), the weight
# gradient only up to 24 output channels (it reads the output gradient once per first-dim
# offset: 16 -> 32 -> 64 channels on LeNet's layer 0.88 -> 1.28 -> 1.87x).
_ROW_SHIFT_MIN_ROWS = 16
_ROW_SHIFT_MIN_COLS_BYTES = 1 << 20
_ROW_SHIFT_MAX_CO_W = 24


def _row_shifted_fits(kind, N, C, Co, K, O, dtype):
    """Whether the batch-last kernel ``kind`` ('conv', 't' or 'w') of a stride-1 convolution
    of N images of C channels by a kernel ``K`` into ``Co`` channels of size ``O`` takes
    row-shifted columns (Note [Row-shifted batch-last columns])."""
    if len(K) < 2 or C * math.prod(K[1:]) < _ROW_SHIFT_MIN_ROWS or not available(dtype):
        return False
    big = N * C * math.prod(K) * math.prod(O) * np.dtype(dtype).itemsize >= \
        _ROW_SHIFT_MIN_COLS_BYTES
    return kind == 't' or (big and (kind == 'conv' or Co <= _ROW_SHIFT_MAX_CO_W))


@functools.lru_cache(maxsize=64)
def _row_shift_plan(K, dilation, O, n):
    """``_offset_plan`` over the kernel's trailing dims: for each of their offsets, its index
    into ``S`` ``(C, *K[1:], padded[0], *O[1:-1], O[-1] * n)`` and the slices of the batch-last
    input ``(C, *padded[:-1], padded[-1] * n)`` it holds."""
    return tuple((dst, src[:1] + (slice(None),) + src[1:])
                 for dst, src in _offset_plan(K[1:], dilation[1:], O[1:], n))


def _row_shifted(x, K, O, pads, dilation, ones=False):
    """The row-shifted batch-last columns ``S`` of ``x`` (n, C, *S): ``(C * prod(K[1:]),
    padded[0] * prod(O[1:]) * n)`` (Note [Row-shifted batch-last columns]), with ``ones`` a row
    of ones after them."""
    n, C = x.shape[:2]
    xt = _batch_last(x, pads)
    xr = xt.reshape(xt.shape[:-2] + (-1,))
    rows = C * math.prod(K[1:])
    S = np.empty((rows + ones, xt.shape[1]) + tuple(O[1:-1]) + (O[-1] * n,), x.dtype)
    Sv = S[:rows].reshape((C,) + tuple(K[1:]) + S.shape[1:])
    for dst, src in _row_shift_plan(tuple(K), tuple(dilation), tuple(O), n):
        Sv[dst] = xr[src]
    if ones:
        S[rows] = 1
    return S.reshape(rows + ones, -1)


def _first_dim_shifts(K, dilation, O, n):
    """The column shift of each first-dim kernel offset in row-shifted columns, and the
    columns of one GEMM: ``([k * d * R], O[0] * R)``, R = ``prod(O[1:]) * n``."""
    R = math.prod(O[1:]) * n
    return [k * dilation[0] * R for k in range(K[0])], O[0] * R


def _conv_row_shifted(x, w, dilation, out_sp, pads, bias):
    """``conv(x, w) + bias`` on the host by row-shifted batch-last columns (Note [Row-shifted
    batch-last columns])."""
    N, C = x.shape[:2]
    Co = w.shape[0]
    K = w.shape[2:]
    rows = C * math.prod(K[1:])
    wk = np.ascontiguousarray(np.moveaxis(w, 2, 0)).reshape(K[0], Co, rows)
    w0 = wk[0] if bias is None else np.concatenate(
        (wk[0], bias.astype(x.dtype, copy=False).reshape(Co, 1)), axis=1)
    y = np.empty((N, Co) + tuple(out_sp), x.dtype)
    padded0 = out_sp[0] + dilation[0] * (K[0] - 1)
    for a, b in _chunks(N, rows * padded0 * math.prod(out_sp[1:]) * x.itemsize):
        S = _row_shifted(x[a:b], K, out_sp, pads, dilation, bias is not None)
        shifts, L = _first_dim_shifts(K, dilation, out_sp, b - a)
        res = np.empty((Co, L), x.dtype)
        _shifted_gemms(wk, S[:rows], res, shifts, L, False, (w0, S))
        transpose_into(res.reshape(-1, b - a), y[a:b].reshape(b - a, -1))
    return y


# Note [Image-major columns]: the other host layouts make one im2col matrix for a chunk of
# images and one GEMM over all its columns. With few input and output channels that GEMM is
# thin (LeNet's first layer: 6 x 25 times 25 x 57088), and OpenBLAS runs it at ~50 GFLOP/s
# over a matrix that has left the caches; its (C_out, images, positions) result is then copied
# out channel by channel. Laid out image by image instead, ``(images, C * prod(K), L)`` (L: an
# image's flat columns, Note [Flat columns]), one stacked matmul multiplies each image's
# columns while they are in the cache, and its (images, C_out, L) result is in the output's
# order; a bias rides in the product, as one more weight column against a row of ones (the
# broadcast add over the strided result cost 2x the plain copy). LeNet's first layer (its
# conv alone, no grad) 919 -> 538 us forward, 576 -> 440 us weight gradient; 8 -> 8
# channels on 28x28 465 -> 325 and 574 -> 310 us; 4 -> 6 channels, 5x5 on 32x32 725 -> 478 and
# 861 -> 479 us. Taken with stride 1, one group, < 16 input channels (else the direct
# convolution or flat columns), where batch-last columns do not win, and at most
# ``_IMAGE_COLS`` flat columns per image (1700-2400: as fast as before; larger images lose:
# 3 -> 16 channels on 64x64, 4222 columns, weight gradient 605 -> 1094 us) and 1 MB of them,
# whatever the output channels (forward, 3 -> 32 channels 3x3 on 32x32: 5210 -> 2405 us;
# 3 -> 128: 7662 -> 5886 us). The input gradient keeps its channel-major planes (image-major
# measured 1.4-1.6x slower).
_IMAGE_COLS = 2048
_IMAGE_COLS_BYTES = 1 << 20


def _image_cols(x, K, pads, dilation, L, buf=None, ones=False):
    """The flat im2col matrices of the images of ``x`` (n, C, *S), image-major: ``(n, C *
    prod(K), L)`` (Note [Image-major columns]), with ``ones`` a row of ones after them (a bias
    then rides in the product), written into ``buf`` when it is large enough (the previous
    chunk's, Note [Reused column buffer])."""
    xpad = np.ascontiguousarray(_pad_zeros(np, x, pads))
    n, C = x.shape[:2]
    st = xpad.strides
    view = _as_strided(np, xpad, (n, C) + tuple(K) + (L,),
                       st[:2] + tuple(a * d for a, d in zip(st[2:], dilation)) + (x.itemsize,))
    rows = C * math.prod(K)
    shape = (n, rows + ones, L)
    if buf is None or buf.size < math.prod(shape):
        if not ones:
            return np.ascontiguousarray(view).reshape(shape)
        buf = np.empty(shape, x.dtype)
    out = buf.reshape(-1)[:math.prod(shape)].reshape(shape)
    np.copyto(out[:, :rows].reshape(view.shape), view)
    if ones:
        out[:, rows] = 1
    return out


def _image_major_fits(x, K, padded, O):
    """Whether stride-1 kernels of a (N, C, *S) host input ``x`` take image-major columns
    (Note [Image-major columns])."""
    L = _flat_len(padded, O)
    return x.shape[1] < _DIRECT_MIN_C and not _batch_last_wins(padded, O) and \
        L <= _IMAGE_COLS and x.shape[1] * math.prod(K) * L * x.itemsize <= _IMAGE_COLS_BYTES


def _conv_image_major(x, w, dilation, padded, out_sp, pads, bias):
    """``conv(x, w) + bias`` (stride 1, one group) on the host by image-major columns."""
    N, C = x.shape[:2]
    Co = w.shape[0]
    K = w.shape[2:]
    L = _flat_len(padded, out_sp)
    wm = w.reshape(Co, -1)
    if bias is not None:  # the bias as one more column of the weights, against a row of ones
        wm = np.concatenate((wm, bias.astype(x.dtype, copy=False).reshape(Co, 1)), axis=1)
    y = np.empty((N, Co) + tuple(out_sp), x.dtype)
    cols = None
    for a, b in _chunks(N, C * math.prod(K) * L * x.itemsize):
        cols = _image_cols(x[a:b], K, pads, dilation, L, _reusable(np, cols, x),
                           bias is not None)
        copy_rows(y[a:b], _valid(np, np.matmul(wm, cols), padded, out_sp))
    return y


def _conv_w_image_major(x, g, K, padded, O, pads, dilation):
    """``conv_w(x, g)`` (stride 1, one group, finite ``x``) on the host by image-major
    columns: ``(Co, C, *K)``."""
    N, C = x.shape[:2]
    Co = g.shape[1]
    L = _flat_len(padded, O)
    gw = np.zeros((Co, C * math.prod(K)), x.dtype)
    cols = None
    for a, b in _chunks(N, C * math.prod(K) * L * x.itemsize):
        cols = _image_cols(x[a:b], K, pads, dilation, L, _reusable(np, cols, x))
        gf = np.zeros((b - a, Co, L), x.dtype)  # zero off the outputs (Note [Flat columns])
        copy_rows(_valid(np, gf, padded, O), g[a:b])
        gw += np.matmul(gf, cols.swapaxes(1, 2)).sum(0)
    return gw.reshape((Co, C) + tuple(K))


def _conv_raw(xp, x, w, stride, pads, dilation, groups, bias=None):
    """``conv(x, w) + bias``: (N, C, *S) x (Co, C/groups, *K) (+ (Co,)) -> (N, Co, *O); the
    bias is added as the product is copied out (no pass of its own)."""
    N = x.shape[0]
    Co = w.shape[0]
    K = w.shape[2:]
    padded = [n + lo + hi for n, (lo, hi) in zip(x.shape[2:], pads)]
    out_sp = tuple(_out_size(p, k, s, d) for p, k, s, d in zip(padded, K, stride, dilation))
    flat = all(s == 1 for s in stride)
    if (flat or _phases_fit(K, stride, dilation)) and groups == 1 and xp is np and \
            x.shape[1] >= _DIRECT_MIN_C and available(x.dtype) and w.dtype == x.dtype:
        return _conv_direct(x, w, stride, dilation, out_sp, pads, bias)
    if flat and groups == 1 and xp is np and _batch_last_wins(padded, out_sp):
        w = w.astype(x.dtype, copy=False)
        if _row_shifted_fits('conv', N, x.shape[1], Co, w.shape[2:], out_sp, x.dtype):
            return _conv_row_shifted(x, w, dilation, out_sp, pads, bias)
        return _conv_batch_last(x, w, dilation, out_sp, pads, bias)
    if flat and groups == 1 and xp is np and _image_major_fits(x, K, padded, out_sp):
        return _conv_image_major(x, w.astype(x.dtype, copy=False), dilation, padded, out_sp,
                                 pads, bias)
    wm = w.reshape(groups, Co // groups, -1)
    if wm.dtype != x.dtype:
        wm = wm.astype(x.dtype)
    ncols = _flat_len(padded, out_sp) if flat else math.prod(out_sp)
    if bias is not None:
        bias = bias.astype(x.dtype, copy=False).reshape((Co, 1) + (1,) * len(out_sp))
    y = xp.empty((N, Co) + out_sp, x.dtype)
    cols = None
    for a, b in _chunks(N, w[0].size * groups * ncols * x.itemsize):
        cols = _im2col(xp, x[a:b], K, stride, pads, dilation, groups, out_sp, flat,
                       _reusable(xp, cols, x))
        yc = _bmm(xp, wm, cols).reshape(Co, b - a, ncols)
        src = _valid(xp, yc, padded, out_sp) if flat else yc.reshape((Co, b - a) + out_sp)
        if bias is None:
            copy_rows(y[a:b].swapaxes(0, 1), src)
        else:
            xp.add(src, bias, out=y[a:b].swapaxes(0, 1))
    return y


def _conv_t_planes(g, wm, K, padded, O, dilation, in_sp, pads):
    """The transposed convolution (stride 1) of ``g`` (N, Co, *O) with ``wm`` (G, Co/G,
    C/G * prod(K)) on the host, (N, C, *in_sp), in channel-major planes (Note [Direct
    convolution by accumulating GEMMs]; ``g`` is zero there off the outputs). With one group and
    many channels, one GEMM ``W_k^T @ g`` per kernel offset is added at the offset's shift;
    otherwise one GEMM per chunk of images makes every offset's columns, and each offset's are
    added at its shift: one contiguous slice per channel over the chunk's images (measured on
    LeNet's second layer before batch-last columns took it: 1.09 -> 0.89 ms against per-image
    slices)."""
    N, Co = g.shape[:2]
    G = wm.shape[0]
    C = G * (wm.shape[2] // math.prod(K))
    P = math.prod(padded)
    shifts = _flat_shifts(padded, K, dilation)
    gb = _channel_major(g, padded, (0,) * len(O))
    out = np.empty((C, N * P), g.dtype)
    if G == 1 and min(Co, C) >= _DIRECT_MIN_C and available(g.dtype):
        wkT = np.ascontiguousarray(np.moveaxis(wm[0].reshape(Co, C, -1), 2, 0).transpose(0, 2, 1))
        _shifted_gemms(wkT, gb, out, shifts, (N - 1) * P + _flat_len(padded, O), True)
    else:
        out[...] = 0
        gg = gb.reshape(G, Co // G, -1)
        for a, b in _chunks(N, wm.shape[2] * G * P * g.itemsize):
            n = (b - a - 1) * P + _flat_len(padded, O)
            cols = _bmm(np, wm, gg[:, :, a * P:a * P + n], ta=True).reshape(C, len(shifts), n)
            for k, s in enumerate(shifts):
                out[:, a * P + s:a * P + s + n] += cols[:, k]
    crop = tuple(slice(lo, lo + n) for n, (lo, _) in zip(in_sp, pads))
    res = np.empty((N, C) + tuple(in_sp), g.dtype)
    copy_rows(res.swapaxes(0, 1),
              out.reshape((C, N) + tuple(padded))[(slice(None),) * 2 + crop])
    return res


def _unpad_batch_last(acc, padded, pads, crop, out):
    """``acc``, an input gradient in the padded batch-last layout ``(C, *padded, n)`` (last two
    dims merged), cropped to ``crop`` and written into ``out`` (n, C, *S)."""
    n = out.shape[0]
    if any(lo or hi for lo, hi in pads):
        acc = np.ascontiguousarray(acc.reshape(acc.shape[:1] + tuple(padded) + (n,))[
            (slice(None),) + crop])
    transpose_into(acc.reshape(-1, n), out.reshape(n, -1))


def _conv_t_batch_last(g, wm, K, padded, O, dilation, in_sp, pads):
    """The transposed convolution (stride 1) of ``g`` (N, Co, *O) with ``wm`` (Co, C *
    prod(K)) on the host by batch-last columns: one GEMM per chunk of images, each kernel
    offset's columns added at its place, one run per output row (Note [Batch-last columns])."""
    N, Co = g.shape[:2]
    C = wm.shape[1] // math.prod(K)
    res = np.empty((N, C) + tuple(in_sp), g.dtype)
    crop = tuple(slice(lo, lo + s) for s, (lo, _) in zip(in_sp, pads))
    for a, b in _chunks(N, wm.shape[1] * math.prod(O) * g.itemsize):
        n = b - a
        cols = (wm.T @ _rows_last(g[a:b])).reshape(
            (C,) + tuple(K) + tuple(O[:-1]) + (O[-1] * n,))
        # in two stages: the offsets along the leading dims first, into one array per offset
        # along the last, where each add is a long run per channel; then those few arrays at
        # their shifts along the last dim (LeNet's second layer: 25 adds of 60 runs of 640
        # became 25 of 6 runs and 5 of 84; the whole kernel 1022 -> 847 us)
        part = np.zeros((K[-1], C) + tuple(padded[:-1]) + (O[-1] * n,), g.dtype)
        for dst, src in _scatter_plan(tuple(K), tuple(dilation), tuple(O)):
            part[dst] += cols[src]
        acc = np.zeros((C,) + tuple(padded[:-1]) + (padded[-1] * n,), g.dtype)
        for k in range(K[-1]):
            s = k * dilation[-1] * n
            acc[..., s:s + O[-1] * n] += part[k]
        _unpad_batch_last(acc, padded, pads, crop, res[a:b])
    return res


def _conv_t_row_shifted(g, wm, K, padded, O, dilation, in_sp, pads):
    """The transposed convolution (stride 1) of ``g`` (N, Co, *O) with ``wm`` (Co, C *
    prod(K)) on the host by row-shifted batch-last columns (Note [Row-shifted batch-last
    columns]): K[0] GEMMs accumulated into their layout, then added at the trailing offsets'
    shifts."""
    N, Co = g.shape[:2]
    C = wm.shape[1] // math.prod(K)
    rows = C * math.prod(K[1:])
    wkT = np.ascontiguousarray(wm.reshape(Co, C, K[0], -1).transpose(2, 1, 3, 0)).reshape(
        K[0], rows, Co)
    res = np.empty((N, C) + tuple(in_sp), g.dtype)
    crop = tuple(slice(lo, lo + s) for s, (lo, _) in zip(in_sp, pads))
    for a, b in _chunks(N, rows * padded[0] * math.prod(O[1:]) * g.itemsize):
        n = b - a
        shifts, L = _first_dim_shifts(K, dilation, O, n)
        dS = np.empty((rows, padded[0] * L // O[0]), g.dtype)
        _shifted_gemms(wkT, _rows_last(g[a:b]), dS, shifts, L, True)
        dS = dS.reshape((C,) + tuple(K[1:]) + (padded[0],) + tuple(O[1:-1]) + (O[-1] * n,))
        acc = np.zeros((C,) + tuple(padded[:-1]) + (padded[-1] * n,), g.dtype)
        for dst, src in _row_shift_plan(tuple(K), tuple(dilation), tuple(O), n):
            acc[src] += dS[dst]
        _unpad_batch_last(acc, padded, pads, crop, res[a:b])
    return res


def _conv_t_raw(xp, g, w, in_sp, stride, pads, dilation, groups):
    """``conv_t(g, w)``: (N, Co, *O) x (Co, C/groups, *K) -> (N, C, *in_sp)."""
    N, Co = g.shape[:2]
    O = g.shape[2:]
    Cg = w.shape[1]
    K = w.shape[2:]
    G = groups
    wm = w.reshape(G, Co // G, Cg * math.prod(K))
    if wm.dtype != g.dtype:
        wm = wm.astype(g.dtype)
    padded = tuple(n + lo + hi for n, (lo, hi) in zip(in_sp, pads))
    if all(s == 1 for s in stride) and G == 1 and xp is np and min(Co, Cg) < _DIRECT_MIN_C \
            and _batch_last_wins(padded, O):
        if _row_shifted_fits('t', N, Cg, Co, K, O, g.dtype):
            return _conv_t_row_shifted(g, wm[0], K, padded, O, dilation, in_sp, pads)
        return _conv_t_batch_last(g, wm[0], K, padded, O, dilation, in_sp, pads)
    if G == 1 and xp is np and min(Co, Cg) >= _DIRECT_MIN_C and available(g.dtype) and \
            _phases_fit(K, stride, dilation) and _finite(xp, wm):
        return _conv_t_phases(g, wm[0], K, stride, in_sp, pads)
    flat = all(s == 1 for s in stride) and _finite(xp, wm)
    if flat and xp is np:
        return _conv_t_planes(g, wm, K, padded, O, dilation, in_sp, pads)
    ncols = _flat_len(padded, O) if flat else math.prod(O)
    out = xp.zeros((N, G * Cg) + padded, g.dtype)
    _conv_t_cols(xp, g, wm, K, padded, O, stride, dilation, flat, ncols, out)
    if any(lo or hi for lo, hi in pads):
        out = out[(Ellipsis,) + tuple(slice(lo, lo + n) for n, (lo, _) in zip(in_sp, pads))]
    return out


def _conv_t_cols(xp, g, wm, K, padded, O, stride, dilation, flat, ncols, out):
    """``out`` (N, C, *padded) += the transposed convolution of ``g`` through one GEMM per
    chunk of images and a scatter-add of its columns per kernel offset."""
    N, Co = g.shape[:2]
    G = wm.shape[0]
    Cg = out.shape[1] // G
    shifts = _flat_shifts(padded, K, dilation) if flat else None
    for a, b in _chunks(N, wm.shape[2] * G * ncols * g.itemsize):
        gm = _to_cols(xp, g[a:b].swapaxes(0, 1), padded, flat).reshape(G, Co // G, -1)
        cols = _bmm(xp, wm, gm, ta=True)
        outT = out[a:b].swapaxes(0, 1)  # (C, n, *S): the layout of each kernel offset's columns
        if flat:
            cols = cols.reshape((G * Cg,) + tuple(K) + (b - a, ncols))
            outT = outT.reshape(G * Cg, b - a, -1)
        else:
            cols = cols.reshape((G * Cg,) + tuple(K) + (b - a,) + tuple(O))
        for i, kidx in enumerate(np.ndindex(*K)):
            if flat:
                sl = (slice(shifts[i], shifts[i] + ncols),)
            else:
                sl = tuple(slice(k * d, k * d + s * (o - 1) + 1, s)
                           for k, d, s, o in zip(kidx, dilation, stride, O))
            outT[(slice(None), slice(None)) + sl] += cols[(slice(None),) + kidx]


def _conv_w_batch_last(x, g, K, O, pads, dilation):
    """``conv_w(x, g)`` (stride 1, one group) on the host by batch-last columns (Note
    [Batch-last columns]): ``(Co, C, *K)``."""
    N, C = x.shape[:2]
    Co = g.shape[1]
    gwT = np.zeros((C * math.prod(K), Co), x.dtype)
    for a, b in _chunks(N, C * math.prod(K) * math.prod(O) * x.itemsize):
        _add_mm_nt(gwT, _batch_last_cols(x[a:b], K, O, pads, dilation),
                   _rows_last(g[a:b]).astype(x.dtype, copy=False))
    return gwT.T.reshape((Co, C) + tuple(K))


def _conv_w_row_shifted(x, g, K, O, pads, dilation):
    """``conv_w(x, g)`` (stride 1, one group) on the host by row-shifted batch-last columns
    (Note [Row-shifted batch-last columns]): ``(Co, C, *K)``."""
    N, C = x.shape[:2]
    Co = g.shape[1]
    rows = C * math.prod(K[1:])
    gwT = np.zeros((K[0], rows, Co), x.dtype)
    padded0 = O[0] + dilation[0] * (K[0] - 1)
    for a, b in _chunks(N, rows * padded0 * math.prod(O[1:]) * x.itemsize):
        S = _row_shifted(x[a:b], K, O, pads, dilation)
        gr = _rows_last(g[a:b]).astype(x.dtype, copy=False)
        shifts, L = _first_dim_shifts(K, dilation, O, b - a)
        for k, s in enumerate(shifts):
            _add_mm_nt(gwT[k], S[:, s:s + L], gr)
    gw = gwT.reshape((K[0], C) + tuple(K[1:]) + (Co,))
    return gw.transpose((gw.ndim - 1, 1, 0) + tuple(range(2, gw.ndim - 1)))


def _conv_w_raw(xp, x, g, ksize, stride, pads, dilation, groups):
    """``conv_w(x, g)``: (N, C, *S) x (N, Co, *O) -> (Co, C/groups, *K)."""
    N, Co = g.shape[:2]
    O = g.shape[2:]
    C = x.shape[1]
    padded = tuple(n + lo + hi for n, (lo, hi) in zip(x.shape[2:], pads))
    if all(s == 1 for s in stride) and groups == 1 and xp is np and C < _DIRECT_MIN_C and \
            _batch_last_wins(padded, O):
        if _row_shifted_fits('w', N, C, Co, ksize, O, x.dtype):
            return _conv_w_row_shifted(x, g, ksize, O, pads, dilation)
        return _conv_w_batch_last(x, g, ksize, O, pads, dilation)
    flat = all(s == 1 for s in stride) and _finite(xp, x)
    if flat and groups == 1 and xp is np and _image_major_fits(x, ksize, padded, O):
        return _conv_w_image_major(x, g.astype(x.dtype, copy=False), ksize, padded, O, pads,
                                   dilation)
    ncols = _flat_len(padded, O) if flat else math.prod(O)
    # computed transposed, cols @ g.T: OpenBLAS runs it up to twice as fast as g @ cols.T
    gwT = xp.zeros((groups, (C // groups) * math.prod(ksize), Co // groups), x.dtype)
    cols = None
    for a, b in _chunks(N, C * math.prod(ksize) * ncols * x.itemsize):
        cols = _im2col(xp, x[a:b], ksize, stride, pads, dilation, groups, O, flat,
                       _reusable(xp, cols, x))
        gm = _to_cols(xp, g[a:b].swapaxes(0, 1), padded, flat).reshape(groups, Co // groups, -1)
        if gm.dtype != cols.dtype:
            gm = gm.astype(cols.dtype)
        for j in range(groups):
            _add_mm_nt(gwT[j], cols[j], gm[j])
    return gwT.swapaxes(1, 2).reshape((Co, C // groups) + tuple(ksize))


# Note [Small products over long columns]: ``a @ b.T`` with a small result (a weight gradient of
# few channels) over many columns runs 2-3x faster in blocks of about this many columns, summed:
# OpenBLAS's threads split the small result and each streams every column.
_NT_BLOCK = 2048
_NT_SMALL = 1024


def _add_mm_nt(out, a, b):
    """``out += a @ b.T`` for 2-D ``a`` (m, P), ``b`` (n, P) (Note [Small products over long
    columns])."""
    P = a.shape[1]
    if out.size > _NT_SMALL or P <= 2 * _NT_BLOCK:
        out += a @ b.T
        return
    for s in range(0, P, _NT_BLOCK):
        out += a[:, s:s + _NT_BLOCK] @ b[:, s:s + _NT_BLOCK].T


def _bmm(xp, a, b, ta=False, tb=False):
    """``a[g] (.T) @ b[g] (.T)`` for every group ``g``: one 2-D product per group (NumPy's
    stacked matmul does not hand transposed operands to BLAS)."""
    outs = []
    for g in range(a.shape[0]):
        x, y = a[g], b[g]
        outs.append((x.T if ta else x) @ (y.T if tb else y))
    return outs[0][None] if len(outs) == 1 else xp.stack(outs)


# -- the three ops and their nodes ---------------------------------------------------------------
def _arrays(*ts):
    """The arrays of ``ts`` in a dtype the GEMM handles, and the dtype to cast the result to."""
    arrs = [t._data for t in ts]
    cd = _compute_dtype(arrs[0])
    if cd is not None:
        arrs = [a.astype(cd) for a in arrs]
    return arrs


def _finish(res, like, bias=None, xp=None):
    dt = like._dtype
    if bias is not None:
        res += bias._data.reshape((-1,) + (1,) * (res.ndim - 2))  # res: the kernel's own array
    if res.dtype != dt.numpy:
        res = res.astype(dt.numpy)
    return make(res, dt, like._device)


class ConvolutionBackward0(Node):
    """Gradients of ``conv`` (``kind='conv'``) or of the transposed convolution
    (``kind='t'``), see Note [Convolution triangle]."""
    __slots__ = ('kind', 'params', 'has_bias')

    def backward(self, g):
        x, w = self.saved_tensors
        stride, pads, dilation, groups = self.params
        nf = self.next_functions
        gx = gw = gb = None
        if self.kind == 'conv':
            if nf[0][0] is not None:
                gx = _conv_t(g, w, None, x._data.shape[2:], self.params)
            if nf[1][0] is not None:
                gw = _conv_w(x, g, w._data.shape[2:], self.params)
        else:
            if nf[0][0] is not None:
                gx = _conv(g, w, None, self.params)
            if nf[1][0] is not None:
                gw = _conv_w(g, x, w._data.shape[2:], self.params)
        if self.has_bias and nf[2][0] is not None:
            gb = g.sum([0] + list(range(2, g.ndim)))
        return gx, gw, gb


class ConvolutionBackwardBackward0(Node):
    """Gradients of ``conv_w(x, g)``: ``conv_t(G, ., x)`` for ``x``, ``conv(x, G)`` for ``g``."""
    __slots__ = ('params',)

    def backward(self, G):
        x, g = self.saved_tensors
        nf = self.next_functions
        gx = _conv_t(g, G, None, x._data.shape[2:], self.params) if nf[0][0] is not None else None
        gg = _conv(x, G, None, self.params) if nf[1][0] is not None else None
        return gx, gg


def _conv(x, w, b, params):
    xp = xp_of(x)
    stride, pads, dilation, groups = params
    xa, wa = _arrays(x, w)
    out = _finish(_conv_raw(xp, xa, wa, stride, pads, dilation, groups,
                            None if b is None else b._data), x)
    if state.enabled and (x._requires_grad or w._requires_grad or
                          (b is not None and b._requires_grad)):
        node = ConvolutionBackward0()
        node.kind, node.params, node.has_bias = 'conv', params, b is not None
        node.save(x, w)
        record(node, out, x, w, b)
    return out


def _conv_t(g, w, b, in_sp, params):
    xp = xp_of(g)
    stride, pads, dilation, groups = params
    ga, wa = _arrays(g, w)
    out = _finish(_conv_t_raw(xp, ga, wa, in_sp, stride, pads, dilation, groups), g, b)
    if state.enabled and (g._requires_grad or w._requires_grad or
                          (b is not None and b._requires_grad)):
        node = ConvolutionBackward0()
        node.kind, node.params, node.has_bias = 't', params, b is not None
        node.save(g, w)
        record(node, out, g, w, b)
    return out


def _conv_w(x, g, ksize, params):
    xp = xp_of(x)
    stride, pads, dilation, groups = params
    xa, ga = _arrays(x, g)
    out = _finish(_conv_w_raw(xp, xa, ga, ksize, stride, pads, dilation, groups), x)
    if state.enabled and (x._requires_grad or g._requires_grad):
        node = ConvolutionBackwardBackward0()
        node.params = params
        node.save(x, g)
        record(node, out, x, g)
    return out


# -- argument checks ---------------------------------------------------------------------------
def _expand(value, k, name):
    """An int or a sequence of ``k`` ints as a tuple of ``k`` ints (PyTorch's error else)."""
    if isinstance(value, (int, np.integer)):
        return (int(value),) * k
    v = tuple(int(a) for a in value)
    if len(v) == 1:
        return v * k
    if len(v) != k:
        raise RuntimeError(f'expected {name} to be a single integer value or a list of {k} '
                           f'values to match the convolution dimensions, but got {name}='
                           f'{list(v)}')
    return v


def _sizes(v):
    return ' x '.join(str(a) for a in v)


def _check_dims(input, n, name):
    if input.ndim not in (n + 1, n + 2):
        raise RuntimeError(f'Expected {n + 1}D (unbatched) or {n + 2}D (batched) input to {name}, '
                           f'but got input of size: {list(input.shape)}')


def _check_common(x, weight, bias, stride, dilation, groups, transposed):
    if any(s <= 0 for s in stride):
        raise RuntimeError('non-positive stride is not supported')
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f'dilation should be greater than zero, but got {list(dilation)}')
    if groups <= 0:
        raise RuntimeError('non-positive groups is not supported')
    if x._dtype is not weight._dtype:
        raise RuntimeError(f'expected scalar type {dtype_title(x._dtype)} but found '
                           f'{dtype_title(weight._dtype)}')
    if bias is not None and bias._dtype is not x._dtype:
        raise RuntimeError(f'Input type ({x._dtype.name.replace("float32", "float")}) and bias '
                           f'type ({bias._dtype.name.replace("float32", "float")}) should be the '
                           f'same'.replace('float64', 'double'))
    ws = list(weight.shape)
    if x.ndim != weight.ndim:
        raise RuntimeError(f'Expected {weight.ndim}-dimensional input for {weight.ndim}-'
                           f'dimensional weight {ws}, but got {x.ndim}-dimensional input of size '
                           f'{list(x.shape)} instead')
    if ws[0] % groups:
        raise RuntimeError(f'Given groups={groups}, expected weight to be divisible by {groups} at '
                           f'dimension 0, but got weight of size [{ws}] instead')
    C = x.shape[1]
    t = 'transposed=1, ' if transposed else f'groups={groups}, '
    want = ws[0] if transposed else ws[1] * groups
    if C != want:
        raise RuntimeError(f'Given {t}weight of size {ws}, expected input{list(x.shape)} to have '
                           f'{want} channels, but got {C} channels instead')
    if bias is not None:
        nb = ws[1] * groups if transposed else ws[0]
        if bias.ndim != 1 or bias.shape[0] != nb:
            raise RuntimeError(f'Given {"transposed=1, " if transposed else ""}weight of size '
                               f'{ws}, expected bias to be 1-dimensional with {nb} elements, but '
                               f'got bias of size {list(bias.shape)} instead')
    name = x._dtype.name
    if x._data.size and name not in _CONV_DTYPES:
        # PyTorch's CPU kernels: the plain one takes every integer type, the dilated and the
        # transposed ones only int64
        if name == 'bool':
            kernel = 'slow_conv3d_cpu' if len(stride) == 3 else 'slow_conv2d_cpu'
        elif transposed:
            kernel = f'slow_conv_transpose{max(len(stride), 2)}d_out_cpu'
        elif any(d != 1 for d in dilation):
            kernel = 'slow_conv_dilated<>'
        else:
            kernel = None
        if kernel:
            raise not_implemented(kernel, x._dtype)


_CONV_DTYPES = ('int64', 'float16', 'bfloat16', 'float32', 'float64')


def _convnd(input, weight, bias, stride, padding, dilation, groups, n, name):
    _check_dims(input, n, name)
    k = weight.ndim - 2
    stride = _expand(stride, k, 'stride')
    dilation = _expand(dilation, k, 'dilation')
    K = tuple(weight.shape[2:])
    if isinstance(padding, str):
        if padding == 'valid':
            pads = ((0, 0),) * k
        elif padding == 'same':
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            pads = tuple((d * (kk - 1) // 2, d * (kk - 1) - d * (kk - 1) // 2)
                         for kk, d in zip(K, dilation))
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        p = _expand(padding, k, 'padding')
        if any(a < 0 for a in p):
            raise RuntimeError('negative padding is not supported')
        pads = tuple((a, a) for a in p)
    batched = input.ndim == n + 2
    x = input if batched else input.unsqueeze(0)
    _check_common(x, weight, bias, stride, dilation, groups, False)
    padded = tuple(s + lo + hi for s, (lo, hi) in zip(x.shape[2:], pads))
    eff = tuple(d * (kk - 1) + 1 for kk, d in zip(K, dilation))
    if any(p < e for p, e in zip(padded, eff)):
        raise RuntimeError(f'Calculated padded input size per channel: ({_sizes(padded)}). Kernel '
                           f'size: ({_sizes(eff)}). Kernel size can\'t be greater than actual '
                           f'input size')
    out = _conv(x, weight, bias, (stride, pads, dilation, groups))
    return out if batched else out.squeeze(0)


_CONV_DOC = """Applies a {n}D convolution over an input made of several input planes.

    ``input`` is ``(N, C_in, {sp})`` (or unbatched ``(C_in, {sp})``), ``weight``
    ``(C_out, C_in / groups, {ks})``, ``bias`` ``(C_out,)`` or None. ``stride``, ``padding``
    (an int, a tuple, ``'valid'`` or ``'same'``) and ``dilation`` are ints or tuples of {n};
    ``groups`` splits the channels into independent convolutions. The output is
    ``(N, C_out, {osp})`` with ``O = floor((S + 2 * padding - dilation * (k - 1) - 1) / stride
    + 1)``.

    Example::

        >>> x = flambeau.randn({ex_in})
        >>> w = flambeau.randn({ex_w})
        >>> F.conv{n}d(x, w, padding=1).shape
        flambeau.Size([{ex_out}])
    """


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 1, 'conv1d')


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 2, 'conv2d')


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 3, 'conv3d')


conv1d.__doc__ = _CONV_DOC.format(n=1, sp='L', ks='k', osp='L_out', ex_in='20, 16, 50',
                                  ex_w='33, 16, 3', ex_out='20, 33, 50')
conv2d.__doc__ = _CONV_DOC.format(n=2, sp='H, W', ks='kH, kW', osp='H_out, W_out',
                                  ex_in='1, 4, 5, 5', ex_w='8, 4, 3, 3', ex_out='1, 8, 5, 5')
conv3d.__doc__ = _CONV_DOC.format(n=3, sp='D, H, W', ks='kD, kH, kW',
                                  osp='D_out, H_out, W_out', ex_in='1, 4, 5, 5, 5',
                                  ex_w='8, 4, 3, 3, 3', ex_out='1, 8, 5, 5, 5')


_AXES = ('depth', 'height', 'width')


def _conv_transposend(input, weight, bias, stride, padding, output_padding, groups, dilation, n,
                      name):
    _check_dims(input, n, name)
    if isinstance(padding, str):
        raise TypeError(f"{name}(): argument 'padding' must be tuple of ints, not str")
    k = weight.ndim - 2
    stride = _expand(stride, k, 'stride')
    dilation = _expand(dilation, k, 'dilation')
    p = _expand(padding, k, 'padding')
    op = _expand(output_padding, k, 'output_padding')
    if any(a < 0 for a in p):
        raise RuntimeError('negative padding is not supported')
    if any(a < 0 for a in op):
        raise RuntimeError('negative output_padding is not supported')
    batched = input.ndim == n + 2
    x = input if batched else input.unsqueeze(0)
    _check_common(x, weight, bias, stride, dilation, groups, True)
    # PyTorch runs 1-d transposed convolutions as 2-d ones: its messages show a height of 1
    lead = 1 if k == 1 else 0
    if any(o >= s and o >= d for o, s, d in zip(op, stride, dilation)):
        names = _AXES[3 - k - lead:]
        vals = [(0,) * lead + op, (1,) * lead + stride, (1,) * lead + dilation]
        parts = [f'{what}_{a}: {v}' for what, vs in zip(('output_padding', 'stride', 'dilation'),
                                                          vals) for a, v in zip(names, vs)]
        raise RuntimeError('output padding must be smaller than either stride or dilation, but '
                           'got ' + ' '.join(parts))
    K = tuple(weight.shape[2:])
    in_sp = tuple(x.shape[2:])
    out_sp = tuple((i - 1) * s - 2 * a + d * (kk - 1) + o + 1
                   for i, s, a, d, kk, o in zip(in_sp, stride, p, dilation, K, op))
    if any(o <= 0 for o in out_sp):
        raise RuntimeError(f'Given input size per channel: ({_sizes((1,) * lead + in_sp)}). '
                           f'Calculated output size per channel: '
                           f'({_sizes((1,) * lead + out_sp)}). Output size is too small')
    out = _conv_t(x, weight, bias, out_sp, (stride, tuple((a, a) for a in p), dilation, groups))
    return out if batched else out.squeeze(0)


_CONV_T_DOC = """Applies a {n}D transposed convolution (the gradient of ``conv{n}d`` with
    respect to its input, sometimes called "deconvolution").

    ``input`` is ``(N, C_in, {sp})`` (or unbatched), ``weight``
    ``(C_in, C_out / groups, {ks})``, ``bias`` ``(C_out,)`` or None. Each output size is
    ``(S - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1``.

    Example::

        >>> x = flambeau.randn({ex_in})
        >>> w = flambeau.randn({ex_w})
        >>> F.conv_transpose{n}d(x, w, stride=2).shape
        flambeau.Size([{ex_out}])
    """


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups,
                             dilation, 1, 'conv_transpose1d')


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups,
                             dilation, 2, 'conv_transpose2d')


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups,
                             dilation, 3, 'conv_transpose3d')


conv_transpose1d.__doc__ = _CONV_T_DOC.format(n=1, sp='L', ks='k', ex_in='20, 16, 50',
                                              ex_w='16, 33, 3', ex_out='20, 33, 101')
conv_transpose2d.__doc__ = _CONV_T_DOC.format(n=2, sp='H, W', ks='kH, kW', ex_in='1, 4, 5, 5',
                                              ex_w='4, 8, 3, 3', ex_out='1, 8, 11, 11')
conv_transpose3d.__doc__ = _CONV_T_DOC.format(n=3, sp='D, H, W', ks='kD, kH, kW',
                                              ex_in='1, 4, 2, 2, 2', ex_w='4, 8, 3, 3, 3',
                                              ex_out='1, 8, 5, 5, 5')


# -- unfold / fold ---------------------------------------------------------------------------
def _pair(v):
    return (int(v),) * 2 if isinstance(v, (int, np.integer)) else tuple(int(a) for a in v)


class Im2ColBackward0(Node):
    __slots__ = ('args', 'size')

    def backward(self, g):
        return _fold(g, self.size, *self.args)


class Col2ImBackward0(Node):
    __slots__ = ('args',)

    def backward(self, g):
        return _unfold(g, *self.args)


def _unfold(x, ksize, dilation, padding, stride):
    """im2col of ``x`` ``(N, C, H, W)`` or ``(C, H, W)``: ``([N,] C * kH * kW, L)``."""
    xp = xp_of(x)
    xa = x._data
    batched = xa.ndim == 4
    if not batched:
        xa = xa[None]
    N, C, H, W = xa.shape
    out_sp = tuple(_out_size(s + 2 * p, k, st, d)
                   for s, p, k, st, d in zip((H, W), padding, ksize, stride, dilation))
    xpad = _pad_zeros(xp, xa, tuple((p, p) for p in padding))
    st = xpad.strides
    view = _as_strided(xp, xpad, (N, C) + ksize + out_sp,
                       st[:2] + (st[2] * dilation[0], st[3] * dilation[1],
                                 st[2] * stride[0], st[3] * stride[1]))
    res = view.reshape(N, C * ksize[0] * ksize[1], out_sp[0] * out_sp[1])
    out = make(res if batched else res[0], x._dtype, x._device)
    if state.enabled and x._requires_grad:
        node = Im2ColBackward0()
        node.args, node.size = (ksize, dilation, padding, stride), (H, W)
        record(node, out, x)
    return out


def _fold(x, size, ksize, dilation, padding, stride):
    """col2im of ``x`` ``(N, C * kH * kW, L)`` or ``(C * kH * kW, L)``: ``([N,] C, *size)``."""
    xp = xp_of(x)
    xa = x._data
    batched = xa.ndim == 3
    if not batched:
        xa = xa[None]
    N, CK, L = xa.shape
    C = CK // (ksize[0] * ksize[1])
    out_sp = tuple(_out_size(s + 2 * p, k, st, d)
                   for s, p, k, st, d in zip(size, padding, ksize, stride, dilation))
    cols = xa.reshape(N, C, ksize[0], ksize[1], out_sp[0], out_sp[1])
    padded = (size[0] + 2 * padding[0], size[1] + 2 * padding[1])
    res = xp.zeros((N, C) + padded, xa.dtype)
    for i in range(ksize[0]):
        for j in range(ksize[1]):
            hi = i * dilation[0]
            wj = j * dilation[1]
            res[:, :, hi: hi + stride[0] * (out_sp[0] - 1) + 1: stride[0],
                wj: wj + stride[1] * (out_sp[1] - 1) + 1: stride[1]] += cols[:, :, i, j]
    res = res[:, :, padding[0]: padding[0] + size[0], padding[1]: padding[1] + size[1]]
    res = xp.ascontiguousarray(res if batched else res[0])
    out = make(res, x._dtype, x._device)
    if state.enabled and x._requires_grad:
        node = Col2ImBackward0()
        node.args = (ksize, dilation, padding, stride)
        record(node, out, x)
    return out


_FOLD_DTYPES = ('bool', 'float16', 'bfloat16', 'float32', 'float64')


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Extracts sliding local blocks from a batched input (im2col).

    ``input`` ``(N, C, H, W)`` (or ``(C, H, W)``) becomes ``(N, C * prod(kernel_size), L)``
    where ``L`` is the number of blocks: column ``l`` holds the ``l``-th block, flattened.

    Example::

        >>> x = flambeau.arange(16.).reshape(1, 1, 4, 4)
        >>> F.unfold(x, 2, stride=2)[0, :, 0]
        tensor([0., 1., 4., 5.])
    """
    if input.ndim < 3:  # PyTorch reads dimension 2 first
        n = max(input.ndim, 1)
        raise IndexError(f'Dimension out of range (expected to be in range of [{-n}, {n - 1}], '
                         'but got 2)')
    if input.ndim > 4:
        raise RuntimeError('Expected 3D or 4D (batch mode) tensor with possibly 0 batch size '
                           'and other non-zero dimensions for input, but got: '
                           f'{list(input.shape)}')
    x = input
    ks, dil, pad, st = _pair(kernel_size), _pair(dilation), _pair(padding), _pair(stride)
    if x._dtype.name not in _FOLD_DTYPES:
        raise not_implemented('im2col_out_cpu', x._dtype)
    sp = x.shape[-2:]
    blocks = [_out_size(s + 2 * p, k, t, d) for s, p, k, t, d in zip(sp, pad, ks, st, dil)]
    if any(b < 1 for b in blocks):
        raise RuntimeError(f'Given input with spatial size {tuple(sp)}, kernel_size={ks}, '
                           f'dilation={dil}, padding={pad}, calculated shape of the array of '
                           f'sliding blocks as {tuple(blocks)}, but its components must be at '
                           f'least one.')
    return _unfold(x, ks, dil, pad, st)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Combines an array of sliding local blocks into a large containing tensor (col2im), the
    adjoint of ``unfold``: overlapping values are summed.

    ``input`` ``(N, C * prod(kernel_size), L)`` (or unbatched) becomes
    ``(N, C, *output_size)``.

    Example::

        >>> cols = flambeau.ones(1, 4, 9)
        >>> F.fold(cols, (4, 4), 2)[0, 0]
        tensor([[1., 2., 2., 1.],
                [2., 4., 4., 2.],
                [2., 4., 4., 2.],
                [1., 2., 2., 1.]])
    """
    if input.ndim not in (2, 3):
        raise RuntimeError('Expected 2D or 3D (batch mode) tensor for input with possibly 0 '
                           'batch size and non-zero dimensions for input, but got: '
                           f'{list(input.shape)}')
    x = input
    size, ks = _pair(output_size), _pair(kernel_size)
    dil, pad, st = _pair(dilation), _pair(padding), _pair(stride)
    if x._dtype.name not in _FOLD_DTYPES:
        raise not_implemented('col2im_out_cpu', x._dtype)
    kp = ks[0] * ks[1]
    d = x.ndim - 2
    if x.shape[d] % kp:
        raise RuntimeError(f"Expected size of input's dimension {d} to be divisible by the "
                           f"product of kernel_size, but got input.size({d})={x.shape[d]} and "
                           f"kernel_size={ks}.")
    blocks = [_out_size(s + 2 * p, k, t, d) for s, p, k, t, d in zip(size, pad, ks, st, dil)]
    if blocks[0] * blocks[1] != x.shape[d + 1]:
        raise RuntimeError(f"Given output_size={size}, kernel_size={ks}, dilation={dil}, "
                           f"padding={pad}, stride={st}, expected size of input's dimension "
                           f"{d + 1} to match the calculated number of sliding blocks "
                           f"{blocks[0]} * {blocks[1]} = {blocks[0] * blocks[1]}, but got "
                           f"input.size({d + 1})={x.shape[d + 1]}.")
    return _fold(x, size, ks, dil, pad, st)
