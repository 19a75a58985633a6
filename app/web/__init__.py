"""The Gradio chat: app/web/ui.py wires components to the service, app/web/render.py turns an Answer into HTML."""
