"""Run-time plugins: ``pixbridge.Plugin``, ``Image.apply`` / ``Image.apply_in_place`` and the
manifest's ``plugin_cases``.

The plugins come from ``PIXBRIDGE_PLUGIN_DIR`` (``ci/test-python.sh`` builds them with
``ci/build-plugins.sh`` and sets it); without it these tests are skipped. Plugins are
process-wide (loading one twice is refused), so every test closes what it loads; pytest runs the
tests of a process one after another, and ``no_plugin_leaks`` checks that nothing stays loaded.
Expected pixels are computed by hand from the plugins' documented formulas, never read from the
code under test.
"""

import gc
import json
import math
import os
import shutil
import threading
import time
from pathlib import Path

import pytest

import pixbridge
from conftest import TESTDATA, data, pixel_sha256

_DIR = os.environ.get("PIXBRIDGE_PLUGIN_DIR")
if not _DIR:
    pytest.skip(
        "PIXBRIDGE_PLUGIN_DIR is not set (ci/test-python.sh builds the plugins and sets it)", allow_module_level=True
    )
PLUGIN_DIR = Path(_DIR)

FRESH = pixbridge.PluginOperationKind.FRESH
IN_PLACE = pixbridge.PluginOperationKind.IN_PLACE
FLOAT = pixbridge.PluginParameterType.FLOAT
INT = pixbridge.PluginParameterType.INT


def plugin(name):
    """The path of a plugin file of PIXBRIDGE_PLUGIN_DIR."""
    return PLUGIN_DIR / name


def counts():
    gc.collect()
    return pixbridge.live_handles(), pixbridge.live_controls(), pixbridge.live_plugins()


@pytest.fixture(autouse=True)
def no_plugin_leaks():
    """Every test starts with no plugin loaded and leaves no image, buffer, control or plugin behind."""
    before = counts()
    assert before[2] == 0, "a plugin was left loaded by an earlier test"
    yield
    assert counts() == before


@pytest.fixture
def sepia():
    with pixbridge.Plugin.load(plugin("libpixbridge_sepia.so")) as loaded:
        yield loaded


@pytest.fixture
def vignette():
    with pixbridge.Plugin.load(plugin("libpixbridge_vignette.so")) as loaded:
        yield loaded


def pixels(*rgba):
    """A width x 1 image from RGBA tuples."""
    return pixbridge.Image.from_pixels(len(rgba), 1, bytes(value for pixel in rgba for value in pixel))


def rgba(image):
    """The image's pixels as a list of RGBA tuples."""
    raw = image.to_bytes()
    return [tuple(raw[i : i + 4]) for i in range(0, len(raw), 4)]


# -- description -------------------------------------------------------------------------------


def test_the_sample_plugins_describe_their_operations_and_parameters(sepia, vignette):
    assert (sepia.name, sepia.version, sepia.abi_version) == ("sepia", "1.0.0", (1, 1))
    assert (vignette.name, vignette.version, vignette.abi_version) == ("vignette", "1.0.0", (1, 1))
    assert sepia.description and vignette.description
    assert Path(sepia.path) == plugin("libpixbridge_sepia.so")
    assert Path(vignette.path) == plugin("libpixbridge_vignette.so")
    assert isinstance(sepia.operations, tuple)

    assert [(op.name, op.kind) for op in sepia.operations] == [("sepia", IN_PLACE), ("channel_gain", FRESH)]
    assert [(op.name, op.kind) for op in vignette.operations] == [("vignette", FRESH), ("posterize", IN_PLACE)]
    for operation in sepia.operations + vignette.operations:
        assert operation.description, operation.name
        assert isinstance(operation.parameters, tuple)
        for parameter in operation.parameters:
            assert parameter.description, parameter.name

    def described(operation):
        return [(p.name, p.type, p.default, p.minimum, p.maximum) for p in operation.parameters]

    sepia_op, gain, vignette_op, posterize = sepia.operations + vignette.operations
    assert described(sepia_op) == [("strength", FLOAT, 1.0, 0.0, 1.0)]
    assert described(gain) == [(channel, FLOAT, 1.0, 0.0, 4.0) for channel in ("red", "green", "blue")]
    assert described(vignette_op) == [("strength", FLOAT, 0.5, 0.0, 1.0)]
    assert described(posterize) == [("levels", INT, 4, 2, 256)]
    assert type(posterize.parameters[0].default) is int and type(gain.parameters[0].default) is float

    # Frozen dataclasses.
    with pytest.raises(AttributeError):
        sepia_op.name = "other"
    with pytest.raises(AttributeError):
        posterize.parameters[0].default = 3
    assert "sepia 1.0.0" in repr(sepia) and "channel_gain" in repr(sepia)


