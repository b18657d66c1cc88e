"""Render tracing: what a Jinja render read, kept so a later build can check it without rendering.

While a page renders, every name it resolves, every attribute or item it reads on an object it
reached that way, every method it calls on one, and every filter it applies to one is recorded
as a step, with a descriptor of the value it got: atoms by value (long texts by hash), objects by
the order in which the render first met them, containers by their elements. A render is a
function of those values, so if replaying the same steps on a new build gives the same
descriptors, rendering again would give the same page. Methods, properties and filters must
be pure (no side effects, same result for the same inputs).
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
from typing import Any

import jinja2
from jinja2.runtime import Context

#: Values described by value.
ATOMS = (str, bytes, int, float, bool, type(None), dt.date, dt.time, dt.timedelta, decimal.Decimal)
#: Exact atom types described without further checks.
_PLAIN = frozenset({int, float, bool, type(None), dt.datetime, dt.date})


#: What an unknown name resolves to.
UNDEFINED = jinja2.Undefined()
#: Keyword arguments Jinja adds to calls for its own use (Context.call removes them).
_JINJA_KWARGS = frozenset({"_block_vars", "_loop_vars"})


class Untraceable(Exception):
    """The render used something a replay could not reproduce: the page must be rendered."""


class Trace:
    """The steps of one render (or replay) and the running digest of the values they gave."""

    def __init__(self) -> None:
        self.objects: list[Any] = []
        self.index: dict[int, int] = {}
        self.steps: list[tuple[Any, ...]] = []
        self.values: list[str] = []
        self.seen: set[tuple[Any, ...]] = set()
        self.broken: str | None = None
        self.roots: dict[str, Any] = {}

    def describe(self, value: Any, depth: int = 0) -> str:
        """The descriptor of `value`, registering objects and containers met for the first time."""
        kind = type(value)
        if kind is str:
            return f"s{len(value)}:{value}"
        if kind in _PLAIN:
            return _plain_text(value)
        known = self.index.get(id(value))
        if known is not None:
            return f"#{known}"
        if isinstance(value, ATOMS):
            if isinstance(value, str):
                return f"s{len(value)}:{value}"
            return kind.__name__ + ":" + repr(value)
        if isinstance(value, jinja2.Undefined):
            return "u"
        if depth > 8:
            raise Untraceable("nested too deep")
        if isinstance(value, (list, tuple, dict)):
            self.index[id(value)] = len(self.objects)
            self.objects.append(value)
            if isinstance(value, dict):
                parts = [
                    self.describe(k, depth + 1) + ":" + self.describe(v, depth + 1)
                    for k, v in value.items()
                ]
                return "{" + ",".join(parts) + "}"
            mark = "[" if isinstance(value, list) else "("
            return mark + ",".join([self.describe(v, depth + 1) for v in value]) + "]"
        if isinstance(value, (set, frozenset)):
            raise Untraceable("a set (its order is not stable)")
        found = _OBJECT_TEXT.get(id(value))
        if found is not None and found[0] is value:
            text = found[1]
        else:
            prefix, show, sized, truth = _kind_info(kind)
            if prefix is None:
                raise Untraceable(f"an iterator ({kind.__name__})")
            text = prefix
            if show and not callable(value):
                text += "=" + self.describe(str(value), depth + 1)
            if sized:
                text += f"#len{len(value)}"
            elif truth:
                text += f"#bool{bool(value)}"
            _OBJECT_TEXT[id(value)] = (value, text)
        self.index[id(value)] = len(self.objects)
        self.objects.append(value)
        return text

    def encode(self, value: Any, depth: int = 0) -> Any:
        """Arguments as data a replay can rebuild: atoms as they are, known objects by number."""
        if isinstance(value, ATOMS):
            return ("v", value)
        if type(value) is jinja2.Undefined:
            return ("u", None)
        if depth > 8:
            raise Untraceable("nested too deep")
        if isinstance(value, (list, tuple)):
            kind = "l" if isinstance(value, list) else "t"
            return (kind, tuple(self.encode(v, depth + 1) for v in value))
        if isinstance(value, dict):
            return (
                "d",
                tuple((self.encode(k), self.encode(v, depth + 1)) for k, v in value.items()),
            )
        known = self.index.get(id(value))
        if known is None:
            raise Untraceable(f"an argument first met in a call ({type(value).__name__})")
        return ("o", known)

    def decode(self, data: Any) -> Any:
        """The value an encoded argument stands for in this trace."""
        kind, value = data
        if kind == "v":
            return value
        if kind == "o":
            return self.objects[value]
        if kind == "u":
            return UNDEFINED
        if kind == "l":
            return [self.decode(v) for v in value]
        if kind == "t":
            return tuple(self.decode(v) for v in value)
        return {self.decode(k): self.decode(v) for k, v in value}

    def add(self, step: tuple[Any, ...], value: Any) -> None:
        """Record one step and the value it gave (a step read again for the same value is not)."""
        if step in self.seen and (isinstance(value, ATOMS) or id(value) in self.index):
            return  # pure reads: the same step gives the same atom or the same known object
        self.seen.add(step)
        self.values.append(self.describe(value))
        self.steps.append(shared_step(step))

    def key(self) -> bytes:
        """The digest of every value the steps gave."""
        text = "\x1f".join(self.values).encode("utf-8", "surrogatepass")
        return hashlib.blake2b(text, digest_size=16).digest()


#: type -> (descriptor prefix or None for iterators, has its own str, has len, has bool).
_KINDS: dict[type, tuple[str | None, bool, bool, bool]] = {}
#: id -> (object, descriptor) of objects and dates met since `forget()`: renders are pure, so
#: an object's str, len and truth cannot change while pages render (they can between two
#: batches); holding the object keeps its id from being reused.
_OBJECT_TEXT: dict[int, tuple[Any, str]] = {}


def forget() -> None:
    """Drop the remembered object descriptors (call before each batch of pages)."""
    _OBJECT_TEXT.clear()


def _kind_info(kind: type) -> tuple[str | None, bool, bool, bool]:
    """What describe needs to know of a type (computed once per type)."""
    found = _KINDS.get(kind)
    if found is None:
        prefix = None if hasattr(kind, "__next__") else f"@{kind.__module__}.{kind.__qualname__}"
        found = _KINDS[kind] = (
            prefix,
            kind.__str__ is not object.__str__,
            hasattr(kind, "__len__"),
            hasattr(kind, "__bool__"),
        )
    return found


def _plain_text(value: Any) -> str:
    """Descriptor of an exact plain atom (dates and times' reprs remembered per object)."""
    kind = type(value)
    if kind is dt.datetime or kind is dt.date:
        found = _OBJECT_TEXT.get(id(value))
        if found is not None and found[0] is value:
            return found[1]
        text = kind.__name__ + ":" + repr(value)
        _OBJECT_TEXT[id(value)] = (value, text)
        return text
    return kind.__name__ + ":" + repr(value)


_CURRENT: list[Trace] = []
#: One shared tuple per distinct step: pages repeat the same steps, the manifest stores each once.
_STEPS: dict[tuple[Any, ...], tuple[Any, ...]] = {}


def shared_step(step: tuple[Any, ...]) -> tuple[Any, ...]:
    """The one shared copy of a step."""
    return _STEPS.setdefault(step, step)


_ORIGINAL: dict[str, Any] = {}


def _active() -> Trace | None:
    return _CURRENT[-1] if _CURRENT else None


def _traced_getattr(environment: jinja2.Environment, obj: Any, attribute: str) -> Any:
    value = type(environment).getattr(environment, obj, attribute)
    trace = _active()
    if trace is not None and trace.broken is None:
        owner = trace.index.get(id(obj))
        if owner is not None:
            _safely(trace, ("a", owner, attribute), value)
    return value


def _traced_getitem(environment: jinja2.Environment, obj: Any, argument: Any) -> Any:
    value = type(environment).getitem(environment, obj, argument)
    trace = _active()
    if trace is not None and trace.broken is None:
        owner = trace.index.get(id(obj))
        if owner is not None:
            try:
                _safely(trace, ("i", owner, trace.encode(argument)), value)
            except Untraceable as exc:
                trace.broken = str(exc)
    return value


def _safely(trace: Trace, step: tuple[Any, ...], value: Any) -> None:
    try:
        trace.add(step, value)
    except Untraceable as exc:
        trace.broken = str(exc)
    except Exception as exc:  # a value whose str() or len() fails: do not memoize
        trace.broken = f"{type(exc).__name__}: {exc}"


class TracingContext(Context):
    """Jinja context that records the names a render resolves and the calls it makes."""

    def resolve_or_missing(self, key: str) -> Any:
        """Resolve a name (recorded as a root step)."""
        value = super().resolve_or_missing(key)
        trace = _active()
        if trace is None or trace.broken is not None or key in self.vars:
            return value
        if value is jinja2.runtime.missing:
            _safely(trace, ("$", key), UNDEFINED)
        elif key in trace.roots or key in self.environment.globals:
            _safely(trace, ("$", key), value)
        return value

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        """Call a function (recorded when it is a method of an object the render met)."""
        value = super().call(__obj, *args, **kwargs)
        trace = _active()
        if trace is not None and trace.broken is None:
            owner = trace.index.get(id(__obj))
            if owner is not None:
                if getattr(__obj, "jinja_pass_arg", None) is not None:
                    pass  # gettext and the like: they read names through resolve (recorded)
                else:
                    try:
                        named = {k: v for k, v in kwargs.items() if k not in _JINJA_KWARGS}
                        step = ("c", owner, trace.encode(args), trace.encode(named))
                    except Untraceable as exc:
                        trace.broken = str(exc)
                    else:
                        _safely(trace, step, value)
        return value


def _traced_filter(name: str, function: Any) -> Any:
    def traced(*args: Any, **kwargs: Any) -> Any:
        value = function(*args, **kwargs)
        trace = _active()
        if trace is not None and trace.broken is None:
            if not all(isinstance(a, ATOMS) for a in args) or any(
                not isinstance(v, ATOMS) for v in kwargs.values()
            ):
                try:
                    step = ("f", name, trace.encode(args), trace.encode(kwargs))
                except Untraceable as exc:
                    trace.broken = str(exc)
                else:
                    _safely(trace, step, value)
        return value

    traced.__wrapped__ = function  # type: ignore[attr-defined]
    traced.__name__ = getattr(function, "__name__", name)
    return traced


def install(environment: jinja2.Environment) -> None:
    """Make an environment traceable (no cost beyond a check when nothing is being traced)."""
    if getattr(environment, "_fa_traced", False):
        for name, function in list(environment.filters.items()):
            if (
                not hasattr(function, "__wrapped__")
                and getattr(function, "jinja_pass_arg", None) is None
            ):
                environment.filters[name] = _traced_filter(name, function)
        return
    environment._fa_traced = True  # type: ignore[attr-defined]
    environment.getattr = _traced_getattr.__get__(environment)  # type: ignore[method-assign]
    environment.getitem = _traced_getitem.__get__(environment)  # type: ignore[method-assign]
    if not issubclass(environment.context_class, TracingContext):
        environment.context_class = type(
            "TracingContext", (TracingContext, environment.context_class), {}
        )
    install(environment)


def record(template: jinja2.Template, localcontext: dict[str, Any]) -> tuple[str, Trace]:
    """Render `template` while tracing what it reads."""
    trace = Trace()
    trace.roots = localcontext
    _CURRENT.append(trace)
    try:
        output = template.render(localcontext)
    finally:
        _CURRENT.pop()
    return output, trace


def replay(
    environment: jinja2.Environment, localcontext: dict[str, Any], steps: list[tuple[Any, ...]]
) -> bytes | None:
    """The digest the recorded steps give on today's values (None if a step cannot be replayed)."""
    trace = Trace()
    get_attr = type(environment).getattr
    get_item = type(environment).getitem
    filters = environment.filters
    globals_ = environment.globals
    objects = trace.objects
    describe = trace.describe
    decode = trace.decode
    values = trace.values
    try:
        for step in steps:
            kind = step[0]
            if kind == "a":
                value = get_attr(environment, objects[step[1]], step[2])
            elif kind == "$":
                name = step[1]
                value = (
                    localcontext[name] if name in localcontext else globals_.get(name, UNDEFINED)
                )
            elif kind == "i":
                value = get_item(environment, objects[step[1]], decode(step[2]))
            elif kind == "c":
                value = objects[step[1]](*decode(step[2]), **decode(step[3]))
            else:
                function = filters[step[1]]
                function = getattr(function, "__wrapped__", function)
                value = function(*decode(step[2]), **decode(step[3]))
            values.append(describe(value))
    except Exception:  # anything a replay cannot do means: render it
        return None
    return trace.key()
