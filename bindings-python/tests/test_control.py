"""Cancellation and progress (issue 17): ``pixbridge.Control`` and the ``control=`` keyword.

Every generated operation and ``Image.open``, ``decode``, ``thumbnail``, ``save`` and ``encode``
take a control. Covered: cancel before the start, mid-way (from the progress callable and from
another thread) and after completion; sources left exactly as they were; no output file; progress
strictly increasing in (0, 1] and ending at 1.0; the same results as without a control; an
exception of the progress callable cancels the call and surfaces from it; no native images,
buffers or controls left after thousands of cancelled calls; ``run_async`` under asyncio.
"""

import asyncio
import gc
import os
import threading
import time

import numpy as np
import pytest

import pixbridge
from conftest import data

# Arguments of every generated operation for a 1200 x 900 image: enough work to be cancelled
# mid-way (a blur with sigma 20 takes about 0.1 s and reports progress about 80 times).
BIG_ARGUMENTS = {
    "blur": (20.0,),
    "unsharpen": (20.0, 1.0, 2),
    "resize": (2400, 1800, "Lanczos3"),
    "crop": (10, 20, 1000, 800),
    "rotate90": (),
    "rotate270": (),
    "mirror": (),
    "flip_vertical": (),
    "rotate180": (),
    "grayscale": (),
    "adjust_brightness": (25,),
    "adjust_contrast": (30.0,),
    "gamma": (2.2,),
}
FRESH = dict(pixbridge.OPERATIONS)


class Oops(Exception):
    """What a faulty progress callable raises."""


class Stop(BaseException):
    """A BaseException that is not an Exception, like KeyboardInterrupt."""


@pytest.fixture(scope="module")
def big_pixels():
    pixels = np.random.default_rng(17).integers(0, 256, size=(900, 1200, 4), dtype=np.uint8)
    pixels.setflags(write=False)
    return pixels


@pytest.fixture
def big(big_pixels):
    with pixbridge.Image.from_array(big_pixels) as image:
        yield image


def _run(image, name, control=None):
    """Runs operation ``name`` on ``image``; the pixels of its result (a new image, or ``image``)."""
    if control is None:
        result = getattr(image, name)(*BIG_ARGUMENTS[name])
    else:
        result = getattr(image, name)(*BIG_ARGUMENTS[name], control=control)
    assert (result is not None) == FRESH[name]
    if result is None:
        return image.to_array()
    with result:
        return result.to_array()


def _strictly_increasing_to_one(fractions):
    assert fractions, "progress was never reported"
    assert all(isinstance(fraction, float) for fraction in fractions)
    assert all(0.0 < fraction <= 1.0 for fraction in fractions), fractions
    assert all(a < b for a, b in zip(fractions, fractions[1:])), fractions
    assert fractions[-1] == 1.0, fractions


def test_every_operation_is_covered():
    assert set(BIG_ARGUMENTS) == set(FRESH)


# -- the Control object --------------------------------------------------------------------------


def test_control_lifetime_and_state(gradient, no_leaks):
    before = pixbridge.live_controls()
    control = pixbridge.Control()
    assert pixbridge.live_controls() == before + 1
    assert (control.cancelled, control.closed, control.error) == (False, False, None)
    assert repr(control) == "<pixbridge.Control active>"
    control.cancel()
    control.cancel()  # twice is harmless
    assert control.cancelled
    assert repr(control) == "<pixbridge.Control cancelled>"
    control.close()
    control.close()
    assert control.closed and control.cancelled
    assert repr(control) == "<pixbridge.Control (closed)>"
    assert pixbridge.live_controls() == before
    control.cancel()  # on a closed control: nothing to cancel, no error
    with pytest.raises(pixbridge.InvalidHandleError, match="control is closed"):
        gradient.blur(1.0, control=control)
    with pytest.raises(pixbridge.InvalidHandleError):
        gradient.mirror(control=control)
    with pixbridge.Control() as scoped:
        assert not scoped.closed
    assert scoped.closed
    with pytest.raises(pixbridge.InvalidHandleError):
        with scoped:
            pass


