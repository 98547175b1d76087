"""``make bench`` (course.bench): its table, and one real measurement on the default backend."""

from course import bench


def test_the_table_gives_seconds_speed_ups_and_what_a_backend_lacks():
    measured = {
        "imdb": {
            "tensorflow": {
                "seconds": {
                    "plain": 0.9,
                    "uint8 inputs": 0.36,
                    "steps_per_execution=16": 0.45,
                    "XLA (jit_compile=True)": 1.8,
                },
                "peak_memory_mb": 1200,
            },
            "torch": {"seconds": {"plain": 1.2, "uint8 inputs": 0.6}, "peak_memory_mb": 1500},
        },
        "vgg16": {
            "tensorflow": {
                "seconds": {
                    "plain": {"features": 60.0, "fine-tuning": 150.0},
                    "XLA (jit_compile=True)": {"features": 30.0, "fine-tuning": 300.0},
                },
                "peak_memory_mb": 2000,
            },
            "torch": {"seconds": {"plain": {"features": 80.0, "fine-tuning": 200.0}}, "peak_memory_mb": 2100},
        },
    }
    lines = bench.table(measured, ["tensorflow", "torch"]).splitlines()
    assert "| 02/05 IMDB 16-16 | 512 | 15,000 | uint8 inputs | 0.36 s (2.50x) | 0.60 s (2.00x) |" in lines
    assert "| 02/05 IMDB 16-16 | 512 | 15,000 | XLA (jit_compile=True) | 1.80 s (0.50x) | n/a |" in lines
    assert "| 02/05 IMDB 16-16 | | | peak memory (all its settings) | 1,200 MB | 1,500 MB |" in lines
    vgg = "| 07 VGG16 base (random weights) | 32 | per 1,000 images |"
    assert f"{vgg} fine-tuning, XLA (jit_compile=True) | 300.00 s (0.50x) | n/a |" in lines
    assert f"{vgg} features, plain | 60.00 s | 80.00 s |" in lines


def test_pytorch_lacks_steps_per_execution_and_xla_and_jax_always_compiles():
    assert not bench.applies("steps_per_execution=16", "torch") and bench.applies("uint8 inputs", "torch")
    assert not bench.applies("XLA (jit_compile=True)", "jax") and bench.applies("XLA (jit_compile=True)", "tensorflow")


def test_a_real_measurement_on_the_default_backend(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(bench, "OUTPUT", tmp_path / "bench.md")
    assert bench.main(["--models", "boston", "--backends", "tensorflow"]) == 0
    table = (tmp_path / "bench.md").read_text()
    assert "| 04 Boston, batches of 16 | 16 | 303 | plain | " in table and "MB |" in table
    assert "04 Boston, batches of 16 on tensorflow ..." in capsys.readouterr().out
