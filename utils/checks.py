"""Feedback for the labs at the end of each notebook: ``utils.check_*``. Each check prints one verdict on a student's
answer: **passed** (what is right), **not yet** (what is wrong, and a hint) or **not attempted yet** (the starter's
``None`` is still there). A check never raises, whatever it is given. It returns its ``Feedback`` and records the
status in ``RESULTS``, read by ``all_checks_passed()``."""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .training import history_dict

PASSED, NOT_YET, NOT_ATTEMPTED = "passed", "not yet", "not attempted yet"
RESULTS: dict[str, str] = {}


@dataclass
class Feedback:
    """What one check printed: the exercise, its status, and the lines of feedback. True when it passed."""

    exercise: str
    status: str
    lines: list[str]

    def __bool__(self) -> bool:
        return self.status == PASSED

    def _ipython_display_(self) -> None:
        """Show nothing more in a notebook: the check has printed its feedback already."""


class _WrongAnswer(Exception):
    """One thing wrong with an answer; its args are (what, hint)."""


def _lab_check(exercise: str, *answers: str):
    """Make a lab's check from ``grade``, which returns what is right or raises: not attempted while an argument
    named in ``answers`` is None."""

    def decorate(grade: Callable[..., list[str]]) -> Callable[..., Feedback]:
        signature = inspect.signature(grade)

        @functools.wraps(grade)
        def check(*args, **kwargs) -> Feedback:
            given = signature.bind(*args, **kwargs).arguments
            if any(given[name] is None for name in answers):
                status, lines = NOT_ATTEMPTED, ["Replace the placeholder(s) set to None in the exercise's cell."]
            else:
                try:
                    status, lines = PASSED, grade(*args, **kwargs)
                except _WrongAnswer as wrong:
                    status, lines = NOT_YET, [wrong.args[0], f"Hint: {wrong.args[1]}"]
                except Exception as error:  # noqa: BLE001 - an unfinished answer can fail in any way: say so, never crash
                    what = f"Checking your answer raised {type(error).__name__}: {error}"
                    status, lines = NOT_YET, [what, "Hint: run your cell again and look at what it produces."]
            RESULTS[exercise] = status
            print(f"{exercise}: {status.upper()}", *(f"  {line}" for line in lines), sep="\n")
            return Feedback(exercise, status, lines)

        check.__signature__ = signature.replace(return_annotation=Feedback)  # what help() shows
        return check

    return decorate


def all_checks_passed(*exercises: str) -> bool:
    """Return whether the given exercises (default: every one checked so far) passed."""
    names = exercises or tuple(RESULTS)
    return bool(names) and all(RESULTS.get(name) == PASSED for name in names)


def _require(condition: bool, what: str, hint: str) -> None:
    if not condition:
        raise _WrongAnswer(what, hint)


def _close(answer, expected: float, tolerance: float = 1e-3) -> bool:
    return math.isfinite(float(answer)) and abs(float(answer) - expected) <= tolerance * max(1.0, abs(expected))


def _match(answer, expected: float, mistakes: Sequence[tuple[float, str, str]], what: str, hint: str) -> None:
    """Raise the first mistake ``(value, what, hint)`` close to ``answer``, else ``what`` unless it is ``expected``."""
    for value, mistake, fix in mistakes:
        _require(not _close(answer, value), mistake, fix)
    _require(_close(answer, expected), what, hint)


def _at_least(subject: str, value: float, minimum: float, hint: str) -> None:
    _require(value >= minimum, f"{subject} is {value:.4f}, below {minimum}.", hint)


def _at_most(subject: str, value: float, maximum: float, hint: str, digits: int = 4) -> None:
    _require(value <= maximum, f"{subject} is {value:.{digits}f}, above {maximum}.", hint)


def _name_of(thing) -> str:
    """The name of a loss or activation given as a string, a function or an object."""
    if isinstance(thing, str):
        return thing
    return getattr(thing, "name", None) or getattr(thing, "__name__", None) or type(thing).__name__


# What each lab's model must end with: (outputs, activation of the last layer, the losses that fit the task).
_TASKS = {
    "digits": (10, "softmax", ["categorical_crossentropy"]),
    "sentiment": (1, "sigmoid", ["binary_crossentropy"]),
    "sentiment, either loss the lecture tries": (1, "sigmoid", ["binary_crossentropy", "mse", "mean_squared_error"]),
    "topics": (46, "softmax", ["categorical_crossentropy", "sparse_categorical_crossentropy"]),
    "topics, integer labels": (46, "softmax", ["sparse_categorical_crossentropy"]),
    "prices": (1, "linear", ["mse", "mean_squared_error"]),
}


def _judge_model(model, task: str, max_params: int | None = None, inputs: int | None = None) -> list[str]:
    """Check a compiled Keras model's output layer and loss (for ``task``), inputs and size; return what is right."""
    outputs, activation, losses = _TASKS[task]
    is_model = hasattr(model, "count_params") and hasattr(model, "layers")
    hint = "build it with keras.Sequential([...]) or keras.Model(inputs, outputs)."
    _require(is_model, f"{type(model).__name__} is not a Keras model.", hint)
    hint = "call model.compile(optimizer=..., loss=..., metrics=[...]) before fit."
    _require(getattr(model, "optimizer", None) is not None, "The model is not compiled.", hint)
    width = model.output_shape[-1]
    wrong = f"The model outputs {width} numbers per example, not {outputs}."
    _require(width == outputs, wrong, f"end with a Dense({outputs}) layer.")
    last = getattr(model.layers[-1], "activation", None)
    used = _name_of(last) if last else "linear"
    wrong = f"The last layer's activation is {used}, not {activation}."
    _require(used == activation, wrong, f"use Dense({outputs}, activation={activation!r}).")
    loss = _name_of(model.loss)
    fits = loss.replace("_", "").lower() in [name.replace("_", "").lower() for name in losses]
    hint = f"this task calls for {' or '.join(repr(name) for name in losses)}."
    _require(fits, f"The model is compiled with the loss {loss!r}.", hint)
    if inputs:
        given = model.input_shape[-1]
        wrong = f"The model takes {given} inputs, not {inputs}."
        _require(given == inputs, wrong, f"start with keras.Input(shape=({inputs},)).")
    params = model.count_params()
    over = f"The model has {params:,} parameters, more than the budget of {max_params or 0:,}."
    hint = "make the first layer narrower: it holds most parameters (inputs x units)."
    _require(max_params is None or params <= max_params, over, hint)
    return [f"a compiled model with {params:,} parameters, {outputs} output(s) ({used}), loss {loss}"]


def _recorded(history, key: str) -> list[float]:
    """The per-epoch values of ``key`` in a training history."""
    try:
        values = history_dict(history).get(key)
    except TypeError:  # not a history at all
        values = None
    hint = "compile with the metric, pass validation_data=val_batches to fit, and keep the History fit returns."
    _require(values is not None, f"The training history has no {key!r}.", hint)
    return values


