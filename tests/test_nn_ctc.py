"""``ctc_loss`` and ``nn.CTCLoss`` against PyTorch: losses and gradients w.r.t. the
log-probabilities over random cases (padded and concatenated targets, repeated labels, empty
targets, targets as long as the input, impossible alignments with and without
``zero_infinity``, unbatched input, every reduction, float32 and float64), float64 gradcheck
through ``log_softmax``, the missing double backward, and PyTorch's errors."""
import numpy as np
import pytest

torch = pytest.importorskip('torch')

import flambeau  # noqa: E402
from flambeau.ops.ctc import ctc_loss  # noqa: E402
from nn_helpers import check_module, to_np  # noqa: E402

TF = torch.nn.functional


def _case(rng, T, N, C, tls, ils, blank=0, form='pad', repeats=False):
    """Random log-probabilities (T, N, C) and targets (labels other than ``blank``)."""
    logits = rng.standard_normal((T, N, C))
    S = max(tls) if tls else 0
    labels = rng.integers(0, C - 1, (N, max(S, 1)))
    labels += labels >= blank
    if repeats:  # runs of the same label need a blank between them
        labels[:, 1::2] = labels[:, 0::2][:, :labels[:, 1::2].shape[1]]
    if form == 'cat':
        targets = np.concatenate([labels[i, :tls[i]] for i in range(N)]).astype(np.int64)
    else:
        targets = labels.astype(np.int64)
    return logits, targets, np.array(ils, np.int64), np.array(tls, np.int64)


CASES = [
    # T, N, C, target lengths, input lengths, options
    (6, 3, 5, [2, 3, 1], [6, 5, 3], {}),
    (6, 3, 5, [2, 3, 1], [6, 5, 3], {'form': 'cat'}),
    (7, 2, 4, [3, 3], [7, 6], {'repeats': True}),
    (5, 3, 4, [0, 2, 0], [5, 4, 0], {}),  # empty targets, an empty input
    (4, 2, 6, [4, 2], [4, 2], {}),  # target as long as the input
    (5, 2, 4, [3, 4], [5, 3], {'repeats': True}),  # impossible alignments
    (5, 2, 4, [3, 4], [5, 3], {'repeats': True, 'zero_infinity': True}),
    (9, 4, 7, [3, 0, 5, 2], [9, 8, 9, 2], {'blank': 6, 'form': 'cat'}),
    (12, 2, 3, [5, 4], [12, 11], {'blank': 1}),
    (30, 5, 10, [12, 7, 0, 15, 3], [30, 25, 10, 30, 3], {}),
]


def _run(mod, F, logits, targets, ils, tls, dtype, reduction, zero_infinity, blank, leaf):
    t = mod.tensor(logits).to(getattr(mod, dtype))
    if leaf:  # log-probabilities as the leaf: PyTorch's gradient convention
        x = t.log_softmax(-1).detach().requires_grad_()
        lp = x
    else:
        x = t.requires_grad_()
        lp = x.log_softmax(-1)
    loss = F(lp, mod.tensor(targets), mod.tensor(ils), mod.tensor(tls), blank=blank,
             reduction=reduction, zero_infinity=zero_infinity)
    return x, loss


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('reduction', ['none', 'mean', 'sum'])
@pytest.mark.parametrize('case', range(len(CASES)))
def test_ctc_loss_matches_torch(case, reduction, dtype):
    T, N, C, tls, ils, opts = CASES[case]
    opts = dict(opts)
    zero_infinity = opts.pop('zero_infinity', False)
    blank = opts.get('blank', 0)
    rng = np.random.default_rng(case)
    logits, targets, il, tl = _case(rng, T, N, C, tls, ils, **opts)
    g = rng.standard_normal(N if reduction == 'none' else ())
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == 'float32' else dict(rtol=1e-9, atol=1e-10)
    for leaf in (True, False):
        tx, tloss = _run(torch, TF.ctc_loss, logits, targets, il, tl, dtype, reduction,
                         zero_infinity, blank, leaf)
        fx, floss = _run(flambeau, ctc_loss, logits, targets, il, tl, dtype, reduction,
                         zero_infinity, blank, leaf)
        assert floss.shape == tloss.shape and str(floss.dtype) == str(tloss.dtype)
        np.testing.assert_allclose(to_np(floss), to_np(tloss), equal_nan=True, **tol)
        assert floss.grad_fn.name() == tloss.grad_fn.name()
        tloss.backward(torch.tensor(g).to(tloss.dtype))
        floss.backward(flambeau.tensor(g).to(floss.dtype))
        np.testing.assert_allclose(to_np(fx.grad), to_np(tx.grad), equal_nan=True, **tol)


