"""The loss modules: each holds its options (and ``weight`` / ``pos_weight`` buffers) and calls
the functional loss of ``flambeau.nn.functional`` in ``forward``."""
__all__ = ['BCELoss', 'BCEWithLogitsLoss', 'CTCLoss', 'CosineEmbeddingLoss', 'CrossEntropyLoss',
           'GaussianNLLLoss', 'HingeEmbeddingLoss', 'HuberLoss', 'KLDivLoss', 'L1Loss', 'MSELoss',
           'MarginRankingLoss', 'MultiLabelMarginLoss', 'MultiLabelSoftMarginLoss',
           'MultiMarginLoss', 'NLLLoss', 'PoissonNLLLoss', 'SmoothL1Loss', 'SoftMarginLoss',
           'TripletMarginLoss']
from ...ops import loss as F
from ...ops.ctc import ctc_loss as _ctc_loss
from .module import Module


class _Loss(Module):
    """Base of the losses: ``reduction`` ('none' | 'mean' | 'sum'), or the deprecated
    ``size_average`` / ``reduce`` flags turned into it (with PyTorch's warning)."""

    def __init__(self, size_average=None, reduce=None, reduction='mean'):
        super().__init__()
        if size_average is not None or reduce is not None:
            self.reduction = F.legacy_reduction(size_average, reduce)
        else:
            self.reduction = reduction


class _WeightedLoss(_Loss):
    """A loss with a per-class ``weight`` buffer (or None)."""

    def __init__(self, weight=None, size_average=None, reduce=None, reduction='mean'):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer('weight', weight)


class L1Loss(_Loss):
    """The mean (or sum) absolute error ``|input - target|``.

    Shape: input and target of the same shape ``(*)``; the output is a scalar, or ``(*)``
    with ``reduction='none'``.

    Example::

        >>> nn.L1Loss()(flambeau.tensor([1., -2.]), flambeau.tensor([0., 0.]))
        tensor(1.5000)
    """

    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)


class MSELoss(_Loss):
    """The mean (or sum) squared error ``(input - target) ** 2``.

    Shape: input and target of the same shape ``(*)``; the output is a scalar, or ``(*)``
    with ``reduction='none'``.

    Example::

        >>> nn.MSELoss()(flambeau.tensor([1., 2.]), flambeau.tensor([0., 0.]))
        tensor(2.5000)
    """

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """Quadratic below ``beta``, linear above: see :func:`~flambeau.nn.functional.smooth_l1_loss`.

    Example::

        >>> nn.SmoothL1Loss()(flambeau.tensor([0.5, 3.]), flambeau.tensor([0., 0.]))
        tensor(1.3125)
    """

    def __init__(self, size_average=None, reduce=None, reduction='mean', beta=1.0):
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input, target):
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """Quadratic below ``delta``, ``delta``-scaled linear above: see
    :func:`~flambeau.nn.functional.huber_loss`.

    Example::

        >>> nn.HuberLoss(delta=2.)(flambeau.tensor([0.5, 3.]), flambeau.tensor([0., 0.]))
        tensor(2.0625)
    """

    def __init__(self, reduction='mean', delta=1.0):
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input, target):
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class SoftMarginLoss(_Loss):
    """The two-class logistic loss ``log(1 + exp(-target * input))``.

    Example::

        >>> nn.SoftMarginLoss()(flambeau.tensor([2., -1.]), flambeau.tensor([1., 1.]))
        tensor(0.7201)
    """

    def forward(self, input, target):
        return F.soft_margin_loss(input, target, reduction=self.reduction)


class NLLLoss(_WeightedLoss):
    """The negative log-likelihood of class-index targets under log-probabilities ``input``.

    Shape: input ``(N, C)``, ``(C)`` or ``(N, C, d1, ...)``; target ``(N)``, ``()`` or
    ``(N, d1, ...)`` of class indices in ``[0, C)`` (or ``ignore_index``).

    Example::

        >>> nn.NLLLoss()(flambeau.tensor([[-0.5, -1.0], [-2.0, -0.1]]), flambeau.tensor([0, 1]))
        tensor(0.3000)
    """

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None,
                 reduction='mean'):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class CrossEntropyLoss(_WeightedLoss):
    """The cross-entropy between ``softmax(input)`` over the classes and ``target`` (class
    indices, or class probabilities of ``input``'s shape); fused log-softmax + NLL.

    Shape: input ``(N, C)``, ``(C)`` or ``(N, C, d1, ...)``; target ``(N)``, ``()`` or
    ``(N, d1, ...)`` of class indices, or probabilities of the input's shape.

    Example::

        >>> loss = nn.CrossEntropyLoss(label_smoothing=0.1)
        >>> loss(flambeau.tensor([[2., 0.], [0., 2.]]), flambeau.tensor([0, 1]))
        tensor(0.2269)
    """

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None,
                 reduction='mean', label_smoothing=0.0):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class BCELoss(_WeightedLoss):
    """The binary cross-entropy of probabilities ``input`` (logs clamped at -100).

    Example::

        >>> nn.BCELoss()(flambeau.tensor([0.8, 0.4]), flambeau.tensor([1., 0.]))
        tensor(0.3670)
    """

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight,
                                      reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """The binary cross-entropy of ``sigmoid(input)``, computed stably from the logits;
    ``pos_weight`` (one per class, the last dimension) weighs the positive term.

    Example::

        >>> nn.BCEWithLogitsLoss()(flambeau.tensor([2., -1.]), flambeau.tensor([1., 0.]))
        tensor(0.2201)
    """

    def __init__(self, weight=None, size_average=None, reduce=None, reduction='mean',
                 pos_weight=None):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer('weight', weight)
        self.register_buffer('pos_weight', pos_weight)

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, self.weight,
                                                  pos_weight=self.pos_weight,
                                                  reduction=self.reduction)