def test_a_plugin_built_for_abi_1_0_loads_and_has_no_docs():
    with pixbridge.Plugin.load(str(plugin("libtest_legacy_v1_0.so"))) as legacy:
        assert legacy.abi_version == (1, 0)
        assert legacy.description == ""
        assert [op.name for op in legacy.operations] == ["legacy_invert"]
        with pixels((0, 100, 255, 30), (1, 2, 3, 255)) as image:
            assert image.apply_in_place("legacy_invert") is None
            assert rgba(image) == [(255, 155, 0, 30), (254, 253, 252, 255)]


def test_plugin_cannot_be_created_directly():
    with pytest.raises(TypeError, match="Plugin.load"):
        pixbridge.Plugin()


def test_live_plugins_counts_loaded_plugins():
    assert pixbridge.live_plugins() == 0
    first = pixbridge.Plugin.load(plugin("libpixbridge_sepia.so"))
    second = pixbridge.Plugin.load(plugin("libpixbridge_vignette.so"))
    assert pixbridge.live_plugins() == 2
    first.close()
    assert pixbridge.live_plugins() == 1
    second.close()
    assert pixbridge.live_plugins() == 0


# -- the sample operations, against hand-computed pixels -----------------------------------------


def test_sepia_in_place(sepia):
    # The sepia matrix in 10-bit fixed point (docs of the sample): of (100, 150, 200),
    # r = (402*100 + 787*150 + 194*200 + 512) >> 10 = 192, g = (357, 702, 172) -> 171,
    # b = (279, 547, 134) -> 134; strength 0.5 mixes by 128/256: (100*128 + 192*128 + 128) >> 8 = 146, ...
    with pixels((100, 150, 200, 77)) as full, pixels((100, 150, 200, 77)) as half:
        assert full.apply_in_place("sepia") is None  # default strength 1
        assert rgba(full) == [(192, 171, 134, 77)]
        half.apply_in_place("sepia", strength=0.5)
        assert rgba(half) == [(146, 161, 167, 77)]


def test_channel_gain_returns_a_new_image_and_defaults_fill_missing_arguments(sepia):
    with pixels((146, 161, 167, 9)) as image:
        with image.apply("channel_gain", red=2, green=0, blue=1.5) as gained:
            assert rgba(gained) == [(255, 0, 251, 9)]
        # Missing arguments take their defaults (1), each at its own position.
        with image.apply("channel_gain", green=0) as green_off:
            assert rgba(green_off) == [(146, 0, 167, 9)]
        with image.apply("channel_gain", blue=0.5, red=0.5) as halved:  # keyword order is irrelevant
            assert rgba(halved) == [(73, 161, 84, 9)]
        with image.apply("channel_gain") as unchanged:
            assert rgba(unchanged) == [(146, 161, 167, 9)]
        assert rgba(image) == [(146, 161, 167, 9)], "the source is unchanged"


def test_vignette_returns_a_new_image(vignette):
    # 2x1: pixel centres at dx = -0.5 and 0.5, dy = 0, so f = 1 - strength * 0.25 / 2.
    with pixels((200, 100, 40, 90), (200, 100, 40, 90)) as image:
        with image.apply("vignette", strength=1.0) as darker:  # f = 0.875
            assert rgba(darker) == [(175, 88, 35, 90)] * 2
        with image.apply("vignette") as default:  # strength 0.5: f = 0.9375
            assert rgba(default) == [(188, 94, 38, 90)] * 2
        assert rgba(image) == [(200, 100, 40, 90)] * 2


def test_posterize_in_place(vignette):
    # 3 levels: 0, 127.5, 255; each value goes to the nearest.
    with pixels((64, 128, 192, 200)) as image:
        image.apply_in_place("posterize", levels=3)
        assert rgba(image) == [(128, 128, 255, 200)]
    # 2 levels given as a float that is whole: accepted for an int parameter.
    with pixels((64, 128, 192, 200)) as image:
        image.apply_in_place("posterize", levels=2.0)
        assert rgba(image) == [(0, 255, 255, 200)]


def test_bools_are_sent_as_one_and_zero(sepia):
    with pixels((100, 150, 200, 77)) as on, pixels((100, 150, 200, 77)) as off:
        on.apply_in_place("sepia", strength=True)
        off.apply_in_place("sepia", strength=False)
        assert rgba(on) == [(192, 171, 134, 77)]
        assert rgba(off) == [(100, 150, 200, 77)]