def test_impossible_alignment_is_inf_and_zero_infinity_zeroes_it():
    lp = flambeau.randn(3, 2, 4).log_softmax(2)
    targets = flambeau.tensor([[1, 1, 2], [1, 2, 3]])
    loss = ctc_loss(lp, targets, (3, 3), (3, 3), reduction='none')
    assert loss[0].item() == float('inf') and np.isfinite(loss[1].item())
    x = lp.detach().requires_grad_()
    loss = ctc_loss(x, targets, (3, 3), (3, 3), reduction='sum', zero_infinity=True)
    assert np.isfinite(loss.item())
    loss.backward()
    assert (x.grad[:, 0] == 0).all()
    assert x.grad[:, 1].abs().sum().item() > 0


@pytest.mark.parametrize('form', ['pad', 'cat'])
def test_gradcheck_through_log_softmax(form):
    rng = np.random.default_rng(1)
    logits, targets, il, tl = _case(rng, 5, 3, 4, [2, 0, 3], [5, 4, 5], form=form,
                                    repeats=True)
    x = flambeau.tensor(logits, requires_grad=True)
    tg, ilt, tlt = flambeau.tensor(targets), flambeau.tensor(il), flambeau.tensor(tl)
    for reduction in ('none', 'mean', 'sum'):
        assert flambeau.autograd.gradcheck(
            lambda a: ctc_loss(a.log_softmax(2), tg, ilt, tlt, reduction=reduction), (x,))


def test_unbatched_and_length_forms():
    rng = np.random.default_rng(2)
    logits = rng.standard_normal((6, 5))
    t_lp = torch.tensor(logits).log_softmax(1)
    f_lp = flambeau.tensor(logits).log_softmax(1)
    for red in ('none', 'mean', 'sum'):
        tr = TF.ctc_loss(t_lp, torch.tensor([1, 2, 2]), torch.tensor(6), torch.tensor(3),
                         reduction=red)
        for il, tl in ((flambeau.tensor(6), flambeau.tensor(3)), ((6,), (3,)), ([6], [3])):
            fr = ctc_loss(f_lp, flambeau.tensor([1, 2, 2]), il, tl, reduction=red)
            assert fr.shape == tr.shape
            np.testing.assert_allclose(to_np(fr), to_np(tr), rtol=1e-10)
    # int32 lengths and targets, lists of ints and of 0-d tensors
    lp = flambeau.tensor(rng.standard_normal((5, 2, 4))).log_softmax(2)
    ref = ctc_loss(lp, flambeau.tensor([[1, 2], [3, 3]]), [5, 4], [2, 2])
    for args in ((flambeau.tensor([5, 4], dtype=flambeau.int32),
                  flambeau.tensor([2, 2], dtype=flambeau.int32)),
                 ((flambeau.tensor(5), 4), (2, flambeau.tensor(2)))):
        r = ctc_loss(lp, flambeau.tensor([[1, 2], [3, 3]], dtype=flambeau.int32), *args)
        assert r.item() == ref.item()
    # torch.ctc_loss's enum reductions: 0 none, 1 mean, 2 sum
    tg = flambeau.tensor([[1, 2], [3, 3]])
    none = ctc_loss(lp, tg, [5, 4], [2, 2], 0, 0)
    assert none.shape == (2,)
    assert ctc_loss(lp, tg, [5, 4], [2, 2], 0, 2).item() == pytest.approx(none.sum().item())
    assert ctc_loss(lp, tg, [5, 4], [2, 2], 0, 1).item() == ref.item()


def test_empty_target_and_input_give_minus_zero():
    lp = flambeau.randn(4, 2, 3).log_softmax(2)
    r = ctc_loss(lp, flambeau.tensor([], dtype=flambeau.long), [0, 0], [0, 0], reduction='none')
    t = TF.ctc_loss(torch.tensor(lp.numpy()), torch.tensor([], dtype=torch.long), [0, 0], [0, 0],
                    reduction='none')
    assert repr(r) == repr(t).replace('torch', 'flambeau')


def test_no_double_backward():
    x = flambeau.randn(5, 2, 4).log_softmax(2).detach().requires_grad_()
    loss = ctc_loss(x, flambeau.tensor([[1, 2], [3, 3]]), [5, 4], [2, 2])
    g, = flambeau.autograd.grad(loss, x, create_graph=True)
    assert g.grad_fn.name() == 'NotImplemented'
    with pytest.raises(RuntimeError, match='derivative for aten::_ctc_loss_backward is not '
                                           'implemented'):
        flambeau.autograd.grad(g.sum(), x)


def test_out_of_range_targets_raise():
    # PyTorch reads out of bounds here; flambeau refuses
    lp = flambeau.randn(5, 2, 4).log_softmax(2)
    with pytest.raises(IndexError, match='Target 7 is out of bounds'):
        ctc_loss(lp, flambeau.tensor([[1, 7], [3, 3]]), [5, 4], [2, 2])
    # padding past a target's length is never read
    ctc_loss(lp, flambeau.tensor([[1, 7], [3, 3]]), [5, 4], [1, 2])


_LP = np.random.default_rng(3).standard_normal((5, 2, 4)).astype(np.float32)
_TG = [[1, 2], [3, 3]]


