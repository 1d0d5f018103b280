"""The GIL is released during native calls, checked by behaviour, not by timing thresholds.

The switch interval is raised so far that the interpreter never takes the GIL from a running
thread within the test; another thread can then run Python code only while the GIL is released.
A watcher thread counts how often it sees the worker *inside* a native call. With the GIL
released (ctypes' CFUNCTYPE, what pixbridge uses) it sees it; the control runs the same native
function through PYFUNCTYPE (which holds the GIL, like PyDLL) and must see nothing, which shows
that the test can tell the two apart.
"""

import ctypes
import sys
import threading

import numpy as np
import pytest

import pixbridge
from pixbridge import _abi, _native


def _watch_native_calls(call, cleanup, rounds=5):
    """How many times a watcher thread ran while ``call`` was inside its native call.

    ``call`` makes exactly one native call; ``cleanup(result)`` runs outside the watched window.
    """
    state = {"inside": False, "done": False, "seen": 0}

    def worker():
        for _ in range(rounds):
            state["inside"] = True
            result = call()
            state["inside"] = False
            cleanup(result)
        state["done"] = True

    previous = sys.getswitchinterval()
    sys.setswitchinterval(1000.0)
    try:
        thread = threading.Thread(target=worker)
        thread.start()
        while not state["done"]:
            if state["inside"]:
                state["seen"] += 1
            # The watcher's only voluntary yield point: lets the worker start and run.
            threading.Event().wait(0.0005)
        thread.join()
    finally:
        sys.setswitchinterval(previous)
    return state["seen"]


@pytest.fixture(scope="module")
def big_image():
    pixels = np.random.default_rng(1).integers(0, 256, size=(1500, 1500, 4), dtype=np.uint8)
    with pixbridge.Image.from_array(pixels) as image:
        yield image


def _blur_with(prototype, image):
    """Calls image_blur through a function pointer of the given ctypes prototype type."""
    table = _native.functions()
    address = ctypes.cast(table.image_blur, ctypes.c_void_p).value
    blur = prototype(ctypes.c_uint32, ctypes.c_uint64, ctypes.c_float, ctypes.POINTER(ctypes.c_uint64))(address)
    handle = image._require_open().handle

    def call():
        out = ctypes.c_uint64()
        assert blur(handle, 8.0, ctypes.byref(out)) == 0
        return out.value

    return call, table.image_destroy


def test_generated_table_uses_gil_releasing_prototypes():
    assert _abi.IMAGE_BLUR_FUNCTION._flags_ & ctypes._FUNCFLAG_PYTHONAPI == 0


def test_another_thread_runs_during_a_native_call(big_image):
    assert _watch_native_calls(lambda: big_image.blur(8.0), pixbridge.Image.close) > 0


def test_control_a_gil_holding_call_lets_nothing_run(big_image):
    # Same native function, called through a GIL-holding prototype: the watcher never runs
    # while the worker is inside it.
    assert _watch_native_calls(*_blur_with(ctypes.PYFUNCTYPE, big_image)) == 0
    # And through a CFUNCTYPE prototype built the same way, it does.
    assert _watch_native_calls(*_blur_with(ctypes.CFUNCTYPE, big_image)) > 0


def test_threads_blur_the_same_image_at_once_with_identical_results(big_image):
    with big_image.blur(2.0) as reference:
        expected = reference.to_bytes()
    results = [None] * 4

    def work(index):
        with big_image.blur(2.0) as blurred:
            results[index] = blurred.to_bytes()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(result == expected for result in results)
