"""close(), context managers, finalisers and use after close."""

import gc
import threading

import numpy as np
import pytest

import pixbridge
from conftest import data


def _live_images():
    gc.collect()
    return pixbridge.live_handles()[0]


def test_context_manager_closes():
    before = _live_images()
    with pixbridge.Image.open(data("gradient-64x48.png")) as image:
        assert not image.closed
        assert _live_images() == before + 1
    assert image.closed
    assert _live_images() == before


def test_context_manager_closes_on_exception():
    before = _live_images()
    with pytest.raises(RuntimeError):
        with pixbridge.Image.open(data("gradient-64x48.png")):
            raise RuntimeError("boom")
    assert _live_images() == before


def test_close_twice_is_harmless():
    image = pixbridge.Image.open(data("gradient-64x48.png"))
    image.close()
    image.close()
    assert image.closed


def test_garbage_collection_frees_unclosed_images():
    before = _live_images()
    for _ in range(20):
        pixbridge.Image.open(data("gradient-64x48.png")).blur(1.0)
    assert _live_images() == before


USES = [
    ("width", lambda image: image.width),
    ("height", lambda image: image.height),
    ("color_type", lambda image: image.color_type),
    ("decode_warning", lambda image: image.decode_warning),
    ("blur", lambda image: image.blur(1.0)),
    ("mirror", lambda image: image.mirror()),
    ("resize", lambda image: image.resize(4, 4, pixbridge.ResizeFilter.NEAREST)),
    ("save", lambda image: image.save("/tmp/never-written.png")),
    ("encode", lambda image: image.encode("png")),
    ("to_array", lambda image: image.to_array()),
    ("to_bytes", lambda image: image.to_bytes()),
    ("asarray", lambda image: np.asarray(image)),
    ("with", lambda image: image.__enter__()),
]


@pytest.mark.parametrize("name,use", USES, ids=[name for name, _ in USES])
def test_use_after_close_raises_invalid_handle(name, use):
    image = pixbridge.Image.open(data("gradient-64x48.png"))
    image.close()
    with pytest.raises(pixbridge.InvalidHandleError) as caught:
        use(image)
    assert caught.value.code == pixbridge.ErrorCode.INVALID_HANDLE == 2
    assert isinstance(caught.value, ValueError)
    assert "closed" in str(caught.value)


def test_repr():
    image = pixbridge.Image.open(data("gradient-64x48.png"))
    assert repr(image) == "<pixbridge.Image 64x48 RGB8>"
    image.close()
    assert repr(image) == "<pixbridge.Image (closed)>"


def test_image_cannot_be_constructed_directly():
    with pytest.raises(TypeError, match="Image.open"):
        pixbridge.Image()


def test_close_on_another_thread_during_calls_never_crashes():
    """Threads keep operating on an image while it is closed: each call either works or raises."""
    image = pixbridge.Image.open(data("rocket.jpg"))
    errors = []
    outcomes = {"ok": 0, "closed": 0}
    lock = threading.Lock()

    def work():
        for _ in range(30):
            try:
                with image.blur(0.8) as blurred:
                    blurred.mirror()
                outcome = "ok"
            except pixbridge.InvalidHandleError:
                outcome = "closed"
            except Exception as error:  # noqa: BLE001 - recorded for the assertion
                errors.append(error)
                return
            with lock:
                outcomes[outcome] += 1

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    while outcomes["ok"] == 0 and any(thread.is_alive() for thread in threads):
        threading.Event().wait(0.001)
    image.close()
    for thread in threads:
        thread.join()
    assert errors == []
    assert outcomes["ok"] >= 1
    assert outcomes["ok"] + outcomes["closed"] == 90


def test_images_and_views_alive_at_interpreter_exit_are_harmless():
    """Finalisers run during interpreter shutdown, when module globals may be gone."""
    import subprocess
    import sys

    code = (
        "import numpy, pixbridge\n"
        f"image = pixbridge.Image.open({data('rocket.jpg')!r})\n"
        "blurred = image.blur(2.0)\n"
        "view = numpy.asarray(blurred)\n"
        "blurred.close()\n"
        "cycle = [image]; cycle.append(cycle)\n"
        "print('end')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd="/")
    assert (done.returncode, done.stdout, done.stderr) == (0, "end\n", "")
