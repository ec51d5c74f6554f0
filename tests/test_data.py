"""flambeau.utils.data in the main process, against torch.utils.data: datasets, samplers,
random_split, default_collate/default_convert, DataLoader ordering, lengths and argument
errors. Orders are compared with PyTorch only where they don't depend on its RNG; random ones
are checked for reproducibility and for being permutations. Worker processes:
test_dataloader_workers.py."""
import collections
import warnings

import numpy as np
import pytest

torch = pytest.importorskip('torch')

import flambeau
from flambeau.utils import data as fdata
from torch.utils import data as tdata


def _as_plain(x):
    """A nested structure of tensors -> comparable plain Python (type tags, dtypes, values)."""
    if isinstance(x, (torch.Tensor, flambeau.Tensor)):
        return ('T', str(x.dtype).replace('torch.', '').replace('flambeau.', ''),
                tuple(x.shape), x.tolist())
    if isinstance(x, dict):
        return ('dict', type(x).__name__, {k: _as_plain(v) for k, v in x.items()})
    if isinstance(x, tuple) and hasattr(x, '_fields'):
        return ('nt', type(x).__name__, tuple(_as_plain(v) for v in x))
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, [_as_plain(v) for v in x])
    if isinstance(x, np.ndarray):
        return ('np', x.dtype.str, x.tolist())
    return x


def _both(fn):
    """fn(lib_data_module, lib) run for torch and flambeau."""
    return fn(tdata, torch), fn(fdata, flambeau)


def _same_error(fn):
    """fn(data_module, lib) raises the same type and message in torch and flambeau."""
    errs = []
    for mod, lib in ((tdata, torch), (fdata, flambeau)):
        with pytest.raises(Exception) as info:
            fn(mod, lib)
        errs.append(info.value)
    assert type(errs[0]) is type(errs[1])
    assert str(errs[0]) == str(errs[1])


# -- datasets ---------------------------------------------------------------------------------

def test_tensor_dataset():
    a, b = _both(lambda d, lib: d.TensorDataset(lib.arange(6).view(3, 2), lib.tensor([0., 1, 2])))
    assert len(a) == len(b) == 3
    for i in (0, 2, -1, slice(0, 2)):
        assert _as_plain(a[i]) == _as_plain(b[i])
    _same_error(lambda d, lib: d.TensorDataset(lib.zeros(3), lib.zeros(4)))


def test_concat_subset_stack_chain():
    def build(d, lib):
        c = d.ConcatDataset([[1, 2, 3], [4], [5, 6]])
        s = d.Subset([10, 11, 12, 13], [3, 1])
        st = d.StackDataset([1, 2], ['a', 'b'])
        sd = d.StackDataset(x=[1, 2], y=['a', 'b'])

        class R(d.IterableDataset):
            def __init__(self, n):
                self.n = n

            def __iter__(self):
                return iter(range(self.n))

            def __len__(self):
                return self.n
        ch = d.ChainDataset([R(2), R(3)])
        plus = d.TensorDataset(lib.arange(2)) + d.TensorDataset(lib.arange(3))
        return (len(c), [c[i] for i in range(-6, 6)], c.cumulative_sizes, len(s), s[0], s[1],
                s.__getitems__([1, 0]), st[1], sd[0], st.__getitems__([1, 0]),
                sd.__getitems__([1]), list(ch), len(ch), list(R(2) + R(1)),
                type(plus).__name__, len(plus), _as_plain(plus[3]))
    a, b = _both(build)
    assert a == b
    _same_error(lambda d, lib: d.ConcatDataset([[1], [2]])[-3])
    _same_error(lambda d, lib: d.ConcatDataset([]))
    _same_error(lambda d, lib: d.StackDataset([1], [1, 2]))
    _same_error(lambda d, lib: d.StackDataset(a=[1], b=[1, 2]))
    _same_error(lambda d, lib: d.StackDataset([1], b=[1]))
    _same_error(lambda d, lib: d.StackDataset())
    _same_error(lambda d, lib: list(d.ChainDataset([[1, 2]])))
    _same_error(lambda d, lib: d.Dataset()[0])

    def bad_subset(d, lib):
        class S(d.Subset):
            def __getitem__(self, i):
                return 0
        return S([1, 2], [0])
    _same_error(bad_subset)