def _lp(m, dtype=None):
    t = m.tensor(_LP).log_softmax(2)
    return t if dtype is None else t.to(getattr(m, dtype))


ERRORS = [
    lambda m, F: F(_lp(m), m.tensor(_TG), m.tensor([5, 4]), (2, 2)),
    lambda m, F: F(_lp(m), m.tensor(_TG), (5.0, 4), (2, 2)),
    lambda m, F: F(_lp(m), m.tensor(_TG), [5, 4], [2, 2], blank=1.0),
    lambda m, F: F(_lp(m), m.tensor(_TG), 5, 2),
    lambda m, F: F(_lp(m), m.tensor(_TG), [5, 4], [2, 2], zero_infinity=1),
    lambda m, F: F(_lp(m), m.tensor(_TG), m.tensor([5., 4.]), m.tensor([2, 2])),
    lambda m, F: F(_lp(m), m.tensor(_TG), m.tensor([5, 4]), m.tensor([2., 2.])),
    lambda m, F: F(_lp(m), m.tensor(_TG), m.tensor([True, True]), m.tensor([2, 2])),
    lambda m, F: F(_lp(m, 'float16'), m.tensor(_TG), [5, 4], [2, 2]),
    lambda m, F: F(_lp(m, 'bfloat16'), m.tensor(_TG), [5, 4], [2, 2]),
    lambda m, F: F(_lp(m, 'int64'), m.tensor(_TG), [5, 4], [2, 2]),
    lambda m, F: F(_lp(m), m.tensor(_TG), [5, 4], [2, 2], blank=4),
    lambda m, F: F(_lp(m), m.tensor(_TG), [5, 4], [2, 2], blank=-1),
    lambda m, F: F(_lp(m), m.tensor(_TG), [5], [2, 2]),
    lambda m, F: F(_lp(m), m.tensor(_TG), [5, 4], [2]),
    lambda m, F: F(_lp(m), m.tensor(_TG), [6, 4], [2, 2]),
    lambda m, F: F(_lp(m), m.tensor(_TG), [-1, 4], [2, 2]),
    lambda m, F: F(_lp(m), m.tensor(_TG), [5, 4], [3, 2]),
    lambda m, F: F(_lp(m), m.tensor(_TG), [5, 4], [-1, 2]),
    lambda m, F: F(_lp(m), m.tensor(_TG)[:1], [5, 4], [2, 2]),
    lambda m, F: F(_lp(m), m.tensor([1, 2, 3]), [5, 4], [2, 2]),
    lambda m, F: F(_lp(m), m.tensor([[_TG]]), [5, 4], [2, 2]),
    lambda m, F: F(_lp(m), m.tensor(1), [5, 4], [2, 2]),
    lambda m, F: F(_lp(m)[0, 0], m.tensor(_TG), [5, 4], [2, 2]),
    lambda m, F: F(_lp(m)[None], m.tensor(_TG), [5, 4], [2, 2]),
    lambda m, F: F(_lp(m), m.tensor(_TG), [5, 4], [2, 2], reduction='batchmean'),
    lambda m, F: F(_lp(m)[:, :0], m.tensor(_TG)[:0], [], []),
    lambda m, F: F(m.zeros(0, 3), m.tensor([1]), [0], [1]),
]


@pytest.mark.parametrize('i', range(len(ERRORS)))
def test_errors_match_torch(i):
    fn = ERRORS[i]
    with pytest.raises(Exception) as te:
        fn(torch, TF.ctc_loss)
    with pytest.raises(Exception) as fe:
        fn(flambeau, ctc_loss)
    assert type(fe.value) is type(te.value)
    if isinstance(te.value, TypeError):
        assert str(fe.value).splitlines()[0] == str(te.value).splitlines()[0]
    else:
        assert str(fe.value) == str(te.value)


@pytest.mark.parametrize('kwargs', [{}, {'blank': 3, 'reduction': 'sum'},
                                    {'reduction': 'none', 'zero_infinity': True}])
def test_ctc_loss_module(kwargs):
    rng = np.random.default_rng(4)
    logits, targets, il, tl = _case(rng, 8, 3, 4, [3, 2, 5], [8, 6, 5],
                                    blank=kwargs.get('blank', 0), repeats=True)
    lp = torch.tensor(logits, dtype=torch.float32).log_softmax(2).detach()
    check_module(torch.nn.CTCLoss(**kwargs), flambeau.nn.CTCLoss(**kwargs), lp, targets, il, tl)
    m = flambeau.nn.CTCLoss(**kwargs)
    assert repr(m) == repr(torch.nn.CTCLoss(**kwargs)) == 'CTCLoss()'
    assert (m.blank, m.reduction, m.zero_infinity) == (kwargs.get('blank', 0),
                                                       kwargs.get('reduction', 'mean'),
                                                       kwargs.get('zero_infinity', False))
