"""pixbridge.set_worker_threads / worker_threads / PIXBRIDGE_WORKER_THREADS.

The worker pool is per process and its size is fixed at the first call that works on images, so
the scenarios that need a pool not yet started run in a fresh interpreter.
"""

import json
import os
import subprocess
import sys

import pytest

import pixbridge
from conftest import data

SCENARIO = """
import json, sys
import pixbridge
seen = {}
def attempt(threads):
    try:
        pixbridge.set_worker_threads(threads)
        return "ok"
    except pixbridge.PixbridgeError as error:
        return f"{error.code.name}: {error}"
pixbridge.live_handles()  # diagnostics do not start the pool
if sys.argv[2] == "set":
    seen["set"] = attempt(3)
seen["before"] = pixbridge.worker_threads()
with pixbridge.Image.open(sys.argv[1]) as image, image.blur(2.0):
    pass
seen["after"] = pixbridge.worker_threads()
seen["same"] = attempt(seen["after"])
seen["other"] = attempt(seen["after"] + 1)
seen["still"] = pixbridge.worker_threads()
print(json.dumps(seen))
"""


def run_scenario(scenario, variable=None):
    env = {key: value for key, value in os.environ.items() if key != "PIXBRIDGE_WORKER_THREADS"}
    if variable is not None:
        env["PIXBRIDGE_WORKER_THREADS"] = variable
    done = subprocess.run(
        [sys.executable, "-c", SCENARIO, data("rocket.jpg"), scenario], env=env, capture_output=True, text=True, cwd="/"
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_count_set_first_is_the_one_the_pool_starts_with_and_wins_over_the_variable():
    seen = run_scenario("set", variable="2")
    assert seen["set"] == "ok"
    assert seen["before"] == 3
    assert seen["after"] == 3
    assert seen["same"] == "ok"
    assert seen["other"].startswith("INVALID_ARGUMENT: ")
    assert "already runs with 3 threads" in seen["other"]
    assert seen["still"] == 3


def test_the_environment_variable_is_honoured():
    seen = run_scenario("environment", variable="1")
    assert (seen["before"], seen["after"], seen["same"]) == (1, 1, "ok")
    assert "already runs with 1 thread:" in seen["other"]


def test_without_either_there_is_one_per_logical_cpu():
    seen = run_scenario("environment")
    cores = len(os.sched_getaffinity(0))
    assert (seen["before"], seen["after"]) == (cores, cores)


def test_once_the_pool_runs_only_its_own_count_is_accepted():
    with pixbridge.Image.open(data("rocket.jpg")) as image, image.blur(1.0):
        pass
    threads = pixbridge.worker_threads()
    assert threads >= 1
    pixbridge.set_worker_threads(threads)
    with pytest.raises(pixbridge.InvalidArgumentError, match=f"already runs with {threads} thread"):
        pixbridge.set_worker_threads(threads + 1)
    assert pixbridge.worker_threads() == threads


def test_bad_counts_are_refused():
    with pytest.raises(ValueError, match="from 0 to 1024"):
        pixbridge.set_worker_threads(-1)
    with pytest.raises(TypeError):
        pixbridge.set_worker_threads(2.0)
    with pytest.raises(pixbridge.InvalidArgumentError, match="at most 1024"):
        pixbridge.set_worker_threads(1025)
