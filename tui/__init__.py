"""The Textual review app: walk an aligned corpus pair by pair and fix every sentence link.

``tui`` imports ``aligner``; ``aligner`` never imports ``tui``. Every edit goes through
:mod:`aligner.review`, so the app only shows data and maps keys to library calls.
"""