def _trained_once(model, epochs: int, fix: str, *, exactly: bool = False) -> int:
    """Return how many epochs ``model`` trained; raise unless one ``fit`` (Keras keeps its History as
    ``model.history``) trained it for at most ``epochs`` epochs (exactly ``epochs`` when ``exactly``).
    Every batch is one optimizer update, so more updates than that fit's epochs times batches mean a second fit."""
    history = getattr(model, "history", None)
    trained = len(getattr(history, "epoch", None) or [])
    _require(trained > 0, "The model has not been trained.", fix)
    limit = "" if exactly else "at most "
    wrong = f"Its last fit ran {trained} epochs, not {limit}{epochs}."
    _require(trained == epochs if exactly else trained <= epochs, wrong, fix)
    steps = (getattr(history, "params", None) or {}).get("steps")
    updates = int(model.optimizer.iterations)  # int() reads a variable on every backend, without warnings
    wrong = f"Its weights were updated {updates:,} times, more than {trained} epochs of {steps} batches: fit ran twice."
    _require(not steps or updates <= trained * steps, wrong, "build and compile a fresh model, then call fit once.")
    return trained


def _scores(model, x, y) -> tuple[np.ndarray, np.ndarray]:
    """Per example of ``x``, from one prediction of ``model``: the cross-entropy (clipped like Keras's) and whether
    the prediction is right, for one-hot labels ``y`` (a softmax output) or 0/1 labels (one sigmoid output).
    ``x``: arrays, or batches in the order of ``y`` (``utils.MultiHotBatches`` with ``shuffle=False``)."""
    what = "The reviews given to the check are shuffled batches, so its predictions would not line up with the labels."
    _require(not getattr(x, "shuffle", False), what, "pass batches made with shuffle=False, as the check cell does.")
    p = np.asarray(model.predict(x, verbose=0), dtype="float64")
    y = np.asarray(y, dtype="float64")
    if p.shape[-1] == 1:
        p, y = np.clip(p.reshape(-1), 1e-7, 1 - 1e-7), y.reshape(-1)
        return -(y * np.log(p) + (1 - y) * np.log(1 - p)), (p > 0.5) == (y > 0.5)
    return -np.log(np.clip(np.sum(p * y, axis=1), 1e-7, 1)), p.argmax(axis=1) == y.argmax(axis=1)


def _loss_and_accuracy(model, x, y) -> tuple[float, float]:
    """``model``'s mean cross-entropy and accuracy on ``(x, y)``, computed here (not by its compile)."""
    losses, right = _scores(model, x, y)
    return float(np.mean(losses)), float(np.mean(right))


def _unseen(validation_losses: np.ndarray, test_losses: np.ndarray, *, hint: str) -> None:
    """Raise when a model's mean loss on one of two held-out sets is clearly below that on the other: it was trained
    on the lower one. The two come from one distribution, so a model that saw neither scores about the same on both
    (measured: within 7% on MNIST and IMDB; trained on the validation data for 3 to 5 epochs, 21% to 33% lower).
    Clearly: more than 15% lower, and by more than three standard errors of the difference (small sets vary more)."""
    for seen, other, names in (
        (validation_losses, test_losses, ("validation", "test")),
        (test_losses, validation_losses, ("test", "validation")),
    ):
        noise = 3 * np.sqrt(np.var(seen) / len(seen) + np.var(other) / len(other))
        lower = np.mean(seen) < 0.85 * np.mean(other) and np.mean(other) - np.mean(seen) > noise
        what = (
            f"Its loss on the {names[0]} data ({np.mean(seen):.3f}) is far below that on the {names[1]} data "
            f"({np.mean(other):.3f}): it has been trained on them."
        )
        _require(not lower, what, hint)


def _keras_cross_entropy(y_one_hot, probabilities) -> float:
    """Keras's mean categorical cross-entropy of ``probabilities`` against one-hot labels."""
    from .config import import_keras

    keras = import_keras()
    loss = keras.losses.CategoricalCrossentropy()(np.float32(y_one_hot), np.float32(probabilities))
    return float(keras.ops.convert_to_numpy(loss))


@_lab_check("Exercise 1 (the cross-entropy by hand)", "cross_entropy")
def check_cross_entropy(cross_entropy, model, x, y_one_hot) -> list[str]:
    """01_mnist: ``cross_entropy(y_true, y_pred)`` in NumPy equals Keras's mean categorical cross-entropy: on random
    probabilities, on a probability of 0 for the true class, and on ``model``'s predictions for ``x``."""
    labels = np.eye(10, dtype="float32")[[3, 0, 9, 3, 7, 1]]
    probabilities = np.random.default_rng(0).dirichlet(np.ones(10), size=6).astype("float32")
    expected = _keras_cross_entropy(labels, probabilities)
    answer = float(cross_entropy(labels.copy(), probabilities.copy()))
    binary = -np.mean(np.sum(labels * np.log(probabilities) + (1 - labels) * np.log(1 - probabilities), axis=1))
    one_image = "only the true class's term counts: -sum(y_true * log(y_pred)) over the classes."
    mistakes = [
        (-expected, "The loss is negative: the minus sign is missing.", "the loss is -log p, and log p < 0."),
        (expected * 6, "That is the sum over the 6 images, not their mean.", "average over the images, as Keras does."),
        (expected / 10, "You averaged over the classes as well.", "sum over the classes, then average the images."),
        (expected / np.log(10), "You used the base-10 logarithm.", "use the natural logarithm, np.log."),
        (expected / np.log(2), "You used the base-2 logarithm.", "use the natural logarithm, np.log."),
        (binary, "That is the binary cross-entropy summed over the 10 classes.", one_image),
    ]
    hint = "per image, -log of the probability given to its true class; then the mean over the images."
    _match(answer, expected, mistakes, f"{answer:.4f} is not the mean cross-entropy ({expected:.4f} here).", hint)

    certain = probabilities.copy()
    certain[0] = np.eye(10)[5]  # all on a wrong class: the true class (3) gets probability 0
    expected_zero = _keras_cross_entropy(labels, certain)
    answer = float(cross_entropy(labels.copy(), certain.copy()))
    clip = "clip first, as Keras does: np.clip(y_pred, 1e-7, 1 - 1e-7), so log never sees 0."
    _require(math.isfinite(answer), f"A probability of 0 makes your loss {answer}.", clip)
    wrong = f"With a probability of 0 for the true class your loss is {answer:.4f}, Keras's {expected_zero:.4f}."
    _require(_close(answer, expected_zero), wrong, clip)

    probabilities = np.asarray(model.predict(x, verbose=0))
    expected = _keras_cross_entropy(y_one_hot, probabilities)
    answer = float(cross_entropy(np.asarray(y_one_hot, dtype="float32"), probabilities))
    wrong = f"On the network's predictions your loss is {answer:.4f}, Keras's {expected:.4f}."
    _require(_close(answer, expected), wrong, "take y_true and y_pred as they come, one row per image.")
    return [
        "-log of the true class's probability, clipped at 1e-7 and averaged over the images, as Keras computes it",
        f"on the network's {len(probabilities):,} predictions: {answer:.4f}, as Keras's loss",
    ]