def test_operations_of_both_plugins_chain(sepia, vignette):
    with pixels((100, 150, 200, 255)) as image:
        image.apply_in_place("sepia", strength=0.5)
        with image.apply("channel_gain", red=2, green=0, blue=1.5) as gained:
            gained.apply_in_place("posterize", levels=2)
            assert rgba(gained) == [(255, 0, 255, 255)]


# -- errors ------------------------------------------------------------------------------------

def test_the_plugin_error_classes():
    # Numbers and names from ffi/include/pixbridge.h's PixbridgeErrorCode.
    expected = [(15, "PluginFailed", "PluginFailedError"), (16, "PluginRejected", "PluginRejectedError")]
    for number, name, class_name in expected:
        cls = getattr(pixbridge, class_name)
        assert issubclass(cls, pixbridge.PixbridgeError) and cls.code == number
        assert pixbridge.ErrorCode(number).native_name == name
        assert type(pixbridge.error_for(number, "message")) is cls


REFUSED = [
    ("libbad_wrong_size.so", "declares 20 bytes"),
    ("libbad_future_abi.so", "built for plugin ABI 2"),
    ("libbad_no_entry.so", "no `pixbridge_plugin_entry` symbol"),
    ("libbad_null_descriptor.so", "no descriptor"),
    ("not_a_library.so", "cannot be loaded as a library"),
    ("libbad_malformed_1.so", "name is null"),
    ("libbad_malformed_2.so", "parameters pointer is null"),
    ("libbad_malformed_3.so", "two operations are named `twice`"),
    ("libbad_malformed_4.so", "kind 7"),
    ("libbad_malformed_5.so", "not within its range"),
    ("libbad_clash.so", "`blur` is one of Pixbridge's own operations"),
]


@pytest.mark.parametrize("file, reason", REFUSED, ids=[file for file, _ in REFUSED])
def test_a_bad_plugin_is_refused_with_its_reason(file, reason):
    with pytest.raises(pixbridge.PluginRejectedError) as caught:
        pixbridge.Plugin.load(plugin(file))
    assert caught.value.code == pixbridge.ErrorCode.PLUGIN_REJECTED
    assert reason in str(caught.value)
    assert pixbridge.live_plugins() == 0


def test_a_directory_is_refused():
    with pytest.raises(pixbridge.PluginRejectedError):
        pixbridge.Plugin.load(PLUGIN_DIR)


def test_a_missing_file_is_not_found(tmp_path):
    with pytest.raises(pixbridge.NotFoundError) as caught:
        pixbridge.Plugin.load(tmp_path / "libdoes_not_exist.so")
    assert isinstance(caught.value, FileNotFoundError)
    assert str(caught.value)


def test_loading_a_plugin_twice_is_refused_and_the_first_keeps_working(sepia):
    with pytest.raises(pixbridge.PluginRejectedError, match="sepia"):
        pixbridge.Plugin.load(plugin("libpixbridge_sepia.so"))
    assert pixbridge.live_plugins() == 1
    with pixels((100, 150, 200, 77)) as image:
        image.apply_in_place("sepia", strength=1)
        assert rgba(image) == [(192, 171, 134, 77)]


def test_failures_and_panics_in_operations_are_plugin_failed_errors():
    with pixbridge.Plugin.load(plugin("libbad_failing.so")), pixbridge.Plugin.load(
        plugin("libpixbridge_test_panicking.so")
    ):
        with pixels((9, 9, 9, 9), (9, 9, 9, 9)) as image:
            with pytest.raises(pixbridge.PluginFailedError, match="the failing plugin always fails") as caught:
                image.apply_in_place("always_fails")
            assert caught.value.code == pixbridge.ErrorCode.PLUGIN_FAILED
            with pytest.raises(pixbridge.PluginFailedError, match="deliberate panic in a plugin"):
                image.apply_in_place("panics")
            with pytest.raises(pixbridge.PluginFailedError, match="deliberate failure"):
                image.apply_in_place("fails")
            # The plugin and the library keep working after a caught panic; the image is intact.
            with pytest.raises(pixbridge.PluginFailedError, match="deliberate panic in a plugin"):
                image.apply_in_place("panics")
            assert rgba(image) == [(9, 9, 9, 9)] * 2


