"""``flambeau.nn.utils.rnn`` against ``torch.nn.utils.rnn``: PackedSequence fields and
conversions, packing / padding / unpadding with every option, gradients through each function,
and PyTorch's errors (same type, same message)."""
import numpy as np
import pytest

torch = pytest.importorskip('torch')

import torch.nn.utils.rnn as trnn  # noqa: E402

import flambeau  # noqa: E402
import flambeau.nn.utils.rnn as frnn  # noqa: E402
from nn_helpers import assert_close, to_fl, to_np  # noqa: E402

R = np.random.default_rng(0)


def seqs(lengths, trailing=(), dtype=np.float64):
    """Random NumPy sequences of the given lengths and trailing shape."""
    return [R.standard_normal((n,) + trailing).astype(dtype) for n in lengths]


def both(arrays, requires_grad=False):
    """Torch and flambeau tensors holding the same arrays."""
    t = [torch.tensor(a, requires_grad=requires_grad) for a in arrays]
    return t, [to_fl(x) for x in t]


def same_packed(fp, tp):
    assert type(fp).__name__ == 'PackedSequence'
    assert_close(fp.data, tp.data, 0, 0, 'data')
    assert_close(fp.batch_sizes, tp.batch_sizes, 0, 0, 'batch_sizes')
    assert str(fp.batch_sizes.device) == 'cpu'
    for name in ('sorted_indices', 'unsorted_indices'):
        f, t = getattr(fp, name), getattr(tp, name)
        if t is None:
            assert f is None, name
        else:
            assert_close(f, t, 0, 0, name)


def same_error(tfn, ffn):
    """``tfn()`` and ``ffn()`` raise the same exception type with the same message."""
    with pytest.raises(Exception) as te:
        tfn()
    with pytest.raises(Exception) as fe:
        ffn()
    assert type(fe.value) is type(te.value), (fe.value, te.value)
    assert str(fe.value) == str(te.value)


def backward_same(t_outs, f_outs, t_ins, f_ins):
    """Backpropagate the same random gradient through both and compare the inputs' grads."""
    t_outs, f_outs = list(t_outs), list(f_outs)
    gs = [R.standard_normal(tuple(t.shape)) for t in t_outs]
    torch.autograd.backward(t_outs, [torch.tensor(g, dtype=t.dtype) for g, t in zip(gs, t_outs)])
    flambeau.autograd.backward(f_outs, [to_fl(torch.tensor(g, dtype=t.dtype))
                                        for g, t in zip(gs, t_outs)])
    for i, (t, f) in enumerate(zip(t_ins, f_ins)):
        assert_close(f.grad, t.grad, 1e-12, 1e-12, f'grad {i}')


# -- PackedSequence ---------------------------------------------------------------------------
def test_packed_sequence_fields_and_repr():
    t, f = both(seqs([3, 2, 1], (2,)))
    tp, fp = trnn.pack_sequence(t), frnn.pack_sequence(f)
    same_packed(fp, tp)
    assert fp._fields == tp._fields
    assert repr(fp) == repr(tp)
    data, bs, si, ui = fp
    assert data is fp.data and bs is fp.batch_sizes and si is None and ui is None
    assert isinstance(fp, tuple) and len(fp) == 4
    assert fp.is_cuda is tp.is_cuda is False


def test_packed_sequence_unsorted_repr_and_indices():
    t, f = both(seqs([1, 3, 2]))
    tp = trnn.pack_sequence(t, enforce_sorted=False)
    fp = frnn.pack_sequence(f, enforce_sorted=False)
    same_packed(fp, tp)
    assert repr(fp) == repr(tp)


@pytest.mark.parametrize('method', ['float', 'double', 'half', 'long', 'int', 'short', 'char',
                                    'byte'])
def test_packed_sequence_dtype_methods(method):
    t, f = both(seqs([3, 1, 2], (2,), np.float32))
    tp = getattr(trnn.pack_sequence(t, enforce_sorted=False), method)()
    fp = getattr(frnn.pack_sequence(f, enforce_sorted=False), method)()
    same_packed(fp, tp)


