"""The seed model in PyTorch, timed like gated's bench (bench/model-timing.ts).

Embedding(10000, 128) -> nn.LSTM(128, 64, batch_first) -> last hidden state -> Linear(64, 1)
-> sigmoid; binary cross-entropy; Adam (lr 1e-3, eps 1e-7 as Keras); batch 64 x 200 tokens,
synthetic (tokens uniform in [1, 10000), labels uniform in {0, 1}). Threads come from
OMP_NUM_THREADS and --threads. Prints one JSON line with the raw per-call times in ms.

Usage: python3 pytorch_lstm.py --threads N [--quick]
"""
import argparse
import json
import os
import resource
import time

import torch
from torch import nn

VOCAB, EMBED, UNITS, STEPS, BATCH = 10000, 128, 64, 200, 64

# (warm-up calls, min timed, max timed, budget seconds): the same rule as bench/stats.ts.
PLANS = {
    "full": {"train": (5, 4, 60, 20.0), "val": (3, 4, 79, 8.0), "predict": (10, 10, 500, 3.0)},
    "quick": {"train": (1, 2, 5, 2.0), "val": (1, 2, 10, 1.0), "predict": (2, 3, 30, 0.5)},
}


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(VOCAB, EMBED)
        self.lstm = nn.LSTM(EMBED, UNITS, batch_first=True)
        self.dense = nn.Linear(UNITS, 1)

    def forward(self, x):
        _, (h, _) = self.lstm(self.embedding(x))
        return torch.sigmoid(self.dense(h[-1]))


def time_calls(fn, plan):
    warmup, min_reps, max_reps, budget = plan
    for _ in range(warmup):
        t0 = time.perf_counter()
        fn()
        if time.perf_counter() - t0 > 0.5:
            break
    samples, started = [], time.perf_counter()
    while len(samples) < max_reps:
        t0 = time.perf_counter()
        fn()
        t1 = time.perf_counter()
        samples.append((t1 - t0) * 1000)
        if len(samples) >= min_reps and t1 - started >= budget:
            break
    return samples


def loaded_blas():
    """BLAS libraries mapped into this process: which one torch really uses."""
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "blas" in line}
    return sorted(os.path.basename(p) for p in paths)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    plans = PLANS["quick" if args.quick else "full"]
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    gen = torch.Generator().manual_seed(2024)
    batches = [
        (
            torch.randint(1, VOCAB, (BATCH, STEPS), generator=gen),
            torch.randint(0, 2, (BATCH, 1), generator=gen).float(),
        )
        for _ in range(4)
    ]
    model = Model()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.BCELoss()
    step = {"i": 0, "loss": float("nan")}

    def next_batch():
        step["i"] += 1
        return batches[step["i"] % len(batches)]

    def train():
        x, y = next_batch()
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        step["loss"] = loss.item()

    def val():
        x, y = next_batch()
        with torch.no_grad():
            loss_fn(model(x), y).item()

    review = batches[0][0][:1]

    def predict():
        with torch.no_grad():
            model(review).item()

    model.train()
    train_ms = time_calls(train, plans["train"])
    model.eval()
    val_ms = time_calls(val, plans["val"])
    predict_ms = time_calls(predict, plans["predict"])
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "blas": loaded_blas(),
        "trainMs": train_ms,
        "valMs": val_ms,
        "predictMs": predict_ms,
        "lastLoss": step["loss"],
        "peakRssMiB": round(usage.ru_maxrss / 1024),
        "cpuSeconds": usage.ru_utime + usage.ru_stime,
    }))


if __name__ == "__main__":
    main()