def test_argument_errors(sepia, vignette):
    with pixels((64, 128, 192, 200)) as image:
        # Checked by the package before the call.
        with pytest.raises(pixbridge.InvalidArgumentError, match=r"`strenght`.*strength") as caught:
            image.apply_in_place("sepia", strenght=0.5)
        assert isinstance(caught.value, ValueError)
        with pytest.raises(pixbridge.InvalidArgumentError, match="red, green, blue"):
            image.apply("channel_gain", red=1, alpha=2)
        with pytest.raises(pixbridge.InvalidArgumentError, match=r"apply_in_place\('sepia'"):
            image.apply("sepia")
        with pytest.raises(pixbridge.InvalidArgumentError, match=r"apply\('vignette'"):
            image.apply_in_place("vignette", strength=0.5)
        with pytest.raises(pixbridge.InvalidArgumentError, match="no_such_operation"):
            image.apply_in_place("no_such_operation", strength=1)
        with pytest.raises(pixbridge.InvalidArgumentError, match="too large"):
            image.apply_in_place("posterize", levels=10**400)
        with pytest.raises(TypeError, match="levels"):
            image.apply_in_place("posterize", levels="3")
        with pytest.raises(TypeError):
            image.apply_in_place("posterize", levels=None)
        with pytest.raises(TypeError):
            image.apply(42)
        # Checked by the library: type and range, and names it does not know.
        for levels in (1, 257, 4.5, math.nan, math.inf):
            with pytest.raises(pixbridge.InvalidArgumentError):
                image.apply_in_place("posterize", levels=levels)
        with pytest.raises(pixbridge.InvalidArgumentError):
            image.apply_in_place("sepia", strength=1.5)
        with pytest.raises(pixbridge.InvalidArgumentError, match="posterize"):  # lists what is loaded
            image.apply_in_place("no_such_operation")
        with pytest.raises(pixbridge.InvalidArgumentError):
            image.apply("blur")  # a built-in operation is no plugin operation
        assert rgba(image) == [(64, 128, 192, 200)], "no failed call changed the image"


def test_a_closed_image_raises_invalid_handle(sepia):
    image = pixels((1, 2, 3, 4))
    image.close()
    with pytest.raises(pixbridge.InvalidHandleError):
        image.apply_in_place("sepia")
    with pytest.raises(pixbridge.InvalidHandleError):
        image.apply("channel_gain", red=2)


# -- lifetime ----------------------------------------------------------------------------------


def test_close_twice_and_the_description_stays_readable():
    loaded = pixbridge.Plugin.load(plugin("libpixbridge_vignette.so"))
    assert not loaded.closed
    loaded.close()
    loaded.close()
    assert loaded.closed and "(closed)" in repr(loaded)
    assert loaded.name == "vignette" and [op.name for op in loaded.operations] == ["vignette", "posterize"]
    with pixels((64, 128, 192, 200)) as image:
        # Its names are gone: with arguments the package refuses; without, the library does.
        with pytest.raises(pixbridge.InvalidArgumentError):
            image.apply_in_place("posterize", levels=3)
        with pytest.raises(pixbridge.InvalidArgumentError):
            image.apply_in_place("posterize")
        assert rgba(image) == [(64, 128, 192, 200)]
    # Loaded again from the same file after the close.
    with pixbridge.Plugin.load(plugin("libpixbridge_vignette.so")) as again, pixels((64, 128, 192, 200)) as image:
        assert again.version == "1.0.0"
        image.apply_in_place("posterize", levels=3)
        assert rgba(image) == [(128, 128, 255, 200)]


def test_images_outlive_the_plugin_that_made_them():
    with pixels((200, 100, 40, 90), (200, 100, 40, 90)) as source:
        with pixbridge.Plugin.load(plugin("libpixbridge_vignette.so")):
            made = source.apply("vignette", strength=1.0)
        assert pixbridge.live_plugins() == 0
        with made:
            assert rgba(made) == [(175, 88, 35, 90)] * 2
            with made.blur(1.0) as blurred:  # still an ordinary image
                assert blurred.size == (2, 1)


def test_a_plugin_is_replaced_at_run_time_from_the_same_path(tmp_path):
    path = tmp_path / "libtest_versioned.so"
    shutil.copyfile(plugin("libtest_versioned_1.so"), path)
    first = pixbridge.Plugin.load(path)
    assert (first.name, first.version) == ("versioned", "1.0.0")
    made_by_first = pixels((0, 0, 0, 0), (1, 2, 3, 4))
    made_by_first.apply_in_place("generation_fill")
    assert rgba(made_by_first) == [(100, 100, 100, 255)] * 2
    first.close()

    # Install the new build the way a deployment does: write beside, rename over.
    staged = tmp_path / "staged.so"
    shutil.copyfile(plugin("libtest_versioned_2.so"), staged)
    os.replace(staged, path)
    with pixbridge.Plugin.load(path) as second:
        assert (second.name, second.version, Path(second.path)) == ("versioned", "2.0.0", path)
        with pixels((0, 0, 0, 0), (1, 2, 3, 4)) as made_by_second:
            made_by_second.apply_in_place("generation_fill")
            assert rgba(made_by_second) == [(200, 200, 200, 255)] * 2, "the new build runs"
    assert rgba(made_by_first) == [(100, 100, 100, 255)] * 2, "the old build's image is intact"
    made_by_first.close()


