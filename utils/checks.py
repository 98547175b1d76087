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
    hint = "compile with the metric, pass validation_data=(x_val, y_val) to fit, and keep the History fit returns."
    _require(values is not None, f"The training history has no {key!r}.", hint)
    return values


def _accuracy(model, x, y_one_hot) -> float:
    """The share of ``x`` whose most probable class (by ``model``) is the one-hot label's."""
    predicted = np.asarray(model.predict(x, verbose=0)).argmax(axis=1)
    return float(np.mean(predicted == np.asarray(y_one_hot).argmax(axis=1)))


@_lab_check("Exercise 1 (prepare the images)", "prepare")
def check_prepare(prepare) -> list[str]:
    """01_mnist: ``prepare(images)`` turns uint8 28x28 images into float32 vectors of 784 values in [0, 1]."""
    images = np.random.default_rng(0).integers(0, 256, (3, 28, 28)).astype(np.uint8)
    result = np.asarray(prepare(images.copy()))
    wrong = f"3 images became an array of shape {result.shape}, not (3, 784)."
    _require(result.shape == (3, 784), wrong, "flatten each image: images.reshape(-1, 28 * 28).")
    _require(result.dtype == np.float32, f"The values are {result.dtype}.", "add .astype('float32').")
    low, high = result.min(), result.max()
    _require(
        low >= 0 and high <= 1, f"The values range from {low} to {high}.", "divide by 255, the largest pixel value."
    )
    scaled = np.allclose(result, images.reshape(3, 784) / 255, atol=1e-6)
    _require(scaled, "The values are not the pixels divided by 255.", "keep the pixels' order: reshape, then scale.")
    return ["shape (n, 784), float32, the pixels divided by 255"]


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
    return ["one row per label, a single 1 in the label's column"]


@_lab_check("Exercise 3 (a smaller network)", "model")
def check_small_network(model, x_test, y_test, *, max_params: int, min_accuracy: float) -> list[str]:
    """01_mnist: a dense MNIST network within a parameter budget that reaches a test accuracy."""
    right = _judge_model(model, "digits", max_params)
    accuracy = _accuracy(model, x_test, y_test)
    _at_least(
        "Its test accuracy", accuracy, min_accuracy, "train longer, or spend the budget on one wider hidden layer."
    )
    return right + [f"test accuracy {accuracy:.4f} >= {min_accuracy}, within {max_params:,} parameters"]


@_lab_check("Exercise 1 (a model under a parameter budget)", "model", "history")
def check_budget_model(model, history, *, max_params: int, min_val_accuracy: float) -> list[str]:
    """02_imdb: the best IMDB model within a parameter budget (validation accuracy at its best epoch)."""
    right = _judge_model(model, "sentiment", max_params)
    best = max(_recorded(history, "val_accuracy"))
    _at_least("Its best validation accuracy", best, min_val_accuracy, "few units suffice; keep the best epoch.")
    return right + [f"best validation accuracy {best:.4f} >= {min_val_accuracy}"]


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


@_lab_check("Exercise 3 (where overfitting starts)", "answer")
def check_best_epoch(answer, history) -> list[str]:
    """02_imdb: the epoch (counted from 1) with the lowest validation loss of a history."""
    val_loss = np.asarray(_recorded(history, "val_loss"))
    expected, answer = int(np.argmin(val_loss)) + 1, int(answer)
    _require(answer != expected - 1, f"{answer} is one too small.", "np.argmin counts from 0, epochs from 1.")
    best_accuracy = int(np.argmax(_recorded(history, "val_accuracy"))) + 1
    at_accuracy = f"{answer} is the epoch of the highest validation accuracy."
    hint = "the question asks for the lowest validation *loss*."
    _require(answer != best_accuracy or best_accuracy == expected, at_accuracy, hint)
    wrong = f"{answer} is not the epoch of the lowest val_loss."
    _require(answer == expected, wrong, "look at history.history['val_loss'].")
    return [f"epoch {expected}: validation loss {val_loss.min():.4f}"]


@_lab_check("Exercise 1 (no bottleneck, fewer parameters)", "model", "history")
def check_small_reuters(model, history, *, max_params: int, min_val_accuracy: float) -> list[str]:
    """03_reuters: a Reuters model without a bottleneck, with fewer parameters than the 64-64 model."""
    right = _judge_model(model, "topics", max_params)
    widths = [layer.units for layer in model.layers[:-1] if hasattr(layer, "units")]
    bottleneck = f"A hidden layer has only {min(widths)} units for 46 topics: an information bottleneck."
    hint = "no hidden layer should be much narrower than the number of classes."
    _require(all(width >= 16 for width in widths), bottleneck, hint)
    best = max(_recorded(history, "val_accuracy"))
    _at_least(
        "Its best validation accuracy",
        best,
        min_val_accuracy,
        "one hidden layer, as wide as the budget allows; keep its best epoch.",
    )
    return right + [f"hidden widths {widths}, best validation accuracy {best:.4f} >= {min_val_accuracy}"]


