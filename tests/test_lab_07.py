"""The lab of 07_pretrained_vgg16: each check passes a right answer and fails a typical wrong one, with its hint."""

import numpy as np
import pytest

from utils import checks, config
from utils.checks import NOT_ATTEMPTED, NOT_YET, PASSED

keras = config.import_keras()
layers = keras.layers

TOP_BLOCK = ("fire9_squeeze1x1", "fire9_expand1x1")
BLOCK_BELOW = ["fire8_squeeze1x1", "fire8_expand1x1"]


def assert_hint(verdict, *hints):
    assert verdict.status == NOT_YET and all(hint in " ".join(verdict.lines) for hint in hints), verdict.lines


def tiny_base():
    """A stand-in for SqueezeNet: Dense layers named like its fire modules, seeded weights."""
    keras.utils.set_random_seed(0)
    names = ["fire7_squeeze1x1", *BLOCK_BELOW, *TOP_BLOCK]
    return keras.Sequential([keras.Input(shape=(4,)), *(layers.Dense(4, name=name) for name in names)], name="base")


@pytest.fixture
def fine_tuned():
    """The notebook's state after Way 3: a model on a base whose top block trained; and the base as pretrained."""
    base = tiny_base()
    pretrained = tiny_base()  # same seed: the "ImageNet" weights
    model = keras.Sequential([keras.Input(shape=(4,)), base, layers.Dense(1, activation="sigmoid")])
    for layer in base.layers:
        layer.trainable = layer.name in TOP_BLOCK
    return model, base, pretrained


def unfreeze(model, base, names, rate=1e-5, train=True):
    for layer in base.layers:
        layer.trainable = layer.name in names
    model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.RMSprop(learning_rate=rate))
    if train:
        x = np.random.default_rng(0).normal(size=(16, 4)).astype("float32")
        model.fit(x, (x[:, :1] > 0).astype("float32"), epochs=1, batch_size=8, verbose=0)
    return model


def check_unfreeze(more_layers, model, base, pretrained):
    return checks.check_unfreeze_more(more_layers, model, base, pretrained, top_block=TOP_BLOCK)


def test_unfreeze_more_passes_the_two_top_blocks_trained(fine_tuned):
    model, base, pretrained = fine_tuned
    unfreeze(model, base, BLOCK_BELOW + list(TOP_BLOCK))
    assert check_unfreeze(BLOCK_BELOW + list(TOP_BLOCK), model, base, pretrained).status == PASSED


def test_unfreeze_more_fails_the_top_block_alone(fine_tuned):
    model, base, pretrained = fine_tuned
    unfreeze(model, base, list(TOP_BLOCK))
    assert_hint(check_unfreeze(list(TOP_BLOCK), model, base, pretrained), "more_layers is", "'fire8_'")


def test_unfreeze_more_fails_a_block_set_trainable_but_not_trained(fine_tuned):
    model, base, pretrained = fine_tuned
    unfreeze(model, base, BLOCK_BELOW + list(TOP_BLOCK), train=False)
    assert_hint(check_unfreeze(BLOCK_BELOW + list(TOP_BLOCK), model, base, pretrained), "did not train", "compile")


def test_unfreeze_more_fails_the_whole_base_unfrozen(fine_tuned):
    model, base, pretrained = fine_tuned
    unfreeze(model, base, [layer.name for layer in base.layers])
    assert_hint(check_unfreeze(BLOCK_BELOW + list(TOP_BLOCK), model, base, pretrained), "trainable layers")


def test_unfreeze_more_fails_a_large_learning_rate(fine_tuned):
    model, base, pretrained = fine_tuned
    unfreeze(model, base, BLOCK_BELOW + list(TOP_BLOCK), rate=1e-3)
    assert_hint(check_unfreeze(BLOCK_BELOW + list(TOP_BLOCK), model, base, pretrained), "small learning rate")


