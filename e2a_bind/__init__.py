"""e2a-bind: spoken sentences in, one audiobook file out (see docs/bind.md)."""
from .assemble import DEFAULT_PAUSES
from .core import BindResult, bind, check_writable, format_for, verify_output

__all__ = ["bind", "BindResult", "DEFAULT_PAUSES", "format_for", "verify_output",
           "check_writable"]
