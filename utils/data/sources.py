"""The registry: every file the notebooks use, where it comes from, and the checksums that prove it (the only ones
trusted, never a checksum file found next to the data)."""

from __future__ import annotations

from dataclasses import dataclass

KERAS_DATASETS = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


@dataclass(frozen=True)
class Source:
    """One file: its path below the mirror or the cache, its download address (None: only the mirror offers it),
    its published checksum (``"sha256:<hex>"``, or ``"md5:<hex>"`` where that is all the publisher gives), the
    sha256 of the mirror's copy where its bytes differ (the same arrays, saved again), and what it is, for messages."""

    filename: str
    url: str | None
    published: str | None
    mirror: str | None
    description: str

    @property
    def checksums(self) -> tuple[str, ...]:
        """Every checksum a local copy may match: the published one, then the mirror's."""
        return tuple(c for c in (self.published, self.mirror) if c)


SOURCES: dict[str, Source] = {
    "imdb": Source(
        "imdb.npz",
        KERAS_DATASETS + "imdb.npz",
        "sha256:69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f",
        "sha256:6814c0beea01878740d178d45caaf84fa878f5f452bd5f6bb6b5e3add8655f32",
        "IMDB movie reviews (Keras's raw word-rank sequences)",
    ),
    "imdb_word_index": Source(
        "imdb_word_index.json",
        KERAS_DATASETS + "imdb_word_index.json",
        "sha256:027313fe9a320280f3bf0fac5baf58c4a683cf39a7ed9c3d3d3912bde4284cf6",
        None,
        "IMDB word index (word -> frequency rank)",
    ),
    "reuters": Source(
        "reuters.npz",
        KERAS_DATASETS + "reuters.npz",
        "sha256:d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916",
        "sha256:8c1255c498914fa00e37f1820ec96e290f5a247b63a858ac7b24ca809504e13a",
        "Reuters newswires (Keras's raw word-rank sequences)",
    ),
    "reuters_word_index": Source(
        "reuters_word_index.json",
        KERAS_DATASETS + "reuters_word_index.json",
        "md5:4d44cc38712099c9e383dc6e5f11a921",  # Keras publishes only an md5 for this file
        "sha256:1664c69188b70cd77ed042961f4f4d1ec8e61fee8a4fa7499a4f84ca6eede202",
        "Reuters word index (word -> frequency rank)",
    ),
    "boston_housing": Source(
        "boston_housing.npz",
        KERAS_DATASETS + "boston_housing.npz",
        "sha256:f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5",
        "sha256:0c1bbf0b79b8c2996afa31b259ca6cff56f5a6f72501358901ae5aa8fadd6e2f",
        "Boston housing prices",
    ),
    "cats_vs_dogs_archive": Source(
        "kagglecatsanddogs_5340.zip",
        "https://download.microsoft.com/download/3/E/1/3E1C3F21-ECDB-4869-8368-6DEBA77B919F/kagglecatsanddogs_5340.zip",
        "sha256:b7974bd00a84a99921f36ee4403f089853777b5ae8d151c76a86e64900334af9",
        None,
        "Kaggle Cats and Dogs archive (825 MB; the small set is cut from it)",
    ),
    "vgg16": Source(
        "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "https://storage.googleapis.com/tensorflow/keras-applications/vgg16/"
        "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "md5:6d6bbae143d832006294945121d1f1fc",  # Keras publishes only an md5 for its weights
        None,
        "VGG16 ImageNet weights without the classifier (59 MB)",
    ),
    "squeezenet": Source(
        "weights/squeezenet_v1.1_imagenet_notop.h5",
        None,
        None,
        "sha256:17154246284f555591549ac2c83e127abfbf4307dc4b0060fdaa2931d0fa38da",
        "SqueezeNet v1.1 ImageNet weights without the classifier (offered by the mirror only)",
    ),
}

# MNIST comes from OpenML, not as a file with a published checksum: the sha256 of its content, the 70000 images
# (uint8, row-major) followed by the 70000 labels (uint8).
MNIST_CONTENT_SHA256 = "c2069063c1105f2bf96266aef1ff68c6e13bdda7a54e37bf19c16f1db24efc83"
MNIST_TRAIN_SIZE = 60_000
# The mirror's small cats-vs-dogs set: the sha256 over every file's relative path, size and sha256 (see
# ``cats_vs_dogs.verify_tree``). The only value a mirror's tree is checked against.
CATS_VS_DOGS_TREE_SHA256 = "5936cf6a04393efb9b2ffec1cf76f34c869477376708437607932bf9976fa04c"
