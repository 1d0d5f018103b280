"""``pixbridge.Plugin``: image operations from shared libraries loaded at run time.

A plugin is a shared library exporting ``pixbridge_plugin_entry`` (docs/plugins.md). Loading it
with :meth:`Plugin.load` makes its operations callable by name on every image, next to the
built-in ones: :meth:`Image.apply` for operations that return a new image,
:meth:`Image.apply_in_place` for those that change the image.

Operation names are unique in the process: across Pixbridge's own operations and every loaded
plugin (the library refuses a plugin whose operation name is taken). This module keeps a
process-wide, thread-safe registry of the plugins loaded through the package (operation name ->
its description), which maps the keyword arguments of ``apply`` to the positions the library
takes; :meth:`Plugin.close` takes a plugin's names out of it as it unloads the library.

Lifetime: a plugin stays loaded until :meth:`Plugin.close` (or the end of its ``with`` block),
like a library opened with ``dlopen``; the registry holds it, so dropping the last reference does
not unload it. Unloading is safe at any time: calls running one of its operations finish first
(the library is closed when the last of them returns), and images it made stay valid.
"""

import ctypes
import numbers
import os
import threading
from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Tuple, Union

from . import _native
from ._abi import PixbridgePluginInfo, PixbridgePluginOperationInfo, PixbridgePluginParameterInfo
from ._enums import ErrorCode, PluginOperationKind, PluginParameterType, PluginText
from ._errors import InvalidArgumentError, PixbridgeError, error_for

#: The value of a plugin operation's parameter: a float, an int or a bool (sent as 0 or 1).
PluginValue = Union[float, int, bool]
#: A plugin file's path: ``str``, ``bytes`` or ``os.PathLike``.
PluginPath = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]


@dataclass(frozen=True)
class PluginParameter:
    """One parameter of a plugin operation, as the plugin describes it.

    ``default``, ``minimum`` and ``maximum`` are ints for an ``INT`` parameter, bools for a
    ``BOOL`` one and floats for a ``FLOAT`` one. The library checks every argument against the
    type and the range (inclusive) before the plugin runs.
    """

    #: The name, as a keyword of :meth:`Image.apply` (lower-case letters, digits and ``_``).
    name: str
    #: What it does (empty if the plugin says nothing).
    description: str
    #: Which values are accepted: whole numbers, real numbers or flags.
    type: PluginParameterType
    #: The value used when the argument is not given.
    default: PluginValue
    #: The smallest accepted value.
    minimum: PluginValue
    #: The largest accepted value.
    maximum: PluginValue


@dataclass(frozen=True)
class PluginOperation:
    """One operation of a plugin, as the plugin describes it."""

    #: The name to pass to :meth:`Image.apply` or :meth:`Image.apply_in_place`.
    name: str
    #: What it does (empty if the plugin says nothing).
    description: str
    #: ``FRESH``: returns a new image (:meth:`Image.apply`); ``IN_PLACE``: changes the image
    #: (:meth:`Image.apply_in_place`).
    kind: PluginOperationKind
    #: The parameters, in the order the plugin declares them.
    parameters: Tuple[PluginParameter, ...]


# The registry: operation name -> (its description, the plugin it belongs to). Loads, closes
# and look-ups hold the lock; a close unloads the native plugin under it too, so that the
# registry and the library's own table of names change together.
_lock = threading.Lock()
_registry: Dict[str, Tuple[PluginOperation, "Plugin"]] = {}


