"""The seed model in Keras 3 on TensorFlow (CPU), timed like gated's bench (bench/model-timing.ts).

Embedding(10000, 128) -> encoder -> Dense(1, sigmoid); binary cross-entropy; Adam with Keras's
defaults (lr 1e-3, eps 1e-7); batch 64 x 200 tokens, synthetic (tokens uniform in [1, 10000),
labels uniform in {0, 1}). The encoder is LSTM(64) (the reference experiment, as it was written
in Keras), GRU(64), SimpleRNN(64) or Conv1D(128, 5, relu) -> GlobalMaxPooling1D, as gated's
architectures. Train batches run through train_on_batch, validation batches through
test_on_batch, one review through predict_on_batch, after warm-up. TensorFlow's intra- and
inter-op thread pools get --threads. Prints one JSON line with the raw per-call times in ms.

Usage: python keras_model.py --threads N --plans JSON [--architecture lstm|gru|rnn|cnn]
(bench/keras.ts runs it in the virtual environment it creates.)
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from peer_timing import BATCH, Batches, EMBED, STEPS, UNITS, VOCAB, parse_args, print_result, time_model

ENCODERS = ("lstm", "gru", "rnn", "cnn")


def encoder(layers, architecture):
    if architecture == "lstm":
        return [layers.LSTM(UNITS)]
    if architecture == "gru":
        return [layers.GRU(UNITS)]
    if architecture == "rnn":
        return [layers.SimpleRNN(UNITS)]
    return [layers.Conv1D(128, 5, activation="relu"), layers.GlobalMaxPooling1D()]


def main():
    args = parse_args(
        "The seed model in Keras on TensorFlow",
        lambda p: p.add_argument("--architecture", choices=ENCODERS, default="lstm"),
    )
    import numpy as np
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    import keras
    from keras import layers

    keras.utils.set_random_seed(1)
    rng = np.random.default_rng(2024)
    data = Batches(lambda: (
        rng.integers(1, VOCAB, size=(BATCH, STEPS), dtype=np.int32),
        rng.integers(0, 2, size=(BATCH, 1)).astype("float32"),
    ))
    model = keras.Sequential([
        keras.Input((STEPS,), dtype="int32"),
        layers.Embedding(VOCAB, EMBED),
        *encoder(layers, args.architecture),
        layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])

    def train():
        x, y = data.next()
        data.loss = float(model.train_on_batch(x, y)[0])

    def val():
        x, y = data.next()
        model.test_on_batch(x, y)

    review = data.items[0][0][:1]

    def predict():
        model.predict_on_batch(review)

    times = time_model(args.plans, train, val, predict)
    print_result({
        "version": f"keras {keras.__version__} / tensorflow {tf.__version__}",
        "threads": tf.config.threading.get_intra_op_parallelism_threads(),
        "architecture": args.architecture,
        **times,
        "lastLoss": data.loss,
    })


if __name__ == "__main__":
    main()
