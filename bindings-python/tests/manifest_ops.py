"""Applies a manifest operation (``{"op": "adjust_brightness", "delta": 10}``) to an image.

Shared by the golden manifest and the bad-input corpus. Operations are found by name on
``Image`` and parameters are matched by name, so no operation is listed here and the manifests
exercise the generated methods exactly as a user calls them (``image.adjust_brightness(delta=10)``).
"""

import inspect
import math
from typing import Any, Dict, Optional

import pixbridge

_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def apply(
    image: pixbridge.Image, op: Dict[str, Any], control: Optional[pixbridge.Control] = None
) -> Optional[pixbridge.Image]:
    """Applies one operation; returns the new image of a fresh operation, else None.

    With a ``control`` the call goes through the library's ``_controlled`` functions.
    """
    name = op["op"]
    if name == "encode_decode":
        encoded = image.encode(op["format"], op.get("quality"), control=control)
        return pixbridge.Image.decode(encoded, control=control)
    method = getattr(pixbridge.Image, name, None)
    if method is None or name.startswith("_"):
        raise AssertionError(f"manifest operation {name}: Image has no method {name}")
    signature = inspect.signature(method).parameters
    # The operation's own parameters; the keyword-only `control` is no manifest parameter.
    parameters = [p for p, spec in signature.items() if p != "self" and spec.kind is not spec.KEYWORD_ONLY]
    extra = set(op) - {"op"} - set(parameters)
    assert not extra, f"manifest operation {name} has unknown parameters: {sorted(extra)}"
    missing = [p for p in parameters if p not in op]
    assert not missing, f"manifest operation {name} lacks parameters {missing}"
    arguments = {p: _FLOATS.get(op[p], op[p]) if isinstance(op[p], str) else op[p] for p in parameters}
    if control is not None:
        arguments["control"] = control
    return getattr(image, name)(**arguments)