def test_packed_sequence_to():
    t, f = both(seqs([2, 2, 1], (3,), np.float32))
    tp, fp = trnn.pack_sequence(t), frnn.pack_sequence(f)
    assert fp.to(flambeau.float32) is fp and tp.to(torch.float32) is tp
    assert fp.to('cpu') is fp and fp.cpu() is fp
    same_packed(fp.to(flambeau.float64), tp.to(torch.float64))
    same_packed(fp.to('cpu', flambeau.float16), tp.to('cpu', torch.float16))
    same_packed(fp.to(dtype=flambeau.int32), tp.to(dtype=torch.int32))
    assert fp.double().data.dtype is flambeau.float64
    # the floating conversion keeps the graph: grads flow back through ``to``
    assert fp.double().batch_sizes is fp.batch_sizes


def test_packed_sequence_on_cuda(fake_cuda):
    f = [flambeau.tensor(a) for a in seqs([1, 3, 2], (2,))]
    fp = frnn.pack_sequence(f, enforce_sorted=False)
    cp = fp.cuda()
    assert cp.is_cuda and cp.data.device.type == 'cuda'
    assert cp.batch_sizes.device.type == 'cpu'
    assert cp.sorted_indices.device.type == 'cuda'
    assert cp.unsorted_indices.device.type == 'cuda'
    back = cp.cpu()
    assert not back.is_cuda and back.sorted_indices.device.type == 'cpu'
    np.testing.assert_array_equal(to_np(back.data), to_np(fp.data))
    padded, lengths = frnn.pad_packed_sequence(cp, batch_first=True)
    assert padded.device.type == 'cuda' and lengths.device.type == 'cpu'
    ref, _ = frnn.pad_packed_sequence(fp, batch_first=True)
    np.testing.assert_array_equal(to_np(padded), to_np(ref))
    with pytest.raises(ValueError, match='batch_sizes should always be on CPU'):
        frnn.PackedSequence(cp.data, cp.batch_sizes.cuda())


def test_packed_sequence_constructor_forms():
    t, f = both(seqs([2, 1]))
    tp, fp = trnn.pack_sequence(t), frnn.pack_sequence(f)
    same_packed(frnn.PackedSequence(fp.data, fp.batch_sizes),
                trnn.PackedSequence(tp.data, tp.batch_sizes))
    same_packed(frnn.PackedSequence((fp.data, fp.batch_sizes)),
                trnn.PackedSequence((tp.data, tp.batch_sizes)))
    perm_t, perm_f = torch.tensor([1, 0]), flambeau.tensor([1, 0])
    same_packed(frnn.PackedSequence(fp.data, fp.batch_sizes, perm_f),
                trnn.PackedSequence(tp.data, tp.batch_sizes, perm_t))
    assert_close(frnn.invert_permutation(flambeau.tensor([2, 0, 3, 1])),
                 trnn.invert_permutation(torch.tensor([2, 0, 3, 1])), 0, 0)
    assert frnn.invert_permutation(None) is None


# -- pack_padded_sequence ---------------------------------------------------------------------
@pytest.mark.parametrize('batch_first', [False, True])
@pytest.mark.parametrize('enforce_sorted', [True, False])
@pytest.mark.parametrize('as_tensor', [False, True])
def test_pack_padded_sequence(batch_first, enforce_sorted, as_tensor):
    lengths = [4, 3, 3, 1] if enforce_sorted else [3, 4, 1, 3]
    shape = (4, 5, 2) if batch_first else (5, 4, 2)
    x = R.standard_normal(shape)
    tx = torch.tensor(x, requires_grad=True)
    fx = to_fl(tx)
    tl = torch.tensor(lengths) if as_tensor else lengths
    fl = flambeau.tensor(lengths) if as_tensor else lengths
    tp = trnn.pack_padded_sequence(tx, tl, batch_first, enforce_sorted)
    fp = frnn.pack_padded_sequence(fx, fl, batch_first, enforce_sorted)
    same_packed(fp, tp)
    backward_same([tp.data], [fp.data], [tx], [fx])


