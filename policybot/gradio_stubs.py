"""Where the repo-root app.py finds the Gradio start-up shortcut: it now lives in policybot.web.stubs."""

from policybot.web.stubs import skip_gradio_stub_writing

__all__ = ["skip_gradio_stub_writing"]