@_lab_check("Exercise 2 (integer labels)", "model", "labels")
def check_sparse_labels(model, labels) -> list[str]:
    """03_reuters: the same model trained on integer labels with the sparse categorical cross-entropy."""
    labels = np.asarray(labels)
    integers = labels.ndim == 1 and np.issubdtype(labels.dtype, np.integer)
    hint = "use the integer topic numbers (train_labels), not the one-hot vectors."
    _require(integers, f"The labels have shape {labels.shape} and type {labels.dtype}.", hint)
    right = _judge_model(model, "topics, integer labels")
    return right + ["integer labels with sparse_categorical_crossentropy"]


@_lab_check("Exercise 3 (the random baseline)", "answer")
def check_random_baseline(answer, labels) -> list[str]:
    """03_reuters: the expected accuracy of guessing topics at random with their frequencies, sum of p_k**2."""
    shares = np.bincount(np.asarray(labels)) / len(labels)
    expected, answer = float(np.sum(shares**2)), float(answer)
    fix = "divide the counts by the number of labels."
    _require(answer <= 1 or _close(answer, 1.0), f"{answer:.1f} is not a probability.", fix)
    frequencies = "the guesser draws topics with their frequencies, so it is right with probability sum_k p_k^2."
    mistakes = [
        (1.0, "Your answer is 1: the shares themselves sum to 1.", "square each share before summing."),
        (1 / len(shares), f"{answer:.4f} is 1/{len(shares)}, the rate of uniform guessing.", frequencies),
    ]
    _match(answer, expected, mistakes, f"{answer:.4f} is not sum_k p_k^2.", "p_k = np.bincount(labels) / len(labels).")
    return [f"sum of squared shares = {expected:.4f}"]


@_lab_check("Exercise 1 (normalization inside the model)", "build", "cv_mae")
def check_normalized_model(build, sample_x, cv_mae, *, max_mae: float) -> list[str]:
    """04_boston_housing: ``build(x_fit)`` returns a model that normalizes its own inputs (layers.Normalization)."""
    import keras

    model = build(np.asarray(sample_x, dtype="float32"))
    first = model.layers[0] if model.layers else None
    normalizers = [layer for layer in model.layers if isinstance(layer, keras.layers.Normalization)]
    _require(
        bool(normalizers),
        "The model has no Normalization layer.",
        "start with keras.layers.Normalization(), adapted on the fold's training data.",
    )
    _require(first is normalizers[0], "Normalization is not the first layer.", "normalize the raw inputs first.")
    statistics = first.get_weights()  # mean, variance, count, once adapted
    adapt = "call normalizer.adapt(x_fit) inside build, on the training part only."
    _require(bool(statistics), "The Normalization layer was given fixed statistics.", adapt)
    mean = np.asarray(statistics[0]).ravel()
    _require(
        np.allclose(mean, np.mean(sample_x, axis=0), 1e-3, 1e-3),
        "The Normalization layer's mean is not the mean of the data build() was given.",
        adapt,
    )
    right = _judge_model(model, "prices")
    _at_most("The cross-validated MAE", float(cv_mae), max_mae, "train each fold as the notebook does.", digits=2)
    return right + [f"normalizes inside the model; cross-validated MAE {float(cv_mae):.2f} <= {max_mae}"]


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
    return ["mean of |y_true - y_pred|"]


@_lab_check("Exercise 3 (a model without feature B)", "x_train", "model", "test_mae")
def check_without_b(x_train, model, test_mae, *, max_mae: float) -> list[str]:
    """04_boston_housing: the final model trained without feature B."""
    features = np.shape(x_train)[1]
    hint = "drop column 11 (B) with np.delete(data, 11, axis=1), from the training and the test data."
    _require(features == 12, f"The training data has {features} features, not 12.", hint)
    right = _judge_model(model, "prices", inputs=12)
    hint = "normalize with the training statistics; train for the notebook's best number of epochs."
    _at_most("The test MAE", float(test_mae), max_mae, hint, digits=2)
    return right + [f"12 features, test MAE {float(test_mae):.2f} <= {max_mae}"]


