"""Hook specifications. Every hook receives a ``register`` callback; plugins
call it with an object implementing the matching interface in
``e2a_common.interfaces``. Hooks are called with keyword arguments only."""
import pluggy

hookspec = pluggy.HookspecMarker("e2a")
hookimpl = pluggy.HookimplMarker("e2a")


@hookspec
def register_extractors(register):
    """Register ebook readers: ``register(extractor)`` with an Extractor."""


@hookspec
def register_engines(register):
    """Register text-to-speech engines: ``register(engine)`` with an Engine."""


@hookspec
def register_formats(register):
    """Register output formats: ``register(fmt)`` with an OutputFormat."""
