"""Op registry entries: normalization, dropout and embedding ops (see opinfo.py for the
framework). The ``torch.nn.functional`` forms are reached through ``m.nn.functional``."""
import numpy as np

import flambeau.nn.functional  # noqa: F401  (``m.nn`` below: flambeau/__init__ does not import nn)
from opinfo import ALL, FLOATS, ErrorInput, OpInfo, S

OPS = []


def register(*infos):
    OPS.extend(infos)


def F(name):
    """The ``torch.nn.functional.<name>`` form, as a registry op."""
    return lambda m, *a, **k: getattr(m.nn.functional, name)(*a, **k)


def _stats(make, c):
    """Running mean and (positive) running variance of ``c`` channels."""
    return make((c,)), make((c,), low=0.5, high=2.0)


# -- batch norm ------------------------------------------------------------------------------------
def batch_norm_samples(make):
    for shape in [(4, 3), (2, 3, 4), (2, 3, 2, 2), (3, 2, 1, 2, 1)]:
        c = shape[1]
        rm, rv = _stats(make, c)
        w, b = make((c,)), make((c,))
        yield S(make(shape), rm, rv, w, b, training=True).but(grad=(0, 3, 4))
        yield S(make(shape), rm, rv, w, b).but(grad=(0, 3, 4), desc='eval')
    yield S(make((3, 4), noncontig=True), None, None, training=True, momentum=0.3, eps=1e-3)
    yield S(make((2, 3, 4)), None, None, make((3,)), None, training=True)
    yield S(make((2, 3, 4)), None, None, None, make((3,)), training=True)
    rm, rv = _stats(make, 2)
    yield S(make((3, 2, 5)), rm, rv, None, None, True, 1.0).but(grad=(0,), desc='momentum=1')
    yield S(make((0, 3)), *_stats(make, 3), training=True).but(grad=(0,), desc='empty batch')


def batch_norm_errors(make):
    x = make((2, 3, 4))
    return [
        ErrorInput(S(make((1, 3)), None, None, training=True), ValueError,
                   'Expected more than 1 value per channel when training, got input size '
                   'torch.Size([1, 3])'),
        ErrorInput(S(x, None, None, training=True, eps=0), ValueError,
                   'batch_norm eps must be positive during training, but got 0'),
        ErrorInput(S(x, make((4,)), make((4,))), RuntimeError,
                   'running_mean should contain 3 elements not 4'),
        ErrorInput(S(x, make((3,)), make((3,)), make((4,))), RuntimeError,
                   'weight should contain 3 elements not 4'),
        ErrorInput(S(x, None, None), RuntimeError,
                   'running_mean must be defined in evaluation mode'),
        ErrorInput(S(x, make((3,)), make((3,)), training=True,
                     weight=make((3,), dtype='float64')),
                   RuntimeError,
                   'mixed dtype (CPU): expect parameter to have scalar type of Float'),
    ]


# ATen's argument order: (input, weight, bias, running_mean, running_var, training, momentum,
# eps, cudnn_enabled)
def aten_batch_norm_samples(make):
    rm, rv = _stats(make, 3)
    yield S(make((2, 3, 4)), make((3,)), make((3,)), rm, rv, True, 0.1, 1e-5, False).but(
        grad=(0, 1, 2))
    yield S(make((2, 3, 4)), None, None, rm, rv, False, 0.1, 1e-5, False).but(grad=(0,))


def aten_instance_norm_samples(make):
    rm, rv = _stats(make, 3)
    yield S(make((2, 3, 4)), make((3,)), make((3,)), rm, rv, True, 0.1, 1e-5, False).but(
        grad=(0, 1, 2))
    yield S(make((2, 3, 4)), None, None, None, None, True, 0.1, 1e-5, False)


# -- instance norm ---------------------------------------------------------------------------------
def instance_norm_samples(make):
    yield S(make((2, 3, 4)))
    yield S(make((2, 3, 2, 3)), weight=make((3,)), bias=make((3,)))
    rm, rv = _stats(make, 3)
    yield S(make((2, 3, 5)), rm, rv, make((3,)), make((3,)), momentum=0.2).but(grad=(0, 3, 4))
    yield S(make((2, 3, 5)), rm, rv, use_input_stats=False).but(grad=(0,), desc='running')
    yield S(make((4, 3), noncontig=True)[None], eps=1e-3)