def test_bad_arguments_are_refused(gradient):
    with pytest.raises(TypeError, match="progress must be callable"):
        pixbridge.Control(5)
    for call in (
        lambda: gradient.blur(1.0, control="yes"),
        lambda: gradient.mirror(control=object()),
        lambda: gradient.encode("png", control=1),
        lambda: pixbridge.Image.open(data("rocket.jpg"), control=True),
    ):
        with pytest.raises(TypeError, match="pixbridge.Control"):
            call()
    with pytest.raises(TypeError):
        gradient.blur(1.0, pixbridge.Control())  # keyword-only


def test_reference_counting_frees_a_control_without_the_garbage_collector(gradient):
    gc.collect()
    before = pixbridge.live_controls()
    gc.disable()
    try:
        for progress in (None, lambda fraction: None):
            control = pixbridge.Control(progress)
            gradient.blur(1.0, control=control).close()
            assert pixbridge.live_controls() == before + 1
            del control
            assert pixbridge.live_controls() == before
        # A call cancelled through the control, and one cancelled by a raising progress callable.
        control = pixbridge.Control()
        control.cancel()
        with pytest.raises(pixbridge.CancelledError):
            gradient.blur(1.0, control=control)
        del control

        def fail(fraction):
            raise Oops()

        with pytest.raises(pixbridge.CancelledError):
            pixbridge.Image.open(data("rocket.jpg")).blur(30.0, control=pixbridge.Control(fail))
        assert pixbridge.live_controls() == before
    finally:
        gc.enable()


# -- cancelled before the start ------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(BIG_ARGUMENTS))
def test_cancel_before_start(name, big, big_pixels, no_leaks):
    seen = []
    with pixbridge.Control(seen.append) as control:
        control.cancel()
        with pytest.raises(pixbridge.CancelledError) as raised:
            getattr(big, name)(*BIG_ARGUMENTS[name], control=control)
    assert raised.value.code == pixbridge.ErrorCode.CANCELLED
    assert raised.value.__cause__ is None
    assert seen == []  # the work never started
    np.testing.assert_array_equal(big.to_array(), big_pixels)


def test_cancel_before_start_of_open_decode_thumbnail_encode_and_save(tmp_path, gradient, no_leaks):
    encoded = gradient.encode("png")
    existing = tmp_path / "existing.png"
    existing.write_bytes(b"old contents")
    with pixbridge.Control() as control:
        control.cancel()
        calls = {
            "open": lambda: pixbridge.Image.open(data("rocket.jpg"), control=control),
            "open with options": lambda: pixbridge.Image.open(
                data("rocket.jpg"), pixbridge.DecodeOptions(min_width=10, min_height=10), control=control
            ),
            "decode": lambda: pixbridge.Image.decode(encoded, control=control),
            "thumbnail of a file": lambda: pixbridge.Image.thumbnail(data("rocket.jpg"), 50, 50, control=control),
            "thumbnail of bytes": lambda: pixbridge.Image.thumbnail(encoded, 50, 50, "Cover", control=control),
            "encode": lambda: gradient.encode("png", control=control),
            "encode jpeg": lambda: gradient.encode("jpeg", 70, control=control),
            "encode with options": lambda: gradient.encode(
                "jpeg", options=pixbridge.EncodeOptions(progressive=True), control=control
            ),
            "save": lambda: gradient.save(tmp_path / "new.png", control=control),
            "save as": lambda: gradient.save(str(tmp_path / "new.bin"), "jpeg", quality=80, control=control),
            "save over a file": lambda: gradient.save(existing, control=control),
        }
        for what, call in calls.items():
            with pytest.raises(pixbridge.CancelledError):
                call()
                pytest.fail(f"{what} was not cancelled")
    # No file written, none replaced, no temporary file left behind.
    assert sorted(os.listdir(tmp_path)) == ["existing.png"]
    assert existing.read_bytes() == b"old contents"