def test_closing_while_an_operation_runs_lets_it_finish(tmp_path):
    path = tmp_path / "libslow.so"
    shutil.copyfile(plugin("libtest_slow.so"), path)
    slow = pixbridge.Plugin.load(path)
    outcome = []
    with pixels(*[(10, 20, 30, 40)] * 4) as image:

        def hold():
            try:
                outcome.append(image.apply_in_place("hold", milliseconds=400))
            except BaseException as error:  # noqa: BLE001 - reported by the main thread
                outcome.append(error)

        started = time.monotonic()
        worker = threading.Thread(target=hold)
        worker.start()
        time.sleep(0.1)  # the call is asleep in the plugin, without the GIL
        slow.close()
        assert pixbridge.live_plugins() == 0
        with pytest.raises(pixbridge.InvalidArgumentError):
            image.apply_in_place("hold")  # the name is gone at once
        worker.join(10)
        assert outcome == [None]
        assert time.monotonic() - started >= 0.4
        assert rgba(image) == [(245, 235, 225, 40)] * 4


def test_close_from_many_threads_at_once_unloads_once():
    loaded = pixbridge.Plugin.load(plugin("libpixbridge_sepia.so"))
    errors = []
    barrier = threading.Barrier(8)

    def close():
        barrier.wait()
        try:
            loaded.close()
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=close) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == [] and loaded.closed
    assert pixbridge.live_plugins() == 0


def test_concurrent_calls_of_a_plugin_operation(sepia):
    results = []

    def work():
        with pixels((100, 150, 200, 77)) as image:
            for _ in range(50):
                with image.apply("channel_gain", red=0.5) as gained:
                    results.append(rgba(gained))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results == [[(50, 150, 200, 77)]] * 200


# -- the manifest's plugin_cases ---------------------------------------------------------------

with open(TESTDATA / "manifest.json", encoding="utf-8") as _file:
    PLUGIN_CASES = {case["name"]: case for case in json.load(_file)["plugin_cases"]}


def test_manifest_has_plugin_cases():
    assert len(PLUGIN_CASES) >= 20
    for case in PLUGIN_CASES.values():
        assert set(case) <= {"name", "plugins", "input", "ops", "expect"}, case["name"]


def run_plugin_case(case):
    """(outcome, image): ("Ok", final image) or (error code name, None).

    Loads the case's plugins in order, opens its input and applies its operations by name, each
    with the method of its kind; closes every plugin afterwards.
    """
    loaded = []
    current = None
    try:
        for file in case["plugins"]:
            loaded.append(pixbridge.Plugin.load(plugin(file)))
        assert "input" in case, "a case whose plugins load has an input"
        current = pixbridge.Image.open(data(case["input"]))
        for step in case["ops"]:
            name = step["op"]
            arguments = step.get("arguments", {})
            kind = next((op.kind for p in loaded for op in p.operations if op.name == name), None)
            if kind == FRESH:
                made = current.apply(name, **arguments)
                current.close()
                current = made
            else:  # in place, or a name no plugin has (the library's error)
                current.apply_in_place(name, **arguments)
        result, current = current, None
        return "Ok", result
    except pixbridge.PixbridgeError as error:
        assert str(error), "the error message is empty"
        return pixbridge.ErrorCode(error.code).native_name, None
    finally:
        if current is not None:
            current.close()
        for each in reversed(loaded):
            each.close()


@pytest.mark.parametrize("name", sorted(PLUGIN_CASES))
def test_plugin_case(name):
    case = PLUGIN_CASES[name]
    expect = case["expect"]
    outcome, image = run_plugin_case(case)
    assert pixbridge.live_plugins() == 0
    if "error" in expect:
        assert image is None, f"expected error {expect['error']}, got an image"
        assert outcome == expect["error"]
        return
    assert image is not None, f"expected an image, got error {outcome}"
    with image:
        assert (image.width, image.height) == (expect["width"], expect["height"])
        assert pixel_sha256(image) == expect["sha256"].lower()
