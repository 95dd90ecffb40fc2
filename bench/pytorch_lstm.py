"""The seed model in PyTorch, timed like gated's bench (bench/model-timing.ts).

Embedding(10000, 128) -> nn.LSTM(128, 64, batch_first) -> last hidden state -> Linear(64, 1)
-> sigmoid; binary cross-entropy; Adam (lr 1e-3, eps 1e-7 as Keras); batch 64 x 200 tokens,
synthetic (tokens uniform in [1, 10000), labels uniform in {0, 1}). Threads come from
OMP_NUM_THREADS and --threads. Prints one JSON line with the raw per-call times in ms.

Usage: python3 pytorch_lstm.py --threads N --plans JSON (bench/pytorch.ts passes bench/plans.ts)
"""
import os

import torch
from torch import nn

from peer_timing import BATCH, Batches, EMBED, STEPS, UNITS, VOCAB, parse_args, print_result, time_model


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(VOCAB, EMBED)
        self.lstm = nn.LSTM(EMBED, UNITS, batch_first=True)
        self.dense = nn.Linear(UNITS, 1)

    def forward(self, x):
        _, (h, _) = self.lstm(self.embedding(x))
        return torch.sigmoid(self.dense(h[-1]))



def loaded_blas():
    """BLAS libraries mapped into this process: which one torch really uses."""
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "blas" in line}
    return sorted(os.path.basename(p) for p in paths)


def main():
    args = parse_args("The seed model in PyTorch")
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    gen = torch.Generator().manual_seed(2024)
    data = Batches(lambda: (
        torch.randint(1, VOCAB, (BATCH, STEPS), generator=gen),
        torch.randint(0, 2, (BATCH, 1), generator=gen).float(),
    ))
    model = Model()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.BCELoss()

    def train():
        x, y = data.next()
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        data.loss = loss.item()

    def val():
        x, y = data.next()
        with torch.no_grad():
            loss_fn(model(x), y).item()

    review = data.items[0][0][:1]

    def predict():
        with torch.no_grad():
            model(review).item()

    model.train()
    times = time_model(args.plans, train, val, predict, evaluating=model.eval)
    print_result({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "blas": loaded_blas(),
        **times,
        "lastLoss": data.loss,
    })


if __name__ == "__main__":
    main()
