"""Op registry entries: loss ops (see opinfo.py for the framework).

Losses are reached as ``torch.nn.functional.<name>``: the entries call them through
``F(m)``, torch's ``nn.functional`` or flambeau's."""
import numpy as np

from opinfo import FLOATS, INTS, ErrorInput, OpInfo, S  # noqa: F401

OPS = []
RED = ('mean', 'sum', 'none')


def register(*infos):
    OPS.extend(infos)


def floats(gen):
    """``gen``'s samples on floating dtypes; on the others one (input, target) pair, for the
    check that they raise as in PyTorch."""
    def samples(make):
        if make.is_float:
            yield from gen(make)
        else:
            yield S(make((2, 3)), make((2, 3)))
    return samples


def F(m):
    return m.nn.functional


def fn(name, **fixed):
    return lambda m, *a, **k: getattr(F(m), name)(*a, **fixed, **k)


def _sign(make, shape):
    return np.where(make(shape) >= 0, 1.0, -1.0).astype(make(()).dtype)


def pair_samples(low=None, high=None, t_low=None, t_high=None, extra=()):
    """(input, target) over shapes (0-d, empty, non-contiguous, broadcasting) and reductions,
    then input, target and each keyword dict of ``extra``."""
    def samples(make):
        for red in RED:
            yield S(make((2, 3), low, high), make((2, 3), t_low, t_high), reduction=red)
            yield S(make((), low, high), make((), t_low, t_high), reduction=red)
            yield S(make((0, 3), low, high), make((0, 3), t_low, t_high), reduction=red).but(
                gradcheck=False)
        yield S(make((3, 4), low, high, noncontig=True), make((3, 4), t_low, t_high))
        yield S(make((4,), low, high), make((4,), t_low, t_high))
        for kw in extra:
            yield S(make((2, 3), low, high), make((2, 3), t_low, t_high), **kw)
    return samples


def bcast_samples(make):
    yield S(make((2, 3)), make((3,)))
    yield S(make((1, 3)), make((2, 1)), reduction='sum')


def _sizes_error(make):
    return [ErrorInput(S(make((3, 5)), make((4,))), RuntimeError,
                       'The size of tensor a (5) must match the size of tensor b (4) at '
                       'non-singleton dimension 1'),
            ErrorInput(S(make((3,)), make((3,)), reduction='foo'), ValueError,
                       'foo is not a valid value for reduction')]


register(
    OpInfo('F.mse_loss', fn('mse_loss'), samples=floats(pair_samples()), dtypes=FLOATS,
           gradgrad=True,
           errors=_sizes_error),
    OpInfo('F.mse_loss(broadcast)', fn('mse_loss'), samples=floats(bcast_samples), dtypes=FLOATS,
           gradgrad=True),
    OpInfo('F.l1_loss', fn('l1_loss'), samples=floats(pair_samples()), dtypes=FLOATS, gradgrad=True,
           errors=_sizes_error),
    OpInfo('F.smooth_l1_loss', fn('smooth_l1_loss'),
           samples=floats(pair_samples(extra=({'beta': 0.5}, {'beta': 2.0, 'reduction': 'sum'},
                                       {'beta': 0.0}))),
           dtypes=FLOATS, gradgrad=True,
           errors=lambda make: [ErrorInput(S(make((2,)), make((2,)), beta=-1.0), RuntimeError,
                                           'smooth_l1_loss does not support negative values '
                                           'for beta.')]),
    OpInfo('F.huber_loss', fn('huber_loss'),
           samples=floats(pair_samples(extra=({'delta': 0.5}, {'delta': 2.0, 'reduction': 'sum'}))),
           dtypes=FLOATS, gradgrad=True),
    OpInfo('F.soft_margin_loss', lambda m, x, t, **k: F(m).soft_margin_loss(x, t, **k),
           samples=floats(lambda make: (S(s.args[0], _sign(make, s.args[1].shape),
                                          **s.kwargs).but(grad=(0,))
                                        for s in pair_samples()(make))),
           dtypes=FLOATS, gradgrad=True),
)


def bce_samples(make):
    for s in pair_samples(low=0.05, high=0.95, t_low=0, t_high=1)(make):
        yield s
    yield S(make((2, 3), 0.05, 0.95), make((2, 3), 0, 1), weight=make((3,), 0, 2)).but(
        grad=(0, 1))
    yield S(make((3,), 0.0, 0.0), make((3,), 0, 1), reduction='sum').but(
        gradcheck=False, desc='log clamped at -100')