# -- cancelled mid-way ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(BIG_ARGUMENTS))
def test_cancel_midway_from_the_progress_callable(name, big, big_pixels, no_leaks):
    """Cancelled at the first report; an in-place operation leaves every pixel as it was."""
    seen = []

    def progress(fraction):
        seen.append(fraction)
        control.cancel()

    control = pixbridge.Control(progress)
    with pytest.raises(pixbridge.CancelledError) as raised:
        getattr(big, name)(*BIG_ARGUMENTS[name], control=control)
    assert raised.value.__cause__ is None
    assert seen and seen[0] < 1.0 and 1.0 not in seen
    assert control.cancelled and control.error is None
    np.testing.assert_array_equal(big.to_array(), big_pixels)
    # The image works as before: the next call (without a control) gives the usual result.
    with pixbridge.Image.from_array(big_pixels) as reference:
        np.testing.assert_array_equal(_run(big, name), _run(reference, name))
    control.close()


def test_cancel_midway_from_another_thread(big, big_pixels, no_leaks):
    reported = threading.Event()
    cancel_sent = threading.Event()
    seen = []

    def progress(fraction):
        seen.append(fraction)
        if not reported.is_set():
            reported.set()
            # Holds this worker until the cancel was sent, so that the work cannot finish first.
            cancel_sent.wait(10)

    control = pixbridge.Control(progress)
    outcome = {}

    def work():
        try:
            outcome["result"] = big.blur(20.0, control=control)
        except BaseException as error:  # noqa: BLE001 - checked below
            outcome["error"] = error
        outcome["returned"] = time.monotonic()

    thread = threading.Thread(target=work)
    thread.start()
    assert reported.wait(10)
    control.cancel()
    cancelled_at = time.monotonic()
    cancel_sent.set()
    thread.join(10)
    assert not thread.is_alive()
    assert isinstance(outcome.get("error"), pixbridge.CancelledError), outcome
    # The library promises tens of milliseconds; generous here for loaded CI machines.
    assert outcome["returned"] - cancelled_at < 2.0
    assert seen and 1.0 not in seen
    np.testing.assert_array_equal(big.to_array(), big_pixels)
    control.close()


def test_one_control_cancels_calls_on_several_threads(big, big_pixels, no_leaks):
    started = threading.Barrier(3)
    outcomes = []
    lock = threading.Lock()
    control = pixbridge.Control()

    def work(name):
        started.wait(10)
        try:
            for _ in range(50):  # the cancel comes during one of these at the latest
                getattr(big, name)(*BIG_ARGUMENTS[name], control=control)
            outcome = "not cancelled"
        except pixbridge.CancelledError:
            outcome = "cancelled"
        except BaseException as error:  # noqa: BLE001 - recorded for the assertion
            outcome = repr(error)
        with lock:
            outcomes.append(outcome)

    # Fresh operations only: the source is shared, and fresh results are freed by their owner.
    threads = [threading.Thread(target=work, args=(name,)) for name in ("blur", "unsharpen")]
    for thread in threads:
        thread.start()
    started.wait(10)
    time.sleep(0.05)
    control.cancel()
    for thread in threads:
        thread.join(30)
    assert outcomes == ["cancelled", "cancelled"]
    np.testing.assert_array_equal(big.to_array(), big_pixels)
    control.close()


def test_save_cancelled_from_another_thread_writes_the_whole_file_or_none(tmp_path, no_leaks):
    y, x = np.mgrid[0:1500, 0:2000]
    pixels = np.dstack([x % 256, y % 256, (x + y) % 256, np.full_like(x, 255)]).astype(np.uint8)
    target = tmp_path / "big.png"
    with pixbridge.Image.from_array(pixels) as image:
        for delay in (0.0, 0.005, 0.02, 0.05):
            with pixbridge.Control() as control:
                timer = threading.Timer(delay, control.cancel)
                timer.start()
                try:
                    image.save(target, control=control)
                    with pixbridge.Image.open(target) as saved:  # complete, not half-written
                        np.testing.assert_array_equal(saved.to_array(), pixels)
                    target.unlink()
                except pixbridge.CancelledError:
                    assert not target.exists()
                timer.join()
                assert os.listdir(tmp_path) == []


