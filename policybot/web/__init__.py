"""The web front: the Gradio page (one module per tab), the JSON HTTP API beside it, and the server running both.

Nothing is imported here, so that `policybot.web.stubs` can run before Gradio is first imported.
"""