def bce_logits_samples(make):
    for s in pair_samples(low=-5, high=5, t_low=0, t_high=1)(make):
        yield s
    yield S(make((2, 3), -5, 5), make((2, 3), 0, 1), weight=make((3,), 0, 2)).but(grad=(0, 1))
    yield S(make((2, 3), -5, 5), make((2, 3), 0, 1), pos_weight=make((3,), 0.5, 2)).but(
        grad=(0, 1))
    yield S(make((2, 3), -1e4, 1e4), make((2, 3), 0, 1)).but(gradcheck=False,
                                                             desc='large logits')


register(
    OpInfo('F.binary_cross_entropy', fn('binary_cross_entropy'), samples=floats(bce_samples),
           dtypes=FLOATS, gradgrad=True,
           errors=lambda make: [
               ErrorInput(S(make((3,), 0, 1), make((4,), 0, 1)), ValueError,
                          'Using a target size (torch.Size([4])) that is different to the input '
                          'size (torch.Size([3])) is deprecated.'),
               ErrorInput(S(make((3,), 1.5, 2), make((3,), 0, 1)), RuntimeError,
                          'all elements of input should be between 0 and 1')]),
    OpInfo('F.binary_cross_entropy_with_logits', fn('binary_cross_entropy_with_logits'),
           samples=floats(bce_logits_samples), dtypes=FLOATS, gradgrad=True,
           errors=lambda make: [
               ErrorInput(S(make((3,)), make((4,))), ValueError,
                          'Target size (torch.Size([4])) must be the same as input size '
                          '(torch.Size([3]))')]),
)


def ce_samples(make):
    for red in RED:
        yield S(make((3, 5)), make.index((3,), 5), reduction=red)
        yield S(make((2, 4, 3)), make.index((2, 3), 4), reduction=red)
        yield S(make((5,)), make.index((), 5), reduction=red)
        yield S(make((0, 4)), make.index((0,), 4), reduction=red).but(gradcheck=False)
        yield S(make((4, 3)), np.array([0, -100, 2, 1]), weight=make((3,), 0.5, 2),
                reduction=red).but(grad=(0,))
    yield S(make((4, 3), noncontig=True), make.index((4,), 3))
    yield S(make((3, 4)), make.index((3,), 4), ignore_index=1)
    yield S(make((3, 4), -1e4, 1e4), make.index((3,), 4)).but(gradcheck=False,
                                                               desc='large logits')


def ce_extra_samples(make):
    for red in RED:
        yield S(make((3, 5)), make.index((3,), 5), label_smoothing=0.2, reduction=red)
        yield S(make((3, 5)), make((3, 5), 0, 1), reduction=red)
        yield S(make((2, 3, 2)), make((2, 3, 2), 0, 1), label_smoothing=0.1, reduction=red)
        yield S(make((3, 4)), np.array([0, -100, 2]), weight=make((4,), 0.5, 2),
                label_smoothing=0.3, reduction=red).but(grad=(0,))
        yield S(make((3, 4)), make((3, 4), 0, 1), weight=make((4,), 0.5, 2),
                reduction=red).but(grad=(0, 1))


def _nll_errors(name):
    def errors(make):
        return [ErrorInput(S(make((3, 5)), np.array([1, 2])), ValueError,
                           'Expected input batch_size (3) to match target batch_size (2).'),
                ErrorInput(S(make((3, 5)), np.array([1, 2, 5])), IndexError,
                           'Target 5 is out of bounds.'),
                ErrorInput(S(make((3, 5)), np.array([1, 2, 3]).astype(np.int32)), RuntimeError,
                           'expected target dtype to be Long or Byte, but got Int'),
                ErrorInput(S(make((3, 5, 2)), np.array([1, 2, 3])), RuntimeError,
                           'Expected target size [3, 2], got [3]'),
                ErrorInput(S(make((3, 5)), np.array([1, 2, 3]), weight=make((4,))),
                           RuntimeError, 'weight tensor should be defined either for all 5 '
                                         'classes or no classes but got weight tensor of shape: '
                                         '[4]'),
                ErrorInput(S(make((3, 5)), np.array([1, 2, 3]), reduction='foo'), ValueError,
                           'foo is not a valid value for reduction')]
    return errors


