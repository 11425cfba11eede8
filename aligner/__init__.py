"""aligner: English–Korean news article alignment, from pages to a reviewed parallel corpus."""

__version__ = "0.1.0"
