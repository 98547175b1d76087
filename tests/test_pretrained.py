"""Tests of utils.pretrained: SqueezeNet v1.1 and its weights, choose_base, and VGG16's online path (served locally)."""

from __future__ import annotations

import dataclasses
import hashlib
import os

import h5py
import numpy as np
import pytest
from conftest import HAVE_MIRROR, MIRROR
from sklearn.linear_model import LogisticRegression

import utils
from utils import config
from utils.data import ChecksumError, DataError, DataUnavailableError
from utils.data.sources import SOURCES, Source

keras = config.import_keras()

MIRROR_SQUEEZENET = MIRROR / SOURCES["squeezenet"].filename


def test_squeezenet_architecture_parameters_output_shape_and_layers_to_fine_tune():
    model = utils.squeezenet_v11((150, 150))
    assert model.count_params() == 722_496
    assert (model.input_shape, model.output_shape) == ((None, 150, 150, 3), (None, 8, 8, 512))
    convolutions = [layer.name for layer in model.layers if layer.weights]
    assert convolutions[0] == "conv1" and len(convolutions) == 1 + 3 * 8
    assert convolutions[-3:] == list(utils.fine_tune_layers("squeezenet"))
    # expand3x3 keeps the size ('same'); everything else is 'valid'
    assert model.get_layer("fire2_expand3x3").padding == "same"
    assert model.get_layer("conv1").padding == "valid" and model.get_layer("conv1").strides == (2, 2)


def test_squeezenet_rejects_too_small_images_and_weights_of_another_layout(tmp_path):
    with pytest.raises(ValueError, match="too small"):
        utils.squeezenet_v11((10, 10))
    with h5py.File(tmp_path / "bad.h5", "w") as f:
        f.create_dataset("conv1/kernel", data=np.zeros((3, 3, 3, 64), "float32"))
    with pytest.raises(ValueError, match="conv1"):
        utils.squeezenet_v11(weights=tmp_path / "bad.h5")


def test_squeezenet_weights_are_loaded_from_the_file(mirror):
    path = utils.fetch("squeezenet")
    model = utils.squeezenet_v11(weights=path)
    with h5py.File(path, "r") as f:
        for group, kernel_name in [("conv1", "uniform1"), ("fire9/expand3x3", "uniform25")]:
            kernel, bias = model.get_layer(group.replace("/", "_")).get_weights()
            np.testing.assert_array_equal(kernel, f[group][kernel_name][()])
            np.testing.assert_array_equal(bias, f[group][f"{group}_b"][()])
    # every layer differs from a fresh random initialisation
    random_model = utils.squeezenet_v11()
    for layer in model.layers:
        if layer.weights:
            assert not np.allclose(layer.get_weights()[0], random_model.get_layer(layer.name).get_weights()[0])


def _cats_vs_dogs_accuracy(base) -> float:
    """Accuracy of a logistic regression on the base's averaged features: 200 training, 200 test images."""
    splits = utils.load_cats_vs_dogs(batch_size=50)

    def features(split):
        subset = utils.balanced_batches(splits[split], 2)  # 100 cats, then 100 dogs
        images, labels = zip(*subset.as_numpy_iterator())
        maps = base.predict(utils.preprocess_input(np.concatenate(images)), verbose=0)
        return maps.mean(axis=(1, 2)), np.concatenate(labels).ravel()

    classifier = LogisticRegression(max_iter=2000).fit(*features("train"))
    return classifier.score(*features("test"))


def test_squeezenet_features_tell_cats_from_dogs_far_better_than_random_weights(mirror):
    keras.utils.set_random_seed(0)
    pretrained_accuracy = _cats_vs_dogs_accuracy(utils.squeezenet_v11(weights=utils.fetch("squeezenet")))
    random_accuracy = _cats_vs_dogs_accuracy(utils.squeezenet_v11())
    assert pretrained_accuracy >= 0.85, pretrained_accuracy
    assert random_accuracy < 0.85, random_accuracy  # the bar above tells pretrained from random weights


def test_preprocess_input_matches_keras_vgg16_and_leaves_its_argument_alone():
    images = np.random.default_rng(0).uniform(0, 255, (2, 5, 5, 3)).astype("float32")
    expected = keras.applications.vgg16.preprocess_input(images.copy())
    np.testing.assert_allclose(utils.preprocess_input(images), expected, rtol=1e-6)
    from_tensor = utils.preprocess_input(keras.ops.convert_to_tensor(images))  # the same: `images` was left alone
    np.testing.assert_allclose(np.asarray(from_tensor), expected, rtol=1e-6)
    with pytest.raises(ValueError):
        utils.preprocess_input(np.zeros((1, 4, 4, 1), "float32"))


@pytest.fixture
def vgg16_offline(monkeypatch) -> None:
    """VGG16's weights have no download source (as when offline): only a local copy could provide them."""
    monkeypatch.setitem(SOURCES, "vgg16", dataclasses.replace(SOURCES["vgg16"], url=None))


@pytest.mark.parametrize("fault, why", [("missing", "downloading them failed"), ("unreadable", "cannot be read")])
def test_choose_base_falls_back_to_squeezenet_with_a_visible_reason(
    mirror, vgg16_offline, monkeypatch, request, capsys, fault, why
):
    if fault == "unreadable":  # in the cache, where only an ordinary user (fake_fs) is stopped by chmod
        fake_fs = request.getfixturevalue("fake_fs")
        fake_fs.add_real_file(MIRROR_SQUEEZENET)
        monkeypatch.setenv("DLS_CACHE_DIR", "/cache")
        os.chmod(fake_fs.create_file("/cache/" + SOURCES["vgg16"].filename).path, 0)
    choice = utils.choose_base("auto")
    assert (choice.name, choice.weights) == ("squeezenet", MIRROR_SQUEEZENET)
    assert "VGG16" in choice.reason and why in choice.reason
    printed = capsys.readouterr().out
    assert "Base: squeezenet" in printed and why in printed
    assert str(config.PROJECT_ROOT.parent) not in printed  # no absolute path of this machine