register(
    OpInfo('F.cross_entropy', fn('cross_entropy'), samples=ce_samples, dtypes=FLOATS,
           gradgrad=True, errors=lambda make: _nll_errors('cross_entropy')(make) + [
               ErrorInput(S(make((3, 5)), np.array([1, 2, 3]), label_smoothing=1.5),
                          RuntimeError, 'label_smoothing must be between 0.0 and 1.0. Got: 1.5')]),
    OpInfo('F.cross_entropy(probs, smoothing)', fn('cross_entropy'), samples=ce_extra_samples,
           dtypes=FLOATS, gradgrad=True),
    OpInfo('F.nll_loss', fn('nll_loss'), samples=ce_samples, dtypes=FLOATS, gradgrad=True,
           errors=_nll_errors('nll_loss')),
)


def kl_samples(make):
    for red in RED + ('batchmean',):
        yield S(make((2, 3), -3, 0), make((2, 3), 0.05, 1), reduction=red)
        yield S(make((2, 3), -3, 0), make((2, 3), -3, 0), reduction=red, log_target=True)
    yield S(make((), -3, 0), make((), 0.05, 1), reduction='batchmean')
    yield S(make((3, 4), -3, 0, noncontig=True), make((3, 4), 0, 1), reduction='sum')


def cos_emb_samples(make):
    for red in RED:
        yield S(make((3, 4)), make((3, 4)), _sign(make, (3,)), reduction=red).but(grad=(0, 1))
        yield S(make((4,)), make((4,)), _sign(make, ()), margin=0.2, reduction=red).but(
            grad=(0, 1))
    yield S(make((4, 3), noncontig=True), make((4, 3)), _sign(make, (4,)), 0.5).but(grad=(0, 1))


def ranking_samples(make):
    for red in RED:
        yield S(make((5,)), make((5,)), _sign(make, (5,)), reduction=red)
        yield S(make(()), make(()), _sign(make, ()), margin=0.3, reduction=red)
    yield S(make((2, 3)), make((2, 3)), _sign(make, (2, 3)), 0.5)
    yield S(make((0,)), make((0,)), _sign(make, (0,)))


def hinge_samples(make):
    for red in RED:
        yield S(make((2, 3)), _sign(make, (2, 3)), reduction=red).but(grad=(0,))
        yield S(make(()), _sign(make, ()), margin=0.5, reduction=red).but(grad=(0,))
    yield S(make((3, 4), noncontig=True), _sign(make, (3, 4)), 2.0).but(grad=(0,))


def triplet_samples(make):
    for red in RED:
        yield S(make((3, 4)), make((3, 4)), make((3, 4)), reduction=red)
        yield S(make((4,)), make((4,)), make((4,)), margin=2.0, reduction=red)
    yield S(make((3, 4)), make((3, 4)), make((3, 4)), swap=True, margin=3.0)
    yield S(make((3, 4)), make((3, 4)), make((3, 4)), p=1, margin=3.0)


def poisson_samples(make):
    for red in RED:
        yield S(make((2, 3)), make((2, 3), 0, 4), reduction=red)
        yield S(make((2, 3), 0.1, 3), make((2, 3), 0, 4), log_input=False, reduction=red)
        yield S(make((2, 3)), make((2, 3), 0.1, 4), full=True, reduction=red)
    yield S(make(()), make((), 0, 4))


def gauss_samples(make):
    for red in RED:
        yield S(make((3, 2)), make((3, 2)), make((3, 2), 0.1, 2), reduction=red)
        yield S(make((3, 2)), make((3, 2)), make((3,), 0.1, 2), full=True, reduction=red)
        yield S(make((3, 2)), make((3, 2)), make((3, 1), 0.1, 2), reduction=red)
    yield S(make((3, 2)), make((3, 2)), make((3, 2), 0, 1e-8)).but(gradcheck=False)


def mlsm_samples(make):
    for red in RED:
        yield S(make((3, 4)), np.round(make((3, 4), 0, 1)), reduction=red)
        yield S(make((4,)), np.round(make((4,), 0, 1)), reduction=red)
        yield S(make((3, 4)), make((3, 4), 0, 1), weight=make((4,), 0, 2),
                reduction=red).but(grad=(0, 1))