def instance_norm_errors(make):
    return [
        ErrorInput(S(make((2, 3, 1))), ValueError,
                   'Expected more than 1 spatial element when training, got input size'),
        ErrorInput(S(make((2, 3, 4)), use_input_stats=False), RuntimeError,
                   'Expected running_mean and running_var to be defined when use_input_stats is '
                   'false'),
        ErrorInput(S(make((2, 3, 4)), make((4,)), make((4,))), RuntimeError,
                   'running_mean should contain 6 elements not 8'),
    ]


# -- layer norm ------------------------------------------------------------------------------------
def layer_norm_samples(make):
    yield S(make((2, 3, 4)), (4,), make((4,)), make((4,)))
    yield S(make((2, 3, 4)), (3, 4), make((3, 4)), make((3, 4)), eps=1e-3)
    yield S(make((5,)), [5])
    yield S(make((3, 4), noncontig=True), (4,), make((4,)), None)
    yield S(make((2, 3)), (2, 3), None, make((2, 3)))
    yield S(make((0, 4)), (4,), make((4,)), make((4,))).but(desc='empty')
    yield S(make((2, 1)), (1,), make((1,)), make((1,))).but(gradcheck=False, desc='one element')


def layer_norm_errors(make):
    x = make((2, 3, 4))
    return [
        ErrorInput(S(x, (3,)), RuntimeError, 'Given normalized_shape=[3], expected input with '
                   'shape [*, 3], but got input of size[2, 3, 4]'),
        ErrorInput(S(x, (4,), make((3,))), RuntimeError,
                   'Expected weight to be of same shape as normalized_shape, but got weight of '
                   'shape [3] and normalized_shape = [4]'),
        ErrorInput(S(x, (4,), None, make((3,))), RuntimeError,
                   'Expected bias to be of same shape as normalized_shape'),
        ErrorInput(S(x, ()), RuntimeError,
                   'Expected normalized_shape to be at least 1-dimensional'),
        ErrorInput(S(x, 4), TypeError, "argument 'normalized_shape' (position 2) must be tuple "
                   "of ints, not int"),
    ]


# -- group norm ------------------------------------------------------------------------------------
def group_norm_samples(make):
    yield S(make((2, 4, 3)), 2, make((4,)), make((4,)))
    yield S(make((3, 6)), 3)
    yield S(make((2, 4, 2, 2)), 4, make((4,)), None, eps=1e-3)
    yield S(make((2, 2, 3)), 1, make((2,)), None)
    yield S(make((2, 4, 5), noncontig=True), 2, make((4,)), make((4,)))
    yield S(make((0, 4, 2)), 2, make((4,)), make((4,))).but(desc='empty')


def group_norm_errors(make):
    x = make((2, 3, 4))
    return [
        ErrorInput(S(x, 2), RuntimeError, 'Expected number of channels in input to be divisible '
                   'by num_groups, but got input of shape [2, 3, 4] and num_groups=2'),
        ErrorInput(S(make((3,)), 1), RuntimeError,
                   'Expected at least 2 dimensions for input tensor but received 1'),
        ErrorInput(S(x, 3, make((4,))), RuntimeError,
                   'Expected weight to be a vector of size equal to the number of channels in '
                   'input, but got weight of shape [4] and input of shape [2, 3, 4]'),
        ErrorInput(S(make((1, 3)), 3), ValueError,
                   'Expected more than 1 value per channel when training, got input size [1, 3]'),
    ]


# -- rms norm, lrn, normalize ----------------------------------------------------------------------
def rms_norm_samples(make):
    yield S(make((2, 3, 4)), (4,), make((4,)))
    yield S(make((2, 3, 4)), (3, 4), eps=1e-3)
    yield S(make((5,)), [5], make((5,)), 1e-6)
    yield S(make((3, 4), noncontig=True), (4,))
    yield S(make((0, 4)), (4,), make((4,))).but(desc='empty')


def rms_norm_errors(make):
    return [
        ErrorInput(S(make((2, 3, 4)), (3,)), RuntimeError,
                   'Given normalized_shape=[3], expected input with shape [*3], but got input of '
                   'size[2, 3, 4]'),
        ErrorInput(S(make((2, 3, 4)), (4,), make((3,))), RuntimeError,
                   'Expected weight to be of same shape as normalized_shape'),
    ]


def lrn_samples(make):
    yield S(make((2, 4, 3)), 2)
    yield S(make((1, 3, 1)), 1)
    yield S(make((3, 4), noncontig=True)[None], 3, 1e-2, 0.5, 2.0)
    if make.dtype not in ('float16', 'bfloat16'):  # PyTorch's 3-D average pooling has no half
        yield S(make((2, 5, 2, 2)), 3, 1e-2, 0.5, 2.0)
        yield S(make((1, 3, 2, 1, 2)), 4, alpha=0.1, beta=0.9)
    yield S(make((0, 3, 2)), 2).but(desc='empty')