def test_random_split():
    g = flambeau.Generator().manual_seed(1)
    parts = fdata.random_split(range(10), [3, 7], generator=g)
    assert [len(p) for p in parts] == [3, 7]
    assert sorted(list(parts[0]) + list(parts[1])) == list(range(10))
    again = fdata.random_split(range(10), [3, 7], generator=flambeau.Generator().manual_seed(1))
    assert [list(p) for p in again] == [list(p) for p in parts]
    flambeau.manual_seed(5)
    x = [list(p) for p in fdata.random_split(range(10), [5, 5])]
    flambeau.manual_seed(5)
    assert x == [list(p) for p in fdata.random_split(range(10), [5, 5])]
    # fractions: sizes as PyTorch computes them, remainder dealt round-robin
    for lengths in ([0.5, 0.5], [0.3, 0.3, 0.4], [1 / 3] * 3, [0.1, 0.9]):
        a, b = _both(lambda d, lib: [len(p) for p in d.random_split(range(11), lengths)])
        assert a == b
    _same_error(lambda d, lib: d.random_split(range(10), [3, 3]))
    _same_error(lambda d, lib: d.random_split(range(10), [1.5, -0.5]))
    with pytest.warns(UserWarning, match='Length of split at index'):
        fdata.random_split(range(2), [0.9, 0.05, 0.05])


# -- samplers ---------------------------------------------------------------------------------

def test_sequential_and_batch_sampler_orders():
    for n, bs, dl in ((10, 3, False), (10, 3, True), (9, 3, True), (0, 2, False), (5, 10, False)):
        a, b = _both(lambda d, lib: (list(d.BatchSampler(d.SequentialSampler(range(n)), bs, dl)),
                                     len(d.BatchSampler(range(n), bs, dl)),
                                     list(d.SequentialSampler(range(n)))))
        assert a == b
    for bad in ((range(3), 0, False), (range(3), True, False), (range(3), 2.0, False),
                (range(3), 2, 1)):
        _same_error(lambda d, lib: d.BatchSampler(*bad))


def test_random_sampler():
    s = fdata.RandomSampler(range(7), generator=flambeau.Generator().manual_seed(0))
    first, second = list(s), list(s)
    assert sorted(first) == sorted(second) == list(range(7)) and len(s) == 7
    assert first == list(fdata.RandomSampler(range(7),
                                             generator=flambeau.Generator().manual_seed(0)))
    more = list(fdata.RandomSampler(range(4), num_samples=10,
                                    generator=flambeau.Generator().manual_seed(0)))
    assert len(more) == 10 and sorted(more[:8]) == sorted(list(range(4)) * 2)
    assert set(more[8:]) <= set(range(4)) and len(set(more[8:])) == 2
    rep = list(fdata.RandomSampler(range(3), replacement=True, num_samples=70))
    assert len(rep) == 70 and set(rep) == {0, 1, 2}
    flambeau.manual_seed(3)
    a = list(fdata.RandomSampler(range(50)))
    flambeau.manual_seed(3)
    assert a == list(fdata.RandomSampler(range(50)))
    assert type(next(iter(fdata.RandomSampler(range(3))))) is int
    _same_error(lambda d, lib: d.RandomSampler(range(3), replacement=1))
    _same_error(lambda d, lib: d.RandomSampler(range(3), num_samples=0))
    _same_error(lambda d, lib: d.RandomSampler([]))


def test_subset_and_weighted_samplers():
    s = fdata.SubsetRandomSampler([5, 7, 9, 11], generator=flambeau.Generator().manual_seed(0))
    assert sorted(s) == [5, 7, 9, 11] and len(s) == 4
    w = fdata.WeightedRandomSampler([0., 0., 1., 0.], 5)
    assert list(w) == [2] * 5 and len(w) == 5
    assert w.weights.dtype == flambeau.float64
    nr = list(fdata.WeightedRandomSampler([1., 1., 1., 1.], 4, replacement=False))
    assert sorted(nr) == [0, 1, 2, 3]
    g1, g2 = (flambeau.Generator().manual_seed(7) for _ in range(2))
    assert (list(fdata.WeightedRandomSampler([.1, .5, .4], 20, generator=g1))
            == list(fdata.WeightedRandomSampler([.1, .5, .4], 20, generator=g2)))
    _same_error(lambda d, lib: d.WeightedRandomSampler([1., 2.], 0))
    _same_error(lambda d, lib: d.WeightedRandomSampler([1., 2.], True))
    _same_error(lambda d, lib: d.WeightedRandomSampler([1., 2.], 2, replacement=None))
    _same_error(lambda d, lib: d.WeightedRandomSampler([[1., 2.]], 2))