# -- after completion ----------------------------------------------------------------------------


def test_cancel_after_completion_keeps_the_result(big, big_pixels, no_leaks):
    control = pixbridge.Control()
    blurred = big.blur(3.0, control=control)
    control.cancel()
    with pixbridge.Image.from_array(big_pixels) as reference, reference.blur(3.0) as expected:
        np.testing.assert_array_equal(blurred.to_array(), expected.to_array())
    blurred.close()
    # A control stays cancelled: later calls with it are cancelled before they start.
    with pytest.raises(pixbridge.CancelledError):
        big.blur(3.0, control=control)
    control.close()


# -- progress and results ------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(BIG_ARGUMENTS))
def test_progress_and_result_of_every_operation(name, big_pixels, no_leaks):
    """Strictly increasing in (0, 1], 1.0 last; the result is the one without a control."""
    seen = []
    with pixbridge.Image.from_array(big_pixels) as image, pixbridge.Image.from_array(big_pixels) as reference:
        with pixbridge.Control(seen.append) as control:
            controlled = _run(image, name, control)
        np.testing.assert_array_equal(controlled, _run(reference, name))
    _strictly_increasing_to_one(seen)
    assert len(seen) <= 110  # at most about once per hundredth


def test_progress_is_per_call_when_a_control_is_reused(gradient, no_leaks):
    seen = []
    with pixbridge.Control(seen.append) as control:
        for _ in range(3):
            seen.clear()
            gradient.blur(2.0, control=control).close()
            _strictly_increasing_to_one(seen)


def test_progress_and_results_of_open_decode_thumbnail_encode_and_save(tmp_path, big, no_leaks):
    encoded = {name: big.encode(name) for name in ("png", "jpeg")}
    for name, blob in encoded.items():
        (tmp_path / f"source.{name}").write_bytes(blob)

    def check(call, plain):
        seen = []
        with pixbridge.Control(seen.append) as control:
            result = call(control)
        _strictly_increasing_to_one(seen)
        expected = plain()
        if isinstance(result, pixbridge.Image):
            with result, expected:
                np.testing.assert_array_equal(result.to_array(), expected.to_array())
        else:
            assert result == expected

    for name, blob in encoded.items():
        path = tmp_path / f"source.{name}"
        check(lambda c: pixbridge.Image.open(path, control=c), lambda: pixbridge.Image.open(path))
        check(lambda c: pixbridge.Image.decode(blob, control=c), lambda: pixbridge.Image.decode(blob))
        options = pixbridge.DecodeOptions(min_width=300, min_height=200)
        check(
            lambda c: pixbridge.Image.decode(bytearray(blob), options, control=c),
            lambda: pixbridge.Image.decode(blob, options),
        )
        check(
            lambda c: pixbridge.Image.thumbnail(path, 160, 160, "Cover", control=c),
            lambda: pixbridge.Image.thumbnail(path, 160, 160, "Cover"),
        )
        check(
            lambda c: pixbridge.Image.thumbnail(blob, 160, 100, control=c),
            lambda: pixbridge.Image.thumbnail(blob, 160, 100),
        )
        check(lambda c: big.encode(name, control=c), lambda: big.encode(name))
    check(lambda c: big.encode("jpeg", 55, control=c), lambda: big.encode("jpeg", 55))
    jpeg_options = pixbridge.EncodeOptions(quality=60, progressive=True)
    check(lambda c: big.encode("jpg", options=jpeg_options, control=c), lambda: big.encode("jpg", options=jpeg_options))

    def saved(path, **arguments):
        big.save(path, **arguments)
        return path.read_bytes()

    for arguments in ({}, {"format": "jpeg"}, {"format": "jpeg", "quality": 70}, {"quality": 40}):
        for extension in ("png", "jpg"):
            check(
                lambda c: saved(tmp_path / f"controlled.{extension}", control=c, **arguments),
                lambda: saved(tmp_path / f"plain.{extension}", **arguments),
            )