def normalize_samples(make):
    yield S(make((3, 4), exclude_zero=True))
    yield S(make((2, 3, 4), exclude_zero=True), 1.0, -1)
    yield S(make((4,), exclude_zero=True), dim=0)
    yield S(make((3, 2), exclude_zero=True, noncontig=True), 3.0, 0, 1e-3)
    yield S(np.asarray(make(()) * 0 + 2), dim=0).but(desc='0-d')
    yield S(make((0, 3)), dim=1)


# -- dropout ---------------------------------------------------------------------------------------
def dropout_samples(nd, channel=False):
    """Deterministic calls only: eval mode, p=0 and p=1."""
    def samples(make):
        shape = (2, 3, 2, 2, 2)[:nd] if nd < 5 else (2, 2, 2, 2, 2)
        yield S(make(shape), 1.0, True)
        yield S(make(shape), 0.5, False)
        yield S(make(shape), p=0.0)
        yield S(make(shape), 0.3, training=False)
        if not channel:
            yield S(make(()), 0.5, False)
            yield S(make((3, 2), noncontig=True), 1.0)
    return samples


def dropout_errors(make):
    return [ErrorInput(S(make((2, 3)), 1.5), ValueError,
                       'dropout probability has to be between 0 and 1, but got 1.5'),
            ErrorInput(S(make((2, 3)), -0.1), ValueError,
                       'dropout probability has to be between 0 and 1, but got -0.1')]


def dropout1d_errors(make):
    return dropout_errors(make) + [
        ErrorInput(S(make((2, 3, 4, 5))), RuntimeError,
                   'dropout1d: Expected 2D or 3D input, but received a 4D input.')]


# -- embedding -------------------------------------------------------------------------------------
def embedding_samples(make):
    yield S(make.index((2, 3), 5), make((5, 3)))
    # padding_idx and scale_grad_by_freq change the gradient on purpose: no gradcheck
    yield S(make.index((4,), 4), make((4, 2)), padding_idx=1).but(gradcheck=False)
    yield S(np.array([0, 2, 2, 1, 2]), make((3, 4)), scale_grad_by_freq=True).but(
        gradcheck=False)
    yield S(np.array([[1, 0], [2, 2]]), make((3, 2)), padding_idx=-1,
            scale_grad_by_freq=True).but(gradcheck=False)
    yield S(np.array(2), make((3, 2))).but(desc='0-d index')
    yield S(np.zeros((0, 2), np.int64), make((3, 2))).but(desc='empty')
    yield S(make.index((3,), 2).astype(np.int32), make((2, 3), noncontig=True)).but(
        desc='int32 index, noncontig weight')
    # flambeau has no sparse tensors: the gradient of sparse=True is the dense one
    yield S(make.index((3,), 3), make((3, 2)), sparse=True).but(grad=False)


def embedding_errors(make):
    w = make((3, 2))
    return [
        ErrorInput(S(make((2,)), w), RuntimeError, "Expected tensor for argument #1 'indices' to "
                   "have one of the following scalar types: Long, Int; but got torch.FloatTensor "
                   "instead (while checking arguments for embedding)"),
        ErrorInput(S(np.array([3]), w), IndexError, 'index out of range in self'),
        ErrorInput(S(np.array([-1]), w), IndexError, 'index out of range in self'),
        ErrorInput(S(np.array([1]), w, padding_idx=3), AssertionError,
                   'Padding_idx must be within num_embeddings'),
        ErrorInput(S(np.array([1]), make((3,))), RuntimeError, "'weight' must be 2-D"),
    ]


def embedding_max_norm_samples(make):
    """max_norm renormalises the looked-up rows of the weight in place: the op returns the
    weight with the result, so the in-place write is compared too."""
    yield S(np.array([0, 2, 0]), make((4, 3)) * 2, max_norm=1.0)
    yield S(np.array([[1, 3]]), make((4, 3)), max_norm=0.5, norm_type=1.0)
    yield S(np.array([1]), make((4, 3)), max_norm=2.0, norm_type=float('inf'))


