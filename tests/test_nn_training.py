"""Acceptance test of issue 4: a small CNN and an LSTM model, trained for 50 steps in torch and
in flambeau from the same weights on the same data, end at the same loss (1e-4 relative, in
float32), with the losses on the way matching too."""
import numpy as np
import pytest

torch = pytest.importorskip('torch')

import flambeau  # noqa: E402
from nn_helpers import to_fl  # noqa: E402

STEPS = 50


@pytest.fixture(autouse=True)
def _one_torch_thread():
    """torch's thread pool on a small, shared machine costs more than these tiny models."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def _cnn(lib):
    nn = lib.nn

    class SmallCNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 4, 3, padding=1)
            self.pool = nn.MaxPool2d(2)
            self.fc = nn.Linear(4 * 4 * 4, 3)

        def forward(self, x):
            x = self.pool(lib.relu(self.conv(x)))
            return self.fc(x.flatten(1))
    return SmallCNN()


def _lstm_model(lib):
    nn = lib.nn

    class Tagger(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(20, 8)
            self.lstm = nn.LSTM(8, 16, num_layers=2, batch_first=True)
            self.fc = nn.Linear(16, 3)

        def forward(self, tokens):
            out, (h, c) = self.lstm(self.emb(tokens))
            return self.fc(out[:, -1])
    return Tagger()


def _train(lib, model, make_opt, x, y):
    opt = make_opt(lib, model)
    loss_fn = lib.nn.CrossEntropyLoss()
    losses = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def _compare(make_model, make_opt, x, y):
    torch.manual_seed(0)
    tm = make_model(torch)
    fm = make_model(flambeau)
    fm.load_state_dict({k: to_fl(v) for k, v in tm.state_dict().items()})
    t_losses = _train(torch, tm, make_opt, torch.from_numpy(x), torch.from_numpy(y))
    f_losses = _train(flambeau, fm, make_opt, flambeau.tensor(x), flambeau.tensor(y))
    assert t_losses[-1] < t_losses[0]  # it did learn
    for step in (0, 9, 24, STEPS - 1):
        np.testing.assert_allclose(f_losses[step], t_losses[step], rtol=1e-4,
                                   err_msg=f'loss at step {step}')
    for (n, p), (_, q) in zip(tm.named_parameters(), fm.named_parameters()):
        np.testing.assert_allclose(q.detach().numpy(), p.detach().numpy(), rtol=1e-3,
                                   atol=1e-4, err_msg=n)


def test_cnn_sgd_momentum_same_loss():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 1, 8, 8)).astype(np.float32)
    y = rng.integers(0, 3, 32).astype(np.int64)
    _compare(_cnn, lambda lib, m: lib.optim.SGD(m.parameters(), lr=0.05, momentum=0.9), x, y)


def test_lstm_adam_same_loss():
    rng = np.random.default_rng(1)
    x = rng.integers(0, 20, (16, 12)).astype(np.int64)
    y = (x[:, -3:].sum(1) % 3).astype(np.int64)
    _compare(_lstm_model, lambda lib, m: lib.optim.Adam(m.parameters(), lr=1e-2), x, y)
