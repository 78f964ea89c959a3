"""Root conftest: settings for nbval over notebooks/*.ipynb (unit-test fixtures live in tests/)."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("PYTHONHASHSEED", "0")
# helpers.course.claims: a training claim that fails raises under the tests (a learner gets a warning instead)
os.environ.setdefault("IOU_LAB_STRICT_CLAIMS", "1")


def pytest_collectstart(collector):
    # TensorFlow's C++ log lines never reach nbval's kernels reliably: never compare stderr.
    if hasattr(collector, "skip_compare") and collector.path.suffix == ".ipynb":
        collector.skip_compare += ("stderr",)


def pytest_collection_modifyitems(items):
    # nbval waits only 5 s for output messages after a cell's reply; 2-core CI runners need more.
    for item in items:
        if hasattr(item, "output_timeout"):
            item.output_timeout = 60