def embedding_bag_samples(make):
    w = make((5, 3))
    yield S(np.array([0, 2, 4, 1, 2]), w, np.array([0, 2]))
    yield S(np.array([0, 2, 4, 1, 2]), w, np.array([0, 2]), mode='sum')
    yield S(np.array([0, 2, 4, 1, 2]), w, np.array([0, 0, 3]), mode='max').but(
        desc='empty bag')
    yield S(np.array([[0, 1], [3, 3]]), w, mode='sum', per_sample_weights=make((2, 2)))
    yield S(np.array([0, 2, 4, 1]), w, np.array([0, 1, 4]), include_last_offset=True)
    yield S(np.array([0, 2, 4, 1, 2]), w, np.array([0, 3]), padding_idx=2, mode='mean')
    yield S(np.array([0, 2, 4, 1, 2]), w, np.array([0, 3]), padding_idx=2, mode='max')
    # (scale_grad_by_freq with mode='sum': PyTorch 2.13's CPU kernel divides by the wrong
    # index's count when the indices repeat, so only distinct indices here)
    yield S(np.array([1, 0, 3]), w, np.array([0, 1]), scale_grad_by_freq=True,
            mode='sum')
    yield S(np.array([[1, 4, 0]]), make((6, 2), noncontig=True), mode='max')
    yield S(np.array([1, 2]), w, np.array([0, 1]).astype(np.int32),
            per_sample_weights=make((2,)), mode='sum', padding_idx=-4)


def embedding_bag_errors(make):
    w = make((3, 2))
    i = np.array([1, 2])
    return [
        ErrorInput(S(i, w, np.array([1])), RuntimeError, 'offsets[0] has to be 0, i.e., the '
                   'first sequence in the mini-batch has to start from position 0. However, '
                   'got 1'),
        ErrorInput(S(i, w, np.array([0, 3])), RuntimeError, "offsets[-1] can not be greater than "
                   "input's length 2 but got offsets[-1] of 3"),
        ErrorInput(S(np.array([1, 5]), w, np.array([0])), RuntimeError,
                   'Index 1 of input takes value 5 which is not in the valid range [0, 3)'),
        ErrorInput(S(i, w, np.array([0]), padding_idx=5), RuntimeError,
                   'padding_idx must be within the number of embeddings, -3 through 2, but got 5'),
        ErrorInput(S(np.array([[[1]]]), w), ValueError,
                   'input has to be 1D or 2D Tensor, but got Tensor of dimension 3'),
        ErrorInput(S(np.array([[1]]), w, mode='min'), ValueError,
                   'mode has to be one of sum, mean or max'),
        ErrorInput(S(i, w), ValueError, 'offsets has to be a 1D Tensor but got None'),
        ErrorInput(S(np.array([[1]]), w, np.array([0])), ValueError,
                   'if input is 2D, then offsets has to be None'),
        ErrorInput(S(i, w, np.array([0]), per_sample_weights=make((3,)), mode='sum'), ValueError,
                   'embedding_bag: If per_sample_weights (torch.Size([3])) is not None, then it '
                   'must have the same shape as the input (torch.Size([2]))'),
        ErrorInput(S(i, w, np.array([0]), per_sample_weights=make((2,))), NotImplementedError,
                   "per_sample_weights is only supported for mode='sum' (got mode='mean')"),
        ErrorInput(S(i, w, np.array([0]), mode='max', scale_grad_by_freq=True), ValueError,
                   'max mode does not support scaling the gradient by the frequency'),
        ErrorInput(S(make((2,)), w, np.array([0])), RuntimeError,
                   "Expected tensor for argument #1 'indices' to have one of the following scalar "
                   "types: Long, Int; but got torch.FloatTensor instead (while checking arguments "
                   "for embedding_bag)"),
    ]


def one_hot_samples(make):
    yield S(make((2, 3), low=0, high=5))
    yield S(make((4,), low=0, high=3), 6)
    yield S(make((), low=0, high=3))
    yield S(make((0,), low=0, high=3), 3)
    yield S(make((3, 2), low=0, high=4, noncontig=True))


def one_hot_errors(make):
    return [
        ErrorInput(S(np.array([-1])), RuntimeError, 'Class values must be non-negative.'),
        ErrorInput(S(np.array([3]), 3), RuntimeError,
                   'Class values must be smaller than num_classes.'),
        ErrorInput(S(np.zeros(0, np.int64)), RuntimeError,
                   'Can not infer total number of classes from empty tensor.'),
        ErrorInput(S(np.array([1], np.int32)), RuntimeError,
                   'one_hot is only applicable to index tensor of type LongTensor.'),
    ]


_FTOL = {'float16': (1e-2, 1e-2), 'bfloat16': (5e-2, 5e-2)}
_NORM_TOL = {'float32': (1e-5, 1e-5), **_FTOL}