@_lab_check("Exercise 1 (another dropout rate)", "model", "history")
def check_dropout_model(model, history, *, max_val_loss: float) -> list[str]:
    """05_regularization: the 16-16 network with a dropout rate of the usual range, 0.2 to 0.5, other than 0.5."""
    import keras

    rates = [layer.rate for layer in model.layers if isinstance(layer, keras.layers.Dropout)]
    _require(bool(rates), "The model has no Dropout layer.", "add a Dropout(rate) after each hidden Dense layer.")
    usual = all(0.2 <= rate <= 0.5 for rate in rates) and any(rate != 0.5 for rate in rates)
    _require(usual, f"The dropout rates are {rates}.", "choose a rate from 0.2 to 0.4 (0.5 is the notebook's).")
    right = _judge_model(model, "sentiment")
    lowest = min(_recorded(history, "val_crossentropy"))
    hint = "train as the notebook does, with the crossentropy metric."
    _at_most("Its lowest validation cross-entropy", lowest, max_val_loss, hint)
    return right + [f"dropout rates {rates}, lowest validation cross-entropy {lowest:.4f}"]


@_lab_check("Exercise 2 (a smaller L1 factor)", "model", "history")
def check_l1_model(model, history, *, max_val_loss: float) -> list[str]:
    """05_regularization: L1 regularization with a factor smaller than 0.001, which then no longer underfits."""
    regularizers = [getattr(layer, "kernel_regularizer", None) for layer in model.layers]
    # Rounded to 3 significant digits: a regularizer stores float32, so l1(0.001) holds 0.0010000000475.
    factors = [float(f"{float(getattr(r, 'l1', 0)):.3g}") for r in regularizers if r is not None]
    hint = "pass kernel_regularizer=regularizers.l1(factor) to every Dense layer."
    _require(bool(factors) and all(f > 0 for f in factors), "The layers have no L1 kernel_regularizer.", hint)
    _require(max(factors) < 0.001, f"The L1 factors are {factors}.", "try 0.0001, ten times smaller than 0.001.")
    lowest = min(_recorded(history, "val_crossentropy"))
    hint = "a smaller factor constrains less; try another one."
    _at_most("Its lowest validation cross-entropy", lowest, max_val_loss, hint)
    right = _judge_model(model, "sentiment")
    return right + [f"L1 factors {factors}, lowest validation cross-entropy {lowest:.4f}"]


@_lab_check("Exercise 3 (the L2 penalty by hand)", "answer", "model")
def check_l2_penalty(answer, model, *, factor: float = 0.001) -> list[str]:
    """05_regularization: the L2 penalty of a trained model by hand: factor times the sum of squared kernel weights."""
    import keras

    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    kernels = [layer.get_weights()[0] for layer in dense]
    biases = [layer.get_weights()[1] for layer in dense if layer.use_bias]
    expected = factor * sum(float(np.sum(k**2)) for k in kernels)
    with_biases = expected + factor * sum(float(np.sum(b**2)) for b in biases)
    l1 = factor * sum(float(np.sum(np.abs(k))) for k in kernels)
    mistakes = [
        (expected / factor, "You left out the factor.", f"multiply the sum by {factor}."),
        (l1, "That is an L1 penalty (absolute values).", "square the weights."),
    ]
    if not _close(with_biases, expected):
        mistakes.append((with_biases, "You included the biases.", "kernel_regularizer penalizes the kernels only."))
    hint = "sum layer.kernel ** 2 over the Dense layers (model.losses holds the same)."
    _match(answer, expected, mistakes, f"{float(answer):.5f} is not the penalty ({expected:.5f}).", hint)
    return [f"penalty {expected:.5f}, equal to what Keras adds to the loss"]


@_lab_check("Exercise 1 (output sizes)", "answers")
def check_output_sizes(answers, configurations) -> list[str]:
    """06_convnets: output sides of convolutions/poolings, for ``(n, k, s, p)`` configurations."""
    expected = [(n + 2 * p - k) // s + 1 for n, k, s, p in configurations]
    answers = [int(answer) for answer in answers]
    count = f"{len(answers)} answers for {len(expected)} configurations."
    _require(len(answers) == len(expected), count, "one per configuration, in order.")
    hint = "floor((n + 2p - k) / s) + 1: padding adds p on both sides, and the division rounds down."
    for i, ((n, k, s, p), answer, side) in enumerate(zip(configurations, answers, expected), 1):
        _require(answer == side, f"Configuration {i} (n={n}, k={k}, s={s}, p={p}): {answer}, not {side}.", hint)
    return [f"all {len(expected)} output sides right"]


@_lab_check("Exercise 2 (a convnet under a budget)", "model")
def check_small_convnet(model, x_test, y_test, *, max_params: int, min_accuracy: float) -> list[str]:
    """06_convnets: a convnet within a parameter budget that reaches a test accuracy on MNIST."""
    import keras

    convolutions = [layer for layer in getattr(model, "layers", []) if isinstance(layer, keras.layers.Conv2D)]
    _require(bool(convolutions), "The model has no Conv2D layer.", "this exercise asks for a convnet.")
    right = _judge_model(model, "digits", max_params)
    accuracy = _accuracy(model, x_test, y_test)
    hint = "parameters go to the dense layer on a flattened map; GlobalAveragePooling2D before the output costs none."
    _at_least("Its test accuracy", accuracy, min_accuracy, hint)
    return right + [f"test accuracy {accuracy:.4f} >= {min_accuracy}"]


@_lab_check("Exercise 3 (a receptive field)", "answer")
def check_receptive_field(answer, model) -> list[str]:
    """06_convnets: the receptive field (in pixels per side) of the last layer of a Conv2D/MaxPooling2D stack."""
    import keras

    field, jump = 1, 1
    for layer in model.layers:
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.MaxPooling2D)):
            size = layer.kernel_size[0] if isinstance(layer, keras.layers.Conv2D) else layer.pool_size[0]
            field, jump = field + (size - 1) * jump, jump * layer.strides[0]
    hint = "each layer adds (k - 1) x jump, where jump is the product of the strides before it."
    _require(int(answer) == field, f"{answer} is not the receptive field of this stack.", hint)
    return [f"{field}x{field} pixels"]


