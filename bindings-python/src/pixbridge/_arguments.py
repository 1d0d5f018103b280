"""Checks and conversions of arguments before they reach the native library.

Python integers are unbounded and ctypes would silently truncate them to 32 bits, so every
integer is range-checked here: a value outside the C parameter's range raises
:class:`~pixbridge.InvalidArgumentError` (code ``INVALID_ARGUMENT``, also a ``ValueError``),
the same code the native library gives for values it refuses.
"""

import enum
import numbers
import operator
from typing import Type, TypeVar, Union

from ._errors import InvalidArgumentError

U32_MAX = 0xFFFF_FFFF
I32_MIN = -(2**31)
I32_MAX = 2**31 - 1

E = TypeVar("E", bound=enum.IntEnum)


def _integer(value: object, name: str) -> int:
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an integer, not bool")
    try:
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"{name} must be an integer, not {type(value).__name__}") from None


def u32(value: object, name: str) -> int:
    """``value`` as a C ``uint32_t``; ``InvalidArgumentError`` outside 0..=4294967295."""
    number = _integer(value, name)
    if not 0 <= number <= U32_MAX:
        raise InvalidArgumentError(f"{name} must be in 0..={U32_MAX}, got {number}")
    return number


def optional_level(value: object, name: str) -> int:
    """An optional setting where the C ABI reads 0 as "the default": None -> 0, 0 refused.

    Raises:
        InvalidArgumentError: ``value`` is 0 (say None for the default) or outside uint32.
    """
    if value is None:
        return 0
    number = u32(value, name)
    if number == 0:
        raise InvalidArgumentError(f"{name} must be at least 1 (None for the default), got 0")
    return number


def i32(value: object, name: str) -> int:
    """``value`` as a C ``int32_t``; ``InvalidArgumentError`` outside its range."""
    number = _integer(value, name)
    if not I32_MIN <= number <= I32_MAX:
        raise InvalidArgumentError(f"{name} must be in {I32_MIN}..={I32_MAX}, got {number}")
    return number


def f32(value: object, name: str) -> float:
    """``value`` as a float for a C ``float`` parameter (NaN and infinities pass; the library judges them)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, not {type(value).__name__}")
    return float(value)


def enum_member(cls: Type[E], value: Union[E, str, int], name: str) -> E:
    """A member of ``cls`` from a member, its name (Rust or Python spelling, any case) or its number.

    Raises:
        InvalidArgumentError: if no member matches.
        TypeError: if ``value`` is of another type.
    """
    if isinstance(value, cls):
        return value
    if isinstance(value, str):
        try:
            return cls.from_native_name(value)  # type: ignore[attr-defined, no-any-return]
        except ValueError as error:
            raise InvalidArgumentError(f"{name}: {error}") from None
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return cls(value)
        except ValueError:
            raise InvalidArgumentError(f"{name}: {value} is not a {cls.__name__} code") from None
    raise TypeError(f"{name} must be a {cls.__name__} or its name, not {type(value).__name__}")


def enum_code(cls: Type[E], value: Union[E, str, int], name: str) -> int:
    """The number of :func:`enum_member`'s result, for the native call."""
    return int(enum_member(cls, value, name))