def test_unfreeze_more_fails_a_lower_layer_trained_then_frozen(fine_tuned):
    model, base, pretrained = fine_tuned
    unfreeze(model, base, [layer.name for layer in base.layers])
    unfreeze(model, base, BLOCK_BELOW + list(TOP_BLOCK), train=False)
    assert_hint(check_unfreeze(BLOCK_BELOW + list(TOP_BLOCK), model, base, pretrained), "fire7_squeeze1x1")


def augmentation(*stack):
    return layers.Pipeline(list(stack))


RIGHT = dict(
    rotation=lambda: layers.RandomRotation(15 / 360, fill_mode="constant"),
    translation=lambda: layers.RandomTranslation(0, 0.1, fill_mode="constant"),
    flip=lambda: layers.RandomFlip("vertical"),
)


def with_layer(**changed):
    return augmentation(*(changed.get(name, make)() for name, make in RIGHT.items()))


def check_generator(stack):
    return checks.check_augmentation(stack, degrees=15, width_shift=0.1)


def test_augmentation_passes_the_generators_layers():
    assert check_generator(with_layer()).status == PASSED
    both_ways = layers.RandomTranslation((0, 0), (-0.1, 0.1), fill_mode="constant")
    assert check_generator(with_layer(translation=lambda: both_ways)).status == PASSED


@pytest.mark.parametrize(
    "stack, hint",
    [
        (with_layer(rotation=lambda: layers.RandomRotation(15 / 360)), "'reflect'"),  # the layers' default fill
        (with_layer(rotation=lambda: layers.RandomRotation((0, 15 / 360), fill_mode="constant")), "both ways"),
        (with_layer(rotation=lambda: layers.RandomRotation(0.15, fill_mode="constant")), "fraction of a full turn"),
        (with_layer(rotation=lambda: layers.RandomRotation(0.05, fill_mode="constant")), "fraction of a full turn"),
        (with_layer(translation=lambda: layers.RandomTranslation(0, 0.105, fill_mode="constant")), "0.1 of the width"),
        (with_layer(translation=lambda: layers.RandomTranslation(0.1, 0.1, fill_mode="constant")), "never up or down"),
        (with_layer(flip=lambda: layers.RandomFlip("horizontal")), "upside down"),
        (augmentation(*(make() for make in RIGHT.values()), layers.RandomZoom(0.1)), "nothing else"),
        (augmentation(RIGHT["rotation"](), RIGHT["flip"]()), "nothing else"),
    ],
)
def test_augmentation_fails_typical_mistakes(stack, hint):
    assert_hint(check_generator(stack), hint)


@pytest.mark.parametrize("garbage", [42, "layers", [1, 2], object()])
def test_garbage_never_crashes_a_check(garbage):
    assert_hint(check_generator(garbage))
    assert_hint(checks.check_feature_map_shape(garbage))
    assert_hint(checks.check_unfreeze_more(garbage, object(), object(), object(), top_block=TOP_BLOCK))


def test_feature_map_shape():
    assert checks.check_feature_map_shape(lambda side: (side // 32, side // 32, 512)).status == PASSED
    assert checks.check_feature_map_shape(lambda side: [side // 2**5] * 2 + [512]).status == PASSED
    assert_hint(checks.check_feature_map_shape(lambda side: (side / 32, side / 32, 512)), "rounding down")
    assert_hint(checks.check_feature_map_shape(lambda side: (round(side / 32),) * 2 + (512,)), "rounding down")
    assert_hint(checks.check_feature_map_shape(lambda side: (side // 32, side // 32, 256)), "512 filters")
    assert_hint(checks.check_feature_map_shape(lambda side: (side // 16, side // 16, 512)), "5 poolings")


def test_placeholders_are_not_attempted():
    assert checks.check_unfreeze_more(None, None, None, None, top_block=TOP_BLOCK).status == NOT_ATTEMPTED
    assert checks.check_augmentation(None, degrees=15, width_shift=0.1).status == NOT_ATTEMPTED
    assert checks.check_feature_map_shape(None).status == NOT_ATTEMPTED