def test_pack_padded_sequence_lengths_forms():
    x = R.standard_normal((3, 2))
    for lengths in ([3, 1], (3, 1), np.array([3, 1]), [3.0, 1.0]):
        same_packed(frnn.pack_padded_sequence(flambeau.tensor(x), lengths),
                    trnn.pack_padded_sequence(torch.tensor(x), lengths))
    lengths32 = flambeau.tensor([3, 1], dtype=flambeau.int32)
    same_packed(frnn.pack_padded_sequence(flambeau.tensor(x), lengths32),
                trnn.pack_padded_sequence(torch.tensor(x), torch.tensor([3, 1], dtype=torch.int32)))
    same_packed(frnn.pack_padded_sequence(flambeau.tensor(x), flambeau.tensor([3., 1.])),
                trnn.pack_padded_sequence(torch.tensor(x), torch.tensor([3., 1.])))


@pytest.mark.parametrize('dtype', [np.int64, np.int32, np.bool_, np.float32, np.float16])
def test_pack_padded_sequence_dtypes(dtype):
    x = (R.standard_normal((4, 3, 2)) * 3).astype(dtype)
    tp = trnn.pack_padded_sequence(torch.tensor(x), [2, 4, 1], enforce_sorted=False)
    fp = frnn.pack_padded_sequence(flambeau.tensor(x), [2, 4, 1], enforce_sorted=False)
    same_packed(fp, tp)


def test_pack_padded_sequence_non_contiguous_and_lengths_past_end():
    x = R.standard_normal((3, 6, 4))
    tx = torch.tensor(x).transpose(0, 2)[:, ::2]
    fx = flambeau.tensor(x).transpose(0, 2)[:, ::2]
    same_packed(frnn.pack_padded_sequence(fx, [3, 2, 2]),
                trnn.pack_padded_sequence(tx, [3, 2, 2]))
    # lengths longer than the time dimension: PyTorch clips the data, keeps the batch sizes
    x = R.standard_normal((2, 2))
    same_packed(frnn.pack_padded_sequence(flambeau.tensor(x), [5, 1]),
                trnn.pack_padded_sequence(torch.tensor(x), [5, 1]))


def test_pack_padded_sequence_errors():
    x = R.standard_normal((3, 2, 2))
    tx, fx = torch.tensor(x), flambeau.tensor(x)
    for lengths in ([1, 3], [3, 0], [3, 2, 1], [3], [[3, 2]]):
        same_error(lambda: trnn.pack_padded_sequence(tx, lengths),
                   lambda: frnn.pack_padded_sequence(fx, lengths))
    same_error(lambda: trnn.pack_padded_sequence(tx, torch.tensor([[3, 2]])),
               lambda: frnn.pack_padded_sequence(fx, flambeau.tensor([[3, 2]])))
    same_error(lambda: trnn.pack_padded_sequence(tx, [3, 0], enforce_sorted=False),
               lambda: frnn.pack_padded_sequence(fx, [3, 0], enforce_sorted=False))
    same_error(lambda: trnn.pack_padded_sequence(torch.zeros(0, 2), [0, 0]),
               lambda: frnn.pack_padded_sequence(flambeau.zeros(0, 2), [0, 0]))
    same_error(lambda: trnn.pack_padded_sequence(torch.zeros(3), [3]),
               lambda: frnn.pack_padded_sequence(flambeau.zeros(3), [3]))


# -- pad_packed_sequence ----------------------------------------------------------------------
@pytest.mark.parametrize('batch_first', [False, True])
@pytest.mark.parametrize('enforce_sorted', [True, False])
@pytest.mark.parametrize('total_length', [None, 6])
@pytest.mark.parametrize('padding_value', [0.0, -1.5])
def test_pad_packed_sequence(batch_first, enforce_sorted, total_length, padding_value):
    lengths = [4, 2, 2, 1] if enforce_sorted else [2, 4, 1, 2]
    t, f = both(seqs(lengths, (3,)), requires_grad=True)
    tp = trnn.pack_sequence(t, enforce_sorted)
    fp = frnn.pack_sequence(f, enforce_sorted)
    tpad, tlen = trnn.pad_packed_sequence(tp, batch_first, padding_value, total_length)
    fpad, flen = frnn.pad_packed_sequence(fp, batch_first, padding_value, total_length)
    assert_close(fpad, tpad, 0, 0, 'padded')
    assert_close(flen, tlen, 0, 0, 'lengths')
    backward_same([tpad], [fpad], t, f)