def test_choose_base_never_falls_back_to_random_weights(cache, vgg16_offline):  # and no mirror for SqueezeNet
    with pytest.raises(DataError, match="No pretrained base"):
        utils.choose_base("auto", verbose=False)
    with pytest.raises(DataUnavailableError):
        utils.choose_base("vgg16", verbose=False)  # asked for explicitly: no silent substitute


@pytest.mark.parametrize("name", ["resnet50", "", None, "VGG16", "Auto"])
def test_unknown_base_names_are_rejected(name):
    with pytest.raises(ValueError):
        utils.choose_base(name)
    with pytest.raises(ValueError):
        utils.fine_tune_layers(name)


def test_balanced_batches_takes_both_ends():
    tf = config.import_tensorflow_quietly()
    labels = np.array([0] * 10 + [1] * 10)
    dataset = tf.data.Dataset.from_tensor_slices(labels).batch(4)  # 5 batches, the middle one mixed
    subset = np.concatenate(list(utils.balanced_batches(dataset, 1).as_numpy_iterator()))
    assert subset.tolist() == [0, 0, 0, 0, 1, 1, 1, 1]
    assert utils.balanced_batches(dataset, None) is dataset
    with pytest.raises(ValueError, match="5 batches"):
        utils.balanced_batches(dataset, 3)


@pytest.fixture(scope="session")
def fake_vgg16_weights(tmp_path_factory) -> bytes:
    """Random weights in the layout of Keras's VGG16 no-top file (legacy HDF5, one group per layer, 59 MB)."""
    vgg = keras.applications.VGG16(include_top=False, weights=None, input_tensor=keras.Input(shape=(32, 32, 3)))
    rng = np.random.default_rng(0)
    path = tmp_path_factory.mktemp("vgg16") / "vgg16_notop.h5"
    with h5py.File(path, "w") as f:
        layers = [layer for layer in vgg.layers if layer.weights]
        f.attrs["layer_names"] = [layer.name.encode() for layer in layers]
        f.attrs.update(backend=b"tensorflow", keras_version=b"2.2.4")
        for layer in layers:
            group = f.create_group(layer.name)
            weight_names = [f"{layer.name}_W_1:0", f"{layer.name}_b_1:0"]
            group.attrs["weight_names"] = [w.encode() for w in weight_names]
            for weight_name, variable in zip(weight_names, layer.weights):
                group.create_dataset(weight_name, data=rng.standard_normal(tuple(variable.shape)).astype("float32"))
    return path.read_bytes()


@pytest.fixture
def fake_vgg16_source(fake_vgg16_weights, serve, cache, monkeypatch) -> bytes:
    """The fake VGG16 weights (returned) served locally, registered as the ``vgg16`` source; no mirror."""
    md5 = "md5:" + hashlib.md5(fake_vgg16_weights).hexdigest()
    url = serve("/vgg16.h5", fake_vgg16_weights)
    monkeypatch.setitem(SOURCES, "vgg16", Source(SOURCES["vgg16"].filename, url, md5, None, "VGG16"))
    return fake_vgg16_weights


def test_vgg16_weights_download_verified_cached_loaded_and_fine_tuned(fake_vgg16_source, cache, capsys):
    path = utils.fetch("vgg16")
    assert path == cache / SOURCES["vgg16"].filename and path.read_bytes() == fake_vgg16_source
    assert [p.name for p in cache.iterdir()] == [path.name]  # no temporary file left behind
    # "auto" now finds VGG16's weights (in the cache) and takes VGG16
    choice = utils.choose_base("auto")
    assert choice.name == "vgg16" and choice.weights == path
    assert "Base: vgg16" in capsys.readouterr().out
    base = keras.applications.VGG16(weights=str(choice.weights), include_top=False, input_shape=(32, 32, 3))  # as 07
    assert base.count_params() == 14_714_688
    block5 = [layer.name for layer in base.layers if layer.name.startswith("block5") and layer.weights]
    assert block5 == list(utils.fine_tune_layers("vgg16"))
    kernel, bias = base.get_layer("block5_conv3").get_weights()
    with h5py.File(path, "r") as f:
        np.testing.assert_array_equal(kernel, f["block5_conv3/block5_conv3_W_1:0"][()])
        np.testing.assert_array_equal(bias, f["block5_conv3/block5_conv3_b_1:0"][()])


@pytest.mark.parametrize("field, error", [("published", ChecksumError), ("url", DataUnavailableError)])
def test_a_failed_vgg16_download_leaves_no_file_and_is_not_chosen(fake_vgg16_source, cache, monkeypatch, field, error):
    source = SOURCES["vgg16"]
    wrong = {"published": "md5:" + "0" * 32, "url": source.url + ".missing"}[field]
    monkeypatch.setitem(SOURCES, "vgg16", dataclasses.replace(source, **{field: wrong}))
    with pytest.raises(error):
        utils.fetch("vgg16")
    if HAVE_MIRROR:  # "auto" does not take an unverified file: it falls back instead
        monkeypatch.setenv("DLS_DATA_DIR", str(MIRROR))
        assert utils.choose_base("auto", verbose=False).name == "squeezenet"
    assert not cache.exists() or list(cache.iterdir()) == []
