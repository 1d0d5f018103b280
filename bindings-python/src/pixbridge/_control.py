"""``pixbridge.Control``: cancellation and progress of long native calls.

A :class:`Control` is passed to a call as ``control=`` (every generated operation, and
:meth:`Image.open`, :meth:`Image.decode`, :meth:`Image.thumbnail`, :meth:`Image.save`,
:meth:`Image.encode`). Any thread may then :meth:`Control.cancel` it: the call returns soon after
(within tens of milliseconds) by raising :class:`~pixbridge.CancelledError`, having produced
nothing, left its source image exactly as it was and written no file. A call that had already
finished keeps its result. Its optional progress callable is told the fraction done.

Lifetime: like an image, a control owns its native handle through a small owner object. A call
using the control holds the owner (and with it the ctypes callback object that the library calls)
until it returns, so :meth:`Control.close` on another thread, or garbage collection, never frees
anything that a running call may still use: the native control is destroyed when the last of
them lets go.

Exceptions raised by the progress callable are never lost: the first one is kept
(:attr:`Control.error`), the control is cancelled, and the call raises ``CancelledError`` whose
``__cause__`` is that exception. ``KeyboardInterrupt``, ``SystemExit`` and other exceptions that
are not ``Exception`` subclasses are re-raised by the call as they are, so that Ctrl-C in a
progress callable stops the program as usual. If the work had already finished when the callable
raised (in the final call with 1.0), the call raises the callable's exception itself, since
nothing was cancelled (a new image or buffer it made is freed; an in-place change or a saved
file stays).
"""

import asyncio
import ctypes
import functools
import threading
import weakref
from typing import Any, Callable, Optional, TypeVar

from . import _abi, _native
from ._enums import ErrorCode
from ._errors import InvalidHandleError, PixbridgeError, error_for

#: A progress callable: receives the fraction done, a float from 0 to 1.
ProgressCallable = Callable[[float], None]

T = TypeVar("T")


class _NativeControl:
    """Owns one native control handle and the ctypes callback object it calls.

    The handle is destroyed when the last reference to this object goes: the ``Control`` holds
    one, and so does every call using it, for its duration.
    """

    __slots__ = ("handle", "callback", "_destroy", "__weakref__")

    def __init__(self, handle: int, callback: object, destroy: Any) -> None:
        self.handle = handle
        # The CFUNCTYPE object the native control calls: must outlive the native control.
        self.callback = callback
        # Kept here so that destruction works during interpreter shutdown too.
        self._destroy = destroy

    def __del__(self) -> None:
        handle, self.handle = self.handle, 0
        if handle:
            try:
                self._destroy(handle)
            except Exception:  # noqa: BLE001 - a finaliser must not raise
                pass


class _State:
    """What the native progress callback works with.

    It refers to the native control only weakly, and the ``Control`` not at all, so that the
    callback object (which refers to this state) forms no reference cycle: an unused control is
    freed by reference counting, without waiting for the garbage collector.
    """

    __slots__ = ("progress", "error", "cancelled", "owner", "_lock", "_cancel")

    def __init__(self, progress: Optional[ProgressCallable], cancel: Any) -> None:
        self.progress = progress
        self.error: Optional[BaseException] = None
        self.cancelled = False
        self.owner: Optional["weakref.ReferenceType[_NativeControl]"] = None
        self._lock = threading.Lock()
        self._cancel = cancel

    def report(self, fraction: float, user_data: object) -> None:
        """The native progress callback (``user_data`` is unused); runs on whichever thread does the work.

        Never raises: an exception of the progress callable is kept and cancels the control.
        """
        try:
            if self.progress is not None and self.error is None:
                self.progress(float(fraction))
        except BaseException as error:  # noqa: B036 - kept and raised by the call
            # The traceback starts in the callable: without this frame, which refers to this
            # state, the kept exception forms no reference cycle with it.
            traceback = error.__traceback__
            self.fail(error.with_traceback(traceback.tb_next if traceback is not None else None))

    def fail(self, error: BaseException) -> None:
        """Keeps ``error`` (the first one only) and cancels the control."""
        with self._lock:
            if self.error is None:
                self.error = error
        self.cancel()

    def cancel(self) -> None:
        self.cancelled = True
        owner = self.owner() if self.owner is not None else None
        if owner is not None and owner.handle:
            # Fails only for a destroyed handle (then there is no call left to cancel).
            self._cancel(owner.handle)