@pytest.mark.parametrize('dtype', [np.int64, np.uint8, np.bool_, np.float16])
def test_pad_packed_sequence_dtypes(dtype):
    arrays = [(np.abs(a) * 3).astype(dtype) for a in seqs([1, 3, 2])]
    t, f = both(arrays)
    value = 1.0 if dtype is np.bool_ else 7.0
    tpad, _ = trnn.pad_packed_sequence(trnn.pack_sequence(t, False), padding_value=value)
    fpad, _ = frnn.pad_packed_sequence(frnn.pack_sequence(f, False), padding_value=value)
    assert_close(fpad, tpad, 0, 0)


def test_pad_packed_sequence_errors():
    t, f = both(seqs([3, 2]))
    tp, fp = trnn.pack_sequence(t), frnn.pack_sequence(f)
    same_error(lambda: trnn.pad_packed_sequence(tp, total_length=2),
               lambda: frnn.pad_packed_sequence(fp, total_length=2))


@pytest.mark.parametrize('dtype,value', [
    ('uint8', -1), ('uint8', -255), ('uint8', -256), ('uint8', -1.0), ('uint8', 300),
    ('uint8', 2.7), ('int8', -129), ('int8', 127.9), ('int8', -128), ('float16', 1e6),
    ('float16', 65519.0), ('float16', float('inf')), ('int32', 2 ** 40),
    ('int32', float('nan')), ('int64', float('inf')), ('int64', 2.0 ** 63), ('bool', 0.5),
    ('bool', float('nan')), ('float32', 1e39), ('bfloat16', 1e39), ('float64', 1e300)])
@pytest.mark.parametrize('fn', ['pad_packed_sequence', 'pad_sequence'])
def test_padding_value_conversion(dtype, value, fn):
    arrays = [np.ones(2), np.ones(1)]
    t = [torch.tensor(a).to(getattr(torch, dtype)) for a in arrays]
    f = [flambeau.tensor(a).to(getattr(flambeau, dtype)) for a in arrays]
    if fn == 'pad_sequence':
        def run(m, s):
            return m.pad_sequence(s, padding_value=value)
    else:
        def run(m, s):
            return m.pad_packed_sequence(m.pack_sequence(s), padding_value=value)[0]
    try:
        tout = run(trnn, t)
    except RuntimeError:
        same_error(lambda: run(trnn, t), lambda: run(frnn, f))
    else:
        assert_close(run(frnn, f), tout, 0, 0)


# -- pad_sequence -----------------------------------------------------------------------------
@pytest.mark.parametrize('batch_first', [False, True])
@pytest.mark.parametrize('padding_side', ['right', 'left'])
@pytest.mark.parametrize('trailing', [(), (2,), (2, 3)])
def test_pad_sequence(batch_first, padding_side, trailing):
    t, f = both(seqs([2, 4, 1], trailing), requires_grad=True)
    tout = trnn.pad_sequence(t, batch_first, 0.5, padding_side)
    fout = frnn.pad_sequence(f, batch_first, 0.5, padding_side)
    assert_close(fout, tout, 0, 0)
    backward_same([tout], [fout], t, f)


def test_pad_sequence_special_inputs():
    # empty sequences, a single sequence, a tuple, a generator, broadcasting trailing dims,
    # mixed dtypes (the first one wins), non-contiguous sequences
    cases = [
        lambda m, T: [T.zeros(0, 2), T.ones(2, 2)],
        lambda m, T: [T.zeros(0), T.zeros(0)],
        lambda m, T: (T.arange(3.0),),
        lambda m, T: (T.arange(float(n)) for n in (3, 1)),
        lambda m, T: [T.ones(2, 3), T.ones(1, 1) * 2, T.ones(3)],
        lambda m, T: [T.arange(3), T.ones(2) * 1.7, T.tensor([True])],
        lambda m, T: [T.arange(8.0).reshape(2, 4).t(), T.arange(12.0).reshape(6, 2)[::3]],
        lambda m, T: T.arange(6.0).reshape(2, 3),
    ]
    for case in cases:
        for kw in ({}, {'batch_first': True, 'padding_side': 'left'}):
            tout = trnn.pad_sequence(case(trnn, torch), **kw)
            fout = frnn.pad_sequence(case(frnn, flambeau), **kw)
            assert_close(fout, tout, 0, 0)