class Plugin:
    """A plugin library loaded into the process; its operations are applied by name on images.

    Load one with :meth:`load`, then call :meth:`Image.apply` / :meth:`Image.apply_in_place`
    with the names in :attr:`operations`. Close it with :meth:`close` or a ``with`` block; it is
    not unloaded by garbage collection (its operations stay callable by name until then).
    Everything it describes is read once, at load, and stays readable after :meth:`close`.

    Loading runs the library's initialisers, and its operations run inside this process with its
    rights: load only plugins you trust, as any native code.
    """

    __slots__ = ("_handle", "_name", "_version", "_description", "_path", "_abi_version", "_operations")

    _handle: int

    def __init__(self) -> None:
        raise TypeError("Plugin cannot be created directly; use Plugin.load(path)")

    @classmethod
    def load(cls, path: PluginPath) -> "Plugin":
        """Loads the plugin library at ``path`` and makes its operations callable by name.

        Args:
            path: the shared library (``str``, ``bytes`` or ``os.PathLike``).

        Raises:
            NotFoundError: the file does not exist (also a ``FileNotFoundError``).
            PermissionDeniedError: the file cannot be read.
            PluginRejectedError: the library was refused, with a message saying why: not a
                loadable library, no ``pixbridge_plugin_entry``, an unsupported plugin ABI
                version or descriptor size, a malformed descriptor, or an operation name that
                Pixbridge or another loaded plugin already has (the same plugin loaded twice).
        """
        encoded = os.fsencode(os.fspath(path))
        table = _native.functions()
        out = ctypes.c_uint64()
        _native.check(table.plugin_load(encoded, len(encoded), ctypes.byref(out)))
        plugin = cls.__new__(cls)
        plugin._handle = out.value
        try:
            plugin._describe()
        except BaseException:
            table.plugin_unload(plugin._handle)
            plugin._handle = 0
            raise
        with _lock:
            for operation in plugin._operations:
                _registry[operation.name] = (operation, plugin)
        return plugin

    def _describe(self) -> None:
        """Reads the plugin's description from the library, once."""
        table = _native.functions()
        info = PixbridgePluginInfo()
        _native.check(table.plugin_info(self._handle, ctypes.byref(info)))
        self._name = self._text(PluginText.PLUGIN_NAME)
        self._version = self._text(PluginText.PLUGIN_VERSION)
        self._description = self._text(PluginText.PLUGIN_DOCS)
        self._path = self._text(PluginText.PLUGIN_PATH)
        self._abi_version = (int(info.abi_major), int(info.abi_minor))
        operations: List[PluginOperation] = []
        for index in range(info.operation_count):
            operation_info = PixbridgePluginOperationInfo()
            _native.check(table.plugin_operation_info(self._handle, index, ctypes.byref(operation_info)))
            parameters = tuple(self._parameter(index, p) for p in range(operation_info.parameter_count))
            operations.append(
                PluginOperation(
                    name=self._text(PluginText.OPERATION_NAME, index),
                    description=self._text(PluginText.OPERATION_DOCS, index),
                    kind=PluginOperationKind(operation_info.kind),
                    parameters=parameters,
                )
            )
        self._operations = tuple(operations)

    def _parameter(self, operation: int, parameter: int) -> PluginParameter:
        info = PixbridgePluginParameterInfo()
        _native.check(_native.functions().plugin_parameter_info(self._handle, operation, parameter, ctypes.byref(info)))
        kind = PluginParameterType(info.kind)
        return PluginParameter(
            name=self._text(PluginText.PARAMETER_NAME, operation, parameter),
            description=self._text(PluginText.PARAMETER_DOCS, operation, parameter),
            type=kind,
            default=_typed(kind, info.default_value),
            minimum=_typed(kind, info.minimum),
            maximum=_typed(kind, info.maximum),
        )

    def _text(self, text: PluginText, operation: int = 0, parameter: int = 0) -> str:
        """One text of the plugin: its length first (a null buffer), then the text."""
        function = _native.functions().plugin_text
        length = ctypes.c_size_t(0)
        code = function(self._handle, text, operation, parameter, None, 0, ctypes.byref(length))
        if code not in (0, ErrorCode.BUFFER_TOO_SMALL):
            raise error_for(code, _native.last_error_message())
        buffer = ctypes.create_string_buffer(length.value + 1)
        _native.check(function(self._handle, text, operation, parameter, buffer, len(buffer), ctypes.byref(length)))
        return buffer.raw[: length.value].decode("utf-8")

    # -- description --------------------------------------------------------------------------

    @property
    def name(self) -> str:
        """The plugin's name (``"sepia"``)."""
        return self._name

    @property
    def version(self) -> str:
        """The plugin's version, as it writes it (``"1.0.0"``)."""
        return self._version

    @property
    def description(self) -> str:
        """What the plugin does (empty if it says nothing, as a plugin built for ABI 1.0)."""
        return self._description

    @property
    def path(self) -> str:
        """The path the plugin was loaded from."""
        return self._path

    @property
    def abi_version(self) -> Tuple[int, int]:
        """(major, minor) of the plugin ABI the plugin was built for, e.g. ``(1, 1)``."""
        return self._abi_version

    @property
    def operations(self) -> Tuple[PluginOperation, ...]:
        """Its operations, in the order the plugin declares them."""
        return self._operations

    # -- lifetime -----------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._handle == 0

    def close(self) -> None:
        """Unloads the plugin: its operation names are gone at once; calling it again does nothing.

        Safe from any thread, also while its operations run: those calls finish, and the library
        is closed when the last of them returns. Images it made stay valid. The same file (or a
        new build of it at the same path) can then be loaded again.
        """
        with _lock:
            handle, self._handle = self._handle, 0
            if not handle:
                return
            for operation in self._operations:
                entry = _registry.get(operation.name)
                if entry is not None and entry[1] is self:
                    del _registry[operation.name]
            code = _native.functions().plugin_unload(handle)
        _native.check(code)

    def __enter__(self) -> "Plugin":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = " (closed)" if self.closed else ""
        names = ", ".join(operation.name for operation in self._operations)
        return f"<pixbridge.Plugin {self._name} {self._version} [{names}] from {self._path}{state}>"


