"""Text handling between parsing and alignment.

``normalize``: cleaning of stored text, punctuation normalisation for the aligner;
``split``: sentence splitting (pysbd, Kiwi); ``langcheck``: language identification and
checks; ``tokenize``: word tokens for MT exports. Import the modules you need: Kiwi and
the language profiles load on first use.
"""