class Control:
    """Cancels long Pixbridge calls from any thread and reports their progress.

    ::

        control = pixbridge.Control(lambda fraction: print(f"{fraction:.0%}"))
        threading.Timer(0.5, control.cancel).start()
        try:
            blurred = image.blur(20.0, control=control)
        except pixbridge.CancelledError:
            ...  # image is unchanged, nothing was produced

    Args:
        progress: called with the fraction done (a float, 0 to 1, strictly increasing for one
            call, at most about once per hundredth, and 1.0 when a call succeeds). It is called
            from whichever thread does the work (the calling thread or a native worker thread),
            never by two threads at once for one call; when one control serves several calls at
            once, each call reports its own progress (from 0 to 1) to it. It should return quickly.
            It may call :meth:`cancel`. If it raises, the control is cancelled and the call raises
            ``CancelledError`` from that exception (see :attr:`error`).

    One control may serve several calls, one after another or at once, from any threads:
    :meth:`cancel` stops all of them, running now or made later (a control stays cancelled; use a
    new one for new work). Close it with :meth:`close` or a ``with`` block; garbage collection
    closes it too.
    """

    __slots__ = ("_owner", "_state", "__weakref__")

    _owner: Optional[_NativeControl]

    def __init__(self, progress: Optional[ProgressCallable] = None) -> None:
        if progress is not None and not callable(progress):
            raise TypeError(f"progress must be callable or None, not {type(progress).__name__}")
        table = _native.functions()
        state = _State(progress, table.control_cancel)
        # The library calls back through this object: the owner keeps it alive (see _NativeControl).
        if progress is None:
            callback = ctypes.cast(0, _abi.PixbridgeProgressCallback)  # NULL: no progress
        else:
            callback = _abi.PixbridgeProgressCallback(state.report)
        out = ctypes.c_uint64()
        _native.check(table.control_create(callback, None, ctypes.byref(out)))
        owner = _NativeControl(out.value, callback, table.control_destroy)
        state.owner = weakref.ref(owner)
        self._state = state
        self._owner = owner

    def _require_open(self) -> _NativeControl:
        owner: Optional[_NativeControl] = getattr(self, "_owner", None)
        if owner is None:
            raise InvalidHandleError("the control is closed")
        return owner

    def cancel(self) -> None:
        """Requests cancellation of every call using this control, running now or made later.

        Safe from any thread, including the progress callable. Each such call raises
        ``CancelledError`` soon after (within tens of milliseconds), having freed what it
        allocated, left its source image unchanged and written no file; a call that already
        finished keeps its result. Calling it again, or on a closed control, does nothing.
        """
        self._state.cancel()

    @property
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` was called (or the progress callable raised)."""
        owner: Optional[_NativeControl] = getattr(self, "_owner", None)
        if self._state.cancelled or owner is None:
            return self._state.cancelled
        flag = ctypes.c_bool()
        _native.check(_native.functions().control_is_cancelled(owner.handle, ctypes.byref(flag)))
        return bool(flag.value)

    @property
    def error(self) -> Optional[BaseException]:
        """The first exception the progress callable raised, or None."""
        return self._state.error

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return getattr(self, "_owner", None) is None

    def close(self) -> None:
        """Releases the native control; calling it again does nothing.

        A call still running under it goes on (it can no longer be cancelled through this object)
        and keeps the native control and the progress callable alive until it returns.
        """
        self._owner = None

    def __enter__(self) -> "Control":
        self._require_open()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        if self.closed:
            return "<pixbridge.Control (closed)>"
        return f"<pixbridge.Control {'cancelled' if self.cancelled else 'active'}>"


def require(control: object) -> Control:
    """``control`` as a Control, checked: TypeError for another type."""
    if not isinstance(control, Control):
        raise TypeError(f"control must be a pixbridge.Control or None, not {type(control).__name__}")
    return control


def call(
    control: Control,
    field: str,
    *args: Any,
    out: Optional[ctypes.c_uint64] = None,
    discard: Optional[str] = None,
) -> None:
    """Calls the function table's ``field`` (a ``_controlled`` function) under ``control``.

    The arguments are ``args``, the control's handle and, if given, a pointer to ``out``.
    ``discard`` names the table function that frees what ``out`` received (``image_destroy``,
    ``buffer_destroy``), for a call that succeeded while the progress callable raised.

    Raises:
        CancelledError: the call was cancelled; chained from the progress callable's exception
            if that was the reason.
        InvalidHandleError: ``control`` is closed.
        PixbridgeError: the call failed otherwise.
    """
    # Held until the call returns: keeps the native control and its callback object alive even
    # if another thread closes the control meanwhile.
    owner = require(control)._require_open()
    table = _native.functions()
    function = getattr(table, field)
    if out is None:
        code = function(*args, owner.handle)
    else:
        code = function(*args, owner.handle, ctypes.byref(out))
    # Read the thread's native message before any other native call (discard) replaces it.
    failure: Optional[PixbridgeError] = None if code == 0 else error_for(code, _native.last_error_message())
    pending = control._state.error
    error: Optional[BaseException] = failure
    if pending is not None:
        if failure is None:
            # The work finished before the callable raised at 1.0: nothing was cancelled.
            if discard is not None and out is not None and out.value:
                getattr(table, discard)(out.value)
            error = pending
        elif not isinstance(pending, Exception):
            error = pending  # KeyboardInterrupt, SystemExit, ...: as they are
        elif failure.code == ErrorCode.CANCELLED:
            failure.__cause__ = pending  # raise ... from pending
        else:
            # Another failure at the same time: shown with the callable's exception as its context.
            failure.__context__ = pending
    if error is None:
        return
    try:
        raise error
    finally:
        # The traceback keeps this frame: without these locals it refers to no exception and no
        # control, so that no reference cycle keeps the control or the images alive.
        del error, failure, pending, owner, control


async def run_async(function: Callable[..., T], *args: Any, control: Optional[Control] = None, **kwargs: Any) -> T:
    """Awaits ``function(*args, control=control, **kwargs)`` run in the event loop's default executor.

    ``function`` is a Pixbridge call that takes ``control=`` (``image.blur``,
    ``pixbridge.Image.open``, ``image.save``, ...). The GIL is released during the native work,
    so the event loop keeps running. If the awaiting task is cancelled, the control is cancelled
    (a new one is made when ``control`` is None), and this coroutine waits for the native call to
    return (tens of milliseconds) before it raises ``asyncio.CancelledError``: afterwards nothing
    uses the images any more. The progress callable of ``control`` runs on a native thread, not on
    the event loop's: use ``loop.call_soon_threadsafe`` to touch asyncio objects from it.

    Raises:
        asyncio.CancelledError: the awaiting task was cancelled.
        pixbridge.CancelledError: ``control`` was cancelled by other means.
        PixbridgeError: ``function`` failed otherwise.
    """
    own = control is None
    used = Control() if control is None else require(control)
    loop = asyncio.get_running_loop()
    future = loop.run_in_executor(None, functools.partial(function, *args, control=used, **kwargs))
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        used.cancel()
        await asyncio.wait({future})
        # Retrieve the outcome, so that asyncio does not report an exception as never retrieved;
        # a result that was made before the cancel took effect is closed (nobody will see it).
        if not future.cancelled() and future.exception() is None:
            close = getattr(future.result(), "close", None)
            if callable(close):
                close()
        raise
    finally:
        if own:
            used.close()


__all__ = ["Control", "ProgressCallable", "run_async"]