def test_quality_rules_are_the_same_with_a_control(tmp_path, gradient):
    """A quality with an explicit format that has none is refused, with or without a control."""
    with pixbridge.Control() as control:
        for keywords in ({}, {"control": control}):
            with pytest.raises(pixbridge.InvalidArgumentError, match="no quality"):
                gradient.encode("png", 50, **keywords)
            with pytest.raises(pixbridge.InvalidArgumentError, match="no quality"):
                gradient.save(tmp_path / "a.png", "png", quality=50, **keywords)
            with pytest.raises(pixbridge.InvalidArgumentError):
                gradient.encode("jpeg", 0, **keywords)
            with pytest.raises(pixbridge.InvalidArgumentError):
                gradient.encode("jpeg", 101, **keywords)
            gradient.save(tmp_path / "b.png", quality=50, **keywords)  # an encode option PNG ignores
            with pytest.raises(pixbridge.UnsupportedFormatError):
                gradient.save(tmp_path / "c.unknown", **keywords)
    assert sorted(os.listdir(tmp_path)) == ["b.png"]


# -- a progress callable that raises -------------------------------------------------------------


@pytest.mark.parametrize("name", ["blur", "resize", "gamma", "mirror"])
def test_a_raising_progress_callable_cancels_the_call_and_its_exception_surfaces(
    name, big, big_pixels, capfd, no_leaks
):
    calls = []

    def progress(fraction):
        calls.append(fraction)
        raise Oops(f"at {fraction}")

    control = pixbridge.Control(progress)
    with pytest.raises(pixbridge.CancelledError) as raised:
        getattr(big, name)(*BIG_ARGUMENTS[name], control=control)
    cause = raised.value.__cause__
    assert isinstance(cause, Oops) and str(cause) == f"at {calls[0]}"
    assert control.error is cause and control.cancelled
    assert calls == calls[:1]  # called once: not again after it raised
    # The traceback shows where the callable raised.
    assert cause.__traceback__ is not None and cause.__traceback__.tb_frame.f_code is progress.__code__
    np.testing.assert_array_equal(big.to_array(), big_pixels)
    # Later calls are cancelled before they start, still pointing at the cause.
    with pytest.raises(pixbridge.CancelledError) as again:
        big.rotate180(control=control)
    assert again.value.__cause__ is cause
    assert "Exception ignored" not in capfd.readouterr().err  # nothing printed by ctypes
    control.close()


def test_a_base_exception_of_the_progress_callable_is_raised_as_it_is(big, big_pixels, no_leaks):
    def progress(fraction):
        raise Stop()

    with pixbridge.Control(progress) as control:
        with pytest.raises(Stop):
            big.blur(20.0, control=control)
        assert isinstance(control.error, Stop)
    np.testing.assert_array_equal(big.to_array(), big_pixels)


def test_an_exception_at_completion_surfaces_and_frees_the_result(big, no_leaks):
    """Raised at 1.0, after the work was done: the call raises the exception itself."""

    def progress(fraction):
        if fraction == 1.0:
            raise Oops("at the end")

    for call in (
        lambda control: big.encode("png", control=control),
        lambda control: big.crop(0, 0, 100, 100, control=control),
        lambda control: big.rotate90(control=control),
    ):
        with pixbridge.Control(progress) as control:
            with pytest.raises((Oops, pixbridge.CancelledError)) as raised:
                call(control)
            error = raised.value
            assert error is control.error or error.__cause__ is control.error


# -- leaks ---------------------------------------------------------------------------------------