@_lab_check("Exercise 2 (one-hot encoding)", "one_hot")
def check_one_hot(one_hot) -> list[str]:
    """01_mnist: ``one_hot(labels, num_classes)`` without ``keras.utils.to_categorical``."""
    labels = np.array([3, 0, 9, 3])
    result = np.asarray(one_hot(labels, 10))
    wrong, hint = f"4 labels became shape {result.shape}, not (4, 10).", "one row per label, one column per class."
    _require(result.shape == (4, 10), wrong, hint + " Start from np.zeros((len(labels), num_classes)).")
    _require(np.all(result.sum(axis=1) == 1), "Not every row holds exactly one 1.", "set one entry per row.")
    shifted = any(np.array_equal(result.argmax(axis=1), (labels + k) % 10) for k in (-1, 1))
    _require(not shifted, "The 1 sits one position off from the label.", "label 3 sets column 3 (counting from 0).")
    exact = np.array_equal(result, np.eye(10)[labels])
    _require(exact, "The 1s are not at the labels.", "set result[i, labels[i]] = 1.")
    small = np.asarray(one_hot(np.array([2, 0, 3]), 4))
    wrong = f"With num_classes=4, the labels [2, 0, 3] became {small.tolist()}."
    _require(np.array_equal(small, np.eye(4)[[2, 0, 3]]), wrong, "take the number of columns from num_classes.")
    return ["one row per label, a single 1 in the label's column, as many columns as num_classes"]


@_lab_check("Exercise 3 (a smaller network)", "model")
def check_small_network(
    model, train, validation, test, *, max_params: int, max_epochs: int, min_accuracy: float
) -> list[str]:
    """01_mnist: a dense MNIST network within a parameter budget, trained once for at most ``max_epochs`` epochs on
    ``train`` = (x, y) (neither on ``validation`` nor on ``test``), judged by its accuracy on ``validation``."""
    right = _judge_model(model, "digits", max_params, inputs=784)
    epochs = _trained_once(
        model,
        max_epochs,
        f"build a fresh model and fit it once on the training split, with epochs={max_epochs} at most.",
    )
    train_loss, _ = _loss_and_accuracy(model, *train)
    (val_losses, val_right), (test_losses, _) = _scores(model, *validation), _scores(model, *test)
    val_loss, val_accuracy, test_loss = np.mean(val_losses), np.mean(val_right), np.mean(test_losses)
    hint = "fit on the training split only (x_partial, y_partial); validation_data=(x_val, y_val) only measures."
    _unseen(val_losses, test_losses, hint=hint)
    unseen = f"Its loss on the training split ({train_loss:.3f}) is not below its validation loss ({val_loss:.3f})"
    _require(train_loss < min(val_loss, test_loss), unseen + ": it was not trained on that split.", hint)
    hint = "compare a few architectures on the validation set: how wide can one hidden layer be within the budget?"
    _at_least("Its validation accuracy", val_accuracy, min_accuracy, hint)
    return right + [
        f"trained {epochs} epoch(s) (at most {max_epochs}) on the training split",
        f"validation accuracy {val_accuracy:.4f} >= {min_accuracy}",
    ]


@_lab_check("Exercise 1 (a model under a parameter budget)", "model")
def check_budget_model(
    model, x_val, y_val, x_test, y_test, *, max_params: int, max_epochs: int, min_val_accuracy: float
) -> list[str]:
    """02_imdb: an IMDB model within a parameter budget, trained in one ``fit`` for at most ``max_epochs`` epochs on
    neither the validation nor the test reviews, validated on the former; graded by its own accuracy there.
    ``x_val`` and ``x_test``: what ``model.predict`` takes (arrays, or the notebook's unshuffled batches), in the
    order of the labels ``y_val`` and ``y_test``."""
    right = _judge_model(model, "sentiment, either loss the lecture tries", max_params)
    fix = (
        f"build a fresh model and fit it once on partial_train_batches, with epochs={max_epochs} at most"
        " (or EarlyStopping)."
    )
    epochs = _trained_once(model, max_epochs, fix)
    recorded = _recorded(model.history, "val_accuracy")
    val_losses, val_right = _scores(model, x_val, y_val)
    accuracy = float(np.mean(val_right))
    what = f"Its accuracy on the validation reviews is {accuracy:.4f}, a value no epoch of its training recorded."
    hint = "validate on val_batches in fit, and hand in the model as fit (or EarlyStopping) left it."
    _require(any(abs(accuracy - value) <= 2e-3 for value in recorded), what, hint)
    hint = (
        "fit on partial_train_batches only: all_train_batches holds the validation reviews; val_batches only measures."
    )
    _unseen(val_losses, _scores(model, x_test, y_test)[0], hint=hint)
    hint = "keep the weights of the best epoch (EarlyStopping(restore_best_weights=True)); few units suffice."
    _at_least("Its validation accuracy", accuracy, min_val_accuracy, hint)
    return right + [
        f"trained {epochs} epochs (at most {max_epochs}); validation accuracy {accuracy:.4f} >= {min_val_accuracy}"
    ]


@_lab_check("Exercise 2 (decode a review)", "decode_review")
def check_decode(decode_review, sequences, word_index) -> list[str]:
    """02_imdb: ``decode_review(indices, word_index)`` turns word indices back into text."""
    by_rank = {rank: word for word, rank in word_index.items()}

    def expected(sequence, offset=3):
        return " ".join(by_rank.get(i - offset, "?") if i >= 3 else "?" for i in sequence)

    for sequence in sequences:
        answer, right = decode_review(list(sequence), word_index), expected(sequence)
        offset = next((k for k in (0, 1, 2, 4) if answer == expected(sequence, k)), None)
        hint = "invert the word index, subtract 3 from each index, show 0, 1, 2 as '?'"
        if offset is not None:
            hint = f"you subtracted {offset}; an index is the word's rank plus 3"
        _require(answer == right, f"The review starts {answer[:60]!r} instead of {right[:60]!r}.", hint)
    return [f"{len(sequences)} reviews decoded exactly"]