@_lab_check("Exercise 1 (unfreeze one more block)", "model", "seconds_per_epoch")
def check_unfreeze_more(model, base, expected_layers, seconds_per_epoch) -> list[str]:
    """07_pretrained_vgg16: unfreeze one more block of the base than the notebook; measure the cost of an epoch."""
    trainable = [layer.name for layer in base.layers if layer.trainable and layer.weights]
    hint = f"set layer.trainable = True for exactly {list(expected_layers)}, False for the others."
    _require(sorted(trainable) == sorted(expected_layers), f"The trainable layers of the base are {trainable}.", hint)
    rate = float(model.optimizer.get_config()["learning_rate"])
    _require(rate <= 1e-4, f"The learning rate is {rate:g}.", "fine-tune with a small learning rate, e.g. 1e-5.")
    seconds = float(seconds_per_epoch)
    _require(seconds > 0, "The epoch time is missing.", "time one epoch of fit with time.perf_counter().")
    params = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    return [
        f"{len(trainable)} layers of the base trainable, {params:,} trainable parameters, {seconds:.0f} s per epoch"
    ]


@_lab_check("Exercise 2 (ImageDataGenerator in layers)", "augmentation")
def check_augmentation(augmentation, *, degrees: float, zoom: float) -> list[str]:
    """07_pretrained_vgg16: Keras layers doing what ``ImageDataGenerator(rotation_range=degrees, zoom_range=zoom,
    horizontal_flip=True)`` did."""
    kinds = {type(layer).__name__: layer for layer in getattr(augmentation, "layers", [])}
    needed = {"RandomRotation", "RandomZoom", "RandomFlip"}
    _require(needed <= set(kinds), f"The stack holds {sorted(kinds)}.", f"use {', '.join(sorted(needed))}.")

    def largest(factor) -> float:  # one number, or a (lower, upper) pair
        return max(abs(v) for v in factor) if isinstance(factor, (tuple, list)) else abs(factor)

    rotation, zoom_factor = largest(kinds["RandomRotation"].factor), largest(kinds["RandomZoom"].height_factor)
    turn = f"the factor is a fraction of a full turn: RandomRotation({degrees} / 360)."
    wrong = f"RandomRotation's factor {rotation} is not {degrees} degrees."
    _require(_close(rotation, degrees / 360, 1e-2), wrong, turn)
    _require(_close(zoom_factor, zoom, 1e-2), f"RandomZoom's factor is {zoom_factor}.", f"use RandomZoom({zoom}).")
    mode = kinds["RandomFlip"].mode
    _require(mode == "horizontal", f"RandomFlip flips {mode!r}.", "mirror left-right: RandomFlip('horizontal').")
    return [f"rotation up to {degrees} degrees, zoom {zoom}, horizontal flips"]


@_lab_check("Exercise 3 (VGG16's feature map)", "answer")
def check_feature_map_shape(answer, *, image_side: int) -> list[str]:
    """07_pretrained_vgg16: the shape of VGG16's base output for square images of ``image_side`` pixels."""
    side = image_side // 2**5
    expected, got = (side, side, 512), tuple(int(v) for v in answer)
    _require(got[-1:] == (512,), f"{got} does not end in 512 channels.", "block 5 has 512 filters.")
    hint = "VGG16's convolutions keep the size ('same' padding); each of its 5 poolings halves it, rounding down."
    _require(got == expected, f"{got} is not {expected}.", hint)
    return [f"{expected}"]
