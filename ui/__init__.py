"""The web page of Newsdesk (Gradio), a thin layer over assistant.Assistant.

`newsdesk serve` starts it; ui.app.build_app(assistant) builds the Blocks for embedding.
"""