@_lab_check("Exercise 3 (encode a new review)", "encode_review")
def check_encode(encode_review, word_index, *, num_words: int) -> list[str]:
    """02_imdb: ``encode_review(text, word_index)`` turns a new review (lowercase words separated by spaces) into
    word indices as ``load_imdb(num_words=num_words)`` gives them: 1 first, then rank + 3, or 2 for a word that is
    unknown or would get an index of ``num_words`` or more."""
    word_of_rank = {rank: word for word, rank in word_index.items()}
    kept, cut = word_of_rank.get(num_words - 4), word_of_rank.get(num_words - 3)  # indices num_words - 1, num_words
    unknown = next(w for w in ("zzxq", "qqzzxq", "zzxqqzzxq") if w not in word_index)
    words = [word_of_rank[rank] for rank in sorted(word_of_rank)[:3]] + [w for w in (kept, cut) if w] + [unknown]
    texts = [" ".join(words), " ".join(reversed(words))]

    def expected(text, offset=3, start=True, limit=True):
        ranks = [word_index.get(word) for word in text.split()]
        ids = [r + offset if r is not None and (r + offset < num_words or not limit) else 2 for r in ranks]
        return [1] * start + ids

    for text in texts:
        answer = [int(i) for i in encode_review(text, word_index)]
        mistakes = [
            (expected(text, start=False), "the start marker 1 is missing", "begin the list with 1."),
            (
                expected(text, limit=False),
                f"words of index {num_words} or more are kept",
                f"load_imdb(num_words={num_words}) turns them into 2 (unknown), as it does for unknown words.",
            ),
        ]
        mistakes += [
            (expected(text, k), f"the word indices are off: you added {k}", "an index is the rank plus 3.")
            for k in (0, 1, 2, 4)
        ]
        for wrong, what, hint in mistakes:
            _require(answer != wrong, f"For {text!r}: {what}.", hint)
        _require(
            answer == expected(text),
            f"{text!r} gives {answer} instead of {expected(text)}.",
            "1 first; then word_index[word] + 3, or 2 when the word is unknown or that index is too large.",
        )
    return [f"{len(texts)} texts encoded exactly, including a rare word and an unknown one"]


def _hidden_widths(model) -> list[int]:
    """The units of every layer before the output layer that has units (Dense layers)."""
    return [layer.units for layer in model.layers[:-1] if hasattr(layer, "units")]


@_lab_check("Exercise 1 (no bottleneck, fewer parameters)", "model")
def check_small_reuters(
    model,
    x_val,
    y_val,
    x_test,
    y_test,
    *,
    max_params: int,
    max_epochs: int,
    min_val_accuracy: float,
    seen_above: float = 0.9,
) -> list[str]:
    """03_reuters: a trained Reuters model with hidden layers no narrower than the 46 topics, under a parameter budget:
    its own accuracy on the validation set (one-hot ``y_val``), not a number from its history."""
    right = _judge_model(model, "topics", max_params, inputs=np.shape(x_val)[-1])
    widths = _hidden_widths(model)
    _require(widths, "The model has no hidden layer.", "put a Dense(..., activation='relu') before the output.")
    classes = model.output_shape[-1]
    bottleneck = f"A hidden layer has only {min(widths)} units for {classes} topics: an information bottleneck."
    _require(min(widths) >= classes, bottleneck, f"make every hidden layer at least {classes} units wide.")
    epochs = _trained_once(model, max_epochs, f"build a fresh model and fit it once, with epochs={max_epochs} at most.")
    val_losses, val_right = _scores(model, x_val, y_val)
    accuracy = float(np.mean(val_right))
    hint = "train on partial_x_train only: x_train includes the validation newswires."
    _unseen(val_losses, _scores(model, x_test, y_test)[0], hint=hint)
    _at_least("Its validation accuracy", accuracy, min_val_accuracy, "one hidden layer, as wide as the budget allows.")
    seen = f"Its validation accuracy is {accuracy:.4f}: too high for newswires it has not seen."
    _require(accuracy < seen_above, seen, "train on partial_x_train only: x_train includes the validation newswires.")
    return right + [f"hidden widths {widths}, {epochs} epochs: validation accuracy {accuracy:.4f}"]


@_lab_check("Exercise 2 (integer labels)", "model", "labels")
def check_sparse_labels(
    model, labels, train_targets, x_val, y_val, *, epochs: int, min_val_accuracy: float, seen_above: float = 0.9
) -> list[str]:
    """03_reuters: build_model's 64-64 network trained for ``epochs`` epochs on the integer labels of the newswires
    whose one-hot labels are ``train_targets``, with the sparse categorical cross-entropy; graded on ``x_val``."""
    labels = np.asarray(labels)
    integers = labels.ndim == 1 and np.issubdtype(labels.dtype, np.integer)
    hint = "use the integer topic numbers (y_train_int), not the one-hot vectors."
    _require(integers, f"The labels have shape {labels.shape} and type {labels.dtype}.", hint)
    expected = np.asarray(train_targets).argmax(axis=1)
    same = "take the integer labels of partial_x_train's newswires: those after the first VALIDATION_SIZE."
    wrong = f"You hand in {len(labels):,} labels for the {len(expected):,} training newswires."
    _require(len(labels) == len(expected), wrong, same)
    _require(np.array_equal(labels, expected), "The labels are not those of partial_x_train's newswires.", same)
    right = _judge_model(model, "topics, integer labels", inputs=np.shape(x_val)[-1])
    widths = _hidden_widths(model)
    _require(widths == [64, 64], f"The hidden layers have {widths} units, not [64, 64].", "use build_model's layers.")
    trained = _trained_once(model, epochs, "build a fresh model and fit it once, for best_epochs.", exactly=True)
    _, accuracy = _loss_and_accuracy(model, x_val, y_val)
    _at_least("Its validation accuracy", accuracy, min_val_accuracy, "fit it on partial_x_train with these labels.")
    seen = f"Its validation accuracy is {accuracy:.4f}: too high for newswires it has not seen."
    _require(accuracy < seen_above, seen, "train on partial_x_train only: x_train includes the validation newswires.")
    return right + [f"trained {trained} epochs on the integer labels: validation accuracy {accuracy:.4f}"]


def _top_k_share(probabilities, labels, k: int) -> float:
    """The share of rows whose label is among the ``k`` highest probabilities."""
    top = np.argsort(probabilities, axis=1)[:, ::-1][:, :k]
    return float(np.mean(np.any(top == np.asarray(labels)[:, None], axis=1)))


@_lab_check("Exercise 3 (top-k accuracy)", "top_k_accuracy")
def check_top_k_accuracy(top_k_accuracy) -> list[str]:
    """03_reuters: ``top_k_accuracy(probabilities, labels, k)``, the share of rows whose integer label is among the
    ``k`` most probable classes, tried on made-up predictions over 46 topics for several k."""
    rng = np.random.default_rng(3)
    probabilities = rng.dirichlet(np.full(46, 0.3), size=200).astype("float32")
    labels = np.where(rng.random(200) < 0.5, probabilities.argmax(axis=1), rng.integers(0, 46, 200))
    tried = (1, 3, 5, 46)
    for k in tried:
        expected = _top_k_share(probabilities, labels, k)
        answer = np.asarray(top_k_accuracy(probabilities.copy(), labels.copy(), k))
        one = "take the mean over the rows: the answer is one number, a share between 0 and 1."
        _require(answer.size == 1, f"For k={k} your function returns {answer.size} numbers, not one.", one)
        answer = float(answer)
        fix = "np.argsort sorts from least to most probable: the k most probable are np.argsort(p, axis=1)[:, -k:]."
        mistakes = [
            (_top_k_share(-probabilities, labels, k), f"For k={k} you count the k LEAST probable topics.", fix),
            (_top_k_share(probabilities, labels, k - 1), f"For k={k} you look at k-1 topics.", fix),
            (_top_k_share(probabilities, labels, k + 1), f"For k={k} you look at k+1 topics.", fix),
            (_top_k_share(probabilities, labels, 1), f"For k={k} you look only at the most probable topic.", fix),
            (expected * len(labels), f"For k={k} you count the rows instead of taking their share.", one),
        ]
        mistakes = [mistake for mistake in mistakes if not _close(mistake[0], expected)]
        wrong = f"For k={k} your function gives {answer:.4f}, not {expected:.4f}."
        _match(answer, expected, mistakes, wrong, "is labels[i] among the k largest entries of row i? Average that.")
    return [f"right for k = {', '.join(map(str, tried))} on {len(labels)} made-up predictions over 46 topics"]