def test_pad_sequence_errors():
    same_error(lambda: trnn.pad_sequence([]), lambda: frnn.pad_sequence([]))
    same_error(lambda: trnn.pad_sequence(5), lambda: frnn.pad_sequence(5))
    same_error(lambda: trnn.pad_sequence(torch.ones(2)),
               lambda: frnn.pad_sequence(flambeau.ones(2)))
    same_error(lambda: trnn.pad_sequence([torch.ones(2)], padding_side='top'),
               lambda: frnn.pad_sequence([flambeau.ones(2)], padding_side='top'))
    same_error(lambda: trnn.pad_sequence([torch.ones(2, 3), torch.ones(2, 4)]),
               lambda: frnn.pad_sequence([flambeau.ones(2, 3), flambeau.ones(2, 4)]))
    same_error(lambda: trnn.pad_sequence([torch.ones(2), torch.ones(2, 4)]),
               lambda: frnn.pad_sequence([flambeau.ones(2), flambeau.ones(2, 4)]))
    same_error(lambda: trnn.pad_sequence([torch.tensor(1.0)]),
               lambda: frnn.pad_sequence([flambeau.tensor(1.0)]))
    same_error(lambda: trnn.pad_sequence([torch.ones(2, dtype=torch.uint8)], padding_value=-1),
               lambda: frnn.pad_sequence([flambeau.ones(2, dtype=flambeau.uint8)],
                                         padding_value=-1))
    same_error(lambda: trnn.pad_sequence([torch.ones(2, dtype=torch.half)], padding_value=1e6),
               lambda: frnn.pad_sequence([flambeau.ones(2, dtype=flambeau.half)],
                                         padding_value=1e6))


# -- pack_sequence, unpad_sequence, unpack_sequence ---------------------------------------------
@pytest.mark.parametrize('enforce_sorted', [True, False])
def test_pack_sequence_and_unpack_sequence(enforce_sorted):
    lengths = [5, 3, 3, 2] if enforce_sorted else [3, 5, 2, 3]
    t, f = both(seqs(lengths, (2,)), requires_grad=True)
    tp, fp = trnn.pack_sequence(t, enforce_sorted), frnn.pack_sequence(f, enforce_sorted)
    same_packed(fp, tp)
    tu, fu = trnn.unpack_sequence(tp), frnn.unpack_sequence(fp)
    assert isinstance(fu, list) and len(fu) == len(tu)
    for a, b in zip(fu, tu):
        assert_close(a, b, 0, 0)
    backward_same(tu, fu, t, f)


def test_pack_sequence_errors():
    t, f = both(seqs([1, 3]))
    same_error(lambda: trnn.pack_sequence(t), lambda: frnn.pack_sequence(f))
    same_error(lambda: trnn.pack_sequence([]), lambda: frnn.pack_sequence([]))


@pytest.mark.parametrize('batch_first', [False, True])
def test_unpad_sequence(batch_first):
    t, f = both(seqs([3, 5, 1], (2,)), requires_grad=True)
    tpad = trnn.pad_sequence(t, batch_first)
    fpad = frnn.pad_sequence(f, batch_first)
    tu = trnn.unpad_sequence(tpad, torch.tensor([3, 5, 1]), batch_first)
    fu = frnn.unpad_sequence(fpad, flambeau.tensor([3, 5, 1]), batch_first)
    assert len(fu) == len(tu) == 3
    for a, b in zip(fu, tu):
        assert_close(a, b, 0, 0)
    backward_same(tu, fu, t, f)


def test_roundtrip_with_lstm_shapes():
    # the usual pipeline: pad -> pack (unsorted) -> pad back, restoring the original order
    arrays = seqs([2, 6, 4, 1], (3,), np.float32)
    t, f = both(arrays)
    tpad = trnn.pad_sequence(t, batch_first=True)
    fpad = frnn.pad_sequence(f, batch_first=True)
    tp = trnn.pack_padded_sequence(tpad, torch.tensor([2, 6, 4, 1]), True, False)
    fp = frnn.pack_padded_sequence(fpad, flambeau.tensor([2, 6, 4, 1]), True, False)
    same_packed(fp, tp)
    tback, tlen = trnn.pad_packed_sequence(tp, batch_first=True, total_length=7)
    fback, flen = frnn.pad_packed_sequence(fp, batch_first=True, total_length=7)
    assert_close(fback, tback, 0, 0)
    assert_close(flen, tlen, 0, 0)