class KLDivLoss(_Loss):
    """The Kullback-Leibler divergence of log-probabilities ``input`` from ``target``; use
    ``reduction='batchmean'`` for the mathematical definition.

    Example::

        >>> nn.KLDivLoss(reduction='sum')(flambeau.tensor([-1., -1.]), flambeau.tensor([.5, .5]))
        tensor(0.3069)
    """

    def __init__(self, size_average=None, reduce=None, reduction='mean', log_target=False):
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input, target):
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class PoissonNLLLoss(_Loss):
    """The Poisson negative log-likelihood of ``target`` with rate ``exp(input)``
    (``log_input=True``) or ``input``.

    Example::

        >>> nn.PoissonNLLLoss()(flambeau.tensor([0., 1.]), flambeau.tensor([1., 2.]))
        tensor(0.8591)
    """

    def __init__(self, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                 reduction='mean'):
        super().__init__(size_average, reduce, reduction)
        self.log_input, self.full, self.eps = log_input, full, eps

    def forward(self, log_input, target):
        return F.poisson_nll_loss(log_input, target, log_input=self.log_input, full=self.full,
                                  eps=self.eps, reduction=self.reduction)


class GaussianNLLLoss(_Loss):
    """The Gaussian negative log-likelihood of ``target`` with mean ``input`` and variance
    ``var``.

    Example::

        >>> nn.GaussianNLLLoss()(flambeau.tensor([0., 1.]), flambeau.tensor([1., 1.]),
        ...                      flambeau.tensor([1., 1.]))
        tensor(0.2500)
    """

    def __init__(self, *, full=False, eps=1e-6, reduction='mean'):
        super().__init__(None, None, reduction)
        self.full, self.eps = full, eps

    def forward(self, input, target, var):
        return F.gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps,
                                   reduction=self.reduction)


class CosineEmbeddingLoss(_Loss):
    """``1 - cos(x1, x2)`` for ``y == 1``, ``max(0, cos(x1, x2) - margin)`` for ``y == -1``.

    Example::

        >>> nn.CosineEmbeddingLoss()(flambeau.tensor([[1., 0.]]), flambeau.tensor([[0., 1.]]),
        ...                          flambeau.tensor([1]))
        tensor(1.)
    """

    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction='mean'):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.cosine_embedding_loss(input1, input2, target, margin=self.margin,
                                       reduction=self.reduction)


class MarginRankingLoss(_Loss):
    """``max(0, -y * (x1 - x2) + margin)``.

    Example::

        >>> nn.MarginRankingLoss()(flambeau.tensor([1., 2.]), flambeau.tensor([2., 1.]),
        ...                        flambeau.tensor([1., 1.]))
        tensor(0.5000)
    """

    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction='mean'):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.margin_ranking_loss(input1, input2, target, margin=self.margin,
                                     reduction=self.reduction)


class HingeEmbeddingLoss(_Loss):
    """``x`` for ``y == 1``, ``max(0, margin - x)`` for ``y == -1``.

    Example::

        >>> nn.HingeEmbeddingLoss()(flambeau.tensor([0.3, 0.4]), flambeau.tensor([1., -1.]))
        tensor(0.4500)
    """

    def __init__(self, margin=1.0, size_average=None, reduce=None, reduction='mean'):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input, target):
        return F.hinge_embedding_loss(input, target, margin=self.margin,
                                      reduction=self.reduction)