def _typed(kind: PluginParameterType, value: float) -> PluginValue:
    """A described value as the Python type of its parameter."""
    if kind == PluginParameterType.INT:
        return int(value)
    if kind == PluginParameterType.BOOL:
        return value != 0
    return float(value)


def live_plugins() -> int:
    """Diagnostics: the number of plugins loaded in this process (by this package or otherwise)."""
    count = ctypes.c_uint64()
    _native.check(_native.functions().live_plugins(ctypes.byref(count)))
    return count.value


def find_operation(name: str) -> Optional[PluginOperation]:
    """The description of the operation ``name`` of a plugin loaded through the package, or None."""
    with _lock:
        entry = _registry.get(name)
    return None if entry is None else entry[0]


def native_arguments(
    operation: str, kind: PluginOperationKind, arguments: Mapping[str, object]
) -> "Tuple[bytes, Optional[ctypes.Array[ctypes.c_double]], int]":
    """(UTF-8 name, doubles or None, count) for ``pixbridge_plugin_apply``.

    ``kind`` is what the calling method applies (``apply``: ``FRESH``). Keyword arguments are
    mapped to the positions of the operation's parameters; missing ones take their defaults.
    An operation no plugin loaded through the package has goes to the library as it is when no
    argument was given (the library names the error).

    Raises:
        InvalidArgumentError: the operation is of the other kind, an argument name is unknown,
            or arguments were given for an operation of no plugin loaded through the package.
        TypeError: ``operation`` is not a ``str``, or an argument is not a real number.
    """
    if not isinstance(operation, str):
        raise TypeError(f"operation must be a str, not {type(operation).__name__}")
    encoded = operation.encode("utf-8")
    described = find_operation(operation)
    if described is None:
        if arguments:
            raise InvalidArgumentError(
                f"no plugin loaded with pixbridge.Plugin.load has an operation `{operation}`,"
                " so its arguments cannot be given by name"
            )
        return encoded, None, 0
    if described.kind != kind:
        raise InvalidArgumentError(_wrong_method(operation, described.kind))
    names = [parameter.name for parameter in described.parameters]
    unknown = sorted(set(arguments) - set(names))
    if unknown:
        valid = ", ".join(names) if names else "none"
        raise InvalidArgumentError(
            f"`{operation}` has no parameter {', '.join(f'`{name}`' for name in unknown)}; its parameters: {valid}"
        )
    if not names:
        return encoded, None, 0
    values = [
        _double(arguments[parameter.name], operation, parameter.name) if parameter.name in arguments
        # The described default: a double the library read from the plugin, sent back unchanged.
        else float(parameter.default)
        for parameter in described.parameters
    ]
    return encoded, (ctypes.c_double * len(values))(*values), len(values)


def _double(value: object, operation: str, name: str) -> float:
    """An argument as the double the library takes: bools as 0 or 1; the library checks the range."""
    if not isinstance(value, numbers.Real):
        raise TypeError(f"argument `{name}` of `{operation}` must be a number or a bool, not {type(value).__name__}")
    try:
        return float(value)
    except OverflowError:
        raise InvalidArgumentError(f"argument `{name}` of `{operation}` is too large: {value}") from None


def _wrong_method(operation: str, kind: PluginOperationKind) -> str:
    if kind == PluginOperationKind.FRESH:
        return f"`{operation}` returns a new image: call image.apply({operation!r}, ...), not apply_in_place"
    return f"`{operation}` changes the image in place: call image.apply_in_place({operation!r}, ...), not apply"


def wrong_kind(operation: str, kind: PluginOperationKind) -> PixbridgeError:
    """The error for an operation unknown to the registry that ran and turned out to be of ``kind``.

    Only an operation of a plugin loaded without this package can get there.
    """
    done = "changed the image" if kind == PluginOperationKind.IN_PLACE else "made a new image, which was freed"
    return InvalidArgumentError(f"{_wrong_method(operation, kind)} (the call {done})")


__all__ = ["Plugin", "PluginOperation", "PluginParameter", "PluginValue", "live_plugins"]