register(
    OpInfo('batch_norm', F('batch_norm'), samples=batch_norm_samples, dtypes=FLOATS,
           gradgrad=True, errors=batch_norm_errors, tol=_NORM_TOL, grad_tol=_FTOL),
    OpInfo('torch.batch_norm', lambda m, *a, **k: m.batch_norm(*a, **k),
           samples=aten_batch_norm_samples, dtypes=FLOATS, tol=_NORM_TOL, grad_tol=_FTOL),
    OpInfo('instance_norm', F('instance_norm'), samples=instance_norm_samples, dtypes=FLOATS,
           gradgrad=True, errors=instance_norm_errors, tol=_NORM_TOL, grad_tol=_FTOL),
    OpInfo('torch.instance_norm', lambda m, *a, **k: m.instance_norm(*a, **k),
           samples=aten_instance_norm_samples, dtypes=FLOATS, tol=_NORM_TOL, grad_tol=_FTOL),
    OpInfo('layer_norm', F('layer_norm'), samples=layer_norm_samples, dtypes=FLOATS,
           variants={'torch': lambda m, *a, **k: m.layer_norm(*a, **k)}, gradgrad=True,
           errors=layer_norm_errors, tol=_NORM_TOL, grad_tol=_FTOL),
    OpInfo('group_norm', F('group_norm'), samples=group_norm_samples, dtypes=FLOATS,
           variants={'torch': lambda m, *a, **k: m.group_norm(*a, **k)}, gradgrad=True,
           errors=group_norm_errors, tol=_NORM_TOL, grad_tol=_FTOL),
    OpInfo('rms_norm', F('rms_norm'), samples=rms_norm_samples, dtypes=FLOATS,
           variants={'torch': lambda m, *a, **k: m.rms_norm(*a, **k)}, gradgrad=True,
           errors=rms_norm_errors, tol=_NORM_TOL, grad_tol=_FTOL),
    OpInfo('local_response_norm', F('local_response_norm'), samples=lrn_samples,
           dtypes=('int64',) + FLOATS,
           gradgrad=True, tol=_NORM_TOL, grad_tol=_FTOL,
           errors=lambda make: [ErrorInput(S(make((2, 3)), 2), ValueError,
                                           'Expected 3D or higher dimensionality')]),
    OpInfo('normalize', F('normalize'), samples=normalize_samples, dtypes=FLOATS, out=True,
           gradgrad=True, tol=_NORM_TOL, grad_tol=_FTOL),
    OpInfo('F.dropout', F('dropout'), samples=dropout_samples(2), dtypes=ALL,
           inplace=lambda m, x, *a, **k: m.nn.functional.dropout(x, *a, inplace=True, **k),
           errors=dropout_errors),
    OpInfo('F.alpha_dropout', F('alpha_dropout'), samples=dropout_samples(2), dtypes=ALL,
           errors=dropout_errors),
    OpInfo('F.feature_alpha_dropout', F('feature_alpha_dropout'),
           samples=dropout_samples(3, True), dtypes=ALL, errors=dropout_errors),
    OpInfo('dropout1d', F('dropout1d'), samples=dropout_samples(3, True), dtypes=ALL,
           inplace=lambda m, x, *a, **k: m.nn.functional.dropout1d(x, *a, inplace=True, **k),
           errors=dropout1d_errors),
    OpInfo('dropout2d', F('dropout2d'), samples=dropout_samples(4, True), dtypes=ALL,
           errors=dropout_errors),
    OpInfo('dropout3d', F('dropout3d'), samples=dropout_samples(5, True), dtypes=ALL,
           errors=dropout_errors),
    OpInfo('embedding', lambda m, i, w, **k: m.nn.functional.embedding(i, w, **k),
           samples=embedding_samples, dtypes=ALL, gradgrad=True, errors=embedding_errors,
           grad_tol=_FTOL),
    OpInfo('embedding_max_norm',
           lambda m, i, w, **k: (m.nn.functional.embedding(i, w, **k), w),
           samples=embedding_max_norm_samples, dtypes=FLOATS, grad=False),
    OpInfo('torch.embedding', lambda m, w, i, *a: m.embedding(w, i, *a),
           samples=lambda make: [S(make((4, 3)), make.index((2, 2), 4)),
                                 S(make((4, 3)), make.index((5,), 4), 2, True).but(
                                     gradcheck=False)],
           dtypes=ALL, grad_tol=_FTOL),
    OpInfo('embedding_bag', F('embedding_bag'), samples=embedding_bag_samples, dtypes=FLOATS,
           gradgrad=True, errors=embedding_bag_errors, tol=_FTOL, grad_tol=_FTOL),
    OpInfo('one_hot', F('one_hot'), samples=one_hot_samples, dtypes=('int64',), grad=False,
           errors=one_hot_errors),
)