# -- collate ----------------------------------------------------------------------------------

Point = collections.namedtuple('Point', 'x y')


class _MyList(list):
    pass


def _collate_cases(lib):
    return [
        [0, 1, 2],
        [0.5, 1.5],
        [True, False],
        ['a', 'b'],
        [b'a', b'b'],
        [lib.tensor([1, 2]), lib.tensor([3, 4])],
        [lib.tensor(1.5), lib.tensor(2.5)],
        [lib.zeros(2, 0), lib.zeros(2, 0)],
        [np.array([1, 2], dtype=np.int32), np.array([3, 4], dtype=np.int32)],
        [np.float32(1.5), np.float32(2)],
        [np.int64(3), np.int64(4)],
        [(0, 'a'), (1, 'b')],
        [[0, 1.5], [2, 3.5]],
        [{'x': 0, 'y': lib.ones(2)}, {'x': 1, 'y': lib.zeros(2)}],
        [Point(0, 1.0), Point(2, 3.0)],
        [_MyList([1, 2]), _MyList([3, 4])],
        [{'a': [(1, 2.0)]}, {'a': [(3, 4.0)]}],
    ]


def test_default_collate_matches_torch():
    for a, b in zip(_collate_cases(torch), _collate_cases(flambeau)):
        ta, fb = tdata.default_collate(a), fdata.default_collate(b)
        assert _as_plain(ta) == _as_plain(fb), a
        assert type(ta).__name__ == type(fb).__name__
    _same_error(lambda d, lib: d.default_collate([[1, 2], [3]]))
    _same_error(lambda d, lib: d.default_collate([object(), object()]))
    _same_error(lambda d, lib: d.default_collate([np.array(['a']), np.array(['b'])]))


def test_default_convert_matches_torch():
    def cases(lib):
        return [np.array([1, 2]), np.float64(2.5), (np.int32(1), 'a'), [np.zeros(2)],
                {'k': np.ones(1, dtype=np.float32)}, Point(np.int64(1), 2), 'str', 3,
                lib.tensor([1.]), np.array(['a', 'b']), range(2)]
    for a, b in zip(cases(torch), cases(flambeau)):
        assert _as_plain(tdata.default_convert(a)) == _as_plain(fdata.default_convert(b))


def test_collate_fn_map():
    from flambeau.utils.data._utils.collate import collate, default_collate_fn_map

    def str_join(batch, *, collate_fn_map=None):
        return '+'.join(batch)
    m = dict(default_collate_fn_map)
    m[str] = str_join
    out = collate([('a', 1), ('b', 2)], collate_fn_map=m)
    assert out[0] == 'a+b' and out[1].tolist() == [1, 2]


# -- DataLoader -------------------------------------------------------------------------------

def _loader_batches(d, lib, **kw):
    ds = d.TensorDataset(lib.arange(10.).view(10, 1), lib.arange(10))
    return [_as_plain(b) for b in d.DataLoader(ds, **kw)]


@pytest.mark.parametrize('kw', [
    {}, {'batch_size': 3}, {'batch_size': 3, 'drop_last': True}, {'batch_size': None},
    {'batch_size': 4, 'sampler': [9, 1, 4, 4, 0]}, {'batch_sampler': [[1, 2], [0], [9, 8, 7]]},
    {'batch_size': 20}, {'batch_size': 2, 'collate_fn': lambda b: len(b)},
])
def test_loader_orders_match_torch(kw):
    a, b = _both(lambda d, lib: _loader_batches(d, lib, **kw))
    assert a == b
    a, b = _both(lambda d, lib: len(d.DataLoader(range(10), **kw)))
    assert a == b


