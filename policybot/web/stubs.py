"""Start the web app sooner: stop Gradio from rewriting its own type-stub files every time it is imported.

On import, Gradio's ComponentMeta regenerates the .pyi stub of each of its ~60 component classes: it reads the
class's source file and its stub and parses both with `ast`, once per class. On 2 cores that is 1.5–2.5 s of the
app's start (of about 4 s for all of `import gradio`). The stubs are for editors' type hints; nothing reads them
at run time, so the app skips writing them. The change is confined to that one Gradio function and made only when
it exists under that name, so a Gradio that changes its internals simply starts at its own speed.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from types import ModuleType

GRADIO_META = "gradio.component_meta"
STUB_WRITER = "create_or_modify_pyi"


def _write_no_stub(*args: object, **kwargs: object) -> None:
    """Stand-in for Gradio's stub writer: the component class is unchanged, no file is read or written."""


class _SkipStubWriting(importlib.abc.MetaPathFinder):
    """Finds gradio.component_meta the usual way and replaces its stub writer once the module has run."""

    def __init__(self) -> None:
        self.done = False

    def find_spec(self, fullname: str, path=None, target=None):  # noqa: ANN001 - the finder protocol's types
        # stays in sys.meta_path once done: removing it while another thread walks the list could skip a finder
        if fullname != GRADIO_META or self.done:
            return None
        self.done = True
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        run_module = spec.loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run_module(module)
            if callable(getattr(module, STUB_WRITER, None)):
                setattr(module, STUB_WRITER, _write_no_stub)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def skip_gradio_stub_writing() -> bool:
    """Arrange for Gradio, when it is first imported, not to rewrite its stubs; False if it is imported already."""
    if "gradio" in sys.modules:
        return False
    if not any(isinstance(finder, _SkipStubWriting) for finder in sys.meta_path):
        sys.meta_path.insert(0, _SkipStubWriting())
    return True