class TripletMarginLoss(_Loss):
    """``max(d(a, p) - d(a, n) + margin, 0)`` with ``d`` the pairwise ``p``-norm distance.

    Example::

        >>> a = flambeau.tensor([[0., 0.]])
        >>> nn.TripletMarginLoss()(a, flambeau.tensor([[0., 1.]]), flambeau.tensor([[0., 3.]]))
        tensor(0.)
    """

    def __init__(self, margin=1.0, p=2.0, eps=1e-6, swap=False, size_average=None, reduce=None,
                 reduction='mean'):
        super().__init__(size_average, reduce, reduction)
        if margin <= 0:
            raise ValueError(f'TripletMarginLoss: expected margin to be greater than 0, got '
                             f'{margin} instead')
        self.margin, self.p, self.eps, self.swap = margin, p, eps, swap

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_loss(anchor, positive, negative, margin=self.margin, p=self.p,
                                     eps=self.eps, swap=self.swap, reduction=self.reduction)


class MultiLabelSoftMarginLoss(_WeightedLoss):
    """The class mean of the binary logistic losses of each label.

    Example::

        >>> nn.MultiLabelSoftMarginLoss()(flambeau.tensor([[2., -1.]]), flambeau.tensor([[1., 0.]]))
        tensor(0.2201)
    """

    def forward(self, input, target):
        return F.multilabel_soft_margin_loss(input, target, weight=self.weight,
                                             reduction=self.reduction)


class MultiMarginLoss(_WeightedLoss):
    """The multi-class hinge loss ``sum_{j != y} max(0, margin - x[y] + x[j]) ** p / C``.

    Example::

        >>> nn.MultiMarginLoss()(flambeau.tensor([[0.1, 0.2, 0.4, 0.8]]), flambeau.tensor([3]))
        tensor(0.3250)
    """

    def __init__(self, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                 reduction='mean'):
        super().__init__(weight, size_average, reduce, reduction)
        if p not in (1, 2):
            raise ValueError('only p == 1 and p == 2 supported')
        if weight is not None and weight.dim() != 1:
            raise ValueError(f'MultiMarginLoss: expected weight to be None or 1D tensor, got '
                             f'{weight.dim()}D instead')
        self.p, self.margin = p, margin

    def forward(self, input, target):
        return F.multi_margin_loss(input, target, p=self.p, margin=self.margin,
                                   weight=self.weight, reduction=self.reduction)


class MultiLabelMarginLoss(_Loss):
    """The multi-label hinge loss; ``target`` lists each sample's classes, ended by ``-1``.

    Example::

        >>> nn.MultiLabelMarginLoss()(flambeau.tensor([[0.1, 0.2, 0.4, 0.8]]),
        ...                           flambeau.tensor([[3, 0, -1, 1]]))
        tensor(0.8500)
    """

    def forward(self, input, target):
        return F.multilabel_margin_loss(input, target, reduction=self.reduction)


class CTCLoss(_Loss):
    """The Connectionist Temporal Classification loss between an unsegmented sequence of
    class log-probabilities and a target sequence, summed over all alignments of the target
    to the input frames: see :func:`~flambeau.nn.functional.ctc_loss`.

    Args:
        blank (int, optional): the blank label. Default: 0.
        reduction (str, optional): ``'none'`` | ``'mean'`` | ``'sum'``: ``'mean'`` divides
            each loss by its target length, then averages over the batch. Default: ``'mean'``.
        zero_infinity (bool, optional): zero the infinite losses (inputs too short to align to
            their targets) and their gradients. Default: ``False``.

    Shape:
        - Log_probs: ``(T, N, C)`` or ``(T, C)``: log-probabilities of C classes (blank
          included) over T frames, e.g. from ``log_softmax``.
        - Targets: ``(N, S)`` padded, or ``(sum(target_lengths))`` concatenated.
        - Input_lengths, Target_lengths: ``(N)`` or ``()`` integer tensors, or tuples of ints.
        - Output: a scalar; ``(N)`` (``()`` unbatched) with ``reduction='none'``.

    Example::

        >>> ctc = nn.CTCLoss()
        >>> log_probs = flambeau.randn(50, 16, 20).log_softmax(2).detach().requires_grad_()
        >>> targets = flambeau.randint(1, 20, (16, 30), dtype=flambeau.long)
        >>> loss = ctc(log_probs, targets, flambeau.full((16,), 50, dtype=flambeau.long),
        ...            flambeau.randint(10, 30, (16,), dtype=flambeau.long))
        >>> loss.backward()
    """

    def __init__(self, blank=0, reduction='mean', zero_infinity=False):
        super().__init__(reduction=reduction)
        self.blank = blank
        self.zero_infinity = zero_infinity

    def forward(self, log_probs, targets, input_lengths, target_lengths):
        return _ctc_loss(log_probs, targets, input_lengths, target_lengths, self.blank,
                         self.reduction, self.zero_infinity)
