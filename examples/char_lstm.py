"""A character-level language model: an ``nn.LSTM`` learns to write like "The Zen of Python",
with ``import flambeau as torch``.

The text ships with Python itself (the ``this`` module), so nothing is downloaded. The model
embeds characters, runs them through a two-layer LSTM and predicts the next character; training
uses random windows of the text with teacher forcing, then the model writes new text one
character at a time, carrying its hidden state ``(h, c)`` from step to step.

    python examples/char_lstm.py [--steps N] [--device cuda] [--quick]   # ~1 min on 2 cores
"""
import argparse
import codecs
import contextlib
import io
import time

import flambeau as torch
from flambeau import nn


def zen_of_python():
    """The text of ``import this`` (stored ROT13-encoded in the module), without printing it."""
    with contextlib.redirect_stdout(io.StringIO()):
        import this
    return codecs.decode(this.s, 'rot13')


class CharLSTM(nn.Module):
    """Embedding -> LSTM -> Linear over the vocabulary."""

    def __init__(self, vocab_size, embed=32, hidden=128, layers=2, dropout=0.1):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed)
        self.lstm = nn.LSTM(embed, hidden, num_layers=layers, dropout=dropout, batch_first=True)
        self.head = nn.Linear(hidden, vocab_size)

    def forward(self, idx, state=None):
        out, state = self.lstm(self.embed(idx), state)   # out: (batch, time, hidden)
        return self.head(out), state


def main():
    parser = argparse.ArgumentParser(description='A character-level LSTM language model.')
    parser.add_argument('--steps', type=int, default=600)
    parser.add_argument('--seq-len', type=int, default=64)
    parser.add_argument('--batch-size', type=int, default=32)
    parser.add_argument('--lr', type=float, default=3e-3)
    parser.add_argument('--sample', type=int, default=300, help='characters to generate')
    parser.add_argument('--device', default=None,
                        help="'cpu' or 'cuda' (default: cuda if available)")
    parser.add_argument('--quick', action='store_true', help='a few steps (for tests)')
    args = parser.parse_args()
    if args.quick:
        args.steps, args.sample = 10, 40

    device = torch.device(args.device or ('cuda' if torch.cuda.is_available() else 'cpu'))
    torch.manual_seed(0)
    text = zen_of_python()
    chars = sorted(set(text))
    stoi = {ch: i for i, ch in enumerate(chars)}
    data = torch.tensor([stoi[ch] for ch in text], dtype=torch.long)
    print(f'{len(text)} characters, vocabulary of {len(chars)}, on {device}')

    model = CharLSTM(len(chars)).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.steps)
    loss_fn = nn.CrossEntropyLoss()
    n_params = sum(p.numel() for p in model.parameters())
    print(f'{n_params} parameters')

    start = time.perf_counter()
    for step in range(1, args.steps + 1):
        # a batch of random windows; the target is the window shifted by one character
        ix = torch.randint(len(data) - args.seq_len - 1, (args.batch_size,))
        x = torch.stack([data[i:i + args.seq_len] for i in ix.tolist()]).to(device)
        y = torch.stack([data[i + 1:i + 1 + args.seq_len] for i in ix.tolist()]).to(device)
        logits, _ = model(x)
        loss = loss_fn(logits.reshape(-1, len(chars)), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)   # LSTMs like clipped gradients
        optimizer.step()
        scheduler.step()
        if step % 100 == 0 or step == args.steps:
            print(f'step {step:4d}  loss {loss.item():.3f}  ({time.perf_counter() - start:.1f} s)')

    # generate: feed the prompt, then one sampled character at a time
    model.eval()
    prompt = 'Beautiful is'
    out = list(prompt)
    with torch.no_grad():
        logits, state = model(torch.tensor([[stoi[c] for c in prompt]], device=device))
        for _ in range(args.sample):
            probs = torch.softmax(logits[0, -1] / 0.8, dim=-1)   # temperature 0.8
            nxt = torch.multinomial(probs, 1).item()
            out.append(chars[nxt])
            logits, state = model(torch.tensor([[nxt]], device=device), state)
    print('--- sample ---')
    print(''.join(out))


if __name__ == '__main__':
    main()
