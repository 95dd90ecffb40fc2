"""What the Python peers of gated's bench share: arguments, the timing rule and the output.

The timing plans come from the bench (bench/plans.ts, as JSON in --plans), so every framework
is timed by the same rule as bench/stats.ts: warm-up calls (one is enough when a call takes over
0.5 s), then timed calls until minReps are done and the budget is spent, or maxReps.
"""
import argparse
import json
import resource
import time

VOCAB, EMBED, UNITS, STEPS, BATCH = 10000, 128, 64, 200, 64


def parse_args(description, extra=None):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--plans", required=True, help="JSON: {train, val, predict} plans")
    if extra:
        extra(parser)
    args = parser.parse_args()
    args.plans = json.loads(args.plans)
    return args


class Batches:
    """Four synthetic batches from make(), taken in turn as bench/model-timing.ts does; `loss`
    holds the last training loss (NaN would mean the times are not of real work)."""

    def __init__(self, make):
        self.items = [make() for _ in range(4)]
        self.i = 0
        self.loss = float("nan")

    def next(self):
        self.i += 1
        return self.items[self.i % len(self.items)]


def time_calls(fn, plan):
    for _ in range(plan["warmup"]):
        t0 = time.perf_counter()
        fn()
        if time.perf_counter() - t0 > 0.5:
            break
    samples, started = [], time.perf_counter()
    while len(samples) < plan["maxReps"]:
        t0 = time.perf_counter()
        fn()
        t1 = time.perf_counter()
        samples.append((t1 - t0) * 1000)
        if len(samples) >= plan["minReps"] and t1 - started >= plan["budgetSeconds"]:
            break
    return samples


def time_model(plans, train, val, predict, evaluating=lambda: None):
    """Raw ms of train batches, then (after `evaluating()`) validation batches and predictions."""
    train_ms = time_calls(train, plans["train"])
    evaluating()
    return {
        "trainMs": train_ms,
        "valMs": time_calls(val, plans["val"]),
        "predictMs": time_calls(predict, plans["predict"]),
    }


def print_result(fields):
    """One JSON line: the run's own fields, peak RSS and CPU seconds of this process."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({
        **fields,
        "peakRssMiB": round(usage.ru_maxrss / 1024),
        "cpuSeconds": usage.ru_utime + usage.ru_stime,
    }))