def test_loader_plain_datasets_match_torch():
    def run(d, lib):
        class DictDS(d.Dataset):
            def __len__(self):
                return 5

            def __getitem__(self, i):
                return {'img': np.full((2,), i, dtype=np.float32), 'label': i, 'name': f'n{i}'}
        out = [_as_plain(b) for b in d.DataLoader(DictDS(), batch_size=2)]
        out += [_as_plain(b) for b in d.DataLoader(list(range(5)), batch_size=2, drop_last=True)]
        out += [_as_plain(b) for b in d.DataLoader([np.ones(2)] * 2, batch_size=None)]
        out += [_as_plain(b) for b in d.DataLoader(d.Subset(d.TensorDataset(lib.arange(8)),
                                                            [7, 5, 3, 1, 0]), batch_size=2)]
        out += [_as_plain(b) for b in d.DataLoader(d.StackDataset(list(range(3)), ['a', 'b', 'c']),
                                                   batch_size=2)]
        return out
    a, b = _both(run)
    assert a == b


def test_loader_iterable_dataset_matches_torch():
    def run(d, lib):
        class Stream(d.IterableDataset):
            def __iter__(self):
                return iter(range(7))

            def __len__(self):
                return 7
        out = []
        for kw in ({'batch_size': 3}, {'batch_size': 3, 'drop_last': True}, {'batch_size': None}):
            loader = d.DataLoader(Stream(), **kw)
            out.append((len(loader), [_as_plain(b) for b in loader]))
        return out
    a, b = _both(run)
    assert a == b


def test_iterable_dataset_length_warning():
    class Stream(fdata.IterableDataset):
        def __iter__(self):
            return iter(range(5))

        def __len__(self):
            return 2
    loader = fdata.DataLoader(Stream(), batch_size=1)
    assert len(loader) == 2
    with pytest.warns(UserWarning, match='was reported to be 2'):
        list(loader)


def test_shuffle_reproducible():
    ds = fdata.TensorDataset(flambeau.arange(100))

    def order(**kw):
        return [x for (b,) in fdata.DataLoader(ds, batch_size=7, shuffle=True, **kw)
                for x in b.tolist()]
    flambeau.manual_seed(0)
    a = order()
    flambeau.manual_seed(0)
    assert order() == a and sorted(a) == list(range(100)) and a != list(range(100))
    assert order() != a  # the next epoch reshuffles
    g = flambeau.Generator().manual_seed(3)
    b1 = order(generator=g)
    g.manual_seed(3)
    assert order(generator=g) == b1


def test_tensor_dataset_fast_path():
    x = flambeau.randn(20, 3, 2).transpose(1, 2)  # non-contiguous
    y = flambeau.arange(20).to(flambeau.int32)
    ds = fdata.TensorDataset(x, y)
    idx = [3, 0, 19, -1, 3]
    fast = fdata.DataLoader(ds, batch_sampler=[idx])
    slow = fdata.DataLoader(ds, batch_sampler=[idx], collate_fn=lambda b: fdata.default_collate(b))
    (fx, fy), (sx, sy) = next(iter(fast)), next(iter(slow))
    assert type(next(iter(fast))) is list
    assert flambeau.equal(fx, sx) and flambeau.equal(fy, sy) and fy.dtype == flambeau.int32
    # the fetch is one fancy index per tensor: no __getitem__ call per sample
    calls = []

    class Counting(fdata.TensorDataset):
        def __getitem__(self, i):
            calls.append(i)
            return super().__getitem__(i)
    list(fdata.DataLoader(fdata.Subset(ds, list(range(10))), batch_size=4))
    # a subclass that overrides __getitem__ is read item by item
    list(fdata.DataLoader(Counting(x, y), batch_size=4))
    assert len(calls) == 20
    # __getitems__ gives the samples (a list of tuples) for custom collate functions
    got = fdata.DataLoader(ds, batch_size=2, collate_fn=lambda b: b)
    first = next(iter(got))
    assert type(first) is list and type(first[0]) is tuple and len(first) == 2
    # out of range: flambeau's (= torch's) indexing error
    with pytest.raises(IndexError) as fi:
        next(iter(fdata.DataLoader(ds, batch_sampler=[[0, 25]])))
    with pytest.raises(IndexError) as ti:
        next(iter(tdata.DataLoader(tdata.TensorDataset(torch.zeros(20)), batch_sampler=[[0, 25]])))
    assert str(fi.value) == str(ti.value)
    # a tensor that requires grad keeps its graph through the batch
    w = flambeau.ones(4, 2, requires_grad=True)
    (bw,) = next(iter(fdata.DataLoader(fdata.TensorDataset(w), batch_size=3)))
    assert bw.requires_grad and bw.grad_fn is not None