def _fold_maes(fold_models, x, y, *, k: int, epochs: int, batch_size: int, dropped: int | None = None) -> list[float]:
    """04_boston_housing: check one trained model per fold (``fold_models[i]`` validated on fold ``i`` of ``k``
    consecutive folds of the raw data ``x``, less column ``dropped``): it starts with a Normalization layer adapted
    on its fold's training part and trained ``epochs`` epochs in batches of ``batch_size``. Return each model's MAE
    on its fold, computed here."""
    import keras

    raw = np.asarray(x, "float32")
    kept = raw if dropped is None else np.delete(raw, dropped, axis=1)
    models = list(fold_models)
    _require(
        len(models) == k, f"You handed in {len(models)} models, not one per fold ({k}).", "append each fold's model."
    )
    size, maes = len(kept) // k, []
    for fold, model in enumerate(models):
        which, lo, hi = f"The model of fold {fold + 1}", fold * size, (fold + 1) * size
        rest = np.concatenate([kept[:lo], kept[hi:]])
        if dropped is not None and getattr(model, "input_shape", (0,))[-1] == raw.shape[1]:
            _require(
                False,
                f"{which} takes all {raw.shape[1]} features.",
                f"drop column {dropped}: np.delete(data, {dropped}, axis=1).",
            )
        _judge_model(model, "prices", inputs=kept.shape[1])
        layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
        hint = (
            "start with keras.layers.Normalization() and adapt it on the fold's raw training part (fold_split's first)."
        )
        _require(isinstance(layers[0], keras.layers.Normalization), f"{which} does not start with Normalization.", hint)
        statistics = layers[0].get_weights()  # mean, variance, count: zeros and ones until adapt()
        adapted = bool(statistics) and not (np.all(statistics[0] == 0) and np.all(statistics[1] == 1))
        _require(adapted, f"{which}'s Normalization layer was never adapted.", hint)
        mean = np.asarray(statistics[0]).ravel()
        if not np.allclose(mean, rest.mean(axis=0), rtol=1e-3, atol=1e-3):
            hint = "adapt on the fold's training part only, never on data that includes its validation fold."
            leaked = np.allclose(mean, kept.mean(axis=0), rtol=1e-3, atol=1e-3)
            _require(not leaked, f"{which} was adapted on all {len(kept)} training houses.", hint)
            for column in range(raw.shape[1]) if dropped is not None else []:
                other = np.delete(np.concatenate([raw[:lo], raw[hi:]]), column, axis=1).mean(axis=0)
                wrong = f"{which} was trained without column {column}, not without column {dropped}."
                fix = f"drop column {dropped}: np.delete(data, {dropped}, axis=1)."
                _require(not np.allclose(mean, other, rtol=1e-3, atol=1e-3), wrong, fix)
            _require(False, f"{which}'s Normalization mean is not that of its fold's training part.", hint)
        fix = f"train it once, with model.fit(..., epochs={epochs}, batch_size={batch_size})."
        _trained_once(model, epochs, f"{which}: {fix}", exactly=True)
        steps = model.history.params.get("steps")
        batches = -(-len(rest) // batch_size)
        _require(steps == batches, f"{which} trained in {steps} batches per epoch, not {batches}.", fix)
        predicted = np.asarray(keras.ops.convert_to_numpy(model.predict(kept[lo:hi], verbose=0))).reshape(-1)
        maes.append(float(np.mean(np.abs(predicted - np.asarray(y)[lo:hi]))))
    return maes


@_lab_check("Exercise 1 (normalization inside the model)", "fold_models")
def check_normalized_model(
    fold_models, train_data, train_targets, *, k: int, epochs: int, batch_size: int, max_mae: float
) -> list[str]:
    """04_boston_housing: one trained model per fold that normalizes its own raw inputs (a Normalization layer
    adapted on its fold's training part), graded by its MAE on its validation fold, computed here."""
    maes = _fold_maes(fold_models, train_data, train_targets, k=k, epochs=epochs, batch_size=batch_size)
    hint = f"build each fold's model with build_normalized on its raw training part and train it {epochs} epochs."
    _at_most("The cross-validated MAE of your models", float(np.mean(maes)), max_mae, hint, digits=2)
    return [
        f"{k} models, each normalizing with its own training part's statistics, trained {epochs} epochs",
        f"validation MAE per fold (computed here) {', '.join(f'{m:.2f}' for m in maes)}: mean {np.mean(maes):.2f} <= {max_mae}",
    ]


@_lab_check("Exercise 2 (the mean absolute error by hand)", "mean_absolute_error")
def check_mae(mean_absolute_error) -> list[str]:
    """04_boston_housing: ``mean_absolute_error(y_true, y_pred)`` written with NumPy."""
    answer = float(mean_absolute_error(np.array([10.0, 20.0, 30.0, 40.0]), np.array([12.0, 17.0, 30.0, 41.0])))
    mistakes = [
        (3.5, "You computed the mean *squared* error.", "take the absolute difference, not its square."),
        (0.0, "The errors cancelled out: 0.", "take the absolute value of each difference."),
        (6.0, "That is the sum of the absolute errors.", "divide by the number of examples (a mean)."),
    ]
    _match(
        answer,
        1.5,
        mistakes,
        f"{answer} is not the mean absolute error (1.5 here).",
        "np.mean(np.abs(y_true - y_pred)).",
    )
    answer = float(mean_absolute_error(np.array([5.0, 8.0, 2.0]), np.array([4.0, 10.0, 2.5])))
    _require(
        _close(answer, 3.5 / 3),
        f"On 3 other examples your function gives {answer}, not {3.5 / 3:.4f}.",
        "average over however many examples there are.",
    )
    answer = float(mean_absolute_error(np.array([10.0, 20.0, 30.0, 40.0]), np.array([[12.0], [17.0], [30.0], [41.0]])))
    wrong = (
        f"With y_pred as a column of shape (4, 1), as model.predict returns it, your function gives {answer}: "
        "y_true - y_pred became a 4x4 table."
    )
    _require(_close(answer, 1.5), wrong, "flatten both first, e.g. np.ravel(y_pred).")
    return ["mean of |y_true - y_pred|, for any number of examples, with the predictions as a column too"]


@_lab_check("Exercise 3 (a model without feature B)", "fold_models_without_b")
def check_without_b(
    fold_models_without_b, train_data, train_targets, *, k: int, epochs: int, batch_size: int, max_mae: float
) -> list[str]:
    """04_boston_housing: Exercise 1's cross-validation without feature B (column 11): one trained model per fold,
    graded by its MAE on its validation fold, computed here."""
    maes = _fold_maes(
        fold_models_without_b, train_data, train_targets, k=k, epochs=epochs, batch_size=batch_size, dropped=11
    )
    hint = f"build each fold's model with build_normalized on the 12 columns and train it {epochs} epochs."
    _at_most("The cross-validated MAE of your models", float(np.mean(maes)), max_mae, hint, digits=2)
    return [
        f"{k} models on the 12 features without B, each normalizing with its own training part's statistics",
        f"validation MAE per fold (computed here) {', '.join(f'{m:.2f}' for m in maes)}: mean {np.mean(maes):.2f} <= {max_mae}",
    ]


def _judge_16_16(model) -> list[str]:
    """Check the notebook's 16-16 sentiment network; return what is right."""
    import keras

    right = _judge_model(model, "sentiment")
    units = [layer.units for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    hint = "keep the notebook's layers: Dense(16, relu), Dense(16, relu), Dense(1, sigmoid)."
    _require(units == [16, 16, 1], f"The Dense layers have {units} units, not [16, 16, 1].", hint)
    return right


@_lab_check("Exercise 1 (dropout with early stopping)", "model")
def check_dropout_model(model, x_val, y_val, x_test, y_test, *, max_epochs: int, max_val_loss: float) -> list[str]:
    """05_regularization: the 16-16 network with dropout (0.2 to 0.4), trained once on neither the validation nor
    the test data, stopped early and rolled back to its best epoch: its validation cross-entropy, recomputed here,
    is the lowest its training recorded and at most ``max_val_loss``."""
    import keras

    right = _judge_16_16(model)
    rates = [layer.rate for layer in model.layers if isinstance(layer, keras.layers.Dropout)]
    hint = "add a Dropout(rate) after each hidden Dense layer."
    _require(len(rates) == 2, f"The model has {len(rates)} Dropout layer(s), not 2.", hint)
    hint = "choose a rate from 0.2 to 0.4 (0.5 is the notebook's)."
    _require(all(0.2 <= rate <= 0.4 for rate in rates), f"The dropout rates are {rates}.", hint)
    epochs = _trained_once(
        model, max_epochs, f"fit a fresh model once with epochs={max_epochs}: EarlyStopping ends the training sooner."
    )
    val_losses, _ = _scores(model, x_val, y_val)
    crossentropy = float(np.mean(val_losses))
    lowest = min(_recorded(model.history, "val_loss"))
    hint = "the weights after the last epoch have overfit: EarlyStopping(..., restore_best_weights=True) rolls back."
    what = f"Its validation cross-entropy is {crossentropy:.4f}, not the lowest its training recorded ({lowest:.4f})."
    _require(_close(crossentropy, lowest, 2e-3), what, hint)
    hint = "fit on partial_train_batches only: the validation reviews are not among them; val_batches only measures."
    _unseen(val_losses, _scores(model, x_test, y_test)[0], hint=hint)
    hint = "try another rate from 0.2 to 0.4, or a longer patience."
    _at_most("Its validation cross-entropy", crossentropy, max_val_loss, hint)
    return right + [f"dropout rates {rates}, {epochs} epochs, validation cross-entropy {crossentropy:.4f}"]


@_lab_check("Exercise 2 (a smaller L1 factor)", "model")
def check_l1_model(
    model,
    x_train,
    y_train,
    x_val,
    y_val,
    x_test,
    y_test,
    *,
    epochs: int,
    max_train_loss: float,
    min_val_accuracy: float,
) -> list[str]:
    """05_regularization: L1 on every Dense layer with a factor below 0.001, trained ``epochs`` epochs on neither
    the validation nor the test data, fits its training data (cross-entropy at most ``max_train_loss``, recomputed
    here) and stays accurate on validation."""
    import keras

    right = _judge_16_16(model)
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    # Rounded to 3 significant digits: a regularizer stores float32, so l1(0.001) holds 0.0010000000475.
    factors = [float(f"{float(getattr(layer.kernel_regularizer, 'l1', 0) or 0):.3g}") for layer in dense]
    hint = "pass kernel_regularizer=regularizers.l1(factor) to every Dense layer."
    _require(
        bool(factors) and all(f > 0 for f in factors), f"Not every Dense layer has an L1 penalty: {factors}.", hint
    )
    _require(max(factors) < 0.001, f"The L1 factors are {factors}.", "try a factor ten times smaller than 0.001.")
    l2 = [float(getattr(layer.kernel_regularizer, "l2", 0) or 0) for layer in dense]
    _require(not any(l2), f"Some layers also have an L2 penalty: {l2}.", "use regularizers.l1 alone, not l1_l2.")
    _trained_once(model, epochs, f"fit a fresh model once, for epochs={epochs} as the notebook's models.", exactly=True)
    train_loss, _ = _loss_and_accuracy(model, x_train, y_train)
    hint = "a smaller factor constrains the weights less; try one ten times smaller."
    _at_most("Its cross-entropy on the training data", train_loss, max_train_loss, hint)
    val_losses, val_right = _scores(model, x_val, y_val)
    hint = "fit on partial_train_batches only: the validation reviews are not among them; val_batches only measures."
    _unseen(val_losses, _scores(model, x_test, y_test)[0], hint=hint)
    val_accuracy = float(np.mean(val_right))
    _at_least(
        "Its validation accuracy", val_accuracy, min_val_accuracy, "train on partial_train_batches, as the notebook."
    )
    return right + [
        f"L1 factors {factors}; training cross-entropy {train_loss:.4f}, validation accuracy {val_accuracy:.4f}"
    ]


@_lab_check("Exercise 3 (the L2 penalty by hand)", "penalty")
def check_l2_penalty(penalty, l2_model) -> list[str]:
    """05_regularization: ``penalty(model, factor)``, the L2 penalty of a model's Dense kernels computed from its
    weights, tried on a model without regularizers (factor 0.01) and on the notebook's trained L2 model."""
    import keras

    _require(callable(penalty), f"{type(penalty).__name__} is not a function.", "define def l2_penalty(model, factor):")
    model = keras.Sequential([keras.Input(shape=(5,)), keras.layers.Dense(3), keras.layers.Dense(1)])
    rng = np.random.default_rng(0)
    model.set_weights([rng.normal(size=w.shape).astype("float32") for w in model.get_weights()])
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    kernels = [layer.get_weights()[0] for layer in dense]
    expected = 0.01 * sum(float(np.sum(k**2)) for k in kernels)
    with_biases = expected + 0.01 * sum(float(np.sum(layer.get_weights()[1] ** 2)) for layer in dense)
    mistakes = [
        (0.0, "It gives 0 for a model without regularizers.", "compute it from the weights, not from model.losses."),
        (expected / 0.01, "You left out the factor.", "multiply the sum by factor."),
        (0.01 * sum(float(np.sum(np.abs(k))) for k in kernels), "That is an L1 penalty.", "square the weights."),
        (with_biases, "You included the biases.", "kernel_regularizer penalizes the kernels only."),
    ]
    answer = penalty(model, 0.01)
    what = f"For a small model and factor 0.01 it gives {float(answer):.5f}, not {expected:.5f}."
    _match(answer, expected, mistakes, what, "sum layer.kernel ** 2 over the Dense layers, times factor.")
    factors = [float(f"{float(getattr(layer.kernel_regularizer, 'l2', 0) or 0):.3g}") for layer in l2_model.layers]
    _require(
        bool(factors) and all(f == 0.001 for f in factors),
        f"l2_model's L2 factors are {factors}.",
        "pass the L2 model.",
    )
    keras_penalty = float(sum(keras.ops.convert_to_numpy(loss) for loss in l2_model.losses))
    answer = penalty(l2_model, 0.001)
    what = f"For the L2 model it gives {float(answer):.5f}, Keras adds {keras_penalty:.5f}."
    _require(_close(answer, keras_penalty), what, "use the factor you are given; sum over every Dense layer.")
    return [f"penalty of the L2 model {keras_penalty:.5f}, as Keras adds it to the loss"]


# 06_convnets, Exercise 1: a 150x150 image (the size of notebook 7's photos) through this stack; each row is
# (the layer, window k, stride s, padding p on each side), and each layer's input is the previous layer's output.
OUTPUT_SIZE_INPUT = 150
OUTPUT_SIZE_STACK = (
    ("Conv2D(32, 3)", 3, 1, 0),
    ("MaxPooling2D(2)", 2, 2, 0),
    ("Conv2D(64, 3, strides=2, padding='same')", 3, 2, 1),
    ("Conv2D(64, 3)", 3, 1, 0),
    ("MaxPooling2D(2)", 2, 2, 0),
    ("Conv2D(128, 5, padding='same')", 5, 1, 2),
)
# 06_convnets, Exercise 3: the last layer must see a whole 28x28 digit with at most this many 3x3 convolutions.
RECEPTIVE_FIELD_GOAL = 28
RECEPTIVE_FIELD_MAX_CONVOLUTIONS = 4


def _side(n: int, k: int, s: int, p: int) -> int:
    return (n + 2 * p - k) // s + 1


@_lab_check("Exercise 1 (output sizes)", "answers")
def check_output_sizes(answers) -> list[str]:
    """06_convnets: the output side of each layer of ``OUTPUT_SIZE_STACK`` on a 150x150 input, in order."""
    answers = [int(answer) for answer in answers]
    count = f"{len(answers)} answers for {len(OUTPUT_SIZE_STACK)} layers."
    _require(len(answers) == len(OUTPUT_SIZE_STACK), count, "one output side per layer, in order.")
    n = OUTPUT_SIZE_INPUT
    for i, ((layer, k, s, p), answer) in enumerate(zip(OUTPUT_SIZE_STACK, answers), 1):
        side = _side(n, k, s, p)
        what = f"Layer {i}, {layer}, on a side of {n}: {answer}, not {side}."
        mistakes = [
            (_side(OUTPUT_SIZE_INPUT, k, s, p), "each layer's input is the previous layer's output, not the image."),
            (_side(n, k, s, 0), "padding='same' adds p = (k - 1) / 2 zeros on each side."),
            (-((k - n - 2 * p) // s) + 1, "the division rounds down: floor((n + 2p - k) / s) + 1."),
        ]
        for value, hint in mistakes:
            _require(answer != value or value == side, what, hint)
        _require(answer == side, what, "floor((n + 2p - k) / s) + 1, with n the previous layer's output side.")
        n = side
    return [f"all {len(answers)} output sides right: {OUTPUT_SIZE_INPUT} -> {' -> '.join(map(str, answers))}"]


@_lab_check("Exercise 2 (a convnet under a budget)", "model")
def check_small_convnet(
    model, x_val, y_val, x_test, y_test, *, max_params: int, min_accuracy: float, max_epochs: int
) -> list[str]:
    """06_convnets: a convnet within a parameter budget, trained at most ``max_epochs`` epochs in one ``fit`` on
    neither the validation nor the test images, that reaches ``min_accuracy`` on the validation data (evaluated here)."""
    import keras

    convolutions = [layer for layer in getattr(model, "layers", []) if isinstance(layer, keras.layers.Conv2D)]
    _require(bool(convolutions), "The model has no Conv2D layer.", "this exercise asks for a convnet.")
    right = _judge_model(model, "digits", max_params)
    epochs = _trained_once(
        model,
        max_epochs,
        f"build a fresh model and fit it once on the training data, with epochs={max_epochs} at most.",
    )
    val_losses, val_right = _scores(model, x_val, y_val)
    accuracy = float(np.mean(val_right))
    hint = "fit on x_train, y_train only; validation_data=(x_val, y_val) only measures."
    _unseen(val_losses, _scores(model, x_test, y_test)[0], hint=hint)
    hint = "parameters go to the dense layer on a flattened map; GlobalAveragePooling2D before the output costs none."
    _at_least("Its validation accuracy", accuracy, min_accuracy, hint)
    return right + [f"trained {epochs} epochs; validation accuracy {accuracy:.4f} >= {min_accuracy}"]


@_lab_check("Exercise 3 (a receptive field)", "stack", "field")
def check_receptive_field(stack, field) -> list[str]:
    """06_convnets: a stack of 3x3 Conv2D and 2x2 MaxPooling2D layers on 28x28 images, with at most
    ``RECEPTIVE_FIELD_MAX_CONVOLUTIONS`` convolutions, whose last layer sees the whole digit; ``field`` is its
    receptive field (pixels per side)."""
    import keras

    conv, pool = keras.layers.Conv2D, keras.layers.MaxPooling2D
    hint = "build it with keras.Sequential([keras.Input(shape=(28, 28, 1)), layers.Conv2D(...), ...])."
    _require(hasattr(stack, "layers") and hasattr(stack, "input_shape"), "The stack is not a Keras model.", hint)
    _require(tuple(stack.input_shape[1:3]) == (28, 28), f"It takes inputs of shape {stack.input_shape[1:]}.", hint)
    # A functional model may reuse a layer or branch, and then its layers are no longer one chain.
    what = f"It is a {type(stack).__name__}, not a Sequential stack of layers."
    _require(isinstance(stack, keras.Sequential), what, hint)
    stack_layers = stack.layers
    others = sorted({type(layer).__name__ for layer in stack_layers if not isinstance(layer, (conv, pool))})
    what = f"It has layers other than Conv2D and MaxPooling2D: {', '.join(others)}."
    _require(not others, what, "the exercise allows only those two.")
    convolutions = [layer for layer in stack_layers if isinstance(layer, conv)]
    kernels = sorted({tuple(layer.kernel_size) for layer in convolutions} - {(3, 3)})
    _require(not kernels, f"It has convolutions with {kernels} windows.", "use 3x3 windows: Conv2D(filters, 3).")
    dilated = sorted({tuple(layer.dilation_rate) for layer in convolutions} - {(1, 1)})
    _require(not dilated, f"It has dilated convolutions ({dilated}).", "use plain 3x3 windows (dilation_rate=1).")
    pools = sorted({tuple(layer.pool_size) for layer in stack_layers if isinstance(layer, pool)} - {(2, 2)})
    _require(not pools, f"It has poolings with {pools} windows.", "use MaxPooling2D(2).")
    count = len(convolutions)
    over = f"It has {count} convolutions, more than {RECEPTIVE_FIELD_MAX_CONVOLUTIONS}."
    _require(count <= RECEPTIVE_FIELD_MAX_CONVOLUTIONS, over, "let pooling (or strides) do the widening.")
    seen, jump = 1, 1
    for layer in stack_layers:
        size = layer.kernel_size[0] if isinstance(layer, conv) else layer.pool_size[0]
        seen, jump = seen + (size - 1) * jump, jump * layer.strides[0]
    what = f"Its last layer sees {seen}x{seen} pixels, less than the whole {RECEPTIVE_FIELD_GOAL}x{RECEPTIVE_FIELD_GOAL} digit."
    hint = "after a 2x2 pooling, each 3x3 convolution widens the field twice as much as before it."
    _require(seen >= RECEPTIVE_FIELD_GOAL, what, hint)
    hint = "each layer adds (k - 1) x jump, where jump is the product of the strides before it."
    _require(int(field) == seen, f"{field} is not this stack's receptive field.", hint)
    return [f"{count} convolutions; the last layer sees {seen}x{seen} pixels, the whole digit"]


@_lab_check("Exercise 1 (unfreeze one more block)", "more_layers")
def check_unfreeze_more(more_layers, model, base, pretrained, *, top_block: Sequence[str]) -> list[str]:
    """07_pretrained_vgg16: the top block and the block below it unfrozen, the model recompiled with a small learning
    rate and trained. ``pretrained`` is a fresh copy of the base with its ImageNet weights: the block below must have
    moved away from them (it was frozen until now), every layer outside the two blocks must still hold them."""
    top = top_block[0].split("_")[0]  # "fire9" or "block5"
    name = top.rstrip("0123456789")
    below = f"{name}{int(top[len(name) :]) - 1}_"  # fire8_, block4_
    block_below = [layer.name for layer in base.layers if layer.weights and layer.name.startswith(below)]
    expected = block_below + list(top_block)
    listed = [str(name) for name in more_layers]
    hint = f"list the layers with weights of the top block and of the block below it (names starting with {below!r})."
    _require(sorted(listed) == sorted(expected), f"more_layers is {listed}.", hint)
    trainable = [layer.name for layer in base.layers if layer.trainable and layer.weights]
    hint = "set layer.trainable = True for exactly those layers, False for every other layer of the base."
    _require(sorted(trainable) == sorted(expected), f"The trainable layers of the base are {trainable}.", hint)
    rate = float(model.optimizer.get_config()["learning_rate"])
    _require(rate <= 1e-4, f"The learning rate is {rate:g}.", "fine-tune with a small learning rate, e.g. 1e-5.")

    def unchanged(name: str) -> bool:
        now, before = base.get_layer(name).get_weights(), pretrained.get_layer(name).get_weights()
        return all(np.array_equal(a, b) for a, b in zip(now, before))

    still = [name for name in block_below if unchanged(name)]
    hint = "trainable takes effect when the model is compiled: compile again after changing it, then fit one epoch."
    _require(not still, f"The weights of {still} are still the pretrained ones: they did not train.", hint)
    moved = [layer.name for layer in base.layers if layer.weights and layer.name not in expected]
    moved = [name for name in moved if not unchanged(name)]
    hint = "only the two top blocks may train: set trainable = False on every other layer before compiling."
    _require(not moved, f"The weights of {moved} changed, although they are outside the two blocks.", hint)
    params = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    return [f"{len(expected)} layers of the base trained ({', '.join(expected)}), {params:,} trainable parameters"]


@_lab_check("Exercise 2 (an ImageDataGenerator in layers)", "augmentation")
def check_augmentation(augmentation, *, degrees: float, width_shift: float) -> list[str]:
    """07_pretrained_vgg16: Keras layers doing exactly what ``ImageDataGenerator(rotation_range=degrees,
    width_shift_range=width_shift, vertical_flip=True, fill_mode="constant")`` did (cval 0, nothing else)."""
    stack = list(getattr(augmentation, "layers", None) or [])
    kinds = [type(layer).__name__ for layer in stack]
    needed = ["RandomFlip", "RandomRotation", "RandomTranslation"]
    hint = "one layer per transformation the generator applied, and nothing else (its other settings are off)."
    _require(sorted(kinds) == needed, f"The stack holds {kinds}.", hint)
    layer = dict(zip(kinds, stack))

    def interval(factor) -> tuple[float, float]:  # one number f means (-f, f)
        low, high = factor if isinstance(factor, (tuple, list)) else (-factor, factor)
        return float(low), float(high)

    turn = degrees / 360
    rotation = interval(layer["RandomRotation"].factor)
    hint = f"the generator rotated both ways by up to {degrees} degrees; the factor is a fraction of a full turn."
    _require(all(_close(a, b) for a, b in zip(rotation, (-turn, turn))), f"The rotation range is {rotation}.", hint)
    width, height = (
        interval(layer["RandomTranslation"].width_factor),
        interval(layer["RandomTranslation"].height_factor),
    )
    hint = f"the generator shifted left or right by up to {width_shift} of the width, never up or down."
    expected = (-width_shift, width_shift)
    _require(all(_close(a, b) for a, b in zip(width, expected)), f"The width shift range is {width}.", hint)
    _require(height == (0.0, 0.0), f"The height shift range is {height}.", hint)
    mode = layer["RandomFlip"].mode
    _require(mode == "vertical", f"RandomFlip flips {mode!r}.", "vertical_flip flips upside down, and only that way.")
    for name in ("RandomRotation", "RandomTranslation"):
        fill, value = layer[name].fill_mode, float(layer[name].fill_value)
        hint = "fill_mode='constant' filled new pixels with cval, 0 by default; the layers' own default is 'reflect'."
        _require(fill == "constant" and value == 0, f"{name} fills with {fill!r} (value {value:g}).", hint)
    return [f"rotation up to {degrees} degrees either way, width shift {width_shift}, vertical flips, black fill"]


@_lab_check("Exercise 3 (VGG16's feature map)", "feature_map_shape")
def check_feature_map_shape(
    feature_map_shape, *, sides: Sequence[int] = (32, 75, 150, 180, 224, 299, 512)
) -> list[str]:
    """07_pretrained_vgg16: a function of the image side giving the shape of VGG16's base output for square images,
    tried on several sides."""
    for side in sides:
        got, expected = tuple(feature_map_shape(side)), (side // 2**5, side // 2**5, 512)
        _require(
            len(got) == 3 and got[-1] == 512, f"For {side}x{side} images you give {got}.", "block 5 has 512 filters."
        )
        hint = "VGG16's convolutions keep the size ('same' padding); each of its 5 poolings halves it, rounding down."
        whole = all(isinstance(value, (int, np.integer)) for value in got)
        _require(whole and got == expected, f"For {side}x{side} images you give {got}, VGG16 gives {expected}.", hint)
    return [f"right for image sides {', '.join(map(str, sides))}"]