def test_no_leaks_after_thousands_of_cancelled_calls(gradient, big, no_leaks):
    encoded = gradient.encode("png")
    before = pixbridge.live_handles(), pixbridge.live_controls()
    calls = (
        lambda c: gradient.blur(2.0, control=c),
        lambda c: gradient.mirror(control=c),
        lambda c: gradient.resize(10, 10, "Bilinear", control=c),
        lambda c: pixbridge.Image.decode(encoded, control=c),
        lambda c: gradient.encode("png", control=c),
        lambda c: pixbridge.Image.thumbnail(encoded, 8, 8, control=c),
    )
    for index in range(3000):
        control = pixbridge.Control()
        control.cancel()
        with pytest.raises(pixbridge.CancelledError):
            calls[index % len(calls)](control)
        if index % 2:
            control.close()

    # And cancelled mid-way, from the progress callable.
    def progress(fraction):
        raise Oops()

    for _ in range(30):
        with pytest.raises(pixbridge.CancelledError):
            big.blur(20.0, control=pixbridge.Control(progress))
    del control
    gc.collect()
    assert (pixbridge.live_handles(), pixbridge.live_controls()) == before


def test_closing_a_control_during_a_call_on_another_thread_is_safe(big, no_leaks):
    """The running call keeps the native control and the callback alive; progress goes on."""
    reported = threading.Event()
    closed = threading.Event()
    seen = []

    def progress(fraction):
        seen.append(fraction)
        if not reported.is_set():
            reported.set()
            closed.wait(10)

    control = pixbridge.Control(progress)
    outcome = {}

    def work():
        try:
            outcome["result"] = big.blur(20.0, control=control)
        except BaseException as error:  # noqa: BLE001 - checked below
            outcome["error"] = error

    thread = threading.Thread(target=work)
    thread.start()
    assert reported.wait(10)
    control.close()  # the native control lives on until the call returns
    gc.collect()
    closed.set()
    thread.join(10)
    assert "error" not in outcome, outcome
    outcome.pop("result").close()
    _strictly_increasing_to_one(seen)


# -- asyncio -------------------------------------------------------------------------------------


def test_run_async_returns_the_result(big, big_pixels, no_leaks):
    async def main():
        return await pixbridge.run_async(big.blur, 3.0)

    with asyncio.run(main()) as blurred, pixbridge.Image.from_array(big_pixels) as reference:
        with reference.blur(3.0) as expected:
            np.testing.assert_array_equal(blurred.to_array(), expected.to_array())


def test_asyncio_to_thread_with_a_control(big, no_leaks):
    seen = []

    async def main():
        with pixbridge.Control(seen.append) as control:
            return await asyncio.to_thread(big.blur, 3.0, control=control)

    asyncio.run(main()).close()
    _strictly_increasing_to_one(seen)


def test_cancelling_the_task_cancels_the_native_work(big, big_pixels, no_leaks):
    reported = threading.Event()
    seen = []

    def progress(fraction):
        seen.append(fraction)
        if not reported.is_set():
            reported.set()
            # Holds this worker until the task's cancellation reached the control.
            deadline = time.monotonic() + 10
            while not control.cancelled and time.monotonic() < deadline:
                time.sleep(0.001)

    control = pixbridge.Control(progress)

    async def main():
        task = asyncio.ensure_future(pixbridge.run_async(big.gamma, 2.2, control=control))
        loop = asyncio.get_running_loop()
        assert await loop.run_in_executor(None, reported.wait, 10)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # run_async waited for the native call: it is over, and it was cancelled.
        return len(seen)

    count = asyncio.run(main())
    assert control.cancelled
    assert len(seen) == count and 1.0 not in seen
    np.testing.assert_array_equal(big.to_array(), big_pixels)
    control.close()


def test_run_async_without_a_control_makes_and_closes_one(big, no_leaks):
    async def main():
        task = asyncio.ensure_future(pixbridge.run_async(big.blur, 20.0))
        await asyncio.sleep(0.01)
        task.cancel()
        try:
            (await task).close()  # finished before the cancel arrived
        except asyncio.CancelledError:
            pass

    asyncio.run(main())