def mm_samples(make):
    for red in RED:
        yield S(make((3, 5)), make.index((3,), 5), reduction=red)
        yield S(make((4,)), make.index((1,), 4), reduction=red)
        yield S(make((3, 5)), make.index((3,), 5), p=2, margin=0.5, reduction=red)
        yield S(make((3, 4)), make.index((3,), 4), weight=make((4,), 0.5, 2),
                reduction=red).but(grad=(0,))
    yield S(make((4, 3), noncontig=True), make.index((4,), 3))


def mlm_samples(make):
    for red in RED:
        yield S(make((2, 4)), np.array([[3, 0, -1, 1], [1, 2, 3, -1]]), reduction=red)
        yield S(make((4,)), np.array([2, -1, 0, 0]), reduction=red)
        yield S(make((3, 4)), np.array([[-1, 0, 0, 0], [0, 1, 2, 3], [2, 2, -1, 1]]),
                reduction=red)


register(
    OpInfo('F.kl_div', fn('kl_div'), samples=floats(kl_samples), dtypes=FLOATS, gradgrad=True,
           errors=lambda make: [ErrorInput(S(make((2,)), make((2,)), reduction='foo'),
                                           ValueError, 'foo is not a valid value for reduction')]),
    OpInfo('F.cosine_embedding_loss', fn('cosine_embedding_loss'), samples=floats(cos_emb_samples),
           dtypes=FLOATS, gradgrad=True,
           errors=lambda make: [ErrorInput(S(make((3,)), make((3,)), make((3,))), RuntimeError,
                                           '1D target tensor expects 2D input tensors, but found '
                                           'inputs with sizes [3] and [3].')]),
    OpInfo('F.margin_ranking_loss', fn('margin_ranking_loss'), samples=floats(ranking_samples),
           dtypes=FLOATS, gradgrad=True,
           errors=lambda make: [ErrorInput(S(make((3,)), make((3,)), make((3, 1))), RuntimeError,
                                           'margin_ranking_loss : All input tensors should have '
                                           'same dimension but got sizes: input1: '
                                           'torch.Size([3]), input2: torch.Size([3]), target: '
                                           'torch.Size([3, 1])')]),
    OpInfo('F.hinge_embedding_loss', fn('hinge_embedding_loss'), samples=floats(hinge_samples),
           dtypes=FLOATS, gradgrad=True),
    OpInfo('F.triplet_margin_loss', fn('triplet_margin_loss'), samples=floats(triplet_samples),
           dtypes=FLOATS, gradgrad=True,
           errors=lambda make: [ErrorInput(S(make((3, 4)), make((4,)), make((3, 4))),
                                           RuntimeError, 'The anchor, positive, and negative '
                                           'tensors are expected to have the same number of '
                                           'dimensions, but got: anchor 2D, positive 1D, and '
                                           'negative 2D inputs')]),
    OpInfo('F.poisson_nll_loss', fn('poisson_nll_loss'), samples=floats(poisson_samples),
           dtypes=FLOATS + INTS,
           gradgrad=True),
    OpInfo('F.gaussian_nll_loss', fn('gaussian_nll_loss'), samples=floats(gauss_samples),
           dtypes=FLOATS,
           gradgrad=True,
           errors=lambda make: [ErrorInput(S(make((3, 2)), make((3, 2)), make((2,), 0.1, 1)),
                                           ValueError, 'var is of incorrect size'),
                                ErrorInput(S(make((3, 2)), make((3, 2)), make((3, 2), -2, -1)),
                                           ValueError, 'var has negative entry/entries')]),
    OpInfo('F.multilabel_soft_margin_loss', fn('multilabel_soft_margin_loss'),
           samples=floats(mlsm_samples), dtypes=FLOATS, gradgrad=True),
    OpInfo('F.multi_margin_loss', fn('multi_margin_loss'), samples=mm_samples, dtypes=FLOATS[2:],
           gradgrad=True,
           errors=lambda make: [ErrorInput(S(make((3, 4)), np.array([0, 1])), RuntimeError,
                                           'Expected target size [3], but got [2]'),
                                ErrorInput(S(make((3, 4)), np.array([0, 1, 2]), p=3),
                                           ValueError, 'only p == 1 and p == 2 supported')]),
    OpInfo('F.multilabel_margin_loss', fn('multilabel_margin_loss'), samples=mlm_samples,
           dtypes=FLOATS[2:], gradgrad=True),
)