class _Empty(tdata.Dataset):
    pass


@pytest.mark.parametrize('kw', [
    {'num_workers': -1}, {'timeout': -1}, {'prefetch_factor': 2},
    {'num_workers': 1, 'prefetch_factor': -1}, {'persistent_workers': True},
    {'sampler': [0, 1], 'shuffle': True}, {'batch_sampler': [[0]], 'batch_size': 2},
    {'batch_sampler': [[0]], 'drop_last': True}, {'batch_sampler': [[0]], 'shuffle': True},
    {'batch_size': None, 'drop_last': True}, {'multiprocessing_context': 'fork'},
    {'num_workers': 1, 'multiprocessing_context': 'nope'},
    {'num_workers': 1, 'multiprocessing_context': 3},
    {'batch_size': 0}, {'batch_size': 2, 'drop_last': 'yes'},
])
def test_loader_argument_errors(kw):
    _same_error(lambda d, lib: d.DataLoader(list(range(4)), **kw))


def test_loader_iterable_argument_errors_and_setattr():
    def it_ds(d):
        class S(d.IterableDataset):
            def __iter__(self):
                return iter([])
        return S()
    _same_error(lambda d, lib: d.DataLoader(it_ds(d), shuffle=True))
    _same_error(lambda d, lib: d.DataLoader(it_ds(d), sampler=None, batch_sampler=[[0]]))
    _same_error(lambda d, lib: setattr(d.DataLoader([1]), 'batch_size', 3))
    _same_error(lambda d, lib: iter(d.DataLoader([1], timeout=1)))
    _same_error(lambda d, lib: len(d.DataLoader(it_ds(d))))
    loader = fdata.DataLoader([1])
    loader.num_workers = 0  # not frozen
    with pytest.raises(NotImplementedError, match='cannot be pickled'):
        import pickle
        pickle.dumps(iter(loader))


def test_pin_memory_is_accepted():
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter('always')
        out = list(fdata.DataLoader([1, 2], batch_size=2, pin_memory=True))
    assert out[0].tolist() == [1, 2]
    assert any("'pin_memory' argument is set as true" in str(w.message) for w in rec)


def test_get_worker_info_in_main_process():
    assert fdata.get_worker_info() is None
    assert tdata.get_worker_info() is None


def test_exports_match_torch():
    for name in fdata.__all__:
        assert hasattr(tdata, name), name
    for name in ('DataLoader', 'Dataset', 'IterableDataset', 'TensorDataset', 'ConcatDataset',
                 'ChainDataset', 'Subset', 'StackDataset', 'random_split', 'Sampler',
                 'SequentialSampler', 'RandomSampler', 'SubsetRandomSampler',
                 'WeightedRandomSampler', 'BatchSampler', 'default_collate', 'default_convert',
                 'get_worker_info',):
        assert hasattr(fdata, name), name


def test_tensor_dataset_on_cuda(fake_cuda):
    x = flambeau.arange(12.).view(6, 2).to('cuda')
    y = flambeau.arange(6)
    loader = fdata.DataLoader(fdata.TensorDataset(x, y), batch_sampler=[[5, 0, 2], [1]])
    (bx, by), (cx, cy) = list(loader)
    assert bx.device.type == 'cuda' and by.device.type == 'cpu'
    assert bx.cpu().tolist() == [[10., 11.], [0., 1.], [4., 5.]] and by.tolist() == [5, 0, 2]
    assert cx.cpu().tolist() == [[2., 3.]]
    with pytest.raises(IndexError):
        list(fdata.DataLoader(fdata.TensorDataset(x), batch_sampler=[[6]]))


def test_abstract_bases():
    _same_error(lambda d, lib: d.IterableDataset())
    _same_error(lambda d, lib: d.Sampler(1))
    _same_error(lambda d, lib: iter(d.Sampler()))
    assert isinstance(fdata.ChainDataset([]), collections.abc.Iterable)
